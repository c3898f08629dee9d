"""sales reports read their period only: the wins of a period and the open pipeline by
expected close date, each from an index

No rollup table: the funnel, forecast and leaderboard read the deals of their period
through these indexes (app/services/reports.py says why that is enough). Only indexes, so
it can be re-chained after any other revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index('ix_opportunities_won',
                              ['status', 'closed_at', 'owner_id', 'currency', 'amount'],
                              unique=False)
        batch_op.create_index('ix_opportunities_open_close', ['status', 'expected_close_date'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_open_close')
        batch_op.drop_index('ix_opportunities_won')
