"""activity rollups: activity_daily (per owner and local day), filled from the activities

Self-contained (its own table, filled by one INSERT ... SELECT written out here, not the
app's code), so it can be re-chained after any other revision.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00.000000

"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KINDS = ('call', 'email', 'visit', 'meeting', 'note')


def _sqlite_local_day(stored, tz_name):
    """The owner's local date of a UTC timestamp as SQLite stores it (naive text)."""
    if stored is None or tz_name is None:
        return None
    at = datetime.fromisoformat(stored).replace(tzinfo=timezone.utc)
    return at.astimezone(ZoneInfo(tz_name)).date().isoformat()


def upgrade():
    op.create_table('activity_daily',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('call', sa.Integer(), nullable=False),
    sa.Column('email', sa.Integer(), nullable=False),
    sa.Column('visit', sa.Integer(), nullable=False),
    sa.Column('meeting', sa.Integer(), nullable=False),
    sa.Column('note', sa.Integer(), nullable=False),
    sa.Column('followups_done', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('owner_id', 'day')
    )
    with op.batch_alter_table('activity_daily', schema=None) as batch_op:
        batch_op.create_index('ix_activity_daily_day', ['day', 'owner_id'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        bind.connection.driver_connection.create_function(
            'migration_local_day', 2, _sqlite_local_day, deterministic=True)

        def local_day(column):
            return f'migration_local_day(a.{column}, u.timezone)'
    else:
        def local_day(column):
            return f'CAST(timezone(u.timezone, a.{column}) AS DATE)'

    # One row per thing an activity counts (its kind on the day it happened, a completed
    # follow-up on the day it was done), summed per owner and day.
    logged = ', '.join(f"CASE WHEN a.kind = '{k}' THEN 1 ELSE 0 END AS n_{k}" for k in KINDS)
    nothing_logged = ', '.join('0' for _ in KINDS)
    kinds = ', '.join(f"'{k}'" for k in KINDS)
    sums = ', '.join(f'SUM(n_{k})' for k in KINDS)
    op.execute(f"""
        INSERT INTO activity_daily (owner_id, day, call, email, visit, meeting, note,
                                    followups_done)
        SELECT owner_id, day, {sums}, SUM(n_done) FROM (
            SELECT a.owner_id AS owner_id, {local_day('occurred_at')} AS day, {logged},
                   0 AS n_done
            FROM activities a JOIN users u ON u.id = a.owner_id
            WHERE a.deleted_at IS NULL AND a.occurred_at IS NOT NULL AND a.kind IN ({kinds})
            UNION ALL
            SELECT a.owner_id, {local_day('done_at')}, {nothing_logged}, 1
            FROM activities a JOIN users u ON u.id = a.owner_id
            WHERE a.deleted_at IS NULL AND a.due_at IS NOT NULL AND a.done_at IS NOT NULL
        ) AS counted
        GROUP BY owner_id, day
    """)


def downgrade():
    with op.batch_alter_table('activity_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_daily_day')

    op.drop_table('activity_daily')
