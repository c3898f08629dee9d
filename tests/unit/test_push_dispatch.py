"""The worker's push job against a local push service that checks the VAPID JWT and
decrypts each payload: what arrives, when, how often, and what a refusal does."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Notification, PushDelivery, PushSubscription
from app.models.base import utcnow
from app.push import dispatch
from app.push.digest import queue_morning_digests
from app.push.dispatch import send_push_notifications
from app.push.sender import Sender
from app.services import push as push_service
from app.services.notifications import notify
from tests import factories

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
ALWAYS_AWAKE = {"quiet_hours_start": time(0, 0), "quiet_hours_end": time(0, 0)}


def subscribe(user, browser):
    push_service.save_subscription(user, browser.subscription_json(), ["127.0.0.1"], "test")
    db.session.commit()


def run_worker(app):
    return send_push_notifications(app)


def make_due_reminder(user, customer=None, contact=None, note="send quote", minutes=10):
    """A follow-up due in ``minutes``: inside the lead time, so its reminder is due now."""
    return factories.make_followup(user, customer, due_at=utcnow() + timedelta(minutes=minutes),
                                   notes=note, contact_id=contact.id if contact else None)


def test_a_due_reminder_arrives_encrypted_with_title_actions_and_ttl(app, push_receiver):
    rep = factories.make_user("rep", locale="zh-CN", **ALWAYS_AWAKE)
    customer = factories.make_customer(rep, name="Acme", phone="13800138000")
    contact = factories.make_contact(rep, customer, name="王伟", mobile="13900139000")
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    followup = make_due_reminder(rep, customer, contact)

    assert run_worker(app) == {"dispatched": 1, "claimed": 1}
    [received] = push_receiver.received
    assert received.error is None
    assert received.vapid_key == app.config["VAPID_PUBLIC_KEY"]
    assert received.claims["sub"] == app.config["VAPID_SUBJECT"]
    payload = received.payload
    due_local = followup.due_at.astimezone(SH)
    # Near midnight the follow-up falls on tomorrow, and then the title carries its date.
    same_day = due_local.date() == utcnow().astimezone(SH).date()
    local = due_local.strftime("%H:%M" if same_day else "%m-%d %H:%M")
    assert payload["title"] == f"致电 王伟 · Acme {local}"
    assert payload["body"] == "send quote"
    assert payload["url"] == f"/customers/{customer.id}"
    assert [a["action"] for a in payload["actions"]] == ["call", "done", "snooze"]
    assert payload["actions"][1]["title"] == "完成"
    assert payload["phone"] == "+8613900139000"
    assert payload["followup"] == {"id": str(followup.id),
                                   "due_at": followup.due_at.isoformat(), "lead_minutes": 15}
    # Urgent, and useless an hour after the follow-up is due.
    assert received.urgency == "high"
    assert 60 * 60 < received.ttl <= 70 * 60
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("sent", 1, 201)
    # Exactly once: another pass sends nothing more.
    assert run_worker(app) == {"dispatched": 0, "claimed": 0}
    assert len(push_receiver.received) == 1


def test_the_reminder_time_carries_the_date_only_when_it_is_not_today(app):
    rep = factories.make_user("rep", timezone_name="Asia/Shanghai")
    now = datetime(2026, 11, 23, 15, 53, tzinfo=UTC)  # 23:53 in Shanghai
    assert dispatch._local_time(now + timedelta(minutes=5), rep, now) == "23:58"
    assert dispatch._local_time(now + timedelta(minutes=10), rep, now) == "11-24 00:03"


def test_every_device_gets_it_and_english_without_a_customer(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    phone, laptop = push_receiver.new_browser(), push_receiver.new_browser()
    subscribe(rep, phone)
    subscribe(rep, laptop)
    make_due_reminder(rep, note=None)
    run_worker(app)
    payloads = [push_receiver.payloads_for(b) for b in (phone, laptop)]
    assert [len(p) for p in payloads] == [1, 1]
    title = payloads[0][0]["title"]
    assert title.startswith("Follow up Follow-up ") or title.startswith("Call Follow-up ")
    assert [a["action"] for a in payloads[0][0]["actions"]] == ["done", "snooze"]  # no phone


def test_not_before_the_lead_time(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    subscribe(rep, push_receiver.new_browser())
    make_due_reminder(rep, minutes=60)  # reminder at due - 15 min: in 45 minutes
    assert run_worker(app)["dispatched"] == 0
    [reminder] = db.session.scalars(select(Notification)).all()
    assert reminder.send_at > utcnow() + timedelta(minutes=44)
    reminder.send_at = utcnow()  # 45 minutes later
    db.session.commit()
    assert run_worker(app) == {"dispatched": 1, "claimed": 1}
    assert len(push_receiver.received) == 1


def test_quiet_hours_hold_it_until_they_end(app, push_receiver):
    # Quiet from an hour ago until two hours from now, whatever the time of day the test
    # runs (the window may wrap past midnight, like the default 21:00-08:00).
    now = utcnow().astimezone(SH).replace(second=0, microsecond=0)
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=2)).time()
    rep = factories.make_user("rep", quiet_hours_start=start, quiet_hours_end=end)
    subscribe(rep, push_receiver.new_browser())
    make_due_reminder(rep)
    assert run_worker(app)["dispatched"] == 0
    assert push_receiver.received == []
    [reminder] = db.session.scalars(select(Notification)).all()
    assert reminder.send_at.astimezone(SH) == now + timedelta(hours=2)


def test_a_completed_followup_is_not_reminded(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    subscribe(rep, push_receiver.new_browser())
    followup = make_due_reminder(rep)
    # Completed behind the scheduler's back (say, by a bulk script): still not sent.
    db.session.get(Activity, followup.id).done_at = utcnow()
    db.session.commit()
    run_worker(app)
    assert push_receiver.received == []
    assert db.session.scalars(select(Notification)).one().status == "cancelled"


def test_no_device_is_recorded(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    make_due_reminder(rep)
    run_worker(app)
    assert db.session.scalars(select(Notification)).one().status == "no_device"


def test_410_forgets_the_subscription(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    gone, alive = push_receiver.new_browser(), push_receiver.new_browser()
    subscribe(rep, gone)
    subscribe(rep, alive)
    push_receiver.answer(gone, (410, {}))
    make_due_reminder(rep)
    run_worker(app)
    db.session.expire_all()
    statuses = sorted(d.status for d in db.session.scalars(select(PushDelivery)))
    assert statuses == ["gone", "sent"]
    [left] = db.session.scalars(select(PushSubscription)).all()
    assert left.endpoint == alive.endpoint
    assert len(push_receiver.payloads_for(alive)) == 1


def test_503_is_retried_after_retry_after_then_sent(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    push_receiver.answer(browser, (503, {"Retry-After": "120"}), (429, {}))
    make_due_reminder(rep)
    before = utcnow()
    run_worker(app)
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("retry", 1, 503)
    # The service asked for 2 minutes: more than our first backoff (30 s).
    assert delivery.next_attempt_at >= before + timedelta(seconds=120)
    assert delivery.next_attempt_at < before + timedelta(seconds=130)
    assert run_worker(app)["claimed"] == 0  # not yet
    delivery.next_attempt_at = utcnow()
    db.session.commit()
    run_worker(app)  # 429 without Retry-After: our backoff, 1 minute after the 2nd try
    db.session.expire_all()
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("retry", 2)
    delivery.next_attempt_at = utcnow()
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("sent", 3, 201)
    assert len(push_receiver.payloads_for(browser)) == 1


def test_gives_up_after_max_attempts(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    push_receiver.answer(browser, *[(500, {})] * dispatch.MAX_ATTEMPTS)
    make_due_reminder(rep)
    for _ in range(dispatch.MAX_ATTEMPTS):
        run_worker(app)
        db.session.execute(PushDelivery.__table__.update().values(next_attempt_at=utcnow()))
        db.session.commit()
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("failed", dispatch.MAX_ATTEMPTS)
    assert db.session.scalars(select(PushSubscription)).one().last_status == 500


def test_a_dead_push_service_is_retried(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    browser.endpoint = "http://127.0.0.1:9/push/nobody-listens"
    subscribe(rep, browser)
    make_due_reminder(rep)
    run_worker(app)
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert delivery.status == "retry" and "ConnectionError" in delivery.error


def test_a_notice_carries_its_action_request(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    notify(rep.id, "test", url="/settings", actions=[
        {"action": "open"},
        {"action": "done", "method": "POST", "url": "/api/v1/x", "body": {"a": 1}}])
    db.session.commit()
    run_worker(app)
    [payload] = push_receiver.payloads_for(browser)
    assert payload["title"] == "Reminders are on"
    assert payload["url"] == "/settings"
    assert payload["requests"] == {"done": {"method": "POST", "url": "/api/v1/x",
                                            "body": {"a": 1}}}
    assert push_receiver.received[0].ttl == 600


def test_a_long_note_is_cut_to_fit(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    make_due_reminder(rep, note="很长的备注" * 2000)
    run_worker(app)
    [payload] = push_receiver.payloads_for(browser)
    assert payload["body"].endswith("…") and len(payload["body"]) <= 300
    assert len(dispatch.encode_payload(payload).encode()) <= dispatch.PAYLOAD_LIMIT


def test_morning_digest_once_a_day_when_anything_is_due(app, push_receiver):
    rep = factories.make_user("rep")
    idle = factories.make_user("rep")
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    subscribe(idle, push_receiver.new_browser())
    eight = datetime.combine(datetime.now(SH).date() + timedelta(days=1), time(8, 5), SH)
    today = eight.replace(hour=16)
    for due in (today, today + timedelta(hours=1), eight - timedelta(days=2)):
        db.session.add(Activity(kind="task", action="call", owner_id=rep.id, due_at=due,
                                version=1))
    db.session.commit()
    now = eight.astimezone(UTC)
    assert queue_morning_digests(app, now=eight.replace(hour=7, minute=50)) == 0
    assert queue_morning_digests(app, now=now) == 1
    assert queue_morning_digests(app, now=now + timedelta(minutes=30)) == 0  # once a day
    digest = db.session.scalars(select(Notification).where(Notification.kind == "digest")).one()
    assert digest.params == {"today": 2, "overdue": 1}
    digest.send_at = utcnow()  # it is that morning now
    db.session.commit()
    run_worker(app)
    [payload] = push_receiver.payloads_for(browser)
    assert payload["body"] == "2 follow-ups today, 1 overdue"
    assert payload["url"] == "/today"
    assert len(push_receiver.received) == 1  # the idle rep got nothing


def test_morning_digest_in_new_york_after_the_dst_change(app, push_receiver):
    ny = ZoneInfo("America/New_York")
    rep = factories.make_user("rep", timezone_name="America/New_York")
    subscribe(rep, push_receiver.new_browser())
    # 2026-11-01: clocks went back overnight; 08:00 EST is 13:00 UTC (it was 12:00 UTC).
    due = datetime(2026, 11, 1, 10, 0, tzinfo=ny)
    db.session.add(Activity(kind="task", action="call", owner_id=rep.id, due_at=due, version=1))
    db.session.commit()
    assert queue_morning_digests(app, now=datetime(2026, 11, 1, 12, 30, tzinfo=UTC)) == 0
    assert queue_morning_digests(app, now=datetime(2026, 11, 1, 13, 0, tzinfo=UTC)) == 1


def test_a_device_taken_over_by_another_user_gets_nothing_of_the_previous_one(app,
                                                                               push_receiver):
    alice = factories.make_user("rep", **ALWAYS_AWAKE)
    bob = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    subscribe(alice, browser)
    make_due_reminder(alice, note="Alice's secret")
    dispatch.dispatch_due_notifications()  # her delivery is on its way ...
    subscribe(bob, browser)                # ... when Bob signs in on that browser
    run_worker(app)
    assert push_receiver.received == []
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert delivery.status == "gone"


def test_a_followup_completed_while_its_batch_is_being_sent_is_not_pushed(app, world,
                                                                           client_for,
                                                                           push_receiver):
    rep = world.rep_a1
    rep.quiet_hours_start = rep.quiet_hours_end = time(0, 0)
    db.session.commit()
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    first = make_due_reminder(rep, note="first", minutes=5)
    second = make_due_reminder(rep, note="second", minutes=9)
    dispatch.dispatch_due_notifications()
    sender = Sender(app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_SUBJECT"])
    real_send = sender.send

    followups = {str(first.id): first, str(second.id): second}

    def send_then_complete_the_other(*args, **kwargs):
        result = real_send(*args, **kwargs)
        if len(push_receiver.received) == 1:  # the rep taps Done on the other one meanwhile
            sent_id = push_receiver.received[0].payload["followup"]["id"]
            [other] = [f for key, f in followups.items() if key != sent_id]
            response = client_for(rep).patch(f"/api/v1/activities/{other.id}",
                                             json={"done_at": utcnow().isoformat()})
            assert response.status_code == 200
        return result

    sender.send = send_then_complete_the_other
    assert dispatch.send_claimed_batch(sender, claim_seconds=60) == 2
    [pushed] = push_receiver.payloads_for(browser)
    db.session.expire_all()
    statuses = {d.notification_id: d.status for d in db.session.scalars(select(PushDelivery))}
    by_followup = {str(n.activity_id): statuses[n.id] for n in db.session.scalars(
        select(Notification).where(Notification.kind == "reminder"))}
    sent_id = pushed["followup"]["id"]
    assert by_followup == {key: "sent" if key == sent_id else "cancelled" for key in followups}


def test_a_worker_whose_claim_was_taken_over_does_not_send_or_record(app, push_receiver):
    rep = factories.make_user("rep", **ALWAYS_AWAKE)
    browser = push_receiver.new_browser()
    subscribe(rep, browser)
    make_due_reminder(rep)
    dispatch.dispatch_due_notifications()
    now = utcnow()
    ids = dispatch._claim(PushDelivery, (PushDelivery.status == "pending",),
                          PushDelivery.next_attempt_at, 10,
                          {"claimed_until": now + timedelta(seconds=60)})
    db.session.commit()
    outgoing = dispatch._prepare(*dispatch._load_claimed(ids), now,
                                 now + timedelta(seconds=60))
    db.session.commit()
    # Meanwhile the claim ran out and another worker took the delivery over.
    db.session.execute(PushDelivery.__table__.update().values(
        claimed_until=now + timedelta(seconds=300)))
    db.session.commit()
    assert dispatch._take(outgoing[0], 60) is False
    db.session.expire_all()
    delivery = db.session.scalars(select(PushDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("pending", 0)  # left to the other worker
