"""Expense spend: by rep, by category, by month, and each rep's cost against the revenue of
the deals they won in the same period. Scoped like the claims themselves.

What counts as spend: items of approved and paid claims (``include_pending`` adds the
claims still in the chain), by the day the money was spent. Totals are per currency: a
claim's items share its currency, but claims in different currencies are never added up.

Why no daily rollup here (the activity report has one): the report reads the period's
items alone, from a covering index (``ix_expense_items_spend_day`` over everyone,
``ix_expense_items_spend_owner`` for some owners): each item carries its claim's owner and
status (``app.services.expense_spend``), so claims are never looked up. That is already
O(items in the period), and a per-owner daily rollup (owner, day, category, currency,
status) would hold about as many rows (few items share a day and a category), could not
give ``claims`` (DISTINCT claims per rep, which daily sums cannot add up), and every
approval would have to move each of the claim's rows anyway.
"""
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Integer, cast, extract, func, literal_column, null, select, true, union_all,
)

from app.extensions import db
from app.models import ExpenseItem, Opportunity, User
from app.services.records import money
from app.services.scoping import SEE_ALL_CLAIMS, owner_scope, visible_opportunities
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


def _spend_scope(actor: User):
    """Who sees which spend: the rule of ``visible_expense_claims`` on the claim's copy on
    each item (owner, and status, which is NULL for a deleted claim; the statuses counted
    are all past submission, so the rule's "a draft is private" holds by itself)."""
    if actor.role in SEE_ALL_CLAIMS:
        return true()
    if actor.role == "cashier":
        return (ExpenseItem.owner_id == actor.id) | ExpenseItem.claim_status.in_(SPENT)
    return owner_scope(actor, ExpenseItem.owner_id)


def _base(actor: User, start: date, end: date, filters: dict, include_pending: bool):
    """The period's counted items, from ix_expense_items_spend_day (everyone) or
    ix_expense_items_spend_owner (some owners) alone: the claims are never read."""
    statuses = SPENT + (("pending",) if include_pending else ())
    query = select().select_from(ExpenseItem).where(
        _spend_scope(actor), ExpenseItem.claim_status.in_(statuses),
        ExpenseItem.spent_on >= start, ExpenseItem.spent_on <= end)
    if filters.get("owner_id"):
        query = query.where(ExpenseItem.owner_id == filters["owner_id"])
    if filters.get("team_id"):
        query = query.where(ExpenseItem.owner_id.in_(
            select(User.id).where(User.team_id == filters["team_id"])))
    return query


def expense_report(actor: User, start: date, end: date, filters: dict | None = None,
                   include_pending: bool = False) -> dict:
    """Two statements whatever the data: the spend (the period's items, once, grouped by
    rep, by category and by month in one UNION ALL), and the revenue."""
    filters = filters or {}
    spent = _base(actor, start, end, filters, include_pending).add_columns(
        ExpenseItem.claim_id, ExpenseItem.owner_id, ExpenseItem.currency,
        ExpenseItem.category, ExpenseItem.spent_on, ExpenseItem.amount).cte("spent")
    total = func.sum(spent.c.amount).label("total")
    year, month = extract("year", spent.c.spent_on), extract("month", spent.c.spent_on)
    none, no_number = null(), cast(null(), Integer)  # PostgreSQL types NULL, NULL as text
    rows = db.session.execute(union_all(
        select(literal_column("'rep'").label("part"), spent.c.owner_id, User.name,
               none.label("category"), no_number.label("year"), no_number.label("month"),
               spent.c.currency, total,
               func.count(func.distinct(spent.c.claim_id)).label("claims"))
        .join(User, User.id == spent.c.owner_id)
        .group_by(spent.c.owner_id, User.name, spent.c.currency),
        select(literal_column("'category'"), none, none, spent.c.category, none, none,
               spent.c.currency, total, none)
        .group_by(spent.c.category, spent.c.currency),
        select(literal_column("'month'"), none, none, none, year, month, spent.c.currency,
               total, none)
        .group_by(year, month, spent.c.currency),
    )).all()
    by_owner = sorted(((r.owner_id, r.name, r.currency, r.total, r.claims)
                       for r in rows if r.part == "rep"),
                      key=lambda r: (-money(r[3]), r[1], r[2]))
    by_category = sorted(((r.category, r.currency, r.total) for r in rows
                          if r.part == "category"), key=lambda r: (-money(r[2]), r[0], r[1]))
    by_month = sorted(((int(r.year), int(r.month), r.currency, r.total) for r in rows
                       if r.part == "month"))

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
