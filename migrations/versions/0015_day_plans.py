"""day plans: a rep's plan per local date (day_plans) and its stops in order (plan_stops);
the saved home and office points plans start and end at (saved_places)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('day_plans',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_lat', sa.Float(), nullable=True),
    sa.Column('start_lng', sa.Float(), nullable=True),
    sa.Column('start_label', sa.String(length=120), nullable=True),
    sa.Column('end_lat', sa.Float(), nullable=True),
    sa.Column('end_lng', sa.Float(), nullable=True),
    sa.Column('end_label', sa.String(length=120), nullable=True),
    sa.Column('depart_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('optimised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('leave_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total_distance_m', sa.Integer(), nullable=True),
    sa.Column('total_travel_min', sa.Integer(), nullable=True),
    sa.Column('travel_source', sa.String(length=16), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('day_plans', schema=None) as batch_op:
        batch_op.create_index('ix_day_plans_owner_day', ['owner_id', 'day'], unique=True)

    op.create_table('plan_stops',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('followup_id', sa.Uuid(), nullable=True),
    sa.Column('arrive_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('eta', sa.DateTime(timezone=True), nullable=True),
    sa.Column('distance_m', sa.Integer(), nullable=True),
    sa.Column('travel_min', sa.Integer(), nullable=True),
    sa.Column('unplanned', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['followup_id'], ['activities.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['day_plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_stops', schema=None) as batch_op:
        batch_op.create_index('ix_plan_stops_plan_position', ['plan_id', 'position'],
                              unique=True)

    op.create_table('saved_places',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind')
    )


def downgrade():
    op.drop_table('saved_places')
    with op.batch_alter_table('plan_stops', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_stops_plan_position')
    op.drop_table('plan_stops')
    with op.batch_alter_table('day_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_day_plans_owner_day')
    op.drop_table('day_plans')
