"""Attainment: where each person and team in scope stands against their targets for a
month, a quarter or a year, and whether they are on pace.

Per metric (and per currency for money), for every seller in scope (reps and leads,
active) and every team in scope, with or without a target ("target not set": ``value``
null):

- ``value``, ``stretch``: the sums of the period's monthly targets (a month without a
  stretch counts its value towards the stretch, once any month has one);
- ``actual``: won deals (by ``closed_at``), payments received (by ``received_at``, for the
  order's owner and in its currency), customers created (not deleted), visits and logged
  activities (any kind but a task, by the owner's own day, as the activity report counts);
  a team's actual is its current members' added up (a person who changed teams brings
  their month with them);
- ``expected_to_date``: each month's target times the share of its working days that have
  passed, added up (for one month: value x elapsed / working days). Working days are the
  ``working_weekdays`` that are not ``holidays``; **today counts as elapsed only once it is
  over** (in the company's ``timezone``), so on the first working day of a month nobody is
  behind yet;
- ``pace``: actual against expected_to_date: ``ahead`` at 100 % or more, ``on_track`` from
  90 %, ``behind`` below; before any working day has passed, ``ahead`` with something done
  and ``on_track`` without; ``no_target`` without a target;
- ``coverage`` (money): the probability-weighted open pipeline expected to close in the
  period over the gap; null without a gap or a target;
- team items: ``members_sum`` (the members' targets added up, null when none has one) and
  ``mismatch`` (the team has a target and the members' do not add up to it).

Cost: four statements whatever the period or the team size (settings, the people and
teams, their targets, and one UNION ALL of the sources), each source a range of an index
over the period's rows: the wins of ix_opportunities_won, the payments of
ix_payments_received, the new customers of ix_customers_owner_created, the activity_daily
rollup, the open deals of ix_opportunities_open_close. Never the raw activities.
"""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Numeric, String, func, literal, literal_column, select, type_coerce, union_all,
)

from app.extensions import db
from app.models import (
    ActivityDaily, Customer, Opportunity, Payment, SalesOrder, Stage, Target, Team, User,
)
from app.models.base import utcnow
from app.models.customers import SYNC_FLOOR
from app.models.rollups import LOGGED_KINDS
from app.models.targets import METRICS, MONEY_METRICS
from app.services.records import money
from app.services.reports import period_bounds
from app.services.scoping import SEE_ALL, owner_scope
from app.services.settings import get_settings
from app.services.targets import as_figure, next_month, parse_period

SELLER_ROLES = ("rep", "lead")
ON_TRACK = Decimal("0.9")


def working_days(start: date, end: date, weekdays, holidays) -> list[date]:
    """The working days in [start, end]."""
    off = set(holidays)
    days, day = [], start
    while day <= end:
        if day.isoweekday() in weekdays and day.isoformat() not in off:
            days.append(day)
        day += timedelta(days=1)
    return days


def _subjects(actor: User, team_id, owner_id):
    """The teams (none when one person is asked for) and the sellers in scope, in one
    statement: ([(id, name)] of the teams, [(id, name, team_id)] of the people), by name."""
    people = (select(literal("owner", String).label("kind"), User.id, User.name, User.team_id)
              .where(User.active.is_(True), User.role.in_(SELLER_ROLES),
                     owner_scope(actor, User.id)))
    if team_id is not None:
        people = people.where(User.team_id == team_id)
    if owner_id is not None:
        people = people.where(User.id == owner_id)
    query = people
    if owner_id is None and actor.role in SEE_ALL + ("lead",):
        teams = select(literal("team", String), Team.id, Team.name, Team.id)
        if actor.role not in SEE_ALL:
            teams = teams.where(Team.lead_id == actor.id)
        if team_id is not None:
            teams = teams.where(Team.id == team_id)
        query = union_all(teams, people)
    rows = sorted(db.session.execute(query).all(), key=lambda row: (row[2], str(row[1])))
    return ([(row[1], row[2]) for row in rows if row[0] == "team"],
            [(row[1], row[2], row[3]) for row in rows if row[0] == "owner"])


def _targets(start: date, end: date, owner_ids, team_ids):
    """{(kind, id, metric, currency): {month: Target}} for the period."""
    found = defaultdict(dict)
    subject = Target.owner_id.in_(owner_ids)
    if team_ids:
        subject = subject | Target.team_id.in_(team_ids)
    for target in db.session.scalars(select(Target).where(
            subject, Target.period >= start, Target.period <= end)):
        key = ("team", target.team_id) if target.team_id else ("owner", target.owner_id)
        found[(*key, target.metric, target.currency)][target.period] = target
    return found


SOURCES = (*METRICS, "pipeline")


def _actuals(start: date, end: date, tz_name: str, owner_ids) -> dict:
    """{(owner_id, metric, currency): amount} of the period, and under "pipeline" the
    open pipeline expected to close in it, weighted by probability, {(owner_id, currency):
    amount}: one statement, a UNION ALL of one grouped range of an index per source."""
    return _sums(_source_rows([("", start, end)], tz_name, owner_ids, SOURCES))


def _sums(rows) -> dict:
    """``_source_rows``' rows of one span as ``_actuals`` gives them."""
    actual, weighted = defaultdict(Decimal), defaultdict(Decimal)
    for _, owner, source, currency, amount in rows:
        if source == "pipeline":  # amount x probability (a percentage)
            weighted[(owner, currency)] += Decimal(amount or 0) / 100
        else:
            actual[(owner, source, currency)] += Decimal(amount or 0)
    return {"actual": actual, "pipeline": weighted}


def _source_rows(spans, tz_name: str, owner_ids, sources) -> list:
    """[(span, owner_id, source, currency, amount)] of the ``sources`` (metrics and
    "pipeline") over each (span, start, end) of ``spans``, for the owners in ``owner_ids``:
    one statement whatever the number of spans, a UNION ALL of one grouped range of an
    index per source and span (the spans do not overlap, so no row is read twice)."""
    parts = []
    for span, start, end in spans:
        parts += _source_parts(span, start, end, tz_name, owner_ids, sources)
    in_scope = set(owner_ids)
    query = union_all(*parts) if len(parts) > 1 else parts[0]
    return [row for row in db.session.execute(query) if row.owner_id in in_scope]


def _source_parts(span: str, start: date, end: date, tz_name: str, owner_ids,
                  sources) -> list:
    low, high = period_bounds(start, end, tz_name)
    deal, daily = Opportunity, ActivityDaily
    no_currency = literal("", String)

    def part(source: str, owner, currency, amount):
        return select(literal(span, String).label("span"), owner.label("owner_id"),
                      literal(source, String).label("source"), currency.label("currency"),
                      type_coerce(amount, Numeric(20, 2)).label("amount"))

    parts = []
    if "won_amount" in sources:
        parts.append(part("won_amount", deal.owner_id, deal.currency, func.sum(deal.amount))
                     .where(deal.status == "won", deal.closed_at >= low, deal.closed_at < high,
                            deal.owner_id.in_(owner_ids))
                     .group_by(deal.owner_id, deal.currency))
    if "collected_amount" in sources:
        # The period's payments, each order by its key; owners are picked afterwards, not
        # in SQL: asked for an owner, SQLite would read all of that owner's orders first.
        parts.append(part("collected_amount", SalesOrder.owner_id, SalesOrder.currency,
                          func.sum(Payment.amount))
                     .join_from(Payment, SalesOrder, SalesOrder.id == Payment.order_id)
                     .where(Payment.received_at >= low, Payment.received_at < high)
                     .group_by(SalesOrder.owner_id, SalesOrder.currency))
    if "new_customers" in sources:
        parts.append(part("new_customers", Customer.owner_id, no_currency, func.count())
                     .where(Customer.created_at >= low, Customer.created_at < high,
                            # the partial index's condition, so that it can be read
                            Customer.created_at > literal_column(SYNC_FLOOR),
                            Customer.deleted_at.is_(None), Customer.owner_id.in_(owner_ids))
                     .group_by(Customer.owner_id))
    in_days = (daily.day >= start, daily.day <= end, daily.owner_id.in_(owner_ids))
    if "visits" in sources:
        parts.append(part("visits", daily.owner_id, no_currency, func.sum(daily.visit))
                     .where(*in_days).group_by(daily.owner_id))
    if "activities" in sources:
        logged = sum((getattr(daily, kind) for kind in LOGGED_KINDS[1:]),
                     getattr(daily, LOGGED_KINDS[0]))
        parts.append(part("activities", daily.owner_id, no_currency, func.sum(logged))
                     .where(*in_days).group_by(daily.owner_id))
    if "pipeline" in sources:
        probability = func.coalesce(deal.probability_override, Stage.probability)
        parts.append(part("pipeline", deal.owner_id, deal.currency,
                          func.sum(deal.amount * probability))
                     .join(Stage, Stage.id == deal.stage_id)
                     .where(deal.status == "open", deal.expected_close_date >= start,
                            deal.expected_close_date <= end, deal.owner_id.in_(owner_ids))
                     .group_by(deal.owner_id, deal.currency))
    return parts


def _pace(actual: Decimal, expected: Decimal | None) -> str:
    if expected is None:
        return "no_target"
    if expected == 0:
        return "ahead" if actual > 0 else "on_track"
    ratio = actual / expected
    return "ahead" if ratio >= 1 else "on_track" if ratio >= ON_TRACK else "behind"


def _shown(metric: str, amount):
    """Money as a two-place string, counts as whole numbers (half up), None stays."""
    if amount is None:
        return None
    if metric in MONEY_METRICS:
        return f"{money(amount):.2f}"
    return as_figure(metric, Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class _Calendar:
    """The period's working days, month by month, and how many have passed."""

    def __init__(self, months, end: date, today: date, weekdays, holidays):
        self.months = {}
        for month in months:
            last = min(next_month(month) - timedelta(days=1), end)
            days = working_days(month, last, weekdays, holidays)
            self.months[month] = (len(days), sum(1 for d in days if d < today), last < today)
        self.total = sum(n for n, _, _ in self.months.values())
        self.elapsed = sum(e for _, e, _ in self.months.values())

    def expected(self, by_month: dict) -> Decimal:
        """Each month's target times the share of its working days passed, added up."""
        expected = Decimal(0)
        for month, target in by_month.items():
            total, elapsed, over = self.months[month]
            share = Decimal(elapsed) / total if total else Decimal(1 if over else 0)
            expected += target.value * share
        return expected


def _target_figures(by_month: dict):
    if not by_month:
        return None, None
    value = sum((t.value for t in by_month.values()), Decimal(0))
    stretch = None
    if any(t.stretch is not None for t in by_month.values()):
        stretch = sum((t.stretch if t.stretch is not None else t.value
                       for t in by_month.values()), Decimal(0))
    return value, stretch


def _rounded(ratio: Decimal, places: str) -> float:
    return float(ratio.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _item(metric, currency, by_month, actual, weighted, calendar, days_left):
    value, stretch = _target_figures(by_month)
    expected = calendar.expected(by_month) if value is not None else None
    gap = max(value - actual, Decimal(0)) if value is not None else None
    coverage = None
    if metric in MONEY_METRICS and gap:
        coverage = _rounded(weighted / gap, "0.01")
    return {
        "metric": metric, "currency": currency or None,
        "value": _shown(metric, value), "stretch": _shown(metric, stretch),
        "actual": _shown(metric, actual),
        "percent": _rounded(actual / value * 100, "0.1") if value else None,
        "expected_to_date": _shown(metric, expected), "gap": _shown(metric, gap),
        "days_left": days_left, "coverage": coverage, "pace": _pace(actual, expected),
        "members_sum": None, "mismatch": False,
    }


class _Figures:
    """The period's targets, actuals and pipeline, indexed for the items: each person's and
    team's are looked up, never searched for (a manager's report has a hundred people)."""

    def __init__(self, targets: dict, sources: dict, company_currency: str, calendar,
                 days_left: int):
        self.targets = defaultdict(dict)  # (kind, id, metric) -> {currency: {month: Target}}
        for (kind, subject_id, metric, currency), by_month in targets.items():
            self.targets[(kind, subject_id, metric)][currency] = by_month
        self.actual, self.pipeline = sources["actual"], sources["pipeline"]
        self.actual_currencies = defaultdict(set)  # (owner_id, metric) -> currencies
        for owner, metric, currency in self.actual:
            self.actual_currencies[(owner, metric)].add(currency)
        self.company_currency, self.calendar, self.days_left = (
            company_currency, calendar, days_left)

    def currencies(self, subject, owner_ids, metric) -> list[str]:
        """A money metric's currencies here: those of the subject's targets, of its
        people's actuals and (a team) of its members' targets; else the company's. ""
        for a count metric."""
        if metric not in MONEY_METRICS:
            return [""]
        found = set(self.targets.get((*subject, metric), ()))
        for owner in owner_ids:
            found |= self.actual_currencies.get((owner, metric), set())
            if subject[0] == "team":
                found |= set(self.targets.get(("owner", owner, metric), ()))
        return sorted(found) or [self.company_currency]

    def target(self, subject, metric, currency) -> dict:
        return self.targets.get((*subject, metric), {}).get(currency, {})


def attainment_report(actor: User, period_text: str, team_id=None, owner_id=None,
                      metric: str | None = None, now: datetime | None = None) -> dict:
    """The attainment of the people and teams in ``actor``'s scope for a month
    (``2026-12``), quarter (``2026-Q4``) or year (``2026``), of every metric or of
    ``metric``; see the module's docstring."""
    start, end, months = parse_period(period_text)
    settings = get_settings()
    now = now or utcnow()
    today = now.astimezone(ZoneInfo(settings["timezone"])).date()
    calendar = _Calendar(months, end, today, set(settings["working_weekdays"]),
                         settings["holidays"])
    days_left = calendar.total - calendar.elapsed
    teams, people = _subjects(actor, team_id, owner_id)
    items = []
    if people or teams:
        owner_ids = [p[0] for p in people]
        figures = _Figures(_targets(start, end, owner_ids, [t[0] for t in teams]),
                           _actuals(start, end, settings["timezone"], owner_ids),
                           settings["currency"], calendar, days_left)
        members = defaultdict(list)
        for person_id, _, person_team in people:
            members[person_team].append(person_id)
        metrics = [metric] if metric else METRICS
        for team, name in teams:
            items += _subject_items(figures, metrics, ("team", team), members[team],
                                    {"team_id": team, "team_name": name})
        for person, name, _ in people:
            items += _subject_items(figures, metrics, ("owner", person), [person],
                                    {"owner_id": person, "owner_name": name})
    return {"period": period_text, "start": start.isoformat(), "end": end.isoformat(),
            "working_days": calendar.total, "working_days_elapsed": calendar.elapsed,
            "working_days_left": days_left,
            "as_of": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "items": items}


def _subject_items(figures: _Figures, metrics, subject, owner_ids, names) -> list[dict]:
    """One person's or team's items: a team counts its members' actuals and pipeline."""
    is_team = subject[0] == "team"
    base = {"owner_id": None, "owner_name": None, "team_id": None, "team_name": None, **names}
    items = []
    for metric in metrics:
        for currency in figures.currencies(subject, owner_ids, metric):
            done = sum((figures.actual.get((o, metric, currency), Decimal(0))
                        for o in owner_ids), Decimal(0))
            weighted = sum((figures.pipeline.get((o, currency), Decimal(0))
                            for o in owner_ids), Decimal(0))
            by_month = figures.target(subject, metric, currency)
            item = {**base, **_item(metric, currency, by_month, done, weighted,
                                    figures.calendar, figures.days_left)}
            if is_team:
                set_values = [_target_figures(by)[0] for o in owner_ids
                              if (by := figures.target(("owner", o), metric, currency))]
                members_sum = sum(set_values, Decimal(0)) if set_values else None
                value = _target_figures(by_month)[0]
                item["members_sum"] = _shown(metric, members_sum)
                item["mismatch"] = value is not None and members_sum != value
            items.append(item)
    return items


def headline_by_owner(report: dict) -> dict:
    """{owner_id: the item a person's attainment is summed up by}: their first metric with
    a target, in ``METRICS`` order (won amount first), in its first currency. People with
    no target at all are absent."""
    headline = {}
    for item in report["items"]:
        owner = item.get("owner_id")
        if owner is None or item["value"] is None:
            continue
        best = headline.get(owner)
        if best is None or METRICS.index(item["metric"]) < METRICS.index(best["metric"]):
            headline[owner] = item
    return headline


def last_months(count: int, today: date) -> list[date]:
    """The first days of the ``count`` months ending with ``today``'s, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def attainment_trend(actor: User, months: int = 6, metric: str = "won_amount", team_id=None,
                     owner_id=None, now: datetime | None = None) -> dict:
    """Each person's and team's attainment of ``metric`` in each of the last ``months``
    months (ending with the current one in the company's timezone), scoped like
    ``attainment_report``: every point is that month's report item (value, actual,
    percent), computed by the same code from the same four statements whatever the
    number of months (the sources as one UNION ALL with a range per month). A currency a
    subject has in some months only shows no target and nothing done in the others."""
    settings = get_settings()
    now = now or utcnow()
    today = now.astimezone(ZoneInfo(settings["timezone"])).date()
    firsts = last_months(months, today)
    ends = {month: next_month(month) - timedelta(days=1) for month in firsts}
    teams, people = _subjects(actor, team_id, owner_id)
    series = {}  # (kind, id, currency) -> {"name", "points": {month: item}}
    if people or teams:
        owner_ids = [p[0] for p in people]
        targets = _targets(firsts[0], ends[firsts[-1]], owner_ids, [t[0] for t in teams])
        rows = defaultdict(list)
        for row in _source_rows([(m.isoformat(), m, ends[m]) for m in firsts],
                                settings["timezone"], owner_ids, {metric}):
            rows[row.span].append(row)
        members = defaultdict(list)
        for person_id, _, person_team in people:
            members[person_team].append(person_id)
        subjects = ([(("team", team), members[team], name) for team, name in teams]
                    + [(("owner", person), [person], name) for person, name, _ in people])
        figures = {}
        for month in firsts:
            calendar = _Calendar([month], ends[month], today,
                                 set(settings["working_weekdays"]), settings["holidays"])
            in_month = {key: {month: by[month]} for key, by in targets.items() if month in by}
            figures[month] = _Figures(in_month, _sums(rows[month.isoformat()]),
                                      settings["currency"], calendar,
                                      calendar.total - calendar.elapsed)
        for subject, owner_ids_of, name in subjects:
            lines = {}  # currency -> {month: item}, currencies sorted as the report does
            for month in firsts:
                for item in _subject_items(figures[month], [metric], subject, owner_ids_of, {}):
                    lines.setdefault(item["currency"], {})[month] = item
            for currency in sorted(lines, key=str):
                series[(*subject, currency)] = {"name": name, "points": lines[currency]}
    return {"metric": metric, "months": [m.strftime("%Y-%m") for m in firsts],
            "items": [_trend_item(metric, key, line, firsts) for key, line in series.items()]}


def _trend_item(metric: str, key, line: dict, firsts) -> dict:
    kind, subject_id, currency = key
    points = []
    for month in firsts:
        item = line["points"].get(month)
        points.append({"month": month.strftime("%Y-%m"),
                       "value": item["value"] if item else None,
                       "actual": item["actual"] if item else _shown(metric, Decimal(0)),
                       "percent": item["percent"] if item else None})
    return {"owner_id": subject_id if kind == "owner" else None,
            "team_id": subject_id if kind == "team" else None,
            "name": line["name"], "currency": currency, "points": points}
