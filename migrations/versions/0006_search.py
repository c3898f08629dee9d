"""search: per-record search rows with the database's text index over them

customer_search, contact_search and lead_search (models.search), the text index on each
(SQLite FTS5 trigram tables and their triggers, or PostgreSQL pg_trgm GIN indexes: the DDL
is models.search.text_index_ddl, the one place it is written), then every existing
customer, contact and lead indexed (services.search.rebuild_search_index).

Self-contained (only its own tables), so it can be re-chained after any other revision.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.models.search import drop_text_index_ddl, text_index_ddl

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SEARCH_TABLES = {
    "customer_search": ("customers", ("name", "city", "email", "phone")),
    "contact_search": ("contacts", ("name", "email", "phone")),
    "lead_search": ("leads", ("name", "company", "city", "email", "phone")),
}
PREFIX_FIELDS = ("name", "company", "city", "email")


def upgrade():
    from app.services.search import rebuild_search_index

    text = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    bind = op.get_bind()
    for name, (records, fields) in SEARCH_TABLES.items():
        op.create_table(
            name,
            sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
            sa.Column('record_id', sa.Uuid(), nullable=False),
            *(sa.Column(field, text, nullable=True) for field in fields),
            sa.ForeignKeyConstraint(['record_id'], [f'{records}.id'], ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id'),
            sa.UniqueConstraint('record_id'),
        )
        for field in fields:
            if field in PREFIX_FIELDS:
                op.create_index(f'ix_{name}_{field}', name, [field], unique=False)
        for statement in text_index_ddl(bind.dialect.name, name):
            op.execute(statement)
    rebuild_search_index(bind)


def downgrade():
    bind = op.get_bind()
    for name in reversed(SEARCH_TABLES):
        for statement in drop_text_index_ddl(bind.dialect.name, name):
            op.execute(statement)
        op.drop_table(name)
