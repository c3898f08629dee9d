"""A rep's plan for a day: where it starts and ends, the stops in order, and their
timeline; the optimiser orders the stops (``routing``).

A plan's figures (each stop's ETA and leg, the totals) always describe its current order:
``optimise_plan`` stores the optimiser's, and a plan sent in another order gets its
timeline recomputed with straight-line travel (no network call on a save).
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from app.extensions import db
from app.models import Activity, Customer, DayPlan, PlanStop, User
from app.models.base import utcnow
from app.services import routing
from app.services.activities import local_day_bounds
from app.services.errors import Invalid, NotFound
from app.services.places import Point, resolve_point
from app.services.plan_reads import PlanRead, day_visits, read_plan
from app.services.records import check_version
from app.services.scoping import owner_scope, visible_activities, visible_customers
from app.services.settings import get_settings

MAX_STOPS = 60
STOP_FIELDS = ("customer_id", "followup_id", "arrive_by", "duration_min")


# Whose plan ------------------------------------------------------------------------------

def plan_owner(actor: User, owner_id: uuid.UUID | None) -> User:
    """The user whose plan ``actor`` asks for: themselves; a lead, their teams' members;
    managers and admins, anyone. Anyone else is not found."""
    if owner_id is None or owner_id == actor.id:
        return actor
    owner = db.session.scalar(select(User).where(User.id == owner_id,
                                                 owner_scope(actor, User.id)))
    if owner is None:
        raise NotFound("User not found.")
    return owner


def _stored(owner: User, day: date) -> DayPlan | None:
    return db.session.scalar(select(DayPlan).where(DayPlan.owner_id == owner.id,
                                                   DayPlan.day == day))


def _stops_of(plan: DayPlan | None) -> list[tuple[PlanStop, Customer]]:
    if plan is None:
        return []
    return db.session.execute(
        select(PlanStop, Customer).join(Customer, Customer.id == PlanStop.customer_id)
        .where(PlanStop.plan_id == plan.id).order_by(PlanStop.position)).all()


# Reads -----------------------------------------------------------------------------------

def get_plan(actor: User, day: date, owner_id: uuid.UUID | None = None) -> PlanRead:
    owner = plan_owner(actor, owner_id)
    plan = _stored(owner, day)
    return read_plan(owner, day, plan, _stops_of(plan))


# Saving a plan ---------------------------------------------------------------------------

def _local(day: date, clock: str, tz_name: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    local = datetime.combine(day, time(hours, minutes), ZoneInfo(tz_name))
    return local.astimezone(ZoneInfo("UTC"))


def _utc(value: datetime | None) -> datetime | None:
    """As stored (and so as read back): UTC."""
    return value.astimezone(ZoneInfo("UTC")) if value is not None else None


def _check_stops(actor: User, stops: list[dict], bounds) -> dict[uuid.UUID, Customer]:
    """The stops' customers (and follow-ups) in the actor's scope, else 404; arrive_by on
    the plan's date and follow-ups of the stop's own customer, else 422."""
    customer_ids = {stop["customer_id"] for stop in stops}
    customers = {c.id: c for c in db.session.scalars(visible_customers(
        select(Customer), actor).where(Customer.id.in_(customer_ids)))} if stops else {}
    if customer_ids - set(customers):
        raise NotFound("Customer not found.")
    followup_ids = {stop["followup_id"] for stop in stops if stop.get("followup_id")}
    followups = {a.id: a for a in db.session.scalars(visible_activities(
        select(Activity), actor).where(Activity.id.in_(followup_ids)))} if followup_ids else {}
    if followup_ids - set(followups):
        raise NotFound("Follow-up not found.")
    errors: dict = {}
    for index, stop in enumerate(stops):
        followup = followups.get(stop.get("followup_id"))
        if followup is not None and (followup.due_at is None
                                     or followup.customer_id != stop["customer_id"]):
            errors.setdefault(index, {})["followup_id"] = [
                "Must be a follow-up of this stop's customer."]
        arrive_by = stop.get("arrive_by")
        if arrive_by is not None and not bounds[0] <= arrive_by < bounds[1]:
            errors.setdefault(index, {})["arrive_by"] = ["Must be on the plan's date."]
    if errors:
        raise Invalid({"stops": errors})
    return customers


def _content(plan: DayPlan | None, rows) -> tuple:
    """What a client sends of a plan, to tell a change from a replay."""
    if plan is None:
        return ()
    return ((plan.start_lat, plan.start_lng, plan.start_label),
            (plan.end_lat, plan.end_lng, plan.end_label), plan.depart_at,
            [tuple(getattr(stop, f) for f in STOP_FIELDS) for stop, _ in rows])


def _new_content(start: Point | None, end: Point | None, depart_at, stops) -> tuple:
    def triple(p):
        return (p.lat, p.lng, p.label) if p else (None, None, None)

    return (triple(start), triple(end), depart_at,
            [tuple(stop.get(f) for f in STOP_FIELDS) for stop in stops])


# If-Match on a day without a plan: the empty plan it reads as has version 0.
_NO_PLAN = SimpleNamespace(version=0)


def put_plan(actor: User, day: date, data: dict, owner_id: uuid.UUID | None = None,
             expected_version: int | None = None) -> tuple[PlanRead, bool]:
    """Replace the day's plan with ``data``; sending what is stored changes nothing (and
    keeps the optimiser's figures). Returns (the plan, whether it was created)."""
    owner = plan_owner(actor, owner_id)
    plan = _stored(owner, day)
    check_version(plan or _NO_PLAN, expected_version)
    settings = get_settings()
    bounds = local_day_bounds(day, owner.timezone)
    stops = [{f: stop.get(f) for f in STOP_FIELDS} | {
        "arrive_by": _utc(stop.get("arrive_by")),
        "duration_min": stop.get("duration_min") or settings["visit_duration_min"]}
        for stop in data.get("stops", [])]
    depart_at = _utc(data.get("depart_at"))
    if depart_at is not None and not bounds[0] <= depart_at < bounds[1]:
        raise Invalid({"depart_at": ["Must be on the plan's date."]})
    customers = _check_stops(actor, stops, bounds)
    start = resolve_point(owner, data.get("start"), "start")
    end = resolve_point(owner, data.get("end"), "end")
    rows = _stops_of(plan)
    if _content(plan, rows) == _new_content(start, end, depart_at, stops):
        return read_plan(owner, day, plan, rows), False
    created = plan is None
    if created:
        plan = DayPlan(id=uuid.uuid4(), version=1, owner_id=owner.id, day=day)
        db.session.add(plan)
    plan.start_lat, plan.start_lng, plan.start_label = (
        (start.lat, start.lng, start.label) if start else (None, None, None))
    plan.end_lat, plan.end_lng, plan.end_label = (
        (end.lat, end.lng, end.label) if end else (None, None, None))
    plan.depart_at = depart_at
    plan.optimised_at, plan.updated_at = None, utcnow()  # a change of stops only bumps too
    stop_customers = [customers[stop["customer_id"]] for stop in stops]
    problem = _problem(plan, owner, day, settings, stop_customers, stops, osrm=None,
                       not_before=utcnow())
    route = problem.route_of(list(range(len(problem.tasks))))
    order = list(range(len(stops)))
    new_rows = _replace_stops(plan, _timeline(plan, problem, route, stops, stop_customers,
                                              order))
    return read_plan(owner, day, plan, new_rows), created


# The timeline and the optimiser ----------------------------------------------------------

@dataclass(frozen=True)
class _Problem:
    """A plan as the router sees it: ``tasks`` are the stops that have coordinates
    (``stop_of[i]`` is task i's index among the plan's stops), on ``travel`` whose point 0 is
    the start, then the tasks, then the end (if any); seconds count from ``depart``."""

    travel: routing.Travel | None
    tasks: list[routing.Task]
    stop_of: list[int]
    end: int | None
    depart: datetime
    day_s: int

    def route_of(self, order: list[int]) -> routing.Route | None:
        if self.travel is None:
            return None
        return routing.follow(self.travel, 0, self.end, self.tasks, order)


def _problem(plan: DayPlan, owner: User, day: date, settings: dict, customers, stops,
             osrm: tuple[str, float] | None, not_before: datetime | None = None,
             skip: frozenset[int] = frozenset(),
             origin: tuple[float, float] | None = None) -> _Problem:
    """``not_before``: a plan for today, optimised or saved, runs from now on, never in the
    past. ``skip``: stops not to route (visited already); ``origin``: where the route starts
    instead of the plan's start (the last visit's customer)."""
    depart = plan.depart_at or _local(day, settings["workday_start"], owner.timezone)
    if not_before is not None and depart < not_before < local_day_bounds(
            day, owner.timezone)[1]:
        depart = not_before.replace(microsecond=0)
    day_s = int((_local(day, settings["workday_end"], owner.timezone) - depart)
                .total_seconds())
    early = settings["appointment_window_min"] * 60
    tasks, stop_of, points = [], [], []
    if plan.start_lat is not None:
        points.append(origin or (plan.start_lat, plan.start_lng))
    for index, (stop, customer) in enumerate(zip(stops, customers, strict=True)):
        if customer.lat is None or customer.lng is None or not points or index in skip:
            continue
        window = None
        if stop["arrive_by"] is not None:
            by = int((stop["arrive_by"] - depart).total_seconds())
            window = (by - early, by)
        points.append((customer.lat, customer.lng))
        tasks.append(routing.Task(len(points) - 1, stop["duration_min"] * 60, window))
        stop_of.append(index)
    end = None
    if points and plan.end_lat is not None:
        points.append((plan.end_lat, plan.end_lng))
        end = len(points) - 1
    travel = None
    if points:
        if osrm is not None:
            travel = routing.osrm_table(osrm[0], points, osrm[1])
        travel = travel or routing.straight_line(points, settings["road_factor"],
                                                 settings["average_speed_kmh"])
    return _Problem(travel, tasks, stop_of, end, depart, day_s)


def _timeline(plan: DayPlan, problem: _Problem, route: routing.Route | None, stops, customers,
              order: list[int], kept: dict[int, PlanStop] | None = None,
              ) -> tuple[list[tuple[PlanStop, Customer]], dict]:
    """New stop rows in ``order`` (indexes into ``stops``) with the figures of ``route``,
    and the plan's totals; the stops in ``kept`` (visited) keep their stored figures."""
    kept = kept or {}
    visits = {problem.stop_of[v.task]: v for v in route.visits} if route else {}
    unfitted = {problem.stop_of[task] for task in route.unassigned} if route else set()
    rows = []
    for position, index in enumerate(order):
        customer, visit = customers[index], visits.get(index)
        reason = None
        if index in kept:
            rows.append((PlanStop(
                id=uuid.uuid4(), plan_id=plan.id, position=position, **stops[index],
                eta=kept[index].eta, distance_m=kept[index].distance_m,
                travel_min=kept[index].travel_min, unplanned=None), customer))
            continue
        if customer.lat is None or customer.lng is None:
            reason = "no_location"
        elif index in unfitted:
            reason = "no_fit"
        rows.append((PlanStop(
            id=uuid.uuid4(), plan_id=plan.id, position=position, **stops[index],
            eta=problem.depart + timedelta(seconds=visit.start_s) if visit else None,
            distance_m=visit.leg_m if visit else None,
            travel_min=round(visit.leg_s / 60) if visit else None, unplanned=reason),
            customer))
    fitted = route is not None and bool(route.visits)
    totals = {
        "leave_at": problem.depart + timedelta(seconds=route.leave_s) if fitted else None,
        "finish_at": problem.depart + timedelta(seconds=route.finish_s) if fitted else None,
        "total_distance_m": route.distance_m if fitted else None,
        "total_travel_min": round(route.travel_s / 60) if fitted else None,
        "travel_source": problem.travel.source if fitted else None,
    }
    return rows, totals


_ROW_FIELDS = (*STOP_FIELDS, "eta", "distance_m", "travel_min", "unplanned")


def _unchanged(plan: DayPlan, rows, timeline) -> bool:
    new_rows, totals = timeline
    return all(getattr(plan, key) == value for key, value in totals.items()) and [
        tuple(getattr(s, f) for f in _ROW_FIELDS) for s, _ in rows] == [
        tuple(getattr(s, f) for f in _ROW_FIELDS) for s, _ in new_rows]


def _replace_stops(plan: DayPlan, timeline) -> list[tuple[PlanStop, Customer]]:
    """Store the plan's totals and replace its stops (two statements, whatever the count)."""
    rows, totals = timeline
    for key, value in totals.items():
        setattr(plan, key, value)
    db.session.flush()  # the plan row first: its stops point at it
    db.session.execute(delete(PlanStop).where(PlanStop.plan_id == plan.id),
                       execution_options={"synchronize_session": False})
    db.session.add_all([stop for stop, _ in rows])
    db.session.flush()
    return rows


def optimise_plan(actor: User, day: date, owner_id: uuid.UUID | None = None,
                  expected_version: int | None = None,
                  osrm: tuple[str, float] | None = None) -> PlanRead:
    """Order the day's stops for the least driving that keeps every appointment and fits
    the working day; the stops that cannot be fitted go last, marked ``unplanned``.
    Mid-day, the stops visited already stay first, in the order they were visited, with
    their figures, and the rest is routed from the last visit's customer, from now on.
    ``osrm`` is (server URL, timeout) for road travel times, else straight lines.
    Optimising again to the same answer changes nothing."""
    owner = plan_owner(actor, owner_id)
    plan = _stored(owner, day)
    if plan is None:
        raise NotFound("There is no plan for this day.")
    check_version(plan, expected_version)
    if plan.start_lat is None:
        raise Invalid({"start": ["Set where the day starts first."]})
    rows = _stops_of(plan)
    stops = [{f: getattr(stop, f) for f in STOP_FIELDS} for stop, _ in rows]
    customers = [customer for _, customer in rows]
    visited = day_visits(owner, day, rows)
    done = sorted((index for index, (stop, _) in enumerate(rows) if stop.customer_id in visited),
                  key=lambda index: visited[rows[index][0].customer_id][0])
    last = customers[done[-1]] if done else None
    origin = (last.lat, last.lng) if last is not None and last.lat is not None else None
    problem = _problem(plan, owner, day, get_settings(), customers, stops, osrm,
                       not_before=utcnow(), skip=frozenset(done), origin=origin)
    route = routing.optimise(problem.travel, 0, problem.end, problem.tasks, problem.day_s)
    order = done + [problem.stop_of[visit.task] for visit in route.visits]
    order += [index for index in range(len(rows)) if index not in set(order)]
    timeline = _timeline(plan, problem, route, stops, customers, order,
                         kept={index: rows[index][0] for index in done})
    if plan.optimised_at is not None and _unchanged(plan, rows, timeline):
        return read_plan(owner, day, plan, rows)
    plan.optimised_at = utcnow()
    return read_plan(owner, day, plan, _replace_stops(plan, timeline))
