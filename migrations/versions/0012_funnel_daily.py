"""funnel rollup: funnel_daily (per owner, local creation day and stage), filled from the
deals and their stage history

Self-contained (its own table, filled by one INSERT ... SELECT written out here, not the
app's code), so it can be re-chained after any other revision.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00.000000

"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COUNTERS = ['entered', 'amount_cents', 'stay_us', 'stays_ended']


def _sqlite_local_day(stored, tz_name):
    """The owner's local date of a UTC timestamp as SQLite stores it (naive text)."""
    if stored is None or tz_name is None:
        return None
    at = datetime.fromisoformat(stored).replace(tzinfo=timezone.utc)
    return at.astimezone(ZoneInfo(tz_name)).date().isoformat()


def _sqlite_microseconds(later, earlier):
    if later is None or earlier is None:
        return None
    delta = datetime.fromisoformat(later) - datetime.fromisoformat(earlier)
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def upgrade():
    op.create_table('funnel_daily',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('entered', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('stay_us', sa.BigInteger(), nullable=False),
    sa.Column('stays_ended', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], ),
    sa.PrimaryKeyConstraint('owner_id', 'day', 'stage_id')
    )
    with op.batch_alter_table('funnel_daily', schema=None) as batch_op:
        batch_op.create_index('ix_funnel_daily_day_counts',
                              ['day', 'owner_id', 'stage_id', *COUNTERS], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        raw = bind.connection.driver_connection
        raw.create_function('migration_local_day', 2, _sqlite_local_day, deterministic=True)
        raw.create_function('migration_microseconds', 2, _sqlite_microseconds,
                            deterministic=True)
        day = 'migration_local_day(o.created_at, u.timezone)'
        stay = 'migration_microseconds(s.left_at, s.entered_at)'
    else:
        day = 'CAST(timezone(u.timezone, o.created_at) AS DATE)'
        stay = 'CAST(EXTRACT(EPOCH FROM s.left_at - s.entered_at) * 1000000 AS BIGINT)'

    # Per (deal, stage) first: a deal enters a stage once however many stays it has there.
    op.execute(f"""
        INSERT INTO funnel_daily (owner_id, day, stage_id, entered, amount_cents, stay_us,
                                  stays_ended)
        SELECT owner_id, day, stage_id, COUNT(*), SUM(cents), SUM(us), SUM(ended) FROM (
            SELECT o.owner_id AS owner_id, {day} AS day, s.stage_id AS stage_id,
                   CAST(ROUND(o.amount * 100) AS BIGINT) AS cents,
                   COALESCE(SUM({stay}), 0) AS us, COUNT(s.left_at) AS ended
            FROM opportunities o
            JOIN users u ON u.id = o.owner_id
            JOIN stage_history s ON s.opportunity_id = o.id
            GROUP BY o.owner_id, {day}, s.stage_id, o.id, o.amount
        ) AS per_deal
        GROUP BY owner_id, day, stage_id
    """)


def downgrade():
    with op.batch_alter_table('funnel_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_funnel_daily_day_counts')

    op.drop_table('funnel_daily')
