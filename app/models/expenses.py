"""Expense claims: a claim with its items and receipts, and the history of its approval.

The workflow (who decides which step, what is skipped) lives in ``app.services.claim_approvals``;
here are the columns and what the rows mean.
"""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime, utcnow

# A claim is one of these; while ``pending`` it waits at ``step``.
CLAIM_STATUSES = ("draft", "pending", "approved", "paid")
STEPS = ("lead", "manager", "finance")
# What a history row says happened at a step.
STEP_ACTIONS = ("submitted", "approved", "skipped", "rejected", "paid")


class ExpenseClaim(RecordMixin, db.Model):
    __tablename__ = "expense_claims"

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="CNY")
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    step: Mapped[str | None] = mapped_column(String(16))
    # The one person who decides the current step when it is a person's (the team lead);
    # None when any holder of the step's role may decide (manager, finance).
    approver_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    # Which submission this is (1, 2, ... after rejections): groups the history.
    round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Lists: a submitter's claims, newest first; everyone's by status; everyone's
        # (managers, finance). The inbox, oldest submission first: the lead steps naming an
        # approver; a manager's or finance's step (services.claim_queries.list_approvals).
        Index("ix_expense_claims_owner_created", "owner_id", "created_at", "id"),
        Index("ix_expense_claims_status_created", "status", "created_at", "id"),
        Index("ix_expense_claims_created", "created_at", "id"),
        Index("ix_expense_claims_step", "status", "step", "approver_id", "submitted_at", "id"),
        Index("ix_expense_claims_waiting", "status", "step", "submitted_at", "id"),
    )


class ExpenseItem(db.Model):
    __tablename__ = "expense_items"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("expense_claims.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    spent_on: Mapped[date] = mapped_column(Date, nullable=False)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("customers.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # Over the company's per-category limit (a flag for approvers, not a block).
    over_limit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    limit_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # Copied from the claim (app.services.expense_spend keeps them in step), so the expense
    # report reads a period's items from one index and never looks their claims up: the
    # claim's owner, and its status while the claim is not deleted (NULL once it is).
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    claim_status: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_expense_items_claim", "claim_id", "position"),
        # The report over everyone (by day) and over some owners (by owner, then day); both
        # carry every column it reads.
        Index("ix_expense_items_spend_day", "spent_on", "claim_status", "owner_id", "currency",
              "category", "amount", "claim_id"),
        Index("ix_expense_items_spend_owner", "owner_id", "spent_on", "claim_status",
              "currency", "category", "amount", "claim_id"),
    )


class ExpenseReceipt(db.Model):
    """A receipt file: stored under the receipts folder by a random name, never the
    uploader's, and served only through the API to people who may see the claim."""

    __tablename__ = "expense_receipts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("expense_claims.id", ondelete="CASCADE"), nullable=False)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"),
                                                      nullable=False)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    original_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (Index("ix_expense_receipts_claim", "claim_id", "created_at"),)


class ExpenseStep(db.Model):
    """One line of a claim's history: submitted, approved / skipped / rejected at a step,
    paid. Kept through rejections and resubmissions (``round`` tells them apart)."""

    __tablename__ = "expense_steps"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("expense_claims.id", ondelete="CASCADE"), nullable=False)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    step: Mapped[str] = mapped_column(String(16), nullable=False)  # submit, lead, ..., pay
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Orders lines written in the same instant (a submit and the skips it causes).
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_expense_steps_claim", "claim_id", "seq"),)
