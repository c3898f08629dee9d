"""targets: a metric's monthly target per person or team, and the indexes attainment reads

Adds the targets table (one row per metric, month, person or team, and currency; "" for
count metrics), ix_customers_owner_created (owner_id, created_at, deleted_at) for each
owner's new customers of a period and ix_payments_received (received_at, order_id, amount) for the period's
collected amounts. Only a new table and new indexes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# Partial on a condition only the report names, so that no list reads the index.
CREATED = sa.text("created_at > '1900-01-01'")


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('targets',
    sa.Column('metric', sa.String(length=24), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('value', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('stretch', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('(owner_id IS NULL) <> (team_id IS NULL)', name='ck_targets_subject'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index('ux_targets_owner', ['owner_id', 'period', 'metric', 'currency'],
                              unique=True)
        batch_op.create_index('ux_targets_team', ['team_id', 'period', 'metric', 'currency'],
                              unique=True)
        batch_op.create_index('ix_targets_period', ['period', 'id'], unique=False)
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_owner_created',
                              ['owner_id', 'created_at', 'deleted_at'], unique=False,
                              sqlite_where=CREATED, postgresql_where=CREATED)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_received', ['received_at', 'order_id', 'amount'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_received')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_owner_created')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index('ix_targets_period')
        batch_op.drop_index('ux_targets_team')
        batch_op.drop_index('ux_targets_owner')
    op.drop_table('targets')
