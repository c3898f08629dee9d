"""Targets: a metric's value for a month, per person or team; who may set which, and the
months an administrator locked once they closed.

Leads set the targets of the teams they lead and of those teams' members; managers and
administrators anyone's; a rep reads their own and sets none. A period in the API is a
month (``2026-12``), a quarter (``2026-Q4``) or a year (``2026``): quarters and years are
the sums of their months (``app.services.attainment``).
"""
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Target, Team, User
from app.models.base import utcnow
from app.models.targets import MONEY_METRICS
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, Text
from app.services.pagination import keyset_page
from app.services.records import (
    apply_changes, check_version, find_replay, new_id, where_equal,
)
from app.services.scoping import SEE_ALL, can_assign_to, visible_targets
from app.services.settings import get_settings

# 2026-12, 2026-Q4 or 2026 (years 1900-8999, far from the ends of the calendar).
PERIOD = r"^(?:19|[2-8]\d)\d{2}(?:-(?:0[1-9]|1[0-2])|-Q[1-4])?$"
WRITER_ROLES = ("lead", "manager", "admin")


def parse_period(text: str) -> tuple[date, date, list[date]]:
    """A period's first and last day and the first days of its months."""
    if not isinstance(text, str) or re.match(PERIOD, text) is None:
        raise Invalid({"period": ["Not a period: a month (2026-12), a quarter (2026-Q4) "
                                  "or a year (2026)."]})
    year = int(text[:4])
    if len(text) == 4:
        first, count = 1, 12
    elif text[5] == "Q":
        first, count = (int(text[6]) - 1) * 3 + 1, 3
    else:
        first, count = int(text[5:7]), 1
    months = [date(year, month, 1) for month in range(first, first + count)]
    return months[0], next_month(months[-1]) - timedelta(days=1), months


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def current_month(tz_name: str, now: datetime | None = None) -> date:
    """The first day of the company's current month."""
    today = (now or utcnow()).astimezone(ZoneInfo(tz_name)).date()
    return today.replace(day=1)


@dataclass(frozen=True)
class TargetRead:
    """A target as the API shows it: ``value`` and ``stretch`` are whole numbers for the
    count metrics, ``currency`` is None for them."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    metric: str
    period: date
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    value: Decimal | int
    stretch: Decimal | int | None
    currency: str | None


def as_figure(metric: str, amount):
    """Money stays a Decimal; a count metric's amount is a whole number."""
    if amount is None or metric in MONEY_METRICS:
        return amount
    return int(amount)


def target_read(target: Target) -> TargetRead:
    return TargetRead(
        id=target.id, version=target.version, created_at=target.created_at,
        updated_at=target.updated_at, metric=target.metric, period=target.period,
        owner_id=target.owner_id, team_id=target.team_id,
        value=as_figure(target.metric, target.value),
        stretch=as_figure(target.metric, target.stretch), currency=target.currency or None)


def _require_writer(actor: User) -> None:
    if actor.role not in WRITER_ROLES:
        raise Forbidden("Only a team lead, a manager or an administrator can set targets.")


def _check_subject(actor: User, owner_id, team_id) -> None:
    """A target is a person's or a team's, one the actor may set targets for."""
    if (owner_id is None) == (team_id is None):
        raise Invalid({"owner_id": ["Give either owner_id or team_id."]})
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None:
            raise Invalid({"team_id": ["Unknown team."]})
        allowed = actor.role in SEE_ALL or team.lead_id == actor.id
    else:
        row = db.session.execute(select(User, Team).outerjoin(Team, User.team_id == Team.id)
                                 .where(User.id == owner_id)).first()
        if row is None:
            raise Invalid({"owner_id": ["Unknown user."]})
        allowed = can_assign_to(actor, row.User, row.Team)
    if not allowed:
        raise Forbidden("You may set targets only for the teams you lead and their members.")


def _check_open(period: date) -> None:
    """409 for a month before the current one (company timezone) once months are locked."""
    settings = get_settings()
    if settings["lock_closed_months"] and period < current_month(settings["timezone"]):
        month = period.strftime("%Y-%m")
        raise Conflict(Text("{month} is closed: its targets can no longer change.",
                            month=month))


def _check_figures(metric: str, value: Decimal, stretch: Decimal | None) -> None:
    if metric not in MONEY_METRICS:
        for field, amount in (("value", value), ("stretch", stretch)):
            if amount is not None and amount != amount.to_integral_value():
                raise Invalid({field: ["A whole number for this metric."]})
    if stretch is not None and stretch < value:
        raise Invalid({"stretch": ["Must be at least the value."]})


def _currency(metric: str, currency: str | None) -> str:
    if metric in MONEY_METRICS:
        return currency or get_settings()["currency"]
    if currency:
        raise Invalid({"currency": ["Only money metrics have a currency."]})
    return ""


def find_target(actor: User, target_id: uuid.UUID) -> Target:
    target = db.session.scalar(visible_targets(select(Target), actor)
                               .where(Target.id == target_id))
    if target is None:
        raise NotFound("Target not found.")
    return target


def get_target(actor: User, target_id: uuid.UUID) -> TargetRead:
    return target_read(find_target(actor, target_id))


def list_targets(actor: User, filters: dict, limit: int, cursor: str | None):
    """Targets in scope by month; ``period`` (a month, quarter or year), ``metric``,
    ``owner_id``, ``team_id`` narrow them."""
    query = where_equal(visible_targets(select(Target), actor), Target, filters,
                        ("metric", "owner_id", "team_id"))
    if filters.get("period"):
        start, end, _ = parse_period(filters["period"])
        query = query.where(Target.period >= start, Target.period <= end)
    rows, next_cursor = keyset_page(query, (Target.period, Target.id), limit, cursor)
    return [target_read(t) for t in rows], next_cursor


def create_target(actor: User, data: dict) -> tuple[TargetRead, bool]:
    """A new target (201), or the stored one when the same ``id`` is sent again (200)."""
    _require_writer(actor)
    existing = find_replay(Target, data.get("id"), lambda t: db.session.scalar(
        visible_targets(select(Target.id), actor).where(Target.id == t.id)) is not None)
    if existing is not None:
        return target_read(existing), False
    metric, period = data["metric"], data["period"]
    owner_id, team_id = data.get("owner_id"), data.get("team_id")
    _check_subject(actor, owner_id, team_id)
    _check_figures(metric, data["value"], data.get("stretch"))
    currency = _currency(metric, data.get("currency"))
    _check_open(period)
    subject = Target.owner_id == owner_id if owner_id is not None else Target.team_id == team_id
    if db.session.scalar(select(Target.id).where(
            subject, Target.period == period, Target.metric == metric,
            Target.currency == currency)) is not None:
        raise Conflict("There is already a target for this metric, month and currency.")
    target = Target(id=new_id(data.get("id")), metric=metric, period=period,
                    owner_id=owner_id, team_id=team_id, value=data["value"],
                    stretch=data.get("stretch"), currency=currency, version=1)
    db.session.add(target)
    record_audit(actor, "target", target.id, "created",
                 {"value": (None, target.value), "stretch": (None, target.stretch)})
    db.session.flush()
    return target_read(target), True


def update_target(actor: User, target: Target, data: dict, expected_version=None) -> TargetRead:
    """Change a target's ``value`` and ``stretch`` (the metric, month and owner are what
    the target is: to change them, delete it and set a new one)."""
    _require_writer(actor)
    check_version(target, expected_version)
    _check_open(target.period)
    value = data.get("value", target.value)
    stretch = data["stretch"] if "stretch" in data else target.stretch
    _check_figures(target.metric, value, stretch)
    changes = apply_changes(target, data, ("value", "stretch"))
    if changes:
        record_audit(actor, "target", target.id, "changed", changes)
        db.session.flush()
    return target_read(target)


def delete_target(actor: User, target: Target, expected_version=None) -> None:
    _require_writer(actor)
    check_version(target, expected_version)
    _check_open(target.period)
    record_audit(actor, "target", target.id, "deleted",
                 {"value": (target.value, None), "stretch": (target.stretch, None)})
    db.session.delete(target)
    db.session.flush()
