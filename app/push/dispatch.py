"""Sending what is due, exactly once, from any number of workers.

Two steps, each a short transaction that claims its rows with one
``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)``, so concurrent
workers on PostgreSQL never take the same row (SQLite has one writer at a time anyway):

1. ``dispatch_due_notifications``: due notifications become one delivery per device of the
   recipient (or ``no_device``); a reminder whose follow-up was completed, moved, deleted or
   handed over since it was scheduled is cancelled instead.
2. ``send_claimed_batch``: a worker claims a batch of deliveries *until* a time
   (``claimed_until``, also the claim's token). Right before each send it checks the
   delivery is still its own and still wanted (renewing the claim), sends with pywebpush
   and records the answer at once. A worker killed mid-batch loses nothing: its claims
   expire and another worker sends what it had not recorded as sent.
"""
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, or_, select, update

from app.extensions import db
from app.models import (
    Activity, Contact, Customer, Notification, PushDelivery, PushSubscription, User,
)
from app.models.base import utcnow
from app.push import texts
from app.push.sender import Sender, SendResult
from app.services.notifications import REMINDER

log = logging.getLogger(__name__)

NOTIFY_BATCH = 500
SEND_BATCH = 50
MAX_ATTEMPTS = 8
PAYLOAD_LIMIT = 3000  # bytes of JSON; push services take 4 KB after encryption
NOTICE_TTL = 24 * 3600
REMINDER_ACTIONS = ("call", "done", "snooze")


# 1. Notifications -> deliveries ---------------------------------------------------------------

def _claim(model, due_condition, order_by, limit: int, values: dict) -> list[uuid.UUID]:
    due = (select(model.id).where(*due_condition).order_by(order_by).limit(limit)
           .with_for_update(skip_locked=True))
    return list(db.session.scalars(
        update(model).where(model.id.in_(due)).values(**values).returning(model.id)
        .execution_options(synchronize_session=False)))


def _reminders_still_valid(notifications) -> set[uuid.UUID]:
    """Ids of reminders whose follow-up is still open, due when it was when scheduled, owned
    by the recipient, and not on a deleted customer."""
    ids = [n.activity_id for n in notifications if n.kind == REMINDER and n.activity_id]
    if not ids:
        return set()
    rows = db.session.execute(
        select(Activity.id, Activity.due_at, Activity.owner_id)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(Activity.id.in_(ids), Activity.done_at.is_(None), Activity.deleted_at.is_(None),
               or_(Customer.id.is_(None), Customer.deleted_at.is_(None)))).all()
    current = {row.id: row for row in rows}
    valid = set()
    for n in notifications:
        row = current.get(n.activity_id)
        if n.kind == REMINDER and row is not None and row.owner_id == n.user_id \
                and row.due_at == datetime.fromisoformat(n.params.get("due_at", "")):
            valid.add(n.id)
    return valid


def dispatch_due_notifications(now: datetime | None = None, limit: int = NOTIFY_BATCH) -> int:
    """Turn due notifications into deliveries. Returns how many notifications it took."""
    now = now or utcnow()
    claimed = _claim(Notification, (Notification.status == "scheduled",
                                    Notification.send_at <= now),
                     Notification.send_at, limit, {"status": "dispatched", "dispatched_at": now})
    if not claimed:
        db.session.commit()
        return 0
    rows = db.session.execute(
        select(Notification, User.active).join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(claimed))).all()
    notifications = [n for n, _ in rows]
    active = {n.id for n, is_active in rows if is_active}
    valid_reminders = _reminders_still_valid(notifications)
    devices: dict[uuid.UUID, list[uuid.UUID]] = {}
    for sub_id, user_id in db.session.execute(
            select(PushSubscription.id, PushSubscription.user_id)
            .where(PushSubscription.user_id.in_({n.user_id for n in notifications}))):
        devices.setdefault(user_id, []).append(sub_id)

    cancelled, no_device, deliveries = [], [], []
    for n in notifications:
        if n.id not in active or (n.kind == REMINDER and n.id not in valid_reminders):
            cancelled.append(n.id)
        elif not devices.get(n.user_id):
            no_device.append(n.id)
        else:
            deliveries.extend(
                {"id": uuid.uuid4(), "notification_id": n.id, "subscription_id": sub_id,
                 "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
                for sub_id in devices[n.user_id])
    for status, ids in (("cancelled", cancelled), ("no_device", no_device)):
        if ids:
            db.session.execute(update(Notification).where(Notification.id.in_(ids))
                               .values(status=status)
                               .execution_options(synchronize_session=False))
    if deliveries:
        db.session.execute(insert(PushDelivery), deliveries)
    db.session.commit()
    return len(claimed)


# 2. Deliveries -> push services ---------------------------------------------------------------

def _local_time(when: datetime, user: User, now: datetime) -> str:
    tz = ZoneInfo(user.timezone)
    local = when.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M")


def _short(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reminder_payload(notification: Notification, user: User, followup: Activity,
                     customer: Customer | None, contact: Contact | None, now: datetime) -> dict:
    phone = None
    if contact is not None:
        phone = contact.mobile_e164 or contact.phone_e164 or contact.mobile or contact.phone
    if phone is None and customer is not None:
        phone = customer.phone_e164 or customer.phone
    actions = [a for a in REMINDER_ACTIONS if a != "call" or phone]
    return {
        "kind": REMINDER,
        "title": _short(texts.reminder_title(
            followup.action, contact.name if contact else None,
            customer.name if customer else None, _local_time(followup.due_at, user, now),
            user.locale), 120),
        "body": _short(followup.notes, 300),
        "tag": f"followup-{followup.id}",
        "url": f"/customers/{customer.id}" if customer else "/today",
        "lang": texts.language(user.locale),
        "actions": [{"action": a, "title": texts.action_title(a, user.locale)} for a in actions],
        # Snooze (in the service worker) reminds again an hour after the tap: it moves the
        # follow-up to at least an hour plus the lead time from then.
        "followup": {"id": str(followup.id), "due_at": followup.due_at.isoformat(),
                     "lead_minutes": user.reminder_lead_minutes},
        "phone": phone,
    }


def notice_payload(notification: Notification, user: User) -> dict:
    if notification.kind == "digest":
        title, body = texts.digest_text(notification.params.get("today", 0),
                                        notification.params.get("overdue", 0), user.locale)
    else:
        title, body = texts.render_notice(notification.kind, user.locale, notification.params)
    buttons = [a for a in notification.actions if a.get("action")]
    return {
        "kind": notification.kind,
        "title": _short(title, 120),
        "body": _short(body, 300),
        "tag": f"{notification.kind}-{notification.id}",
        "url": notification.url,
        "lang": texts.language(user.locale),
        "actions": [{"action": a["action"], "title": texts.action_title(a["action"], user.locale)}
                    for a in buttons],
        # What each button does, run by the service worker with the user's session.
        "requests": {a["action"]: {k: a[k] for k in ("method", "url", "body") if k in a}
                     for a in buttons if a.get("url")},
    }


def encode_payload(payload: dict) -> str:
    """JSON small enough for every push service: the note is cut before the limit is hit."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    while len(text.encode()) > PAYLOAD_LIMIT and len(payload.get("body") or "") > 1:
        payload = {**payload, "body": _short(payload["body"], len(payload["body"]) // 2)}
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > PAYLOAD_LIMIT:  # never with our own words; but never too big
        payload = {k: payload[k] for k in ("kind", "title", "tag", "url") if k in payload}
        payload["title"] = _short(payload.get("title"), 60)
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text


def _ttl_and_urgency(notification: Notification, followup: Activity | None,
                     now: datetime) -> tuple[int, str]:
    if notification.kind == REMINDER and followup is not None:
        # Worth showing until an hour after it is due; not the next day.
        return max(60, int((followup.due_at + timedelta(hours=1) - now).total_seconds())), "high"
    if notification.kind == "test":
        return 600, "high"
    return NOTICE_TTL, "normal"


def backoff_seconds(attempts: int, retry_after: float | None) -> float:
    """30 s, 1 min, 2 min, ... at most an hour; never sooner than the service asked."""
    return max(retry_after or 0.0, min(30.0 * 2 ** (attempts - 1), 3600.0))


@dataclass
class Outgoing:
    """One claimed delivery, ready to send: plain values, so recording the answers (one
    commit each) never reloads what the batch loaded."""

    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempts: int
    subscription: dict
    payload: str
    ttl: int
    urgency: str
    claimed_until: datetime  # our claim: the token that says this delivery is still ours
    give_up_at: datetime | None = None  # a reminder is worth retrying until then


def _record(item: Outgoing, result: SendResult, now: datetime, seen_ok: set) -> None:
    """Store one answer; the caller commits at once (a crash after that never resends it).
    ``seen_ok``: devices already marked as working in this batch, not written again."""
    attempts = item.attempts + 1
    values = {"attempts": attempts, "status_code": result.status_code, "error": result.error,
              "claimed_until": None}
    if result.outcome == "sent":
        values.update(status="sent", sent_at=now, error=None)
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(attempts, result.retry_after))
        if result.outcome == "retry" and attempts < MAX_ATTEMPTS \
                and (item.give_up_at is None or retry_at <= item.give_up_at):
            values.update(status="retry", next_attempt_at=retry_at)
        else:
            values["status"] = "gone" if result.outcome == "gone" else "failed"
    db.session.execute(
        update(PushDelivery)
        .where(PushDelivery.id == item.delivery_id, PushDelivery.status.in_(("pending", "retry")),
               PushDelivery.claimed_until == item.claimed_until)
        .values(**values).execution_options(synchronize_session=False))
    if result.outcome == "gone":
        db.session.execute(delete(PushSubscription)
                           .where(PushSubscription.id == item.subscription_id))
    elif result.outcome != "sent" or item.subscription_id not in seen_ok:
        if result.outcome == "sent":
            seen_ok.add(item.subscription_id)
        seen = {"last_status": result.status_code}
        seen["last_success_at" if result.outcome == "sent" else "last_failure_at"] = now
        db.session.execute(update(PushSubscription)
                           .where(PushSubscription.id == item.subscription_id)
                           .values(**seen).execution_options(synchronize_session=False))


def _skip(delivery_id: uuid.UUID, status: str) -> None:
    db.session.execute(update(PushDelivery)
                       .where(PushDelivery.id == delivery_id,
                              PushDelivery.status.in_(("pending", "retry")))
                       .values(status=status, claimed_until=None)
                       .execution_options(synchronize_session=False))


def _load_claimed(ids):
    rows = db.session.execute(
        select(PushDelivery, Notification, User, PushSubscription)
        .join(Notification, Notification.id == PushDelivery.notification_id)
        .join(User, User.id == Notification.user_id)
        .outerjoin(PushSubscription, PushSubscription.id == PushDelivery.subscription_id)
        .where(PushDelivery.id.in_(ids))
        .order_by(PushDelivery.next_attempt_at)).all()
    followup_ids = {n.activity_id for _, n, _, _ in rows if n.kind == REMINDER}
    followups = {}
    if followup_ids:
        for activity, customer, contact in db.session.execute(
                select(Activity, Customer, Contact)
                .outerjoin(Customer, Customer.id == Activity.customer_id)
                .outerjoin(Contact, Contact.id == Activity.contact_id)
                .where(Activity.id.in_(followup_ids))):
            followups[activity.id] = (activity, customer, contact)
    return rows, followups


def _prepare(rows, followups, now: datetime, claimed_until: datetime) -> list[Outgoing]:
    """What to send for each claimed delivery. Deliveries with nothing to send any more
    are closed here: the device is gone or now someone else's, the recipient left, or the
    reminder's follow-up was completed, moved, deleted or handed over since."""
    valid_reminders = _reminders_still_valid([n for _, n, _, _ in rows])
    outgoing = []
    for delivery, notification, user, subscription in rows:
        if subscription is None or subscription.user_id != notification.user_id:
            _skip(delivery.id, "gone")
            continue
        followup = None
        if not user.active or (notification.kind == REMINDER
                               and notification.id not in valid_reminders):
            _skip(delivery.id, "cancelled")
            continue
        if notification.kind == REMINDER:
            followup, customer, contact = followups[notification.activity_id]
            payload = reminder_payload(notification, user, followup, customer, contact, now)
        else:
            payload = notice_payload(notification, user)
        ttl, urgency = _ttl_and_urgency(notification, followup, now)
        outgoing.append(Outgoing(
            delivery.id, subscription.id, delivery.attempts,
            {"endpoint": subscription.endpoint,
             "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            encode_payload(payload), ttl, urgency, claimed_until,
            followup.due_at + timedelta(hours=1) if followup is not None else None))
    return outgoing


def _take(item: Outgoing, claim_seconds: float) -> bool:
    """Right before sending: is this delivery still ours and still to be sent? Not if the
    follow-up was completed meanwhile (cancelled), or if our claim ran out and another
    worker took it. If so, our claim is renewed for this one send (once committed)."""
    until = utcnow() + timedelta(seconds=claim_seconds)
    taken = db.session.execute(
        update(PushDelivery)
        .where(PushDelivery.id == item.delivery_id, PushDelivery.status.in_(("pending", "retry")),
               PushDelivery.claimed_until == item.claimed_until)
        .values(claimed_until=until).returning(PushDelivery.id)
        .execution_options(synchronize_session=False)).first()
    if taken is None:
        return False
    item.claimed_until = until
    return True


def send_claimed_batch(sender: Sender, claim_seconds: float, limit: int = SEND_BATCH) -> int:
    """Claim up to ``limit`` due deliveries, send them, record each answer as it comes.
    Returns how many it claimed (0: nothing due)."""
    now = utcnow()
    claimed_until = now + timedelta(seconds=claim_seconds)
    ids = _claim(PushDelivery, (
        PushDelivery.status.in_(("pending", "retry")), PushDelivery.next_attempt_at <= now,
        or_(PushDelivery.claimed_until.is_(None), PushDelivery.claimed_until < now),
    ), PushDelivery.next_attempt_at, limit, {"claimed_until": claimed_until})
    db.session.commit()
    if not ids:
        return 0
    outgoing = _prepare(*_load_claimed(ids), now, claimed_until)
    db.session.commit()
    seen_ok: set = set()
    # One commit per push: it stores the answer to this one and takes the next one.
    taken = _take(outgoing[0], claim_seconds) if outgoing else False
    db.session.commit()
    for n, item in enumerate(outgoing):
        if taken:
            result = sender.send(item.subscription, item.payload, ttl=item.ttl,
                                 urgency=item.urgency)
            _record(item, result, utcnow(), seen_ok)
        following = outgoing[n + 1] if n + 1 < len(outgoing) else None
        taken = _take(following, claim_seconds) if following is not None else False
        db.session.commit()
    return len(ids)


def sender_for(app) -> Sender | None:
    """The app's sender, made once per process (it keeps a connection pool and the parsed
    key), or None when push is off (no VAPID key), which the log says once."""
    if "push_sender" not in app.extensions:
        key = app.config.get("VAPID_PRIVATE_KEY")
        if not key:
            log.warning("push is off: set VAPID_PRIVATE_KEY (see docs/operations.md)")
        app.extensions["push_sender"] = Sender(
            key, app.config["VAPID_SUBJECT"], app.config["PUSH_TIMEOUT_SECONDS"]) if key else None
    return app.extensions["push_sender"]


def send_push_notifications(app, time_budget: float = 20.0) -> dict:
    """The worker's push job: dispatch what is due, then send until nothing is due or the
    time budget is spent (so the other jobs get their turn)."""
    dispatched = 0
    while (n := dispatch_due_notifications()) > 0:
        dispatched += n
        if n < NOTIFY_BATCH:
            break
    sender = sender_for(app)
    if sender is None:
        return {"dispatched": dispatched, "claimed": 0}
    claimed, started = 0, time.monotonic()
    while time.monotonic() - started < time_budget:
        n = send_claimed_batch(sender, app.config["PUSH_CLAIM_SECONDS"])
        claimed += n
        if n == 0:
            break
    return {"dispatched": dispatched, "claimed": claimed}


send_push_notifications.every = 2.0  # seconds between passes in the worker loop
