"""The daily activity rollup (``activity_daily``), kept exact in the transaction of every
write, so the activity report reads O(days x people in scope) rows, never the activities.

What counts (the rules the report applied to the raw table before):
- an activity of a logged kind (anything but a task) with ``occurred_at``: +1 in the column
  of its kind, on the owner's local date of ``occurred_at``;
- a follow-up (``due_at`` set) with ``done_at``: +1 in ``followups_done``, on the owner's
  local date of ``done_at``;
- nothing once ``deleted_at`` is set.
"The owner's local date" is in the owner's timezone as it is now: when a user's timezone
changes, their rows are rebuilt in the same transaction (one user's history).

How it stays exact:
- ORM writes (all the services do): after each flush, every Activity inserted, changed
  (kind, owner, occurred_at, due_at, done_at, deleted_at) or deleted becomes -1 for what it
  counted before and +1 for what it counts now, from its attribute history; the sums per
  (owner, day) go in with one upsert (INSERT ... ON CONFLICT DO UPDATE adding them).
- UPDATE and DELETE statements on activities run through the session (a customer's
  reassignment moves its open follow-ups in one UPDATE): the rows they match are read
  before and after, and the difference applied the same way.
- Core inserts the session does not see (the seeds' bulk ``insert(Activity)``): call
  ``rebuild_activity_rollups()`` after them (``fieldline rollups rebuild`` does).

A user's timezone changed by a plain UPDATE statement (not the session) is not seen either:
rebuild after it.

Concurrency: on PostgreSQL two transactions upserting the same (owner, day) row serialize
on its row lock (the second waits for the first to commit, then adds to its count), which
is what keeps both increments. The rows of one upsert go in (owner, day) order, so two
flushes cannot deadlock on each other's rows.
"""
import sqlite3
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date, case, cast, event, func, insert, inspect, literal_column, select, union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models import Activity, ActivityDaily, User
from app.models.rollups import COUNT_COLUMNS, LOGGED_KINDS

TRACKED = ("kind", "owner_id", "occurred_at", "due_at", "done_at", "deleted_at")
UPSERT_BATCH = 500  # rows per upsert statement (8 parameters each)
SQLITE_LOCAL_DAY = "fieldline_local_day"


def register() -> None:
    """Hook the rollup into the session and SQLite's connections (once per process)."""
    if event.contains(db.session, "after_flush", _after_flush):
        return
    event.listen(Engine, "connect", _sqlite_functions)
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "do_orm_execute", _on_statement)
    for name in TRACKED:
        # Setting one of these on an expired object loads the old value first, so the
        # flush knows what the activity counted before.
        event.listen(getattr(Activity, name), "set", _keep, active_history=True)


def _keep(_target, value, _old, _initiator):
    return value


def local_day(at: datetime, tz_name: str) -> date:
    return at.astimezone(ZoneInfo(tz_name)).date()


def _sqlite_local_day(stored: str | None, tz_name: str | None) -> str | None:
    """``local_day`` for SQL on SQLite, which stores our UTC timestamps as naive text."""
    if stored is None or tz_name is None:
        return None
    at = datetime.fromisoformat(stored).replace(tzinfo=timezone.utc)
    return local_day(at, tz_name).isoformat()


def _sqlite_functions(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(SQLITE_LOCAL_DAY, 2, _sqlite_local_day,
                                         deterministic=True)


def sql_local_day(dialect_name: str, at, tz_name):
    if dialect_name == "sqlite":
        return getattr(func, SQLITE_LOCAL_DAY)(at, tz_name)
    return cast(func.timezone(tz_name, at), Date)


# What one activity counts ---------------------------------------------------------------

def _counts(values) -> list[tuple]:
    """(owner_id, when, column) for each +1 an activity with these values is worth."""
    if values["deleted_at"] is not None:
        return []
    counted = []
    if values["kind"] in LOGGED_KINDS and values["occurred_at"] is not None:
        counted.append((values["owner_id"], values["occurred_at"], values["kind"]))
    if values["due_at"] is not None and values["done_at"] is not None:
        counted.append((values["owner_id"], values["done_at"], "followups_done"))
    return counted


def _values_now(activity: Activity, inserted: bool = False) -> dict:
    if inserted:  # what was set (an unset column is NULL: none of these has a default)
        return {name: inspect(activity).dict.get(name) for name in TRACKED}
    return {name: getattr(activity, name) for name in TRACKED}


def _values_before(activity: Activity) -> dict:
    state = inspect(activity)
    values = {}
    for name in TRACKED:
        history = state.attrs[name].history
        values[name] = history.deleted[0] if history.deleted else getattr(activity, name)
    return values


def _changed(activity: Activity) -> bool:
    state = inspect(activity)
    return any(state.attrs[name].history.added for name in TRACKED)


# Applying the changes -------------------------------------------------------------------

def owner_timezones(session, connection, owner_ids) -> dict:
    """Each owner's timezone: from the session when loaded there (the actor always is),
    else in one statement."""
    found, missing = {}, []
    for owner_id in owner_ids:
        user = session.identity_map.get(identity_key(User, owner_id))
        if user is not None and "timezone" in inspect(user).dict:
            found[owner_id] = user.timezone
        else:
            missing.append(owner_id)
    if missing:
        found.update(connection.execute(
            select(User.id, User.timezone).where(User.id.in_(missing))).all())
    return found


def _apply(session, connection, changes: list[tuple[int, tuple]]) -> None:
    """Add (sign, (owner_id, when, column)) changes to the rollup: one upsert for every
    (owner, day) row whose counts moved."""
    if not changes:
        return
    zones = owner_timezones(session, connection, {owner for _, (owner, _, _) in changes})
    deltas: dict = defaultdict(Counter)
    for sign, (owner_id, when, column) in changes:
        deltas[(owner_id, local_day(when, zones[owner_id]))][column] += sign
    rows = [{"owner_id": owner_id, "day": day, **{c: counts[c] for c in COUNT_COLUMNS}}
            for (owner_id, day), counts in sorted(deltas.items(), key=lambda kv: (
                str(kv[0][0]), kv[0][1]))
            if any(counts.values())]
    table = ActivityDaily.__table__
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    for start in range(0, len(rows), UPSERT_BATCH):
        statement = dialect.insert(table).values(rows[start:start + UPSERT_BATCH])
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.owner_id, table.c.day],
            set_={c: table.c[c] + statement.excluded[c] for c in COUNT_COLUMNS}))


def rezoned_owners(session) -> set:
    """The users whose timezone this flush changes: their local days move, so the daily
    rollups rebuild their rows instead of applying deltas."""
    return {user.id for user in session.dirty
            if isinstance(user, User) and inspect(user).attrs.timezone.history.added}


def _after_flush(session, _flush_context):
    """The flush's activity changes, as counts (the session still shows what was flushed:
    new, dirty and deleted objects and their attribute history)."""
    rezoned = rezoned_owners(session)
    changes = []
    for activity in session.new:
        if isinstance(activity, Activity):
            changes += [(1, c) for c in _counts(_values_now(activity, inserted=True))]
    for activity in session.dirty:
        if isinstance(activity, Activity) and _changed(activity):
            changes += [(-1, c) for c in _counts(_values_before(activity))]
            changes += [(1, c) for c in _counts(_values_now(activity))]
    for activity in session.deleted:
        if isinstance(activity, Activity):
            changes += [(-1, c) for c in _counts(_values_before(activity))]
    if not changes and not rezoned:
        return
    connection = session.connection()
    _apply(session, connection, [(sign, c) for sign, c in changes if c[0] not in rezoned])
    if rezoned:
        _rebuild(connection, sorted(rezoned, key=str))


def _on_statement(state):
    """UPDATE / DELETE statements on activities run through the session: read what the
    matched rows counted before and after the statement, apply the difference."""
    if not (state.is_update or state.is_delete):
        return None
    statement = state.statement
    if getattr(statement.table, "name", None) != Activity.__tablename__:
        return None
    session, connection = state.session, state.session.connection()
    table = Activity.__table__
    columns = [table.c.id] + [table.c[name] for name in TRACKED]
    if statement.whereclause is None:  # the whole table (or a bulk update by key): recount
        result = state.invoke_statement()
        _rebuild(connection, None)
        return result
    before = connection.execute(select(*columns).where(statement.whereclause)).all()
    result = state.invoke_statement()
    if before:
        after = connection.execute(
            select(*columns).where(table.c.id.in_([row.id for row in before]))
        ).all() if state.is_update else []
        changes = [(-1, c) for row in before for c in _counts(row._mapping)]
        changes += [(1, c) for row in after for c in _counts(row._mapping)]
        _apply(session, connection, changes)
    return result


# Rebuilding from the raw table -----------------------------------------------------------

def _counted_by_day(dialect_name: str, owner_ids=None):
    """The rollup rows computed from the activities: one GROUP BY over what each live
    activity counts (its kind on the day it happened, a completion on the day it was
    done)."""
    a, u = Activity.__table__, User.__table__
    one, zero = literal_column("1"), literal_column("0")
    live = [a.c.deleted_at.is_(None)]
    if owner_ids is not None:
        live.append(a.c.owner_id.in_(owner_ids))
    logged = (
        select(a.c.owner_id.label("owner_id"),
               sql_local_day(dialect_name, a.c.occurred_at, u.c.timezone).label("day"),
               *[case((a.c.kind == kind, one), else_=zero).label(kind) for kind in LOGGED_KINDS],
               zero.label("followups_done"))
        .join_from(a, u, u.c.id == a.c.owner_id)
        .where(*live, a.c.kind.in_(LOGGED_KINDS), a.c.occurred_at.is_not(None)))
    done = (
        select(a.c.owner_id, sql_local_day(dialect_name, a.c.done_at, u.c.timezone),
               *[zero.label(kind) for kind in LOGGED_KINDS], one.label("followups_done"))
        .join_from(a, u, u.c.id == a.c.owner_id)
        .where(*live, a.c.due_at.is_not(None), a.c.done_at.is_not(None)))
    counted = union_all(logged, done).subquery("counted")
    return (select(counted.c.owner_id, counted.c.day,
                   *[func.sum(counted.c[c]) for c in COUNT_COLUMNS])
            .group_by(counted.c.owner_id, counted.c.day))


def _rebuild(connection, owner_ids) -> int:
    table = ActivityDaily.__table__
    delete = table.delete()
    if owner_ids is not None:
        delete = delete.where(table.c.owner_id.in_(owner_ids))
    connection.execute(delete)
    result = connection.execute(
        insert(table).from_select(["owner_id", "day", *COUNT_COLUMNS],
                                  _counted_by_day(connection.dialect.name, owner_ids)),
        execution_options={"preserve_rowcount": True})
    return result.rowcount


def rebuild_activity_rollups(owner_ids=None) -> int:
    """Count the rollup again from the activities (everyone's, or ``owner_ids``'), in the
    caller's transaction: after Core bulk inserts that bypass the session. Two statements
    (delete, then one INSERT ... SELECT ... GROUP BY); returns the rows written."""
    return _rebuild(db.session.connection(), owner_ids)
