"""What to tell a user by push, and when: notices from workflows and follow-up reminders.

Nothing here sends anything: it adds ``Notification`` rows to the caller's transaction, so
a notice exists exactly when the change that caused it was committed. The worker
(``app.push.dispatch``) sends them to the user's devices when they are due.
"""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.extensions import db
from app.models import Activity, Notification, PushDelivery, User
from app.models.base import utcnow


def in_quiet_hours(when: datetime, user: User) -> bool:
    start, end = user.quiet_hours_start, user.quiet_hours_end
    if start == end:
        return False
    local = when.astimezone(ZoneInfo(user.timezone)).time()
    if start < end:  # e.g. 12:00-14:00
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 21:00-08:00


def after_quiet_hours(when: datetime, user: User) -> datetime:
    """``when``, or the end of the quiet hours it falls in (in the user's timezone)."""
    if not in_quiet_hours(when, user):
        return when
    tz = ZoneInfo(user.timezone)
    local = when.astimezone(tz)
    end_day = local.date()
    if local.time() >= user.quiet_hours_end:  # evening part: it ends tomorrow morning
        end_day += timedelta(days=1)
    end = datetime.combine(end_day, user.quiet_hours_end, tz)
    return end.astimezone(ZoneInfo("UTC"))


def notify(recipient_id: uuid.UUID, kind: str, params: dict | None = None, *,
           url: str = "/today", actions: list[dict] | None = None,
           dedupe_key: str | None = None, send_at: datetime | None = None,
           mind_quiet_hours: bool = True) -> Notification:
    """Tell a user something by push, as soon as their quiet hours allow.

    ``kind`` names the words in ``app.push.texts.NOTICES`` and ``params`` fills them in;
    ``url`` is what a tap opens; ``actions`` are buttons the service worker can run without
    opening the app: ``[{"action": "approve", "method": "POST", "url": "/api/v1/...",
    "body": {...}}]`` (titles from ``ACTION_TITLES``). With a ``dedupe_key`` already used,
    the existing notification is returned and nothing is added.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(Notification).where(Notification.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    when = send_at or utcnow()
    if mind_quiet_hours:
        when = after_quiet_hours(when, db.session.get(User, recipient_id))
    notification = Notification(
        id=uuid.uuid4(), user_id=recipient_id, kind=kind, params=params or {}, url=url,
        actions=list(actions or []), dedupe_key=dedupe_key, send_at=when, status="scheduled")
    db.session.add(notification)
    return notification


# Follow-up reminders -----------------------------------------------------------------------

REMINDER = "reminder"


def reminder_time(due_at: datetime, user: User, now: datetime | None = None) -> datetime:
    """When to remind ``user`` of a follow-up due at ``due_at``: their lead time before it
    (or now, if that has passed), moved out of their quiet hours."""
    now = now or utcnow()
    return after_quiet_hours(max(due_at - timedelta(minutes=user.reminder_lead_minutes), now),
                             user)


def cancel_reminders(activity_ids) -> None:
    """Completed, deleted or moved follow-ups: their pending reminders are not sent, also
    one a worker has already picked up but not yet sent."""
    ids = list(activity_ids)
    if not ids:
        return
    # Notifications first: on PostgreSQL this waits for a worker turning them into
    # deliveries right now, and the next statement then sees (and cancels) those too.
    db.session.execute(
        update(Notification)
        .where(Notification.activity_id.in_(ids), Notification.status == "scheduled")
        .values(status="cancelled")
        .execution_options(synchronize_session=False))
    reminders = select(Notification.id).where(Notification.activity_id.in_(ids))
    db.session.execute(
        update(PushDelivery)
        .where(PushDelivery.notification_id.in_(reminders),
               PushDelivery.status.in_(("pending", "retry")))
        .values(status="cancelled")
        .execution_options(synchronize_session=False))


def schedule_reminders(followups: list[Activity], owner: User,
                       new: bool = False) -> list[Notification]:
    """(Re)schedule the reminders of ``owner``'s follow-ups after they were created, moved,
    completed or handed over: pending ones are cancelled (``new`` ones have none, which
    saves two statements when a visit is logged), and each open follow-up that is not yet
    due gets a new one (one already overdue is on the agenda, not worth a push).
    A constant number of statements, however many follow-ups."""
    if not new:
        cancel_reminders(f.id for f in followups)
    now = utcnow()
    reminders = [
        Notification(
            id=uuid.uuid4(), user_id=owner.id, kind=REMINDER, activity_id=f.id,
            params={"due_at": f.due_at.isoformat()}, url="/today", actions=[],
            send_at=reminder_time(f.due_at, owner, now), status="scheduled")
        for f in followups
        if f.due_at is not None and f.done_at is None and f.deleted_at is None
        and f.due_at > now and f.owner_id == owner.id
    ]
    db.session.add_all(reminders)
    return reminders


def schedule_reminder(followup: Activity, owner: User | None = None) -> Notification | None:
    owner = owner if owner is not None and owner.id == followup.owner_id \
        else db.session.get(User, followup.owner_id)
    scheduled = schedule_reminders([followup], owner)
    return scheduled[0] if scheduled else None


def reschedule_reminders_of(user: User) -> int:
    """After a user changed their timezone, lead time or quiet hours: move their pending
    reminders to match. Returns how many moved."""
    rows = db.session.execute(
        select(Notification, Activity.due_at)
        .join(Activity, Activity.id == Notification.activity_id)
        .where(Notification.user_id == user.id, Notification.status == "scheduled",
               Notification.kind == REMINDER)
    ).all()
    now = utcnow()
    for reminder, due_at in rows:
        reminder.send_at = reminder_time(due_at, user, now)
    return len(rows)
