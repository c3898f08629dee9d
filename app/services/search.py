"""Search over customers, contacts and leads from the database's own text index.

Each record has one row in its search table (models.search) holding the text search looks
in, normalised here in Python (services.normalize) so both databases hold and compare the
same strings. The row is written by the service that writes the record (``index_*`` after
its flush), not by database triggers, because the normalisation (NFKC, case folding, legal
suffixes of company names) is Python: SQLite's ``lower()`` folds ASCII only and
PostgreSQL's follows the server's locale. Code that bulk-inserts records with Core (the
scale seed, imports) calls ``rebuild_search_index()`` after.

Matching, the same on both databases:

- a needle of 3 characters or more matches anywhere in the field (a substring), through
  the trigram index (SQLite FTS5 MATCH, PostgreSQL LIKE on pg_trgm GIN indexes);
- a needle of 2 characters (the commonest search: a two-character Chinese word, 华为,
  小明) matches anywhere in the field too, through the row's ``grams``: each field's
  distinct overlapping two-character grams, one token each, looked up as one token in an
  index (SQLite FTS5 MATCH, PostgreSQL GIN over ``string_to_array(grams, ' ')``);
- a needle of 1 character matches the start of the field, through a B-tree range on it
  (every row holds some common characters: a substring lookup would read most of them);
- phone digits are looked for only when the query looks like a phone number
  ("138 0013", "+86-21"), 3 digits or more, anywhere in the stored E.164 number(s).
"""
import re

from sqlalchemy import (
    Text, and_, cast, column, false, func, insert, inspect, literal_column, or_, select, table,
)
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Contact, Customer, Lead
from app.models.search import GRAM_FIELDS, contact_search, customer_search, lead_search
from app.services.normalize import company_key, search_text

TRIGRAM = 3
BIGRAM = 2
_PHONE_QUERY = re.compile(r"[\d\s+\-().]+")
REBUILD_BATCH = 2000


# What is stored -------------------------------------------------------------------------

def _folded(text: str | None) -> str | None:
    return search_text(text) or None


def _phones(*numbers: str | None) -> str | None:
    return " ".join(n for n in numbers if n) or None


def gram_token(field: str, gram: str) -> str:
    """One two-character gram of a field as one index token of [0-9a-z] only: the field,
    then each character's code point in hex, each after an ``x`` (``name`` + ``华为`` ->
    ``namex534ex4e3a``). Punctuation (``a@``), spaces and CJK survive any tokenizer so,
    and the field keeps a gram of the name apart from the same gram of the email."""
    return field + "".join(f"x{ord(ch):x}" for ch in gram)


def grams_text(search_table: str, row: dict) -> str | None:
    """The ``grams`` of a search row: the distinct tokens of every overlapping
    two-character gram of each of its GRAM_FIELDS, space-separated, in order."""
    tokens = {}
    for field in GRAM_FIELDS[search_table]:
        text = row.get(field) or ""
        for i in range(len(text) - 1):
            tokens.setdefault(gram_token(field, text[i:i + BIGRAM]))
    return " ".join(tokens) or None


def _with_grams(search_table: str, row: dict) -> dict:
    row["grams"] = grams_text(search_table, row)
    return row


def customer_row(customer) -> dict:
    return _with_grams("customer_search", {
        "record_id": customer.id, "name": customer.name_norm,
        "city": _folded(customer.city), "email": customer.email_norm,
        "phone": customer.phone_e164})


def contact_row(contact) -> dict:
    return _with_grams("contact_search", {
        "record_id": contact.id, "name": _folded(contact.name), "email": contact.email_norm,
        "phone": _phones(contact.phone_e164, contact.mobile_e164)})


def lead_row(lead) -> dict:
    return _with_grams("lead_search", {
        "record_id": lead.id, "name": _folded(lead.name), "company": lead.company_norm,
        "city": _folded(lead.city), "email": lead.email_norm, "phone": lead.phone_e164})


def _upsert(search_table, rows: list[dict]) -> None:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(search_table)
    fields = [c.name for c in search_table.columns if c.name not in ("id", "record_id")]
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["record_id"], set_={f: statement.excluded[f] for f in fields}), rows)


def index_customer(customer: Customer) -> None:
    """Call after the customer was flushed (its row must exist)."""
    _upsert(customer_search, [customer_row(customer)])


def index_contact(contact: Contact) -> None:
    _upsert(contact_search, [contact_row(contact)])


def index_lead(lead: Lead) -> None:
    _upsert(lead_search, [lead_row(lead)])


_SOURCES = (
    (customer_search, Customer, ("id", "name_norm", "city", "email_norm", "phone_e164"),
     customer_row),
    (contact_search, Contact, ("id", "name", "email_norm", "phone_e164", "mobile_e164"),
     contact_row),
    (lead_search, Lead, ("id", "name", "company_norm", "city", "email_norm", "phone_e164"),
     lead_row),
)


def rebuild_search_index(connection=None) -> dict[str, int]:
    """Write every search row again from the records (after Core bulk inserts, or to
    repair); returns the rows written per table. Runs in the caller's transaction (the
    session's, or ``connection``: migrations 0006 and 0011 pass their own). Writes the
    columns the table has: at 0006 it has no ``grams`` yet (0011 adds them)."""
    connection = connection if connection is not None else db.session.connection()
    written = {}
    for search_table, model, names, to_row in _SOURCES:
        there = {c["name"] for c in inspect(connection).get_columns(search_table.name)}
        target = table(search_table.name,
                       *(column(c.name, c.type) for c in search_table.columns
                         if c.name in there and c.name != "id"))
        connection.execute(search_table.delete())
        source = connection.execute(select(*(model.__table__.c[n] for n in names))
                                    .execution_options(yield_per=REBUILD_BATCH))
        written[search_table.name] = 0
        for batch in source.partitions():
            rows = [{k: v for k, v in to_row(row).items() if k in there} for row in batch]
            connection.execute(insert(target), rows)
            written[search_table.name] += len(rows)
    return written


# How it is searched ---------------------------------------------------------------------

def phone_digits(q: str) -> str:
    """The digits of a query that is a phone number, else "" ("Harbour Logistics 2" has a
    digit but is a name)."""
    if not _PHONE_QUERY.fullmatch(q.strip()):
        return ""
    digits = "".join(ch for ch in q if ch.isdigit())
    return digits if len(digits) >= TRIGRAM else ""


def query_needles(q: str) -> dict[str, str]:
    """The query in each normal form a field is stored in: folded text, a company name
    as normalised for storage (``Acme Co., Ltd.`` -> ``acme``), phone digits."""
    term = search_text(q)
    return {"text": term, "company": company_key(q) or term, "phone": phone_digits(q)}


# Per search table, the form of the query each field is searched with.
CUSTOMER_FIELDS = {"name": "company", "city": "text", "email": "text", "phone": "phone"}
CONTACT_FIELDS = {"name": "text", "email": "text", "phone": "phone"}
LEAD_FIELDS = {"name": "text", "company": "company", "city": "text", "email": "text",
               "phone": "phone"}


def _after_prefix(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with ``prefix`` (code
    point order), or None when there is none."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if last == 0xD800:
            last = 0xE000  # no surrogates in stored text
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return None


def _prefix(col, prefix: str):
    upper = _after_prefix(prefix)
    return col >= prefix if upper is None else and_(col >= prefix, col < upper)


def _like_contains(col, needle: str):
    escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return col.like(f"%{escaped}%", escape="/")


def _fts_phrase(field: str, needle: str) -> str:
    return f'{field} : "{needle.replace(chr(34), chr(34) * 2)}"'


def _fts_match(search_table, fts_name: str, expression: str):
    fts = table(fts_name, column("rowid"))
    return search_table.c.id.in_(
        select(fts.c.rowid).where(literal_column(fts_name).op("MATCH")(expression)))


def _has_gram(search_table, tokens: list[str]):
    """Rows whose ``grams`` hold any of ``tokens``, through the gram index."""
    if db.engine.dialect.name == "sqlite":
        expression = " OR ".join(f'"{token}"' for token in tokens)
        return _fts_match(search_table, f"{search_table.name}_grams_fts", expression)
    # The literal ' ' (not a parameter), so the expression is the index's expression.
    grams = func.string_to_array(search_table.c.grams, literal_column("' '"))
    return grams.op("&&")(cast(postgresql.array(tokens), postgresql.ARRAY(Text)))


def matching_ids(search_table, needles: dict[str, str]):
    """SELECT of the record ids whose search row matches any of ``needles`` (field ->
    normalised text); every branch is an index lookup."""
    conditions, trigram, bigram = [], [], []
    for field, needle in needles.items():
        if not needle:
            continue
        if len(needle) >= TRIGRAM:
            trigram.append((field, needle))
        elif len(needle) == BIGRAM:
            bigram.append(gram_token(field, needle))
        else:
            conditions.append(_prefix(search_table.c[field], needle))
    if bigram:
        conditions.append(_has_gram(search_table, bigram))
    if trigram and db.engine.dialect.name == "sqlite":
        expression = " OR ".join(_fts_phrase(f, n) for f, n in trigram)
        conditions.append(_fts_match(search_table, f"{search_table.name}_fts", expression))
    else:
        conditions += [_like_contains(search_table.c[f], n) for f, n in trigram]
    return select(search_table.c.record_id).where(or_(*conditions) if conditions else false())


def _matching(search_table, fields: dict[str, str], q: str):
    needles = query_needles(q)
    return matching_ids(search_table, {field: needles[form] for field, form in fields.items()})


def customers_matching(q: str):
    return _matching(customer_search, CUSTOMER_FIELDS, q)


def contacts_matching(q: str):
    return _matching(contact_search, CONTACT_FIELDS, q)


def leads_matching(q: str):
    return _matching(lead_search, LEAD_FIELDS, q)
