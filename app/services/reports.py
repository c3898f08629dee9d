"""Reports: the funnel (how deals move through the stages, and how long they stay), the
forecast (what is expected to close, weighted by probability), team activity (who called,
visited, followed up) and the leaderboard (who won what). Aggregated in SQL, scoped like
everything else: a report counts only records the actor could open."""
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Numeric, func, literal_column, select, type_coerce

from app.services.scoping import owner_scope
from app.extensions import db
from app.models import ActivityDaily, FunnelDaily, Opportunity, Stage, User
from app.models.rollups import COUNT_COLUMNS, LOGGED_KINDS
from app.services.activities import local_day_bounds
from app.services.errors import Invalid

CENT = Decimal("0.01")
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


def period(start: date | None, end: date | None, today: date,
           ahead: bool = False) -> tuple[date, date]:
    """[from, to] as dates (both included); by default the last 90 days, or (``ahead``, for
    a forecast) the next 90."""
    if ahead:
        start = start or today
        end = end or start + timedelta(days=DEFAULT_DAYS)
    else:
        end = end or today
        start = start or end - timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise Invalid({"from": ["Must be on or before to."]})
    if (end - start).days > MAX_DAYS:
        raise Invalid({"from": ["At most three years at a time."]})
    return start, end


def period_bounds(start: date, end: date, tz_name: str) -> tuple[datetime, datetime]:
    """[start, end] as days in the reader's timezone, as a UTC [low, high) range: a deal
    won at 23:30 in Shanghai counts on that Shanghai day, not the next UTC one."""
    return local_day_bounds(start, tz_name)[0], local_day_bounds(end, tz_name)[1]


def scoped(query, actor: User, team_id=None, owner_id=None, owner_column=None):
    owner_column = owner_column if owner_column is not None else Opportunity.owner_id
    query = query.where(owner_scope(actor, owner_column))
    if owner_id is not None:
        query = query.where(owner_column == owner_id)
    if team_id is not None:
        query = query.where(owner_column.in_(select(User.id).where(User.team_id == team_id)))
    return query


def money_text(value) -> str:
    return f"{Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def funnel(actor: User, start: date, end: date, team_id=None, owner_id=None) -> dict:
    """Per stage, for deals created in the period: how many entered it, their amount, the
    share that went on to the next stage, and the average days spent in it (for the stays
    that ended). Two statements: the stages, and one over the daily funnel rollup
    (``funnel_daily``, see ``app.services.funnel_rollups``): O(days x people x stages)
    rows, never the deals and their history; over everyone a range of
    ix_funnel_daily_day_counts (covering). Each deal counts once per stage, even when it
    entered the stage again after being reopened.

    The period's days are each owner's own calendar days, as in the activity report: a
    deal created at 08:00 in Shanghai is that Shanghai day's for a reader in New York too."""
    daily = FunnelDaily
    stats = db.session.execute(scoped(
        select(daily.stage_id, func.sum(daily.entered).label("entered"),
               func.sum(daily.amount_cents).label("cents"),
               func.sum(daily.stay_us).label("stay_us"),
               func.sum(daily.stays_ended).label("ended"))
        .where(daily.day >= start, daily.day <= end)
        .group_by(daily.stage_id), actor, team_id, owner_id, daily.owner_id))
    by_stage = {row.stage_id: row for row in stats if row.entered}
    stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()
    items = []
    won = next((s for s in stages if s.kind == "won"), None)
    for stage in stages:
        row = by_stage.get(stage.id)
        if row is None and not stage.active:
            continue
        items.append({"stage_id": stage.id, "name": stage.name, "kind": stage.kind,
                      "probability": stage.probability,
                      "entered": row.entered if row else 0,
                      "amount": money_text(Decimal(row.cents) / 100 if row else 0),
                      "avg_days_in_stage": round(int(row.stay_us) / 86_400e6 / int(row.ended), 1)
                      if row is not None and row.ended else None})
    # conversion: share of a stage's deals that entered the next open stage (or won)
    sequence = [i for i in items if i["kind"] == "open"] + \
        [i for i in items if won and i["stage_id"] == won.id]
    for current, following in zip(sequence, sequence[1:], strict=False):
        current["conversion"] = round(following["entered"] / current["entered"], 3) \
            if current["entered"] else None
    for item in items:
        item.setdefault("conversion", None)
    return {"from": start, "to": end, "stages": items}


def _won_in_period(actor: User, start: date, end: date, team_id, owner_id, *columns):
    """Deals won in the period (days in the reader's timezone), grouped by ``columns``:
    a range of ix_opportunities_won, which also holds owner, currency and amount, so the
    database reads the period's wins from the index alone, never older ones."""
    low, high = period_bounds(start, end, actor.timezone)
    return scoped(
        select(*columns, func.count().label("deals"),
               type_coerce(func.sum(Opportunity.amount), Numeric(18, 2)).label("amount"))
        .where(Opportunity.status == "won", Opportunity.closed_at >= low,
               Opportunity.closed_at < high)
        .group_by(*columns), actor, team_id, owner_id)


def forecast(actor: User, start: date, end: date, team_id=None, owner_id=None) -> dict:
    """Open deals expected to close in the period, by month: count, amount, and amount
    weighted by probability (the deal's override, else its stage's); and what was won in
    the period. Money summed per currency. Reads the open deals closing in the period
    (ix_opportunities_open_close, which carries every column used here) and the period's
    wins (ix_opportunities_won) only."""
    probability = func.coalesce(Opportunity.probability_override, Stage.probability)
    month = (func.strftime("%Y-%m", Opportunity.expected_close_date)
             if db.engine.dialect.name == "sqlite"
             else func.to_char(Opportunity.expected_close_date, literal_column("'YYYY-MM'")))
    rows = db.session.execute(scoped(
        select(month.label("month"), Opportunity.currency,
               func.count().label("deals"),
               type_coerce(func.sum(Opportunity.amount), Numeric(18, 2)).label("amount"),
               type_coerce(func.sum(Opportunity.amount * probability), Numeric(20, 2))
               .label("weighted_x100"))
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Opportunity.status == "open", Opportunity.expected_close_date >= start,
               Opportunity.expected_close_date <= end)
        .group_by(month, Opportunity.currency).order_by(month, Opportunity.currency),
        actor, team_id, owner_id)).all()
    won_rows = db.session.execute(
        _won_in_period(actor, start, end, team_id, owner_id, Opportunity.currency)
        .order_by(Opportunity.currency)).all()
    months, totals = [], {}
    for row in rows:
        weighted = Decimal(row.weighted_x100 or 0) / 100
        months.append({"month": row.month, "currency": row.currency, "deals": row.deals,
                       "amount": money_text(row.amount), "weighted": money_text(weighted)})
        total = totals.setdefault(row.currency, {"currency": row.currency, "deals": 0,
                                                 "amount": Decimal(0),
                                                 "weighted": Decimal(0)})
        total["deals"] += row.deals
        total["amount"] += Decimal(row.amount or 0)
        total["weighted"] += weighted
    return {
        "from": start, "to": end, "months": months,
        "totals": [{**t, "amount": money_text(t["amount"]), "weighted": money_text(t["weighted"])}
                   for t in totals.values()],
        "won": [{"currency": r.currency, "deals": r.deals, "amount": money_text(r.amount)}
                for r in won_rows],
    }


def activity(actor: User, start: date, end: date, team_id=None, owner_id=None) -> dict:
    """Per person in scope: what they logged in the period, by kind (by when it happened),
    and how many follow-ups they completed. One statement over the daily rollup
    (``activity_daily``, see ``app.services.rollups``): O(days x people in scope) rows,
    never the activities. The rows are summed per owner first and only then joined to
    users (one name lookup per person, not per day); over everyone (a manager's) they are
    a range of ix_activity_daily_day_counts, which holds the counters (a covering index).

    The period's days are each owner's own calendar days (the rollup keeps the owner's
    local date), not the reader's: a visit at 08:00 in Shanghai is that Shanghai day's for
    a reader in New York too. Other reports count the reader's days; for a team in one
    timezone the two are the same."""
    daily = ActivityDaily
    per_owner = scoped(
        select(daily.owner_id, *[func.sum(getattr(daily, column)).label(column)
                                 for column in COUNT_COLUMNS])
        .where(daily.day >= start, daily.day <= end)
        .group_by(daily.owner_id),
        actor, team_id, owner_id, daily.owner_id).subquery("per_owner")
    rows = db.session.execute(
        select(per_owner.c.owner_id, User.name, *[per_owner.c[c] for c in COUNT_COLUMNS])
        .join(User, User.id == per_owner.c.owner_id)).all()
    people = []
    for owner, name, *counts in rows:
        by_kind = {kind: n for kind, n in zip(LOGGED_KINDS, counts, strict=False) if n}
        done = counts[-1] or 0
        if by_kind or done:  # rows whose activities were all deleted or moved away
            people.append({"owner_id": owner, "owner_name": name,
                           "total": sum(by_kind.values()), "by_kind": by_kind,
                           "followups_done": done})
    people.sort(key=lambda r: (-r["total"], -r["followups_done"], r["owner_name"]))
    return {"from": start, "to": end, "people": people}


def leaderboard(actor: User, start: date, end: date, team_id=None, owner_id=None) -> dict:
    """Deals won in the period per person in scope and currency, most won first. One
    statement: the period's wins summed from ix_opportunities_won, then their owners'
    names."""
    won = _won_in_period(actor, start, end, team_id, owner_id,
                         Opportunity.owner_id, Opportunity.currency).subquery("won")
    rows = db.session.execute(
        select(won.c.owner_id, User.name, won.c.currency, won.c.deals, won.c.amount)
        .join(User, User.id == won.c.owner_id)
        .order_by(won.c.currency, won.c.amount.desc(), User.name)).all()
    return {"from": start, "to": end, "people": [
        {"rank": rank, "owner_id": owner, "owner_name": name, "currency": currency,
         "deals": deals, "amount": money_text(total)}
        for rank, (owner, name, currency, deals, total) in _ranked(rows)]}


def _ranked(rows):
    """Rank within each currency (1 = most won); ties share a rank."""
    rank, last, currency = 0, None, None
    for position, row in enumerate(rows):
        if row.currency != currency:
            currency, first, last = row.currency, position, None
        if row.amount != last:
            rank, last = position - first + 1, row.amount
        yield rank, tuple(row)
