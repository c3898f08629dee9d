"""lists at a company's size: every expense claim newest first, and the approvals inbox in
submission order, each read from an index that stops at the page

ix_expense_claims_step gains (submitted_at, id) so a lead's inbox is one ordered range;
ix_expense_claims_waiting serves a manager's or finance's step; ix_expense_claims_created
the list of every claim (managers, finance). Only indexes, so it can be re-chained after any
other revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_claims_step')
        batch_op.create_index('ix_expense_claims_step',
                              ['status', 'step', 'approver_id', 'submitted_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_expense_claims_waiting',
                              ['status', 'step', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_expense_claims_created', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_claims_created')
        batch_op.drop_index('ix_expense_claims_waiting')
        batch_op.drop_index('ix_expense_claims_step')
        batch_op.create_index('ix_expense_claims_step', ['status', 'step', 'approver_id'],
                              unique=False)
