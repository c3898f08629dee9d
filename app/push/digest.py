"""The morning digest: at 08:00 in each user's timezone (or when their quiet hours end, if
later), one push saying what the day holds, when it holds anything."""
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import Activity, Notification, PushSubscription, User
from app.models.base import utcnow
from app.services.activities import local_day_bounds
from app.services.notifications import after_quiet_hours

DIGEST_AT = time(8, 0)
# A worker that was down at 08:00 still sends it until noon; after that it is old news.
DIGEST_UNTIL = time(12, 0)


def morning_of(user: User, now: datetime):
    """The user's local date when now is their morning's notices' time (08:00, or the end
    of their quiet hours if later, until noon), else None."""
    tz = ZoneInfo(user.timezone)
    local = now.astimezone(tz)
    starts = after_quiet_hours(
        datetime.combine(local.date(), DIGEST_AT, tz).astimezone(timezone.utc), user)
    if starts <= now and local.time() < DIGEST_UNTIL:
        return local.date()
    return None


def queue_morning_digests(app, now: datetime | None = None) -> int:
    """Add today's digest for every user whose morning it is; safe in several workers at
    once and on every pass (one per user and day, by its dedupe key). Returns how many
    were added by this call."""
    now = now or utcnow()
    users = db.session.scalars(
        select(User).where(User.active.is_(True),
                           User.id.in_(select(PushSubscription.user_id)))).all()
    due_today = {u.id: (u, day) for u in users if (day := morning_of(u, now)) is not None}
    if not due_today:
        return 0
    counts = {user_id: [0, 0] for user_id in due_today}  # today, overdue
    for owner_id, due_at in db.session.execute(
            select(Activity.owner_id, Activity.due_at)
            .where(Activity.owner_id.in_(due_today), Activity.due_at.is_not(None),
                   Activity.done_at.is_(None), Activity.deleted_at.is_(None),
                   Activity.due_at < now + timedelta(days=1))):
        user, day = due_today[owner_id]
        start, end = local_day_bounds(day, user.timezone)
        if due_at < start:
            counts[owner_id][1] += 1
        elif due_at < end:
            counts[owner_id][0] += 1
    rows = [
        {"id": uuid.uuid4(), "user_id": user_id, "kind": "digest",
         "params": {"today": today, "overdue": overdue}, "url": "/today", "actions": [],
         "send_at": now, "status": "scheduled",
         "created_at": now, "dedupe_key": f"digest:{user_id}:{due_today[user_id][1]}"}
        for user_id, (today, overdue) in counts.items() if today + overdue > 0
    ]
    return add_notifications(rows)


def add_notifications(rows: list[dict]) -> int:
    """Insert notification rows, skipping those whose ``dedupe_key`` is stored already (safe
    in several workers at once), and commit. Returns how many were added."""
    if not rows:
        return 0
    dialect_insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    added = db.session.scalars(
        dialect_insert(Notification).values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)).all()
    db.session.commit()
    return len(added)
