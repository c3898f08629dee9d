"""Logging what happened with a customer, and the follow-ups that say what comes next."""
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm.attributes import set_committed_value

from app.services.scoping import owner_scope, visible_activities
from app.extensions import db
from app.models import Activity, Contact, Customer, User
from app.models.base import utcnow
from app.services import leads as lead_service
from app.services.audit import record_audit
from app.services.customers import get_customer
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.notifications import cancel_reminders, schedule_reminder, schedule_reminders
from app.services.pagination import keyset_page
from app.services.records import (
    apply_changes, check_version, find_replay, get_visible, new_id, read_of, where_equal,
)
from app.services.settings import get_setting
from app.services.visits import checkin_status, refresh_last_visit

AGENDA_SECTION_LIMIT = 20  # per section; keeps a busy agenda under 20 KB
AGENDA_COUNT_CAP = 999  # a section's count reads at most this many index rows (+1)
UPCOMING_DAYS = 7
EDITABLE_FIELDS = (
    "occurred_at", "due_at", "done_at", "outcome", "notes", "duration_seconds", "action",
)


def distance_m(lat1, lng1, lat2, lng2) -> int:
    """Great-circle distance in whole metres (haversine; plenty for 'on site or not')."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * r * math.asin(math.sqrt(a)))


def get_activity(actor: User, activity_id: uuid.UUID) -> Activity:
    return get_visible(Activity, visible_activities, actor, activity_id, "Activity")


def get_activity_to_change(actor: User, activity_id: uuid.UUID) -> Activity:
    """An activity the actor may change: theirs, their team's (a lead), or any (manager,
    admin). Others' activities on a customer you can see are readable, not writable."""
    activity = get_activity(actor, activity_id)
    can_change = db.session.scalar(
        select(Activity.id).where(Activity.id == activity.id,
                                  owner_scope(actor, Activity.owner_id)))
    if can_change is None:
        raise Forbidden("Only its owner or their team lead can change this activity.")
    return activity


def _customer_for(actor: User, customer_id, contact_id) -> tuple[Customer | None, Contact | None]:
    customer = contact = None
    if customer_id is not None:
        try:
            customer = get_customer(actor, customer_id)
        except NotFound as exc:
            raise Invalid({"customer_id": ["Unknown customer."]}) from exc
    if contact_id is not None:
        contact = db.session.get(Contact, contact_id)
        if contact is None or contact.deleted_at is not None or customer is None \
                or contact.customer_id != customer.id:
            raise Invalid({"contact_id": ["Must be a contact of the chosen customer."]})
    return customer, contact


def _open_followup(actor: User, followup_id: uuid.UUID) -> Activity:
    try:
        followup = get_activity(actor, followup_id)
    except NotFound as exc:
        raise Invalid({"completes_id": ["Unknown follow-up."]}) from exc
    if followup.owner_id != actor.id or followup.due_at is None:
        raise Invalid({"completes_id": ["Not one of your follow-ups."]})
    return followup


def _touch_customer(customer: Customer | None, when: datetime | None) -> None:
    """Move the customer's ``last_activity_at`` forward without changing its version or
    ``updated_at``: logging a visit is not an edit of the customer, and must not turn a
    queued offline edit of that customer into a 412."""
    if customer is None or when is None:
        return
    table = Customer.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == customer.id,
               (table.c.last_activity_at.is_(None)) | (table.c.last_activity_at < when))
        .values(last_activity_at=when, updated_at=table.c.updated_at)
    )
    if customer.last_activity_at is None or when > customer.last_activity_at:
        set_committed_value(customer, "last_activity_at", when)


def place_activity(activity: Activity, customer: Customer | None, location: dict | None,
                   checkin_radius_m: int | None) -> None:
    """Where an activity was logged; for a visit also how far from its customer it was
    (``distance_m``) and its ``checkin_status`` (services.visits.checkin_status)."""
    if location:
        activity.lat, activity.lng = location["lat"], location["lng"]
        activity.accuracy = location.get("accuracy")
    if activity.kind != "visit":
        return
    if location and customer is not None and customer.lat is not None \
            and customer.lng is not None:
        activity.distance_m = distance_m(activity.lat, activity.lng, customer.lat, customer.lng)
    activity.checkin_status = checkin_status(activity.distance_m, activity.accuracy,
                                             checkin_radius_m)


@dataclass(frozen=True)
class LoggedActivity:
    """What logging an activity answers: the activity, and the follow-up it set (if any)."""

    activity: Activity
    followup: Activity | None


def log_activity(actor: User, data: dict) -> tuple[Activity, Activity | None, bool]:
    """Record an activity; with ``next``, also the follow-up it sets; with ``completes_id``,
    mark that follow-up done. All in the caller's transaction.

    Returns (activity, follow-up or None, created).
    """
    existing = find_replay(Activity, data.get("id"), lambda a: a.owner_id == actor.id)
    if existing is not None:
        followup = db.session.scalar(
            select(Activity).where(Activity.followup_of == existing.id,
                                   Activity.deleted_at.is_(None)))
        return existing, followup, False

    customer, contact = _customer_for(actor, data.get("customer_id"), data.get("contact_id"))
    lead = lead_service.lead_for_activity(actor, data["lead_id"]) if data.get("lead_id") \
        else None
    kind = data["kind"]
    occurred_at = data.get("occurred_at")
    due_at = data.get("due_at")
    if occurred_at is None and due_at is None:
        occurred_at = utcnow()
    activity = Activity(
        id=new_id(data.get("id")), kind=kind, owner_id=actor.id,
        customer_id=customer.id if customer else None,
        contact_id=contact.id if contact else None, lead_id=lead.id if lead else None,
        occurred_at=occurred_at, due_at=due_at, done_at=data.get("done_at"),
        action=data.get("action") or (kind if due_at is not None and kind != "task" else None),
        outcome=data.get("outcome"), notes=data.get("notes"),
        duration_seconds=data.get("duration_seconds"), version=1,
    )
    place_activity(activity, customer, data.get("location"),
                   get_setting("checkin_radius_m") if kind == "visit" else None)
    db.session.add(activity)

    if data.get("completes_id"):
        followup_done = _open_followup(actor, data["completes_id"])
        if followup_done.done_at is None:
            followup_done.done_at = occurred_at or utcnow()
            followup_done.occurred_at = followup_done.occurred_at or followup_done.done_at

    followup = None
    nxt = data.get("next")
    if nxt:
        followup_id = nxt.get("id")
        if followup_id is not None and db.session.get(Activity, followup_id) is not None:
            raise Invalid({"next": {"id": ["This id is already used by another record."]}})
        followup = Activity(
            id=new_id(followup_id), kind="task", action=nxt["kind"], owner_id=actor.id,
            customer_id=activity.customer_id, contact_id=activity.contact_id,
            lead_id=activity.lead_id, due_at=nxt["due_at"], notes=nxt.get("note"),
            followup_of=activity.id, version=1,
        )
        db.session.add(followup)
    _touch_customer(customer, occurred_at)
    if kind == "visit":
        refresh_last_visit(customer)
    if lead is not None and occurred_at is not None:
        lead_service.touch_lead(lead.id, occurred_at)
    if data.get("completes_id"):
        cancel_reminders([followup_done.id])
    schedule_reminders([f for f in (activity, followup) if f is not None and f.is_open_followup],
                       actor, new=True)
    db.session.flush()
    return activity, followup, True


def update_activity(actor: User, activity: Activity, data: dict, expected_version=None):
    """Change notes/outcome, complete (``done_at``) or move (``due_at``) a follow-up."""
    check_version(activity, expected_version)
    if "due_at" in data and data["due_at"] is None and activity.kind == "task":
        raise Invalid({"due_at": ["A follow-up needs a due time."]})
    changes = apply_changes(activity, data, EDITABLE_FIELDS)
    if "done_at" in changes and activity.done_at is not None and activity.occurred_at is None:
        activity.occurred_at = activity.done_at
    if "due_at" in changes or "done_at" in changes:
        schedule_reminder(activity, actor)
    if changes:
        db.session.flush()
    if activity.kind == "visit" and changes.keys() & {"occurred_at", "done_at"}:
        refresh_last_visit(_visited(activity))
    return activity


def _visited(visit: Activity) -> Customer | None:
    return db.session.get(Customer, visit.customer_id) if visit.customer_id else None


def delete_activity(actor: User, activity: Activity, expected_version=None) -> None:
    check_version(activity, expected_version)
    activity.deleted_at = utcnow()
    cancel_reminders([activity.id])
    record_audit(actor, "activity", activity.id, "deleted",
                 {"kind": (activity.kind, None), "due_at": (activity.due_at, None)})
    db.session.flush()
    if activity.kind == "visit":
        refresh_last_visit(_visited(activity))


def list_activities(actor: User, filters: dict, limit: int, cursor: str | None):
    query = visible_activities(select(Activity), actor)
    query = where_equal(query, Activity, filters, ("customer_id", "owner_id", "kind"))
    if filters.get("open") is True:
        query = query.where(Activity.due_at.is_not(None), Activity.done_at.is_(None))
    elif filters.get("open") is False:
        query = query.where((Activity.due_at.is_(None)) | (Activity.done_at.is_not(None)))
    return keyset_page(query, (Activity.created_at, Activity.id), limit, cursor, descending=True)


def local_day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in a timezone, as UTC (DST days are 23 or 25 h)."""
    tz = ZoneInfo(tz_name)
    start = datetime.combine(day, time.min, tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _open_followups(actor: User, since: datetime | None, until: datetime):
    """The actor's open follow-ups due in [since, until): ids and due times, read from
    ix_activities_open_followups. A deleted customer's follow-ups leave the agenda with it:
    the customer is looked up by primary key per row, never a scan of customers."""
    query = (
        select(Activity.id, Activity.due_at)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(Activity.owner_id == actor.id, Activity.deleted_at.is_(None),
               Activity.due_at.is_not(None), Activity.done_at.is_(None),
               Activity.due_at < until, Customer.deleted_at.is_(None))
    )
    return query if since is None else query.where(Activity.due_at >= since)


@dataclass(frozen=True)
class AgendaItem:
    """An open follow-up as the agenda shows it, with its customer and contact."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    kind: str
    action: str | None
    due_at: datetime
    notes: str | None
    customer_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    followup_of: uuid.UUID | None
    customer: Customer | None
    contact: Contact | None


def agenda(actor: User, day: date, section_limit: int = AGENDA_SECTION_LIMIT) -> dict:
    """The actor's open follow-ups: overdue (before ``day``), today, and the next 7 days.

    One statement whose cost does not grow with the rep's history: each section reads at
    most ``section_limit`` rows of the index for its items and at most AGENDA_COUNT_CAP + 1
    for its count (``counts`` are therefore at most AGENDA_COUNT_CAP; ``counts_capped``
    says a section has more).
    """
    start, end = local_day_bounds(day, actor.timezone)
    _, horizon = local_day_bounds(day + timedelta(days=UPCOMING_DAYS), actor.timezone)
    sections = {"overdue": (None, start), "today": (start, end), "upcoming": (end, horizon)}
    firsts = []
    for name, (since, until) in sections.items():
        first = (_open_followups(actor, since, until)
                 .order_by(Activity.due_at, Activity.id).limit(section_limit).subquery())
        # Ordered as the index is, so that no planner reads another of the rep's indexes.
        capped = (_open_followups(actor, since, until).order_by(Activity.due_at)
                  .limit(AGENDA_COUNT_CAP + 1).subquery())
        total = select(func.count()).select_from(capped).scalar_subquery()
        firsts.append(select(first.c.id, literal(name).label("section"), total.label("total"))
                      .select_from(first))
    picked = union_all(*firsts).subquery()
    rows = db.session.execute(
        select(Activity, Customer, Contact, picked.c.section, picked.c.total)
        .join(picked, picked.c.id == Activity.id)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .order_by(Activity.due_at, Activity.id)
    ).all()
    result = {"date": day, "timezone": actor.timezone, "overdue": [], "today": [],
              "upcoming": [], "counts": {"overdue": 0, "today": 0, "upcoming": 0},
              "counts_capped": False}
    # An empty section has no row, and so its count stays 0.
    for activity, customer, contact, section_name, total in rows:
        result[section_name].append(read_of(AgendaItem, activity, customer=customer,
                                            contact=contact))
        result["counts"][section_name] = min(total, AGENDA_COUNT_CAP)
        result["counts_capped"] |= total > AGENDA_COUNT_CAP
    return result
