"""customers on the road: visit cadence, the latest visit, pins; check-ins of visits

customers gain visit_interval_days (null: the company's default for the RFM segment),
last_visit_at (the latest visit not deleted, filled here from the activities there),
location_accuracy and located_at (a pin from the phone). activities gain checkin_status
(verified, far, unverified; null for what is not a visit; visits logged before this stay
null: nobody checked them in). Two indexes: a customer's activities by kind and time (its
last_visit_at) and a contact's activities by time (the card's decision chain, a deal's
roles touched).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_interval_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('location_accuracy', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('located_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_status', sa.String(length=12), nullable=True))
        batch_op.create_index('ix_activities_customer_kind',
                              ['customer_id', 'kind', 'occurred_at'], unique=False)
        batch_op.create_index('ix_activities_contact_occurred', ['contact_id', 'occurred_at'],
                              unique=False)
    # Only the customers with a visit, not every customer.
    op.execute("""
        UPDATE customers SET last_visit_at = (
            SELECT max(a.occurred_at) FROM activities a
            WHERE a.customer_id = customers.id AND a.kind = 'visit' AND a.deleted_at IS NULL)
        WHERE id IN (SELECT customer_id FROM activities
                     WHERE kind = 'visit' AND deleted_at IS NULL)
    """)


def downgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_contact_occurred')
        batch_op.drop_index('ix_activities_customer_kind')
        batch_op.drop_column('checkin_status')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('located_at')
        batch_op.drop_column('location_accuracy')
        batch_op.drop_column('last_visit_at')
        batch_op.drop_column('visit_interval_days')
