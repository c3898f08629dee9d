"""expense claims: claims, items, receipts and the approval history

Self-contained (only its own tables), so it can be re-chained after any other revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:49:27.870042

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expense_claims',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=True),
    sa.Column('approver_id', sa.Uuid(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('rejected_reason', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.Uuid(), nullable=True),
    sa.Column('payment_reference', sa.String(length=100), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.create_index('ix_expense_claims_owner_created', ['owner_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_expense_claims_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_expense_claims_step', ['status', 'step', 'approver_id'], unique=False)

    op.create_table('expense_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('claim_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('over_limit', sa.Boolean(), nullable=False),
    sa.Column('limit_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['expense_claims.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.create_index('ix_expense_items_claim', ['claim_id', 'position'], unique=False)
        batch_op.create_index('ix_expense_items_report', ['spent_on', 'category'], unique=False)

    op.create_table('expense_receipts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('claim_id', sa.Uuid(), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['expense_claims.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('storage_name')
    )
    with op.batch_alter_table('expense_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_expense_receipts_claim', ['claim_id', 'created_at'], unique=False)

    op.create_table('expense_steps',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('claim_id', sa.Uuid(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['claim_id'], ['expense_claims.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('expense_steps', schema=None) as batch_op:
        batch_op.create_index('ix_expense_steps_claim', ['claim_id', 'seq'], unique=False)



def downgrade():
    with op.batch_alter_table('expense_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_steps_claim')

    op.drop_table('expense_steps')
    with op.batch_alter_table('expense_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_receipts_claim')

    op.drop_table('expense_receipts')
    with op.batch_alter_table('expense_items', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_items_report')
        batch_op.drop_index('ix_expense_items_claim')

    op.drop_table('expense_items')
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_expense_claims_step')
        batch_op.drop_index('ix_expense_claims_status_created')
        batch_op.drop_index('ix_expense_claims_owner_created')

    op.drop_table('expense_claims')
