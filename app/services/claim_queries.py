"""Reading expense claims: lists, the approvals inbox, and one claim with its history."""
import uuid
from collections import defaultdict

from sqlalchemy import func, select

from app.services.scoping import visible_expense_claims
from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem, ExpenseReceipt, ExpenseStep, User
from app.services.claim_approvals import waiting_conditions, allowed_actions, waiting_for
from app.services.claims import get_claim
from app.services.pagination import keyset_page
from app.services.records import where_equal


def hydrate(claims: list[ExpenseClaim], owner_names: dict | None = None) -> list[ExpenseClaim]:
    """Attach ``items``, ``receipts`` and ``owner_name`` to claims: three statements for any
    number of claims, two when ``owner_names`` (owner id -> name) are known already."""
    if not claims:
        return claims
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
    for claim in claims:
        claim.items = items[claim.id]
        claim.receipts = receipts[claim.id]
        claim.owner_name = names.get(claim.owner_id)
    return claims


def claim_detail(actor: User, claim_id: uuid.UUID, claim: ExpenseClaim | None = None):
    """A claim with items, receipts and its whole history (who, when, comment).

    ``claim``: one the actor just changed, found through the scoping rule before; it is
    shown even if the change took it out of their scope (a cashier sending one back).
    """
    claim = hydrate([claim if claim is not None else get_claim(actor, claim_id)])[0]
    rows = db.session.execute(
        select(ExpenseStep, User.name).outerjoin(User, User.id == ExpenseStep.actor_id)
        .where(ExpenseStep.claim_id == claim.id)
        .order_by(ExpenseStep.seq, ExpenseStep.id)).all()
    for step, name in rows:
        step.actor_name = name
    claim.history = [step for step, _ in rows]
    claim.can = allowed_actions(actor, claim)
    return claim


def list_claims(actor: User, filters: dict, limit: int, cursor: str | None):
    query = visible_expense_claims(select(ExpenseClaim), actor)
    query = where_equal(query, ExpenseClaim, filters, ("status", "step", "owner_id"))
    if filters.get("mine"):
        query = query.where(ExpenseClaim.owner_id == actor.id)
    if filters.get("q") and filters["q"].strip():
        query = query.where(ExpenseClaim.title.icontains(filters["q"].strip(), autoescape=True))
    return _hydrated_page(query.with_only_columns(ExpenseClaim.id),
                          (ExpenseClaim.created_at, ExpenseClaim.id), limit, cursor,
                          descending=True)


def _hydrated_page(in_scope, sort_columns, limit: int, cursor: str | None, descending=False):
    """A page of the claims ``in_scope`` selects, with their owners' names joined in (one
    statement fewer than asking for them after), items and receipts."""
    rows, next_cursor = keyset_page(
        select(ExpenseClaim, User.name).join(User, User.id == ExpenseClaim.owner_id),
        sort_columns, limit, cursor, descending, among=in_scope)
    claims = [claim for claim, _ in rows]
    return hydrate(claims, {claim.owner_id: name for claim, name in rows}), next_cursor


def list_approvals(actor: User, limit: int, cursor: str | None):
    """The approvals inbox: oldest submission first, so nothing waits forever."""
    # One page from each way a claim waits, then the page of their union: each part reads
    # its own index in submission order and stops at the page (ix_expense_claims_step for
    # the claims naming a lead, ix_expense_claims_waiting for a manager's or finance's
    # step), where their OR would read and sort every claim waiting at the step.
    parts = [waiting_for(select(ExpenseClaim.id), actor, [condition])
             for condition in waiting_conditions(actor)]
    return _hydrated_page(parts, (ExpenseClaim.submitted_at, ExpenseClaim.id), limit, cursor)


def count_approvals(actor: User) -> int:
    return db.session.scalar(waiting_for(select(func.count()).select_from(ExpenseClaim),
                                         actor))
