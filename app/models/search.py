"""The search index: per customer, contact and lead one row of the normalised text that
search looks in (services.search writes it), and the database's own text index over it.

- SQLite: an FTS5 table with the trigram tokenizer per search table, its content read from
  the search table (external content) by the explicit integer ``id``, which VACUUM never
  renumbers; three triggers on the search table keep it current, each touching the FTS
  index by that rowid.
- PostgreSQL: ``pg_trgm`` GIN indexes on the search table's columns.

Text columns sort by code point on both databases (PostgreSQL: collation "C"), so a prefix
is one index range whatever the server's locale. The DDL that is not plain tables and
indexes lives here only, for ``db.create_all()`` (through DDL events) and migration 0006.
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
# What SQLite's FTS5 adds to the schema per search table: the virtual table and its shadow
# tables. Not models: the schema checks (tests, autogenerate) expect them as extras.
FTS_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")
FTS_TABLES = frozenset(name + suffix for name in SEARCH_FIELDS for suffix in FTS_SUFFIXES)


def _search_table(name: str) -> Table:
    fields = SEARCH_FIELDS[name]
    return Table(
        name, db.metadata,
        # The FTS5 rowid on SQLite: an INTEGER PRIMARY KEY, so stable across VACUUM.
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("record_id", Uuid, ForeignKey(f"{RECORD_TABLES[name]}.id", ondelete="CASCADE"),
               nullable=False, unique=True),
        *(Column(field, SearchText) for field in fields),
        *(Index(f"ix_{name}_{field}", field) for field in fields if field in PREFIX_FIELDS),
    )


customer_search = _search_table("customer_search")
contact_search = _search_table("contact_search")
lead_search = _search_table("lead_search")
SEARCH_TABLES = (customer_search, contact_search, lead_search)


def text_index_ddl(dialect: str, name: str) -> list[str]:
    """The statements that put the text index on search table ``name``."""
    fields = SEARCH_FIELDS[name]
    if dialect == "postgresql":
        return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
            f"CREATE INDEX ix_{name}_{field}_trgm ON {name} USING gin ({field} gin_trgm_ops)"
            for field in fields]
    if dialect != "sqlite":
        return []
    fts, columns = f"{name}_fts", ", ".join(fields)
    new = ", ".join(f"new.{field}" for field in fields)
    old = ", ".join(f"old.{field}" for field in fields)
    insert = f"INSERT INTO {fts} (rowid, {columns}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts} ({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    return [
        # case_sensitive 1: the text is already folded (services.normalize), so the index
        # matches exactly what LIKE matches on PostgreSQL.
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='{name}', "
        "content_rowid='id', tokenize='trigram case_sensitive 1')",
        f"CREATE TRIGGER {name}_fts_insert AFTER INSERT ON {name} BEGIN {insert} END",
        f"CREATE TRIGGER {name}_fts_delete AFTER DELETE ON {name} BEGIN {delete} END",
        f"CREATE TRIGGER {name}_fts_update AFTER UPDATE ON {name} BEGIN {delete} {insert} END",
    ]


def drop_text_index_ddl(dialect: str, name: str) -> list[str]:
    """PostgreSQL's indexes and SQLite's triggers go with the table; the FTS table does not."""
    return [f"DROP TABLE IF EXISTS {name}_fts"] if dialect == "sqlite" else []


def _create_text_index(table, connection, **_kw):
    for statement in text_index_ddl(connection.dialect.name, table.name):
        connection.exec_driver_sql(statement)


def _drop_text_index(table, connection, **_kw):
    for statement in drop_text_index_ddl(connection.dialect.name, table.name):
        connection.exec_driver_sql(statement)


for _table in SEARCH_TABLES:
    event.listen(_table, "after_create", _create_text_index)
    event.listen(_table, "before_drop", _drop_text_index)


def is_text_index_object(name: str | None, type_: str) -> bool:
    """What the text index adds outside the models (FTS5 tables, pg_trgm indexes), for the
    schema comparisons to leave alone."""
    if type_ == "table":
        return name in FTS_TABLES
    return type_ == "index" and bool(name) and name.endswith("_trgm")
