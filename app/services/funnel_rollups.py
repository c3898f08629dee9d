"""The daily funnel rollup (``funnel_daily``), kept exact in the transaction of every write,
so the funnel reads O(days x people in scope x stages) rows, never the deals and their
stage history (at 100,000 customers a quarter holds tens of thousands of deals and stays).

What a deal counts, on the owner's local date of its creation, per stage it ever entered:
+1 ``entered`` (once, however often it came back to the stage), its current amount in
``amount_cents``, and for each stay in the stage that ended, +1 ``stays_ended`` and the
stay's length in ``stay_us``. So the rollup depends on a deal's owner, creation time and
amount, and on its stays (stage, entered, left).

How it stays exact: before a flush that touches any of those (a deal inserted, changed
or deleted; a stay inserted, changed or deleted), what the touched deals count is read
from the database; after the flush it is read again, and the difference goes in with one
upsert adding it (INSERT ... ON CONFLICT DO UPDATE), which on PostgreSQL serializes two
writers of one row on its row lock like ``app.services.rollups``. UPDATE and DELETE
statements on deals or stays run through the session are handled the same way around the
statement. A user's timezone change rebuilds their rows; Core inserts the session does not
see (the scale seed's) need ``rebuild_funnel_rollups()`` after them.
"""
import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import chain

from sqlalchemy import BigInteger, cast, event, func, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import FunnelDaily, Opportunity, StageHistory, User
from app.models.rollups import FUNNEL_COLUMNS
from app.services.rollups import local_day, owner_timezones, rezoned_owners, sql_local_day

DEAL_TRACKED = ("owner_id", "created_at", "amount")
STAY_TRACKED = ("opportunity_id", "stage_id", "entered_at", "left_at")
UPSERT_BATCH = 500
SQLITE_MICROSECONDS = "fieldline_microseconds_between"
BEFORE = "funnel_rollup_before"  # session.info key: what the touched deals counted


def register() -> None:
    """Hook the rollup into the session (once per process)."""
    if event.contains(db.session, "after_flush", _after_flush):
        return
    event.listen(Engine, "connect", _sqlite_functions)
    event.listen(db.session, "before_flush", _before_flush)
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "do_orm_execute", _on_statement)


def microseconds(later: datetime, earlier: datetime) -> int:
    return (later - earlier) // timedelta(microseconds=1)


def _sqlite_microseconds(later: str | None, earlier: str | None) -> int | None:
    if later is None or earlier is None:
        return None
    return microseconds(datetime.fromisoformat(later), datetime.fromisoformat(earlier))


def _sqlite_functions(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(SQLITE_MICROSECONDS, 2, _sqlite_microseconds,
                                         deterministic=True)


def _cents(amount) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


# What deals count --------------------------------------------------------------------------

def _counted(connection, deal_ids) -> list[tuple]:
    """(owner_id, created_at, stage_id, (entered, cents, us, ended)) for each stage each of
    these deals entered, as the database has them now."""
    if not deal_ids:
        return []
    o, s = Opportunity.__table__, StageHistory.__table__
    rows = connection.execute(
        select(o.c.id, o.c.owner_id, o.c.created_at, o.c.amount, s.c.stage_id,
               s.c.entered_at, s.c.left_at)
        .join_from(o, s, s.c.opportunity_id == o.c.id)
        .where(o.c.id.in_(sorted(deal_ids, key=str))))
    per_stage: dict = {}
    for row in rows:
        key = (row.id, row.stage_id)
        if key not in per_stage:
            per_stage[key] = [row.owner_id, row.created_at, row.stage_id,
                              _cents(row.amount), 0, 0]
        if row.left_at is not None:
            per_stage[key][4] += microseconds(row.left_at, row.entered_at)
            per_stage[key][5] += 1
    return [(owner, created, stage, (1, cents, us, ended))
            for owner, created, stage, cents, us, ended in per_stage.values()]


def _changed(obj, names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _touched_deals(session) -> set:
    """The deals whose counts this flush may change."""
    touched = set()
    for obj in chain(session.new, session.deleted, session.dirty):
        fresh = obj in session.new or obj in session.deleted
        if isinstance(obj, Opportunity) and (fresh or _changed(obj, DEAL_TRACKED)):
            touched.add(obj.id)
        elif isinstance(obj, StageHistory) and (fresh or _changed(obj, STAY_TRACKED)):
            history = inspect(obj).attrs.opportunity_id.history
            touched.update(history.deleted)
            touched.add(obj.opportunity_id)
    touched.discard(None)
    return touched


def _before_flush(session, _flush_context, _instances):
    touched = _touched_deals(session)
    stored = {obj.id for obj in session.new if isinstance(obj, Opportunity)}
    session.info[BEFORE] = _counted(session.connection(), touched - stored) if touched else []


def _after_flush(session, _flush_context):
    before = session.info.pop(BEFORE, [])
    rezoned = rezoned_owners(session)
    touched = _touched_deals(session)
    if not touched and not before and not rezoned:
        return
    connection = session.connection()
    after = _counted(connection, touched)
    changes = [(-1, c) for c in before] + [(1, c) for c in after]
    _apply(session, connection, [(sign, c) for sign, c in changes if c[0] not in rezoned])
    if rezoned:
        _rebuild(connection, sorted(rezoned, key=str))


def _on_statement(state):
    """UPDATE / DELETE statements on deals or stays through the session: what the matched
    deals counted before and after the statement, the difference applied."""
    if not (state.is_update or state.is_delete):
        return None
    name = getattr(state.statement.table, "name", None)
    if name not in (Opportunity.__tablename__, StageHistory.__tablename__):
        return None
    connection = state.session.connection()
    if state.statement.whereclause is None:
        result = state.invoke_statement()
        _rebuild(connection, None)
        return result
    table = state.statement.table
    key = table.c.id if name == Opportunity.__tablename__ else table.c.opportunity_id
    deal_ids = set(connection.execute(
        select(key).where(state.statement.whereclause).distinct()).scalars())
    before = _counted(connection, deal_ids)
    result = state.invoke_statement()
    if deal_ids:
        after = _counted(connection, deal_ids)
        _apply(state.session, connection, [(-1, c) for c in before] + [(1, c) for c in after])
    return result


def _apply(session, connection, changes) -> None:
    """Add (sign, (owner, created_at, stage, counts)) to the rollup: one upsert."""
    if not changes:
        return
    zones = owner_timezones(session, connection, {c[0] for _, c in changes})
    deltas: dict = defaultdict(lambda: [0] * len(FUNNEL_COLUMNS))
    for sign, (owner_id, created_at, stage_id, counts) in changes:
        row = deltas[(owner_id, local_day(created_at, zones[owner_id]), stage_id)]
        for i, n in enumerate(counts):
            row[i] += sign * n
    rows = [{"owner_id": owner, "day": day, "stage_id": stage,
             **dict(zip(FUNNEL_COLUMNS, n, strict=True))}
            for (owner, day, stage), n in sorted(deltas.items(), key=lambda kv: (
                str(kv[0][0]), kv[0][1], str(kv[0][2])))
            if any(n)]
    table = FunnelDaily.__table__
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    for start in range(0, len(rows), UPSERT_BATCH):
        statement = dialect.insert(table).values(rows[start:start + UPSERT_BATCH])
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.owner_id, table.c.day, table.c.stage_id],
            set_={c: table.c[c] + statement.excluded[c] for c in FUNNEL_COLUMNS}))


# Rebuilding from the raw tables ----------------------------------------------------------

def _sql_microseconds(dialect_name: str, later, earlier):
    if dialect_name == "sqlite":
        return getattr(func, SQLITE_MICROSECONDS)(later, earlier)
    return cast(func.extract("epoch", later - earlier) * 1000000, BigInteger)


def _counted_by_day(dialect_name: str, owner_ids=None):
    """The rollup rows computed from the deals and their stays: per (deal, stage) first
    (a deal enters a stage once however many stays it has there), then per (owner, day,
    stage)."""
    o, s, u = Opportunity.__table__, StageHistory.__table__, User.__table__
    day = sql_local_day(dialect_name, o.c.created_at, u.c.timezone)
    per_deal = (
        select(o.c.owner_id, day.label("day"), s.c.stage_id,
               cast(func.round(o.c.amount * 100), BigInteger).label("cents"),
               func.coalesce(func.sum(_sql_microseconds(dialect_name, s.c.left_at,
                                                        s.c.entered_at)), 0).label("us"),
               func.count(s.c.left_at).label("ended"))
        .join_from(o, u, u.c.id == o.c.owner_id)
        .join(s, s.c.opportunity_id == o.c.id)
        .group_by(o.c.owner_id, day, s.c.stage_id, o.c.id, o.c.amount))
    if owner_ids is not None:
        per_deal = per_deal.where(o.c.owner_id.in_(owner_ids))
    per_deal = per_deal.subquery("per_deal")
    return (select(per_deal.c.owner_id, per_deal.c.day, per_deal.c.stage_id, func.count(),
                   func.sum(per_deal.c.cents), func.sum(per_deal.c.us),
                   func.sum(per_deal.c.ended))
            .group_by(per_deal.c.owner_id, per_deal.c.day, per_deal.c.stage_id))


def _rebuild(connection, owner_ids) -> int:
    table = FunnelDaily.__table__
    delete = table.delete()
    if owner_ids is not None:
        delete = delete.where(table.c.owner_id.in_(owner_ids))
    connection.execute(delete)
    result = connection.execute(
        insert(table).from_select(["owner_id", "day", "stage_id", *FUNNEL_COLUMNS],
                                  _counted_by_day(connection.dialect.name, owner_ids)),
        execution_options={"preserve_rowcount": True})
    return result.rowcount


def rebuild_funnel_rollups(owner_ids=None) -> int:
    """Count the funnel rollup again from the deals (everyone's, or ``owner_ids``'), in the
    caller's transaction: after Core bulk inserts that bypass the session. Returns the rows
    written."""
    return _rebuild(db.session.connection(), owner_ids)

