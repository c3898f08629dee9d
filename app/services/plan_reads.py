"""A day plan as the API answers it: the stops with their timeline and what happened at
them (the day's visits to their customers), and the plan against what happened."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Activity, Customer, DayPlan, PlanStop, User
from app.models.base import utcnow
from app.services.activities import local_day_bounds
from app.services.places import Point
from app.services.records import read_of


@dataclass(frozen=True)
class StopCustomer:
    """What a plan shows of a stop's customer, as the agenda does: enough to call and to
    navigate. A copy: a plan is answered after the commit that expires the entities."""

    id: uuid.UUID
    name: str
    phone_e164: str | None
    email: str | None
    address: str | None
    city: str | None
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class StopRead:
    customer_id: uuid.UUID
    followup_id: uuid.UUID | None
    arrive_by: datetime | None
    duration_min: int
    eta: datetime | None
    distance_m: int | None
    travel_min: int | None
    late: bool
    unplanned: str | None
    customer: StopCustomer
    visited_at: datetime | None
    checkin_status: str | None


@dataclass(frozen=True)
class PlanSummary:
    """The plan against what happened, for the rep's lead: stops planned, visited (a visit
    to the stop's customer logged by the plan's owner on the plan's date), verified (that
    visit's check-in); ``missed`` counts the stops not visited once the owner's day is
    over, ``pending`` those not visited yet while it lasts."""

    planned: int
    visited: int
    verified: int
    missed: int
    pending: int


@dataclass(frozen=True)
class PlanRead:
    """A plan as the API answers it; a day without a plan reads as an empty one (no id,
    version 0)."""

    id: uuid.UUID | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    owner_id: uuid.UUID
    date: date
    timezone: str
    start: Point | None
    end: Point | None
    depart_at: datetime | None
    leave_at: datetime | None
    finish_at: datetime | None
    total_distance_m: int | None
    total_travel_min: int | None
    total_duration_min: int | None
    optimised_at: datetime | None
    travel_source: str | None
    stops: list[StopRead]
    unplanned: list[dict]
    summary: PlanSummary


def _point(lat, lng, label) -> Point | None:
    return None if lat is None or lng is None else Point(lat, lng, label)


# A customer's visits of a day rank by check-in, best first: one verified visit is enough.
_CHECKINS = ("verified", "far", "unverified")


def day_visits(owner: User, day: date, rows) -> dict[uuid.UUID, tuple[datetime, str]]:
    """The stops' customers the owner visited on ``day`` (their local date): the first
    visit's time and the best check-in of the day's visits. One grouped statement over
    ix_activities_customer_kind (customer, kind, occurred_at), whatever the stop count.

    Grouped by visitor too, and the owner's rows kept here: an ``owner_id = ?`` condition
    lets SQLite read the owner's every activity by ix_activities_owner_created instead (a
    row per person who visited these customers that day comes back, a handful)."""
    customer_ids = {stop.customer_id for stop, _ in rows}
    if not customer_ids:
        return {}
    start, end = local_day_bounds(day, owner.timezone)
    rank = case(*[(Activity.checkin_status == status, index)
                  for index, status in enumerate(_CHECKINS[:-1])], else_=len(_CHECKINS) - 1)
    found = db.session.execute(
        select(Activity.customer_id, Activity.owner_id, func.min(Activity.occurred_at),
               func.min(rank))
        .where(Activity.customer_id.in_(customer_ids), Activity.kind == "visit",
               Activity.occurred_at >= start, Activity.occurred_at < end,
               Activity.deleted_at.is_(None))
        .group_by(Activity.customer_id, Activity.owner_id))
    return {customer_id: (first, _CHECKINS[best])
            for customer_id, visitor, first, best in found if visitor == owner.id}


def _stop_read(stop: PlanStop, customer: Customer, visit: tuple | None) -> StopRead:
    late = bool(stop.eta and stop.arrive_by and stop.eta > stop.arrive_by)
    visited_at, status = visit or (None, None)
    return StopRead(
        customer_id=stop.customer_id, followup_id=stop.followup_id, arrive_by=stop.arrive_by,
        duration_min=stop.duration_min, eta=stop.eta, distance_m=stop.distance_m,
        travel_min=stop.travel_min, late=late, unplanned=stop.unplanned,
        customer=read_of(StopCustomer, customer), visited_at=visited_at,
        checkin_status=status)


def _summary(owner: User, day: date, stops: list[StopRead]) -> PlanSummary:
    visited = sum(1 for stop in stops if stop.visited_at is not None)
    over = utcnow() >= local_day_bounds(day, owner.timezone)[1]
    left = len(stops) - visited
    return PlanSummary(
        planned=len(stops), visited=visited,
        verified=sum(1 for stop in stops if stop.checkin_status == "verified"),
        missed=left if over else 0, pending=0 if over else left)


def read_plan(owner: User, day: date, plan: DayPlan | None, rows) -> PlanRead:
    plan = plan if plan is not None else DayPlan(version=0, owner_id=owner.id)  # not stored
    visits = day_visits(owner, day, rows)
    stops = [_stop_read(stop, customer, visits.get(stop.customer_id))
             for stop, customer in rows]
    unplanned = [{"index": i, "customer_id": s.customer_id, "followup_id": s.followup_id,
                  "reason": s.unplanned} for i, s in enumerate(stops) if s.unplanned]
    duration = None
    if plan.leave_at is not None and plan.finish_at is not None:
        duration = round((plan.finish_at - plan.leave_at).total_seconds() / 60)
    return read_of(PlanRead, plan, date=day, timezone=owner.timezone,
                   start=_point(plan.start_lat, plan.start_lng, plan.start_label),
                   end=_point(plan.end_lat, plan.end_lng, plan.end_label),
                   total_duration_min=duration, stops=stops, unplanned=unplanned,
                   summary=_summary(owner, day, stops))
