"""Visits: the cadence a customer should be visited at, its latest visit, and check-ins.

A customer's cadence is its own ``visit_interval_days``, else the company's default for its
RFM segment (setting ``visit_interval_days``, "none" for a customer with no segment). It is
due that many days after its latest visit, counted in its owner's timezone; a customer
never visited counts from the day it was created (a new customer is due one interval after
it was added, an old one never visited is overdue). Overdue: due before the owner's today.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Activity, Customer, User
from app.models.base import utcnow
from app.models.settings import Setting
from app.services.settings import DEFAULTS

NO_SEGMENT = "none"


def visit_columns(owner_id) -> tuple:
    """What a customer query adds to derive the cadence of each row: the owner's timezone
    and the company's ``visit_interval_days`` setting, as scalar subqueries (primary-key
    lookups), so a customer read costs no statement more than it did."""
    return (select(User.timezone).where(User.id == owner_id).correlate_except(User)
            .scalar_subquery().label("owner_timezone"),
            select(Setting.value).where(Setting.key == "visit_interval_days")
            .scalar_subquery().label("visit_intervals"))


def visit_intervals(stored: dict | None) -> dict[str, int]:
    """Days between visits by RFM segment: the stored setting over the defaults."""
    return {**DEFAULTS["visit_interval_days"], **(stored or {})}


def visit_cadence(customer: Customer, segment: str | None, timezone: str,
                  intervals: dict[str, int], now: datetime) -> dict:
    """The derived cadence fields of a customer read, by read-model field name."""
    interval = customer.visit_interval_days or intervals[segment or NO_SEGMENT]
    zone = ZoneInfo(timezone)
    since: datetime = customer.last_visit_at or customer.created_at
    due_on: date = since.astimezone(zone).date() + timedelta(days=interval)
    return {"effective_visit_interval_days": interval, "visit_due_on": due_on,
            "visit_overdue": due_on < now.astimezone(zone).date()}


def refresh_last_visit(customer: Customer | None) -> None:
    """Set the customer's ``last_visit_at`` to its latest visit not deleted (one UPDATE
    over ix_activities_customer_kind), after a visit was logged, moved or deleted.

    It leaves the version alone (a visit is not an edit of the customer, and must not turn
    a queued offline edit into a 412) but moves ``updated_at``, so the phones' delta sync
    (``?updated_since=``) brings the new ``visit_due_on`` to the offline book.
    """
    if customer is None:
        return
    db.session.flush()  # the visit being written, so the subquery sees it
    table = Customer.__table__
    latest = (select(func.max(Activity.occurred_at))
              .where(Activity.customer_id == customer.id, Activity.kind == "visit",
                     Activity.deleted_at.is_(None))
              .scalar_subquery())
    last_visit_at = db.session.execute(
        table.update().where(table.c.id == customer.id)
        .values(last_visit_at=latest, updated_at=utcnow())
        .returning(table.c.last_visit_at)
    ).scalar_one()
    set_committed_value(customer, "last_visit_at", last_visit_at)


def checkin_status(distance: int | None, accuracy: float | None, radius_m: int) -> str:
    """A visit's check-in: *verified* within ``radius_m`` of its customer by a position
    known to better than ``radius_m``; *far* when farther; *unverified* without a
    position, without the customer's coordinates (no ``distance``), or with poor accuracy."""
    if distance is None or accuracy is None or accuracy >= radius_m:
        return "unverified"
    return "verified" if distance <= radius_m else "far"

