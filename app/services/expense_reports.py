"""Expense spend: by rep, by category, by month, and each rep's cost against the revenue of
the deals they won in the same period. Scoped like the claims themselves.

What counts as spend: items of approved and paid claims (``include_pending`` adds the
claims still in the chain), by the day the money was spent. Totals are per currency: a
claim's items share its currency, but claims in different currencies are never added up.
"""
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import extract, func, select

from app.auth.scoping import visible_expense_claims, visible_opportunities
from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem, Opportunity, User
from app.services.expenses import money
from app.services.reports import period_bounds

SPENT = ("approved", "paid")
RATIO_PLACES = Decimal("0.0001")


def won_revenue_by_owner(actor: User, owner_ids, start: date,
                         end: date) -> dict[tuple[uuid.UUID, str], Decimal]:
    """Revenue of the deals each owner won between ``start`` and ``end`` (inclusive, by the
    day it was won in ``actor``'s timezone), per currency: a ratio is only taken between
    spend and revenue in the same currency. Only deals ``actor`` may see count: someone who sees
    the claims but not the deals (finance, a cashier) gets no revenue. One statement."""
    won_from, won_before = period_bounds(start, end, actor.timezone)
    rows = db.session.execute(
        visible_opportunities(
            select(Opportunity.owner_id, Opportunity.currency, func.sum(Opportunity.amount)),
            actor)
        .where(Opportunity.owner_id.in_(owner_ids), Opportunity.status == "won",
               Opportunity.closed_at >= won_from, Opportunity.closed_at < won_before)
        .group_by(Opportunity.owner_id, Opportunity.currency)).all()
    return {(owner_id, currency): money(total) for owner_id, currency, total in rows}


def _base(actor: User, start: date, end: date, filters: dict, include_pending: bool):
    statuses = SPENT + (("pending",) if include_pending else ())
    query = visible_expense_claims(
        select().select_from(ExpenseItem).join(ExpenseClaim,
                                               ExpenseClaim.id == ExpenseItem.claim_id),
        actor,
    ).where(ExpenseClaim.status.in_(statuses), ExpenseItem.spent_on >= start,
            ExpenseItem.spent_on <= end)
    if filters.get("owner_id"):
        query = query.where(ExpenseClaim.owner_id == filters["owner_id"])
    if filters.get("team_id"):
        query = query.where(ExpenseClaim.owner_id.in_(
            select(User.id).where(User.team_id == filters["team_id"])))
    return query


def expense_report(actor: User, start: date, end: date, filters: dict | None = None,
                   include_pending: bool = False) -> dict:
    """Four statements whatever the data: by rep, by category, by month, and revenue."""
    filters = filters or {}
    base = _base(actor, start, end, filters, include_pending)
    amount = func.sum(ExpenseItem.amount)
    by_owner = db.session.execute(
        base.add_columns(ExpenseClaim.owner_id, User.name, ExpenseClaim.currency, amount,
                         func.count(func.distinct(ExpenseClaim.id)))
        .join(User, User.id == ExpenseClaim.owner_id)
        .group_by(ExpenseClaim.owner_id, User.name, ExpenseClaim.currency)
        .order_by(amount.desc(), User.name)).all()
    by_category = db.session.execute(
        base.add_columns(ExpenseItem.category, ExpenseClaim.currency, amount)
        .group_by(ExpenseItem.category, ExpenseClaim.currency)
        .order_by(amount.desc(), ExpenseItem.category)).all()
    year, month = extract("year", ExpenseItem.spent_on), extract("month", ExpenseItem.spent_on)
    by_month = db.session.execute(
        base.add_columns(year, month, ExpenseClaim.currency, amount)
        .group_by(year, month, ExpenseClaim.currency).order_by(year, month)).all()

    owners = sorted({row[0] for row in by_owner})
    revenue = won_revenue_by_owner(actor, owners, start, end) if owners else {}
    totals = defaultdict(Decimal)
    reps = []
    for owner_id, name, currency, total, claims in by_owner:
        total = money(total)
        totals[currency] += total
        earned = revenue.get((owner_id, currency))
        ratio = (total / earned).quantize(RATIO_PLACES) if earned else None
        reps.append({"owner_id": owner_id, "owner_name": name, "currency": currency,
                     "total": total, "claims": claims,
                     "revenue": money(earned) if earned is not None else None,
                     "cost_to_revenue": ratio})
    return {
        "from": start, "to": end,
        "totals": [{"currency": c, "total": t} for c, t in sorted(totals.items())],
        "by_rep": reps,
        "by_category": [{"category": c, "currency": cur, "total": money(t)}
                        for c, cur, t in by_category],
        "by_month": [{"month": f"{int(y):04d}-{int(m):02d}", "currency": cur, "total": money(t)}
                     for y, m, cur, t in by_month],
    }
