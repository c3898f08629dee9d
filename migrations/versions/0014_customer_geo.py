"""near me and the offline book's delta sync: customers by position and by change, and a
record of customers leaving an owner's book

Adds ix_customers_owner_geo (owner_id, lat, lng, id) and ix_customers_geo (lat, lng, id),
partial on placed, undeleted customers (and ending in deleted_at, so SQLite reads the box
from the index alone), for the bounding box of GET /customers/near;
ix_customers_owner_updated and ix_customers_updated (updated_at, id), partial on undeleted
customers, for GET /customers?updated_since=; ix_activities_customer_open_followups for
the open follow-ups counted per customer; and the customer_removals table (a customer
deleted or given to someone else, per owner it left). Only new indexes and a new table, so
it can be re-chained after any other revision.

Revision ID: 0014_geo
Revises: 0013
Create Date: 2026-12-02 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_geo'
down_revision = '0013'
branch_labels = None
depends_on = None

LIVE = sa.text('deleted_at IS NULL')
LOCATED = sa.text('deleted_at IS NULL AND lat IS NOT NULL AND lng IS NOT NULL')
OPEN_FOLLOWUP = sa.text('done_at IS NULL AND deleted_at IS NULL AND due_at IS NOT NULL')


def upgrade():
    op.create_table('customer_removals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('customer_removals', schema=None) as batch_op:
        batch_op.create_index('ix_customer_removals_owner',
                              ['owner_id', 'removed_at', 'customer_id'], unique=False)
        batch_op.create_index('ix_customer_removals_removed', ['removed_at', 'customer_id'],
                              unique=False)
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_owner_geo',
                              ['owner_id', 'lat', 'lng', 'id', 'deleted_at'], unique=False,
                              sqlite_where=LOCATED, postgresql_where=LOCATED)
        batch_op.create_index('ix_customers_geo', ['lat', 'lng', 'id', 'deleted_at'],
                              unique=False, sqlite_where=LOCATED, postgresql_where=LOCATED)
        batch_op.create_index('ix_customers_owner_updated', ['owner_id', 'updated_at', 'id'],
                              unique=False, sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_index('ix_customers_updated', ['updated_at', 'id'], unique=False,
                              sqlite_where=LIVE, postgresql_where=LIVE)
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_customer_open_followups', ['customer_id', 'due_at'],
                              unique=False, sqlite_where=OPEN_FOLLOWUP,
                              postgresql_where=OPEN_FOLLOWUP)


def downgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_customer_open_followups')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_updated')
        batch_op.drop_index('ix_customers_owner_updated')
        batch_op.drop_index('ix_customers_geo')
        batch_op.drop_index('ix_customers_owner_geo')
    with op.batch_alter_table('customer_removals', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_removals_removed')
        batch_op.drop_index('ix_customer_removals_owner')
    op.drop_table('customer_removals')
