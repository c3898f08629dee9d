"""the team home: a rep's day and open deals without reading their whole history

Adds ix_activities_owner_kind (owner_id, kind, occurred_at) for the visits a rep logged on
a day, ix_activities_owner_done (owner_id, done_at), partial on done follow-ups, for the
follow-ups they completed that day, and ix_opportunities_owner_status (owner_id, status,
stage_id, updated_at, currency, amount) for a rep's open deals (stale by stage, the
pipeline per currency) without their won and lost ones. Only new indexes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

DONE_FOLLOWUP = sa.text('done_at IS NOT NULL')


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_owner_kind', ['owner_id', 'kind', 'occurred_at'],
                              unique=False)
        batch_op.create_index('ix_activities_owner_done', ['owner_id', 'done_at'],
                              unique=False, sqlite_where=DONE_FOLLOWUP,
                              postgresql_where=DONE_FOLLOWUP)
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index('ix_opportunities_owner_status',
                              ['owner_id', 'status', 'stage_id', 'updated_at', 'currency',
                               'amount'], unique=False)


def downgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_owner_status')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_owner_done')
        batch_op.drop_index('ix_activities_owner_kind')
