"""The search index: per customer, contact and lead one row of the normalised text that
search looks in (services.search writes it), and the database's own text index over it.

- SQLite: an FTS5 table with the trigram tokenizer per search table, its content read from
  the search table (external content) by the explicit integer ``id``, which VACUUM never
  renumbers; three triggers on the search table keep it current, each touching the FTS
  index by that rowid.
- PostgreSQL: ``pg_trgm`` GIN indexes on the search table's columns.

Two-character queries, which a trigram index cannot answer, are looked up in the row's
``grams`` column instead (migration 0011): the row's overlapping two-character grams, one
token each, written by services.search. SQLite: a second FTS5 table over ``grams`` (its
own three triggers); PostgreSQL: a GIN index over ``string_to_array(grams, ' ')``.

Text columns sort by code point on both databases (PostgreSQL: collation "C"), so a prefix
is one index range whatever the server's locale. The DDL that is not plain tables and
indexes lives here only, for ``db.create_all()`` (through DDL events) and migrations 0006
(``text_index_ddl``) and 0011 (``gram_index_ddl``).
"""
from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text, Uuid, event

from app.extensions import db

SearchText = Text().with_variant(Text(collation="C"), "postgresql")

# Columns searched by substring (trigram); of these, those also searched by prefix (for
# queries under three characters, which a trigram index cannot answer) get a B-tree index.
SEARCH_FIELDS = {
    "customer_search": ("name", "city", "email", "phone"),
    "contact_search": ("name", "email", "phone"),
    "lead_search": ("name", "company", "city", "email", "phone"),
}
RECORD_TABLES = {"customer_search": "customers", "contact_search": "contacts",
                 "lead_search": "leads"}
PREFIX_FIELDS = ("name", "company", "city", "email")
# Columns whose two-character grams are in ``grams``: all but the phones, whose queries
# are 3 digits or more.
GRAM_FIELDS = {name: tuple(f for f in fields if f != "phone")
               for name, fields in SEARCH_FIELDS.items()}
# What SQLite's FTS5 adds to the schema per search table: the virtual tables (trigram
# ``_fts``, two-character grams ``_grams_fts``) and their shadow tables. Not models: the
# schema checks (tests, autogenerate) expect them as extras.
FTS_NAMES = ("_fts", "_grams_fts")
FTS_SUFFIXES = tuple(fts + shadow for fts in FTS_NAMES
                     for shadow in ("", "_data", "_idx", "_docsize", "_config"))
FTS_TABLES = frozenset(name + suffix for name in SEARCH_FIELDS for suffix in FTS_SUFFIXES)
# Index names that the text index adds outside the models (PostgreSQL).
TEXT_INDEX_SUFFIXES = ("_trgm", "_grams")


def _search_table(name: str) -> Table:
    fields = SEARCH_FIELDS[name]
    return Table(
        name, db.metadata,
        # The FTS5 rowid on SQLite: an INTEGER PRIMARY KEY, so stable across VACUUM.
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("record_id", Uuid, ForeignKey(f"{RECORD_TABLES[name]}.id", ondelete="CASCADE"),
               nullable=False, unique=True),
        *(Column(field, SearchText) for field in fields),
        # The two-character grams of GRAM_FIELDS (services.search.grams_text).
        Column("grams", SearchText),
        *(Index(f"ix_{name}_{field}", field) for field in fields if field in PREFIX_FIELDS),
    )


customer_search = _search_table("customer_search")
contact_search = _search_table("contact_search")
lead_search = _search_table("lead_search")
SEARCH_TABLES = (customer_search, contact_search, lead_search)


def _fts_ddl(name: str, fts: str, columns: tuple[str, ...], tokenize: str) -> list[str]:
    """An external-content FTS5 table over ``columns`` of search table ``name``, and the
    three triggers that keep it current by the search table's integer id."""
    listed = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {fts} (rowid, {listed}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts} ({fts}, rowid, {listed}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{name}', "
        f"content_rowid='id', tokenize='{tokenize}')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {name} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {name} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {name} BEGIN {delete} {insert} END",
    ]


def text_index_ddl(dialect: str, name: str) -> list[str]:
    """The statements that put the trigram text index on search table ``name`` (0006)."""
    fields = SEARCH_FIELDS[name]
    if dialect == "postgresql":
        return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
            f"CREATE INDEX ix_{name}_{field}_trgm ON {name} USING gin ({field} gin_trgm_ops)"
            for field in fields]
    if dialect != "sqlite":
        return []
    # case_sensitive 1: the text is already folded (services.normalize), so the index
    # matches exactly what LIKE matches on PostgreSQL.
    return _fts_ddl(name, f"{name}_fts", fields, "trigram case_sensitive 1")


def gram_index_ddl(dialect: str, name: str) -> list[str]:
    """The statements that index the ``grams`` column of search table ``name`` (0011):
    each gram is one token ([0-9a-z]+, services.search.gram_token), so the ``unicode61``
    tokenizer on SQLite and a split on spaces on PostgreSQL find the same ones."""
    if dialect == "postgresql":
        return [f"CREATE INDEX ix_{name}_grams ON {name} "
                "USING gin (string_to_array(grams, ' '))"]
    if dialect != "sqlite":
        return []
    fts = f"{name}_grams_fts"
    # 'rebuild' reads the rows already there (0011 adds this to filled tables): the triggers'
    # 'delete' of a row FTS5 never indexed would corrupt it.
    return _fts_ddl(name, fts, ("grams",), "unicode61") + [
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')"]


def drop_text_index_ddl(dialect: str, name: str) -> list[str]:
    """PostgreSQL's indexes and SQLite's triggers go with the table; the FTS table does not."""
    return [f"DROP TABLE IF EXISTS {name}_fts"] if dialect == "sqlite" else []


def drop_gram_index_ddl(dialect: str, name: str) -> list[str]:
    """What undoes gram_index_ddl while the search table stays (0011's downgrade)."""
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS ix_{name}_grams"]
    if dialect != "sqlite":
        return []
    return [f"DROP TRIGGER IF EXISTS {name}_grams_fts_{op}"
            for op in ("insert", "delete", "update")] + [
        f"DROP TABLE IF EXISTS {name}_grams_fts"]


def _create_text_index(table, connection, **_kw):
    dialect = connection.dialect.name
    for statement in text_index_ddl(dialect, table.name) + gram_index_ddl(dialect, table.name):
        connection.exec_driver_sql(statement)


def _drop_text_index(table, connection, **_kw):
    dialect = connection.dialect.name
    for statement in drop_gram_index_ddl(dialect, table.name) + drop_text_index_ddl(
            dialect, table.name):
        connection.exec_driver_sql(statement)


for _table in SEARCH_TABLES:
    event.listen(_table, "after_create", _create_text_index)
    event.listen(_table, "before_drop", _drop_text_index)


def is_text_index_object(name: str | None, type_: str) -> bool:
    """What the text index adds outside the models (FTS5 tables, pg_trgm and gram GIN
    indexes), for the schema comparisons to leave alone."""
    if type_ == "table":
        return name in FTS_TABLES
    return type_ == "index" and bool(name) and name.endswith(TEXT_INDEX_SUFFIXES)
