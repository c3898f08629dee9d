"""0013 -> 0014 (visit cadence, pins, check-ins) on a database with customers and visits."""
import uuid
from datetime import datetime, time, timedelta, timezone

import flask_migrate
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import Activity, Customer
from tests.unit.test_migrations import OLD_USER, empty_app, insert_old_row  # noqa: F401

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
COMMON = {"created_at": NOW, "updated_at": NOW, "version": 1}


def _customer(n: int) -> uuid.UUID:
    customer_id = uuid.UUID(f"00000000-0000-4000-8000-0000000001{n:02d}")
    insert_old_row("customers", id=customer_id, name=f"C{n}", name_norm=f"c{n}",
                   owner_id=OLD_USER, status="active", tags=[], **COMMON)
    return customer_id


def _activity(customer_id, kind, occurred_at, deleted_at=None):
    insert_old_row("activities", id=uuid.uuid4(), kind=kind, owner_id=OLD_USER,
                   customer_id=customer_id, occurred_at=occurred_at, deleted_at=deleted_at,
                   **COMMON)


def test_0014_fills_last_visit_at_from_the_visits_there(empty_app):  # noqa: F811
    """Each customer's latest visit not deleted (calls, deleted visits and planned ones
    do not count); no check-in on the old visits; down to 0013, the columns are gone."""
    flask_migrate.upgrade(revision="0013")
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   reminder_lead_minutes=15, quiet_hours_start=time(21, 0),
                   quiet_hours_end=time(8, 0), **COMMON)
    visited, called, deleted, never = (_customer(n) for n in range(4))
    latest = NOW + timedelta(days=9, hours=3)
    _activity(visited, "visit", NOW + timedelta(days=2))
    _activity(visited, "visit", latest)
    _activity(visited, "visit", NOW + timedelta(days=20), deleted_at=NOW + timedelta(days=21))
    _activity(visited, "visit", None)                       # planned, not happened
    _activity(visited, "call", NOW + timedelta(days=30))
    _activity(called, "call", NOW + timedelta(days=1))
    _activity(deleted, "visit", NOW + timedelta(days=1), deleted_at=NOW + timedelta(days=2))
    flask_migrate.upgrade(revision="0014")

    stored = dict(db.session.execute(select(Customer.id, Customer.last_visit_at)).all())
    assert stored == {visited: latest, called: None, deleted: None, never: None}
    columns = db.session.execute(select(
        Customer.visit_interval_days, Customer.location_accuracy, Customer.located_at)
    ).all()
    assert set(columns) == {(None, None, None)}
    assert set(db.session.scalars(select(Activity.checkin_status))) == {None}
    db.session.rollback()

    flask_migrate.downgrade(revision="0013")
    customer_columns = {c["name"] for c in inspect(db.engine).get_columns("customers")}
    assert not customer_columns & {"visit_interval_days", "last_visit_at",
                                   "location_accuracy", "located_at"}
    activity_columns = {c["name"] for c in inspect(db.engine).get_columns("activities")}
    assert "checkin_status" not in activity_columns
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("activities")}
    assert not indexes & {"ix_activities_customer_kind", "ix_activities_contact_occurred"}
