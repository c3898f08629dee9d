"""Expense claims (the API's "expenses") as their submitter edits them: drafts, their items
and the per-category limits. Submitting and deciding: ``claim_approvals``; reading:
``claim_queries``."""
import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from app.services.scoping import visible_customer_ids, visible_expense_claims
from app.extensions import db
from app.models import Customer, ExpenseClaim, ExpenseItem, User
from app.models.base import utcnow
from app.services import settings as settings_service
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid
from app.services.records import (
    MONEY_MAX, check_version, find_replay, get_visible, money, new_id,
)

CLAIM_FIELDS = ("title", "currency")


def get_claim(actor: User, claim_id: uuid.UUID) -> ExpenseClaim:
    return get_visible(ExpenseClaim, visible_expense_claims, actor, claim_id, "Expense claim")


def create_claim(actor: User, data: dict) -> tuple[ExpenseClaim, bool]:
    """Returns (claim, created); the same client id again returns the stored claim."""
    existing = find_replay(ExpenseClaim, data.get("id"), lambda c: c.owner_id == actor.id)
    if existing is not None:
        return existing, False
    claim = ExpenseClaim(id=new_id(data.get("id")), owner_id=actor.id, title=data["title"],
                         currency=data.get("currency") or "CNY", total=Decimal("0.00"),
                         status="draft", round=0, flagged=False, version=1)
    db.session.add(claim)
    _set_items(actor, claim, data.get("items") or [], existing_items=[])
    db.session.flush()
    record_audit(actor, "expense_claim", claim.id, "created",
                 {"total": (None, claim.total)})
    return claim, True


def _editable(actor: User, claim: ExpenseClaim, expected_version) -> None:
    if claim.owner_id != actor.id:
        raise Forbidden("Only the submitter can change this claim.")
    if claim.status != "draft":
        raise Conflict("A submitted claim cannot be changed.")
    check_version(claim, expected_version)


def update_claim(actor: User, claim: ExpenseClaim, data: dict, expected_version=None):
    _editable(actor, claim, expected_version)
    changes = {}
    for field in CLAIM_FIELDS:
        if field in data and data[field] != getattr(claim, field):
            changes[field] = (getattr(claim, field), data[field])
            setattr(claim, field, data[field])
    old_total = claim.total
    if "items" in data:
        current = list(db.session.scalars(
            select(ExpenseItem).where(ExpenseItem.claim_id == claim.id)))
        _set_items(actor, claim, data["items"], current)
    elif "currency" in changes:
        current = list(db.session.scalars(
            select(ExpenseItem).where(ExpenseItem.claim_id == claim.id)))
        _check_currency(claim, [{"currency": i.currency} for i in current])
    if old_total != claim.total:
        changes["total"] = (old_total, claim.total)
    if changes or "items" in data:
        claim.updated_at = utcnow()  # the items changed: a new version of the claim
        db.session.flush()
        record_audit(actor, "expense_claim", claim.id, "updated", changes)
    return claim


def delete_claim(actor: User, claim: ExpenseClaim, expected_version=None) -> None:
    _editable(actor, claim, expected_version)
    claim.deleted_at = utcnow()
    record_audit(actor, "expense_claim", claim.id, "deleted", {"title": (claim.title, None)})
    db.session.flush()


def _check_currency(claim: ExpenseClaim, items: list[dict]) -> None:
    wrong = [i for i, item in enumerate(items)
             if (item.get("currency") or claim.currency) != claim.currency]
    if wrong:
        raise Invalid({"items": {i: {"currency": ["All items of a claim must be in the claim's "
                                                  "currency."]} for i in wrong}})


def _set_items(actor: User, claim: ExpenseClaim, items: list[dict], existing_items) -> None:
    """Make the claim's items exactly ``items`` (matched by id), then its total and flags."""
    _check_currency(claim, items)
    if sum((money(i["amount"]) for i in items), Decimal(0)) > MONEY_MAX:
        raise Invalid({"items": ["The claim's total may be at most 9,999,999,999.99: "
                                 "split it into several claims."]})
    customer_ids = {i["customer_id"] for i in items if i.get("customer_id")}
    if customer_ids:
        seen = set(db.session.scalars(
            select(Customer.id).where(Customer.id.in_(customer_ids),
                                      Customer.id.in_(visible_customer_ids(actor)))))
        unknown = {i: {"customer_id": ["Unknown customer."]} for i, item in enumerate(items)
                   if item.get("customer_id") and item["customer_id"] not in seen}
        if unknown:
            raise Invalid({"items": unknown})
    ids = [item.get("id") for item in items if item.get("id")]
    if len(ids) != len(set(ids)):
        raise Invalid({"items": ["Each item id only once."]})
    by_id = {item.id: item for item in existing_items}
    if ids:
        taken = db.session.scalar(select(ExpenseItem.id).where(
            ExpenseItem.id.in_(ids), ExpenseItem.claim_id != claim.id).limit(1))
        if taken is not None:
            raise Conflict("This id is already used by another record.")
    kept = []
    for position, data in enumerate(items):
        item = by_id.pop(data.get("id"), None) if data.get("id") else None
        if item is None:
            item = ExpenseItem(id=new_id(data.get("id")), claim_id=claim.id)
            db.session.add(item)
        item.position = position
        item.category = data["category"]
        item.amount = money(data["amount"])
        item.currency = data.get("currency") or claim.currency
        item.spent_on = data["spent_on"]
        item.customer_id = data.get("customer_id")
        item.note = data.get("note")
        kept.append(item)
    for gone in by_id.values():
        db.session.delete(gone)
    claim.total = money(sum((i.amount for i in kept), Decimal(0)))
    in_company_currency = claim.currency == settings_service.get_setting("currency")
    claim.flagged = flag_items(
        kept, settings_service.get_setting("expense_limits") if in_company_currency else {})


def flag_items(items: list[ExpenseItem], limits: dict) -> bool:
    """Mark items over the company's per-category limits (per item, or per day summed over
    the claim's items of that category and day). Returns whether any is over."""
    per_day = defaultdict(Decimal)
    for item in items:
        per_day[(item.category, item.spent_on)] += item.amount
    for item in items:
        limit = limits.get(item.category)
        if not limit:
            item.over_limit, item.limit_amount = False, None
            continue
        amount = money(limit["amount"])
        spent = per_day[(item.category, item.spent_on)] if limit.get("per") == "day" \
            else item.amount
        item.over_limit, item.limit_amount = spent > amount, amount
    return any(item.over_limit for item in items)
