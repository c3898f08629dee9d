"""covering report indexes: the funnel and the forecast read their period from indexes alone

At 100,000 customers a 90-day period holds some 20,000 new deals (65,000 stays) and
10,000 open deals closing: looking each row up in its table after the index cost more
than the index range itself. The three indexes the funnel and the forecast read now carry
every column those reports use (owner, amount, currency, probability, stage; a stay's
stage and times). Same names, more columns. Only indexes, so it can be re-chained after any
other revision.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

NEW = {
    ('opportunities', 'ix_opportunities_created'): ['created_at', 'id', 'owner_id', 'amount'],
    ('opportunities', 'ix_opportunities_open_close'): [
        'status', 'expected_close_date', 'owner_id', 'currency', 'amount',
        'probability_override', 'stage_id'],
    ('stage_history', 'ix_stage_history_opportunity'): [
        'opportunity_id', 'stage_id', 'entered_at', 'left_at'],
}
OLD = {
    ('opportunities', 'ix_opportunities_created'): ['created_at', 'id'],
    ('opportunities', 'ix_opportunities_open_close'): ['status', 'expected_close_date'],
    ('stage_history', 'ix_stage_history_opportunity'): ['opportunity_id', 'entered_at'],
}


def _replace(indexes):
    for (table, name), columns in indexes.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def upgrade():
    _replace(NEW)


def downgrade():
    _replace(OLD)
