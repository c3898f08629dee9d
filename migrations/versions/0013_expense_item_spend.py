"""expense items carry their claim's owner and status, so the expense report reads a
period's items from one covering index and never looks up their claims

Adds expense_items.owner_id and expense_items.claim_status (the claim's status, NULL for a
deleted claim), fills them from the claims, and replaces ix_expense_items_report
(spent_on, category) with two covering indexes: by day (everyone) and by owner.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('claim_status', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key('fk_expense_items_owner_id_users', 'users', ['owner_id'],
                                    ['id'])
        batch_op.drop_index('ix_expense_items_report')
    op.execute("""
        UPDATE expense_items SET
            owner_id = (SELECT c.owner_id FROM expense_claims c
                        WHERE c.id = expense_items.claim_id),
            claim_status = (SELECT CASE WHEN c.deleted_at IS NULL THEN c.status END
                            FROM expense_claims c WHERE c.id = expense_items.claim_id)
    """)
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.create_index('ix_expense_items_spend_day',
                              ['spent_on', 'claim_status', 'owner_id', 'currency', 'category',
                               'amount', 'claim_id'], unique=False)
        batch_op.create_index('ix_expense_items_spend_owner',
                              ['owner_id', 'spent_on', 'claim_status', 'currency', 'category',
                               'amount', 'claim_id'], unique=False)


def downgrade():
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_items_spend_owner')
        batch_op.drop_index('ix_expense_items_spend_day')
        batch_op.create_index('ix_expense_items_report', ['spent_on', 'category'],
                              unique=False)
        batch_op.drop_constraint('fk_expense_items_owner_id_users', type_='foreignkey')
        batch_op.drop_column('claim_status')
        batch_op.drop_column('owner_id')
