"""The activity rollup kept by the flush hook equals the one counted from scratch: a random
sequence of writes (services, plain ORM changes, UPDATE statements, rollbacks, timezone
changes), then the rollup's rows against a GROUP BY over the raw activities computed in
the test, then against ``rebuild_activity_rollups()``."""
import random
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, or_, select, update

from app.extensions import db
from app.models import Activity, ActivityDaily, Customer, User
from app.models.activities import ACTIVITY_KINDS
from app.models.rollups import COUNT_COLUMNS
from app.services import activities as activity_service
from app.services import customers as customer_service
from app.services.rollups import rebuild_activity_rollups
from tests.rollups import oracle, rollup

ZONES = ("Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Europe/Berlin")
# Around the spring clock changes (New York 8 March, Berlin 29 March), so days are 23 h too.
BASE = datetime(2026, 3, 20, tzinfo=timezone.utc)


def _people(rng):
    manager = User(id=uuid.UUID(int=1), email="m@t.test", name="M", password_hash="x",
                   role="manager", timezone="Asia/Shanghai")
    reps = [User(id=uuid.UUID(int=10 + i), email=f"r{i}@t.test", name=f"R{i}",
                 password_hash="x", role="rep", timezone=zone)
            for i, zone in enumerate(ZONES)]
    db.session.add_all([manager, *reps])
    db.session.flush()
    for rep in reps:
        for n in range(2):
            customer_service.create_customer(rep, {"id": _id(rng), "name": f"C {rep.name} {n}"})
    db.session.commit()
    return manager, reps


def _id(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _when(rng) -> datetime:
    return BASE + timedelta(hours=rng.randint(0, 24 * 20), minutes=rng.choice((0, 29, 59)))


def _pick(rng, *where):
    rows = db.session.scalars(select(Activity).where(Activity.deleted_at.is_(None), *where)
                              .order_by(Activity.id)).all()
    return rng.choice(rows) if rows else None


def _log(rng, reps):
    owner = rng.choice(reps)
    kind = rng.choice(ACTIVITY_KINDS)
    data = {"id": _id(rng), "kind": kind}
    if kind == "task":
        data["due_at"] = _when(rng)
    else:
        data["occurred_at"] = _when(rng)
        if rng.random() < 0.2:  # logged with a due time: counted and an open follow-up
            data["due_at"] = _when(rng)
    if rng.random() < 0.5:
        mine = db.session.scalars(select(Customer.id).where(Customer.owner_id == owner.id)
                                  .order_by(Customer.id)).all()
        data["customer_id"] = rng.choice(mine) if mine else None
    if rng.random() < 0.3:
        data["next"] = {"id": _id(rng), "kind": "call", "due_at": _when(rng)}
    followup = _pick(rng, Activity.owner_id == owner.id, Activity.due_at.is_not(None),
                     Activity.done_at.is_(None))
    if followup is not None and rng.random() < 0.3:
        data["completes_id"] = followup.id
    activity_service.log_activity(owner, data)


def _step(rng, manager, reps) -> str:
    """One random write; returns its name."""
    op = rng.choice(("log",) * 4 + ("complete", "uncomplete", "move", "due", "kind", "delete",
                                     "hard_delete", "hand_over", "statement", "timezone"))
    if op == "log":
        _log(rng, reps)
        return op
    if op == "hand_over":
        customer = rng.choice(db.session.scalars(select(Customer).order_by(Customer.id)).all())
        owner = rng.choice([r for r in reps if r.id != customer.owner_id])
        customer_service.update_customer(manager, customer, {"owner_id": owner.id})
        return op
    if op == "timezone":
        rng.choice(reps).timezone = rng.choice(ZONES)
        db.session.flush()
        return op
    where = {
        "complete": (Activity.due_at.is_not(None), Activity.done_at.is_(None)),
        "uncomplete": (Activity.due_at.is_not(None), Activity.done_at.is_not(None)),
        "due": (Activity.kind != "task",),
        # nothing points at it (a follow-up's followup_of)
        "hard_delete": (Activity.id.not_in(select(Activity.followup_of).where(
            Activity.followup_of.is_not(None))),),
    }.get(op, ())
    activity = _pick(rng, *where)
    if activity is None:
        return "nothing"
    owner = db.session.get(User, activity.owner_id)
    if op == "complete":
        activity_service.update_activity(owner, activity, {"done_at": _when(rng)})
    elif op == "uncomplete":
        activity_service.update_activity(owner, activity, {"done_at": None})
    elif op == "move":
        activity_service.update_activity(owner, activity, {"occurred_at": _when(rng)})
    elif op == "due":
        due = _when(rng) if rng.random() < 0.5 else None
        activity_service.update_activity(owner, activity, {"due_at": due})
    elif op == "kind":  # no service changes a kind; the hook follows any ORM change
        activity.kind = rng.choice(ACTIVITY_KINDS)
        db.session.flush()
    elif op == "delete":
        activity_service.delete_activity(owner, activity)
    elif op == "hard_delete":
        db.session.delete(activity)
        db.session.flush()
    elif op == "statement":  # an UPDATE through the session, not the unit of work
        db.session.execute(update(Activity).where(Activity.id == activity.id)
                           .values(occurred_at=_when(rng), done_at=None)
                           .execution_options(synchronize_session=False))
    return op


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_rollup_equals_the_raw_table_and_a_rebuild(app, seed):
    rng = random.Random(seed)
    manager, reps = _people(rng)
    done = Counter()
    for _ in range(200):
        done[_step(rng, manager, reps)] += 1
        roll = rng.random()
        if roll < 0.6:
            db.session.commit()
        elif roll < 0.7:
            db.session.rollback()  # the rollup's upserts go with the rest
    db.session.commit()
    assert min(done[op] for op in ("log", "complete", "uncomplete", "move", "delete",
                                   "hand_over", "statement", "timezone", "hard_delete")) > 0, done

    counted = oracle()
    assert sum(sum(c.values()) for c in counted.values()) > 20  # the test counted something
    assert rollup() == counted
    negative = db.session.scalar(select(func.count()).select_from(ActivityDaily).where(
        or_(*[getattr(ActivityDaily, c) < 0 for c in COUNT_COLUMNS])))
    assert negative == 0

    rebuild_activity_rollups()
    db.session.commit()
    assert rollup() == counted


def test_rebuild_for_some_owners_leaves_the_others(app):
    rng = random.Random(3)
    manager, reps = _people(rng)
    for _ in range(30):
        _log(rng, reps)
    db.session.commit()
    counted = oracle()
    db.session.execute(ActivityDaily.__table__.delete())
    rebuild_activity_rollups([reps[0].id])
    db.session.commit()
    assert rollup() == {k: v for k, v in counted.items() if k[0] == reps[0].id}


def test_a_change_to_an_expired_activity_knows_what_it_counted_before(app):
    """After a commit every loaded object is expired; setting done_at or occurred_at on one
    without reading it first must still take the old value's count away."""
    rng = random.Random(4)
    _, reps = _people(rng)
    followup, _, _ = activity_service.log_activity(reps[0], {"kind": "task",
                                                             "due_at": BASE})
    visit, _, _ = activity_service.log_activity(reps[0], {"kind": "visit",
                                                          "occurred_at": BASE})
    followup.done_at = BASE
    db.session.commit()
    followup.done_at = BASE + timedelta(days=3)    # expired: nothing read since the commit
    visit.occurred_at = BASE + timedelta(days=5)
    db.session.commit()
    assert rollup() == oracle()
    assert len(rollup()) == 2


def test_rollups_rebuild_counts_what_a_core_bulk_insert_left_out(app):
    """A bulk ``insert(Activity)`` (the seeds' way) bypasses the session's flush: the
    rollup does not see it until ``fieldline rollups rebuild``."""
    rng = random.Random(5)
    _, reps = _people(rng)
    rows = [{"id": _id(rng), "kind": rng.choice(ACTIVITY_KINDS), "owner_id": rep.id,
             "occurred_at": _when(rng), "due_at": _when(rng) if n % 3 == 0 else None,
             "done_at": _when(rng) if n % 6 == 0 else None, "version": 1}
            for n, rep in enumerate(reps * 25)]
    db.session.execute(insert(Activity), rows)
    db.session.commit()
    assert rollup() == {}
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    counted = oracle()
    assert f"Activity rollup rebuilt: {len(counted):,} owner-days." in result.output
    assert rollup() == counted and len(counted) > 20


def test_the_demo_company_comes_with_its_rollup(app):
    from app.demo.company import seed_demo

    seed_demo()
    counted = oracle()
    assert sum(sum(c.values()) for c in counted.values()) > 2000
    assert rollup() == counted
