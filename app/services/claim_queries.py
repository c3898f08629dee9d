"""Reading expense claims: lists, the approvals inbox, and one claim with its history."""
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.services.scoping import visible_expense_claims
from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem, ExpenseReceipt, ExpenseStep, User
from app.services.claim_approvals import waiting_conditions, allowed_actions, waiting_for
from app.services.claims import get_claim
from app.services.pagination import keyset_page
from app.services.records import read_of, where_equal


@dataclass(frozen=True)
class StepRead:
    """One line of a claim's history, with who wrote it."""

    round: int
    step: str
    action: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    comment: str | None
    created_at: datetime


@dataclass(frozen=True)
class ClaimRead:
    """A claim as the API shows it: its columns, owner's name, items and receipts."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    title: str
    currency: str
    items: list[ExpenseItem]
    total: Decimal
    owner_id: uuid.UUID
    owner_name: str | None
    status: str
    step: str | None
    approver_id: uuid.UUID | None
    round: int
    flagged: bool
    rejected_reason: str | None
    submitted_at: datetime | None
    approved_at: datetime | None
    paid_at: datetime | None
    payment_reference: str | None
    receipts: list[ExpenseReceipt]


@dataclass(frozen=True)
class ClaimDetail(ClaimRead):
    """... with its whole history and what the reader may do to it now."""

    history: list[StepRead]
    can: list[str]


def claim_reads(claims: list[ExpenseClaim], owner_names: dict | None = None) -> list[ClaimRead]:
    """Read models of claims with items, receipts and owner names: three statements for any
    number of claims, two when ``owner_names`` (owner id -> name) are known already."""
    if not claims:
        return []
    ids = [c.id for c in claims]
    items, receipts = defaultdict(list), defaultdict(list)
    for item in db.session.scalars(select(ExpenseItem).where(ExpenseItem.claim_id.in_(ids))
                                   .order_by(ExpenseItem.position, ExpenseItem.id)):
        items[item.claim_id].append(item)
    for receipt in db.session.scalars(
            select(ExpenseReceipt).where(ExpenseReceipt.claim_id.in_(ids))
            .order_by(ExpenseReceipt.created_at, ExpenseReceipt.id)):
        receipts[receipt.claim_id].append(receipt)
    names = owner_names if owner_names is not None else dict(db.session.execute(
        select(User.id, User.name).where(User.id.in_({c.owner_id for c in claims}))).all())
    return [read_of(ClaimRead, claim, items=items[claim.id], receipts=receipts[claim.id],
                    owner_name=names.get(claim.owner_id)) for claim in claims]


def claim_detail(actor: User, claim_id: uuid.UUID, claim: ExpenseClaim | None = None):
    """A claim with items, receipts and its whole history (who, when, comment).

    ``claim``: one the actor just changed, found through the scoping rule before; it is
    shown even if the change took it out of their scope (a cashier sending one back).
    """
    claim = claim if claim is not None else get_claim(actor, claim_id)
    read = claim_reads([claim])[0]
    rows = db.session.execute(
        select(ExpenseStep, User.name).outerjoin(User, User.id == ExpenseStep.actor_id)
        .where(ExpenseStep.claim_id == claim.id)
        .order_by(ExpenseStep.seq, ExpenseStep.id)).all()
    history = [read_of(StepRead, step, actor_name=name) for step, name in rows]
    return ClaimDetail(**vars(read), history=history,
                       can=allowed_actions(actor, claim, history))


def list_claims(actor: User, filters: dict, limit: int, cursor: str | None):
    query = visible_expense_claims(select(ExpenseClaim), actor)
    query = where_equal(query, ExpenseClaim, filters, ("status", "step", "owner_id"))
    if filters.get("mine"):
        query = query.where(ExpenseClaim.owner_id == actor.id)
    if filters.get("q") and filters["q"].strip():
        query = query.where(ExpenseClaim.title.icontains(filters["q"].strip(), autoescape=True))
    return _claims_page(query.with_only_columns(ExpenseClaim.id),
                          (ExpenseClaim.created_at, ExpenseClaim.id), limit, cursor,
                          descending=True)


def _claims_page(in_scope, sort_columns, limit: int, cursor: str | None, descending=False):
    """A page of the claims ``in_scope`` selects, with their owners' names joined in (one
    statement fewer than asking for them after), items and receipts."""
    rows, next_cursor = keyset_page(
        select(ExpenseClaim, User.name).join(User, User.id == ExpenseClaim.owner_id),
        sort_columns, limit, cursor, descending, among=in_scope)
    return claim_reads([claim for claim, _ in rows],
                       {claim.owner_id: name for claim, name in rows}), next_cursor


def list_approvals(actor: User, limit: int, cursor: str | None):
    """The approvals inbox: oldest submission first, so nothing waits forever."""
    # One page from each way a claim waits, then the page of their union: each part reads
    # its own index in submission order and stops at the page (ix_expense_claims_step for
    # the claims naming a lead, ix_expense_claims_waiting for a manager's or finance's
    # step), where their OR would read and sort every claim waiting at the step.
    parts = [waiting_for(select(ExpenseClaim.id), actor, [condition])
             for condition in waiting_conditions(actor)]
    return _claims_page(parts, (ExpenseClaim.submitted_at, ExpenseClaim.id), limit, cursor)


def count_approvals(actor: User) -> int:
    return db.session.scalar(waiting_for(select(func.count()).select_from(ExpenseClaim),
                                         actor))
