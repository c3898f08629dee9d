"""What to tell a user by push, and when: notices from workflows and follow-up reminders.

Nothing here sends anything: it adds ``Notification`` rows to the caller's transaction, so
a notice exists exactly when the change that caused it was committed. The worker
(``app.push.dispatch``) sends them to the user's devices when they are due.
"""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import Notification, User
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
           dedupe_key: str | None = None, send_at: datetime | None = None) -> Notification:
    """Tell a user something by push, as soon as their quiet hours allow.

    ``kind`` names the words in ``app.push.texts.NOTICES`` and ``params`` fills them in;
    ``url`` is what a tap opens; ``actions`` are buttons the service worker can run without
    opening the app: ``[{"action": "approve", "method": "POST", "url": "/api/v1/...",
    "body": {...}}]`` (titles from ``ACTION_TITLES``). With a ``dedupe_key`` already used,
    the existing notification is returned and nothing is added.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(
            db.select(Notification).where(Notification.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    recipient = db.session.get(User, recipient_id)
    when = after_quiet_hours(send_at or utcnow(), recipient)
    notification = Notification(
        id=uuid.uuid4(), user_id=recipient_id, kind=kind, params=params or {}, url=url,
        actions=list(actions or []), dedupe_key=dedupe_key, send_at=when, status="scheduled")
    db.session.add(notification)
    return notification
