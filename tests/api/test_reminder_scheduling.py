"""Every follow-up gets one reminder at due_at minus the owner's lead time, out of their
quiet hours; moving it moves the reminder, completing or deleting it cancels it, handing
the customer over hands the reminder over, and changing one's settings moves them all."""
from datetime import datetime, time, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, PushDelivery
from app.services.notifications import reminder_time
from tests.factories import make_customer, make_followup

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")
EARLY = datetime(2026, 1, 1, tzinfo=UTC)  # "now" for the pure timing tests


def owner(tz, lead=15, start=time(21, 0), end=time(8, 0)):
    return SimpleNamespace(timezone=tz, reminder_lead_minutes=lead, quiet_hours_start=start,
                           quiet_hours_end=end)


@pytest.mark.parametrize("due,lead,expected", [
    # Shanghai has no DST: 10:00 CST is 02:00 UTC, 15 min before is 01:45 UTC.
    (datetime(2026, 11, 24, 10, 0, tzinfo=SH), 15, datetime(2026, 11, 24, 1, 45, tzinfo=UTC)),
    (datetime(2026, 11, 24, 10, 0, tzinfo=SH), 60, datetime(2026, 11, 24, 1, 0, tzinfo=UTC)),
    # 08:10 minus 15 min is in the quiet hours: at 08:00 instead.
    (datetime(2026, 11, 24, 8, 10, tzinfo=SH), 15, datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),
    # 22:00 is quiet: the next morning at 08:00, after the due time (never at night).
    (datetime(2026, 11, 24, 22, 0, tzinfo=SH), 15, datetime(2026, 11, 25, 0, 0, tzinfo=UTC)),
])
def test_reminder_time_in_shanghai(due, lead, expected):
    assert reminder_time(due, owner("Asia/Shanghai", lead), EARLY) == expected


@pytest.mark.parametrize("due,expected", [
    # The day before and the day of spring forward (2026-03-08, EST -> EDT).
    (datetime(2026, 3, 7, 10, 0, tzinfo=NY), datetime(2026, 3, 7, 14, 45, tzinfo=UTC)),
    (datetime(2026, 3, 8, 10, 0, tzinfo=NY), datetime(2026, 3, 8, 13, 45, tzinfo=UTC)),
    (datetime(2026, 3, 8, 8, 5, tzinfo=NY), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    # The day before and the day of fall back (2026-11-01, EDT -> EST).
    (datetime(2026, 10, 31, 10, 0, tzinfo=NY), datetime(2026, 10, 31, 13, 45, tzinfo=UTC)),
    (datetime(2026, 11, 1, 10, 0, tzinfo=NY), datetime(2026, 11, 1, 14, 45, tzinfo=UTC)),
    (datetime(2026, 11, 1, 8, 5, tzinfo=NY), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
])
def test_reminder_time_in_new_york_across_dst(due, expected):
    assert reminder_time(due, owner("America/New_York"), EARLY) == expected


def test_a_lead_time_already_past_reminds_now():
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    due = now + timedelta(minutes=5)
    assert reminder_time(due, owner("Asia/Shanghai"), now) == now


# Through the API ------------------------------------------------------------------------------

def _reminders(activity_id=None):
    db.session.expire_all()
    query = select(Notification).where(Notification.kind == "reminder")
    if activity_id is not None:
        query = query.where(Notification.activity_id == activity_id)
    return db.session.scalars(query.order_by(Notification.created_at)).all()


def _scheduled(activity_id):
    return [n for n in _reminders(activity_id) if n.status == "scheduled"]


def _daytime(days=2, hour=11):
    """A due time well inside anyone's day in Shanghai, in the future."""
    day = datetime.now(SH).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SH)


def test_setting_a_next_followup_schedules_its_reminder(world, client_for):
    customer = make_customer(world.rep_a1)
    due = _daytime()
    response = client_for(world.rep_a1).post("/api/v1/activities", json={
        "kind": "visit", "customer_id": str(customer.id),
        "next": {"kind": "call", "due_at": due.isoformat(), "note": "send quote"}})
    assert response.status_code == 201, response.json
    followup_id = response.json["followup"]["id"]
    [reminder] = _reminders()
    assert str(reminder.activity_id) == followup_id
    assert reminder.user_id == world.rep_a1.id
    assert reminder.send_at == due - timedelta(minutes=15)
    assert reminder.status == "scheduled"


def test_replaying_the_same_create_schedules_nothing_more(world, client_for):
    customer = make_customer(world.rep_a1)
    body = {"id": "6f0c2a4e-6d0b-4d7e-9a51-3c2f4b1d9e01", "kind": "task", "action": "call",
            "customer_id": str(customer.id), "due_at": _daytime().isoformat()}
    rep = client_for(world.rep_a1)
    assert rep.post("/api/v1/activities", json=body).status_code == 201
    assert rep.post("/api/v1/activities", json=body).status_code == 200
    assert len(_reminders()) == 1


def test_an_overdue_followup_gets_no_reminder(world):
    followup = make_followup(world.rep_a1, due_at=datetime.now(UTC) - timedelta(hours=1))
    assert _reminders(followup.id) == []


def test_moving_a_followup_moves_its_reminder(world, client_for):
    followup = make_followup(world.rep_a1, due_at=_daytime())
    [first] = _scheduled(followup.id)
    later = _daytime(days=3, hour=15)
    response = client_for(world.rep_a1).patch(f"/api/v1/activities/{followup.id}",
                                              json={"due_at": later.isoformat()})
    assert response.status_code == 200, response.json
    [moved] = _scheduled(followup.id)
    assert moved.send_at == later - timedelta(minutes=15)
    assert db.session.get(Notification, first.id).status == "cancelled"


def test_editing_the_note_leaves_the_reminder_alone(world, client_for):
    followup = make_followup(world.rep_a1, due_at=_daytime())
    [before] = _scheduled(followup.id)
    client_for(world.rep_a1).patch(f"/api/v1/activities/{followup.id}", json={"notes": "x"})
    assert [n.id for n in _scheduled(followup.id)] == [before.id]


def test_completing_a_followup_cancels_its_reminder_and_pending_deliveries(world, client_for):
    followup = make_followup(world.rep_a1, due_at=_daytime())
    [reminder] = _scheduled(followup.id)
    delivery = PushDelivery(notification_id=reminder.id, status="pending",
                            next_attempt_at=datetime.now(UTC))
    db.session.add(delivery)
    db.session.commit()
    response = client_for(world.rep_a1).patch(f"/api/v1/activities/{followup.id}",
                                              json={"done_at": datetime.now(UTC).isoformat()})
    assert response.status_code == 200
    assert _scheduled(followup.id) == []
    assert db.session.get(Notification, reminder.id).status == "cancelled"
    assert db.session.get(PushDelivery, delivery.id).status == "cancelled"


def test_completing_by_logging_the_call_cancels_the_reminder(world, client_for):
    customer = make_customer(world.rep_a1)
    followup = make_followup(world.rep_a1, customer, due_at=_daytime())
    response = client_for(world.rep_a1).post("/api/v1/activities", json={
        "kind": "call", "customer_id": str(customer.id), "completes_id": str(followup.id)})
    assert response.status_code == 201
    assert _scheduled(followup.id) == []


def test_deleting_a_followup_cancels_its_reminder(world, client_for):
    followup = make_followup(world.rep_a1, due_at=_daytime())
    assert client_for(world.rep_a1).delete(
        f"/api/v1/activities/{followup.id}").status_code == 204
    assert [n.status for n in _reminders(followup.id)] == ["cancelled"]


def test_a_refused_change_keeps_the_reminder(world, client_for):
    followup = make_followup(world.rep_a1, due_at=_daytime())
    [before] = _scheduled(followup.id)
    stale = client_for(world.rep_a1).patch(f"/api/v1/activities/{followup.id}",
                                           json={"due_at": _daytime(5).isoformat()},
                                           headers={"If-Match": '"99"'})
    assert stale.status_code == 412
    other = client_for(world.rep_b1).delete(f"/api/v1/activities/{followup.id}")
    assert other.status_code == 404
    assert [n.id for n in _scheduled(followup.id)] == [before.id]


def test_handing_a_customer_over_hands_its_reminders_over(world, client_for):
    customer = make_customer(world.rep_a1)
    followup = make_followup(world.rep_a1, customer, due_at=_daytime())
    response = client_for(world.lead_a).patch(f"/api/v1/customers/{customer.id}",
                                              json={"owner_id": str(world.rep_a2.id)})
    assert response.status_code == 200, response.json
    [reminder] = _scheduled(followup.id)
    assert reminder.user_id == world.rep_a2.id


def test_changing_timezone_or_lead_time_moves_pending_reminders(world, client_for):
    due = _daytime()
    followup = make_followup(world.rep_a1, due_at=due)
    rep = client_for(world.rep_a1)
    assert rep.patch(f"/api/v1/users/{world.rep_a1.id}",
                     json={"reminder_lead_minutes": 60}).status_code == 200
    [reminder] = _scheduled(followup.id)
    assert reminder.send_at == due - timedelta(hours=1)
    # 11:00 in Shanghai is 22:00 (quiet) the evening before in New York: 08:00 there.
    assert rep.patch(f"/api/v1/users/{world.rep_a1.id}",
                     json={"timezone": "America/New_York"}).status_code == 200
    [reminder] = _scheduled(followup.id)
    local = reminder.send_at.astimezone(NY)
    assert (local.hour, local.minute) == (8, 0)
