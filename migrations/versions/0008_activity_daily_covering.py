"""the manager's activity report reads its period's counters from one index

ix_activity_daily_day (day, owner_id) becomes ix_activity_daily_day_counts (day, owner_id
and the six counters): a report over everyone reads the period's range of that index and
never the table (SQLite "USING COVERING INDEX", PostgreSQL an index-only scan). Only
indexes, so it can be re-chained after any other revision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COUNTERS = ['call', 'email', 'visit', 'meeting', 'note', 'followups_done']


def upgrade():
    with op.batch_alter_table('activity_daily', schema=None) as batch_op:
        batch_op.create_index('ix_activity_daily_day_counts', ['day', 'owner_id', *COUNTERS],
                              unique=False)
        batch_op.drop_index('ix_activity_daily_day')


def downgrade():
    with op.batch_alter_table('activity_daily', schema=None) as batch_op:
        batch_op.create_index('ix_activity_daily_day', ['day', 'owner_id'], unique=False)
        batch_op.drop_index('ix_activity_daily_day_counts')
