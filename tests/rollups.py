"""The activity rollup as stored, and the same numbers computed from the raw activities
here in the test (the oracle the rollup is compared with)."""
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, ActivityDaily, User
from app.models.rollups import COUNT_COLUMNS, LOGGED_KINDS


def rollup() -> dict:
    """The rollup's rows that count something, as {(owner_id, day): {column: n}}."""
    db.session.rollback()
    rows = {}
    for row in db.session.scalars(select(ActivityDaily)):
        counts = {c: getattr(row, c) for c in COUNT_COLUMNS if getattr(row, c)}
        if counts:
            rows[(row.owner_id, row.day)] = counts
    return rows


def oracle() -> dict:
    """The same from the activities: a GROUP BY owner and the owner's local day, in Python."""
    db.session.rollback()
    counts: dict = {}
    rows = db.session.execute(
        select(Activity.owner_id, Activity.kind, Activity.occurred_at, Activity.due_at,
               Activity.done_at, User.timezone)
        .join(User, User.id == Activity.owner_id).where(Activity.deleted_at.is_(None))).all()
    for owner, kind, occurred_at, due_at, done_at, zone in rows:
        if kind in LOGGED_KINDS and occurred_at is not None:
            day = occurred_at.astimezone(ZoneInfo(zone)).date()
            counts.setdefault((owner, day), Counter())[kind] += 1
        if due_at is not None and done_at is not None:
            day = done_at.astimezone(ZoneInfo(zone)).date()
            counts.setdefault((owner, day), Counter())["followups_done"] += 1
    return {key: dict(c) for key, c in counts.items()}
