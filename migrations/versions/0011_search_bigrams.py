"""search bigrams: two-character queries match anywhere in a field, through an index

A trigram index cannot answer a two-character query (the commonest: 华为, 小明), so since
0006 those matched only the start of a field. Each search table gets ``grams``: its text
fields' distinct two-character grams, one token each (services.search.grams_text), and an
index over them (SQLite: an FTS5 table and its triggers; PostgreSQL: a GIN index over
``string_to_array(grams, ' ')``; the DDL is models.search.gram_index_ddl, the one place
it is written). Then every search row is written again with its grams
(services.search.rebuild_search_index).

Only the search tables, so it can be re-chained after any revision from 0006 on.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.search import drop_gram_index_ddl, gram_index_ddl

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SEARCH_TABLES = ("customer_search", "contact_search", "lead_search")


def upgrade():
    from app.services.search import rebuild_search_index

    text = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    bind = op.get_bind()
    for name in SEARCH_TABLES:
        op.add_column(name, sa.Column('grams', text, nullable=True))
        for statement in gram_index_ddl(bind.dialect.name, name):
            op.execute(statement)
    rebuild_search_index(bind)


def downgrade():
    bind = op.get_bind()
    for name in reversed(SEARCH_TABLES):
        for statement in drop_gram_index_ddl(bind.dialect.name, name):
            op.execute(statement)
        # SQLite (3.35+) drops a column in place: no table rebuild, the rowids and the
        # trigram FTS table stay as they are.
        op.execute(f"ALTER TABLE {name} DROP COLUMN grams")
