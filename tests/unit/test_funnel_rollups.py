"""The funnel rollup kept by the flush hooks equals the one counted from scratch: a random
sequence of deal writes (services, plain ORM changes of expired objects, UPDATE and DELETE
statements, rollbacks, owners' timezone changes), then the rollup's rows against a count
over the raw deals and stays done here in Python, then against a rebuild."""
import random
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, or_, select, update

from app.extensions import db
from app.models import FunnelDaily, Opportunity, Stage, StageHistory, User
from app.models.rollups import FUNNEL_COLUMNS
from app.services import customers as customer_service
from app.services import opportunities as deal_service
from app.services.funnel_rollups import microseconds, rebuild_funnel_rollups
from app.services.pipeline import ensure_default_stages

ZONES = ("Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Europe/Berlin")
BASE = datetime(2026, 3, 20, tzinfo=timezone.utc)  # New York and Berlin change clocks


def rollup() -> dict:
    """The rollup's rows that count something: {(owner, day, stage): (entered, ...)}."""
    db.session.rollback()
    return {(r.owner_id, r.day, r.stage_id): tuple(getattr(r, c) for c in FUNNEL_COLUMNS)
            for r in db.session.scalars(select(FunnelDaily))
            if any(getattr(r, c) for c in FUNNEL_COLUMNS)}


def oracle() -> dict:
    """The same from the deals and their stays, in Python."""
    db.session.rollback()
    zones = dict(db.session.execute(select(User.id, User.timezone)).all())
    deals = {d.id: d for d in db.session.scalars(select(Opportunity))}
    per_stage: dict = {}
    for stay in db.session.scalars(select(StageHistory)):
        deal = deals[stay.opportunity_id]
        counts = per_stage.setdefault((deal.id, stay.stage_id), [deal, 0, 0])
        if stay.left_at is not None:
            counts[1] += microseconds(stay.left_at, stay.entered_at)
            counts[2] += 1
    result: dict = {}
    for (_, stage_id), (deal, us, ended) in per_stage.items():
        day = deal.created_at.astimezone(ZoneInfo(zones[deal.owner_id])).date()
        old = result.get((deal.owner_id, day, stage_id), (0, 0, 0, 0))
        result[(deal.owner_id, day, stage_id)] = (
            old[0] + 1, old[1] + int(deal.amount * 100), old[2] + us, old[3] + ended)
    return result


def _people(rng):
    manager = User(id=uuid.UUID(int=1), email="m@t.test", name="M", password_hash="x",
                   role="manager", timezone="Asia/Shanghai")
    reps = [User(id=uuid.UUID(int=10 + i), email=f"r{i}@t.test", name=f"R{i}",
                 password_hash="x", role="rep", timezone=zone)
            for i, zone in enumerate(ZONES)]
    db.session.add_all([manager, *reps])
    db.session.flush()
    ensure_default_stages()
    customers = [customer_service.create_customer(manager, {"name": f"C{n}"})[0]
                 for n in range(3)]
    db.session.commit()
    return manager, reps, customers


def _when(rng) -> datetime:
    return BASE + timedelta(hours=rng.randint(0, 24 * 20), minutes=rng.choice((0, 29, 59)),
                            microseconds=rng.randint(0, 999_999))


def _deal(rng, status=None):
    where = [Opportunity.status == status] if status else []
    deals = db.session.scalars(select(Opportunity).where(*where)
                               .order_by(Opportunity.id)).all()
    return rng.choice(deals) if deals else None


def _stay(rng):
    stays = db.session.scalars(select(StageHistory).order_by(StageHistory.id)).all()
    return rng.choice(stays) if stays else None


def _step(rng, manager, reps, customers) -> str:  # noqa: C901 (one branch per kind of write)
    op = rng.choice(("create", "create", "stage", "stage", "amount", "win", "lose", "reopen",
                     "hand_over", "created_at", "stay_times", "statement", "delete_stay",
                     "timezone"))
    open_stages = db.session.scalars(select(Stage).where(Stage.kind == "open")
                                     .order_by(Stage.position)).all()
    deal = _deal(rng, "lost" if op == "reopen" else "open")
    if op == "create" or (deal is None and op not in ("stay_times", "statement",
                                                       "delete_stay", "timezone")):
        deal_service.create_opportunity(manager, {
            "customer_id": rng.choice(customers).id, "name": "Deal",
            "owner_id": rng.choice(reps).id, "amount": Decimal(rng.randint(1, 99999)) / 100,
            "stage_id": rng.choice(open_stages).id})
        return "create"
    if op == "stage":
        deal_service.update_opportunity(manager, deal, {"stage_id": rng.choice(open_stages).id})
    elif op == "amount":
        deal_service.update_opportunity(manager, deal,
                                        {"amount": Decimal(rng.randint(1, 99999)) / 100})
    elif op == "win":
        deal_service.win_opportunity(manager, deal)
    elif op == "lose":
        deal_service.lose_opportunity(manager, deal, "Price", None)
    elif op == "reopen":
        deal_service.reopen_opportunity(manager, deal)
    elif op == "hand_over":
        deal_service.update_opportunity(manager, deal, {"owner_id": rng.choice(reps).id})
    elif op == "created_at":  # a plain ORM change, often of an expired object
        (_deal(rng) or deal).created_at = _when(rng)
    elif op == "stay_times" and (stay := _stay(rng)) is not None:
        stay.entered_at = _when(rng)
        if stay.left_at is not None:
            stay.left_at = stay.entered_at + timedelta(hours=rng.randint(0, 200))
    elif op == "statement" and (stay := _stay(rng)) is not None:
        if rng.random() < 0.5:
            db.session.execute(update(StageHistory)
                               .where(StageHistory.opportunity_id == stay.opportunity_id,
                                      StageHistory.left_at.is_not(None))
                               # after every stay's entry, so no stay is negative
                               .values(left_at=_when(rng) + timedelta(days=400))
                               .execution_options(synchronize_session=False))
        else:
            db.session.execute(update(Opportunity)
                               .where(Opportunity.id == stay.opportunity_id)
                               .values(amount=Decimal(rng.randint(1, 9999)))
                               .execution_options(synchronize_session=False))
    elif op == "delete_stay" and (stay := _stay(rng)) is not None:
        if rng.random() < 0.5:
            db.session.delete(stay)
        else:
            db.session.execute(delete(StageHistory).where(StageHistory.id == stay.id)
                               .execution_options(synchronize_session=False))
    elif op == "timezone":
        rep = rng.choice(reps)
        rep.timezone = rng.choice([z for z in ZONES if z != rep.timezone])
    return op


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_funnel_rollup_equals_the_raw_tables_and_a_rebuild(app, seed):
    rng = random.Random(seed)
    manager, reps, customers = _people(rng)
    done = Counter()
    for _ in range(160):
        done[_step(rng, manager, reps, customers)] += 1
        roll = rng.random()
        if roll < 0.6:
            db.session.commit()
        elif roll < 0.7:
            db.session.rollback()  # the rollup's upserts go with the rest
    db.session.commit()
    assert len(done) == 12, done  # every kind of write happened

    counted = oracle()
    assert len(counted) > 20 and sum(v[3] for v in counted.values()) > 10
    assert rollup() == counted
    negative = db.session.scalar(select(func.count()).select_from(FunnelDaily).where(
        or_(*[getattr(FunnelDaily, c) < 0 for c in FUNNEL_COLUMNS])))
    assert negative == 0

    db.session.execute(FunnelDaily.__table__.delete())
    rebuild_funnel_rollups()
    db.session.commit()
    assert rollup() == counted


def test_rollups_rebuild_counts_what_a_core_bulk_insert_left_out(app):
    rng = random.Random(7)
    manager, reps, customers = _people(rng)
    stages = db.session.scalars(select(Stage).order_by(Stage.position)).all()
    deals, stays = [], []
    for n in range(40):
        deal_id, created = uuid.uuid4(), _when(rng)
        deals.append({"id": deal_id, "customer_id": customers[0].id, "name": f"D{n}",
                      "owner_id": reps[n % len(reps)].id, "stage_id": stages[1].id,
                      "amount": Decimal(n), "currency": "CNY", "status": "open",
                      "created_at": created, "updated_at": created, "version": 1})
        stays += [{"id": uuid.uuid4(), "opportunity_id": deal_id, "stage_id": stages[0].id,
                   "entered_at": created, "left_at": created + timedelta(hours=n)},
                  {"id": uuid.uuid4(), "opportunity_id": deal_id, "stage_id": stages[1].id,
                   "entered_at": created + timedelta(hours=n), "left_at": None}]
    db.session.execute(insert(Opportunity), deals)
    db.session.execute(insert(StageHistory), stays)
    db.session.commit()
    assert rollup() == {}
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    counted = oracle()
    assert f"Funnel rollup rebuilt: {len(counted):,} owner-day-stages." in result.output
    assert rollup() == counted and len(counted) > 20


def test_the_demo_company_comes_with_its_funnel_rollup(app):
    from app.demo.company import seed_demo

    seed_demo()
    counted = oracle()
    assert sum(v[0] for v in counted.values()) > 50
    assert rollup() == counted
