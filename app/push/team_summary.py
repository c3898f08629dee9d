"""The team's week and month for leads and managers, by push: on Monday morning "Week 48:
team at 62% of target (expected 55%), 3 deals stale, 2 claims waiting", and on the first
working day of a month last month's result. Same morning window and quiet hours as the
digest (08:00 local, or when quiet hours end, until noon); once per person and week or
month (the dedupe key).

"The team" is every team the reader sees (a lead's own, a manager's all): the percentages
add up the team targets and actuals of the first metric (won amount first) that has a
team target, in its first currency, from the attainment report. Without any team target
the notice says what waits without a percentage.
"""
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, PushSubscription, User
from app.models.base import utcnow
from app.models.targets import METRICS
from app.push.digest import add_notifications, morning_of
from app.services.attainment import attainment_report, working_days
from app.services.settings import get_settings
from app.services.team_home import team_home

READERS = ("lead", "manager")


def team_percentages(report: dict) -> tuple[int, int] | None:
    """(percent of target, percent expected by now), whole numbers, over the report's team
    items of the first metric with a team target; None when no team has one."""
    items = [i for i in report["items"] if i.get("team_id") and i["value"] is not None]
    if not items:
        return None
    metric = min((i["metric"] for i in items), key=METRICS.index)
    items = [i for i in items if i["metric"] == metric]
    currency = items[0]["currency"]
    items = [i for i in items if i["currency"] == currency]
    target = sum(Decimal(str(i["value"])) for i in items)
    if not target:
        return None
    actual = sum(Decimal(str(i["actual"])) for i in items)
    expected = sum(Decimal(str(i["expected_to_date"] or 0)) for i in items)
    return round(actual / target * 100), round(expected / target * 100)


def first_working_day(month_start: date, settings: dict) -> date:
    days = working_days(month_start, month_start + timedelta(days=27),
                        set(settings["working_weekdays"]), settings["holidays"])
    return days[0] if days else month_start


def _week_key(user: User, day: date) -> str:
    week = day.isocalendar()
    return f"team_week:{user.id}:{week.year}-W{week.week:02d}"


def _month_key(user: User, day: date) -> str:
    return f"team_month:{user.id}:{day:%Y-%m}"


def _notice(user: User, now: datetime, kind: str, key: str, params: dict) -> dict:
    return {"id": uuid.uuid4(), "user_id": user.id, "kind": kind, "params": params,
            "url": "/team", "actions": [], "send_at": now, "status": "scheduled",
            "created_at": now, "dedupe_key": key}


def _week_notice(user: User, day: date, now: datetime) -> dict:
    home = team_home(user, now=now)
    needs = home["needs_you"]
    params = {"week": day.isocalendar().week, "stale": needs["stale_deals_count"],
              "claims": needs["approvals_count"]}
    shares = team_percentages(attainment_report(user, day.strftime("%Y-%m"), now=now))
    kind = "team_week"
    if shares is None:
        kind = "team_week_no_target"
    else:
        params["percent"], params["expected"] = shares
    return _notice(user, now, kind, _week_key(user, day), params)


def _month_notice(user: User, day: date, now: datetime) -> dict:
    last_month = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    shares = team_percentages(attainment_report(user, last_month, now=now))
    params = {"month": last_month}
    kind = "team_month_no_target"
    if shares is not None:
        kind, params["percent"] = "team_month", shares[0]
    return _notice(user, now, kind, _month_key(user, day), params)


def queue_team_summaries(app=None, now: datetime | None = None) -> int:
    """Add this morning's team notices for every lead and manager whose Monday or first
    working day of the month it is; safe in several workers and on every pass. Returns how
    many were added."""
    now = now or utcnow()
    readers = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(READERS),
                           User.id.in_(select(PushSubscription.user_id)))).all()
    settings = get_settings()
    due = []  # (key, build the notice): what this morning owes each reader
    for user in readers:
        day = morning_of(user, now)
        if day is None:
            continue
        if day.weekday() == 0:
            due.append((_week_key(user, day), _week_notice, user, day))
        if day == first_working_day(day.replace(day=1), settings):
            due.append((_month_key(user, day), _month_notice, user, day))
    if not due:
        return 0
    # Every pass of the morning comes here: the reports run only for notices not sent yet.
    sent = set(db.session.scalars(select(Notification.dedupe_key).where(
        Notification.dedupe_key.in_([key for key, *_ in due]))))
    return add_notifications([build(user, day, now) for key, build, user, day in due
                              if key not in sent])

