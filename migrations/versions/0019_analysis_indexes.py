"""analysis indexes: lead intake and product sales read their period from indexes alone

Lead intake (GET /reports/lead-intake) ranges the period's leads by created_at with their
source, status and owner (ix_leads_intake over everyone, ix_leads_owner_intake per owner);
product sales (GET /reports/product-sales) ranges the period's orders by ordered_at with
status, owner and currency (ix_orders_ordered, ix_orders_owner_ordered) and reads each
order's lines with product, quantity and total (ix_order_lines_sales). Only new indexes,
so it can be re-chained after any other revision.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

INDEXES = {
    ('leads', 'ix_leads_intake'): ['created_at', 'source', 'status', 'owner_id'],
    ('leads', 'ix_leads_owner_intake'): ['owner_id', 'created_at', 'source', 'status'],
    ('orders', 'ix_orders_ordered'): ['ordered_at', 'status', 'owner_id', 'currency', 'id'],
    ('orders', 'ix_orders_owner_ordered'): [
        'owner_id', 'ordered_at', 'status', 'currency', 'id'],
    ('order_lines', 'ix_order_lines_sales'): [
        'order_id', 'product_id', 'quantity', 'line_total'],
}


# The leads' indexes are partial on a condition only the report names, so that no lead list
# reads them (SQLite chose one for a rep's list and sorted every lead of theirs).
CREATED = sa.text("created_at > '1900-01-01'")


def upgrade():
    for (table, name), columns in INDEXES.items():
        where = CREATED if table == 'leads' else None
        op.create_index(name, table, columns, unique=False, sqlite_where=where,
                        postgresql_where=where)


def downgrade():
    for (table, name) in INDEXES:
        op.drop_index(name, table_name=table)
