"""A real company's size on top of the demo: ``fieldline seed-demo --scale N``.

N blocks, each 100 customers (3 contacts and 15 activities each, 2 in 10 with an open
follow-up), 30 leads, 40 deals with lines and stage history (15 open, 15 won with orders and
payments, 10 lost) and 20 expense claims across the approval chain. The customers are dealt
round 100 reps and their 10 team leads (10 teams, one city each, created when missing, the
demo's password); dates cover three years, the recent ones denser. N=1000 is the issue's
100,000 customers, 1.5 million activities and 20,000 open follow-ups.

Built for speed, not through the services: rows are planned in Python with every derived
column filled the way the services fill it (normalised names, phones and emails, distances,
line totals, tier prices, order numbers, claim routing and history, reminders) and written
with Core bulk inserts, ``BATCH_ROWS`` rows per executemany. Anything a service would keep
in step on write (search index, rollups) is rebuilt once at the end: ``rebuild_derived_data``.
No audit rows are written for this history.

Deterministic: block ``b`` is drawn from ``random.Random(f"scale/{b}")`` and its customers
have fixed ids, so ``--scale N`` brings the company to N blocks: blocks already there are
skipped, each group of blocks is one transaction (an interrupted run loses at most the group
it was writing). Only the dates depend on when a block is written: they end at that moment.
"""
import random
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import insert, select, update

from app.extensions import db
from app.models import Customer, Team, User
from app.demo.common import DOMAIN, PASSWORD, TZ_NAME, demo_id
from app.services import users as user_service
from app.demo.scale_context import (
    BATCH_ROWS, BLOCKS_PER_COMMIT, BLOCK_CUSTOMERS, Context, REPS_PER_TEAM, TABLES, TEAM_CITIES,
    TEAM_COUNT,
)
from app.demo.scale_block import Block
from app.demo.scale_context import person_name


def rebuild_derived_data():
    """Rebuild what Core inserts bypassed: the search index (services.search) and the
    activity and funnel rollups (services.rollups, services.funnel_rollups) and the
    expense items' copy of their claims (services.expense_spend). The other sales reports
    and RFM read their own tables through indexes, so they need nothing."""
    from app.services.expense_spend import rebuild_expense_spend
    from app.services.funnel_rollups import rebuild_funnel_rollups
    from app.services.rollups import rebuild_activity_rollups
    from app.services.search import rebuild_search_index

    rebuild_search_index()
    rebuild_activity_rollups()
    rebuild_funnel_rollups()
    rebuild_expense_spend()


# People -------------------------------------------------------------------------------------

def _team_spec(t: int) -> tuple[uuid.UUID, str, object]:
    city = TEAM_CITIES[t % len(TEAM_CITIES)]
    n = t // len(TEAM_CITIES) + 1
    return demo_id("scale-team", t), f"{city.zh}{n}组 {city.name} {n}", city


def lead_email(t: int) -> str:
    return f"scale.lead{t + 1:02d}@{DOMAIN}"


def rep_email(r: int) -> str:
    return f"scale.rep{r + 1:03d}@{DOMAIN}"


def _ensure_people(now: datetime) -> tuple[list[dict], list[User], list[User]]:
    """The 10 teams, their leads and 100 reps (those missing are created); returns
    (teams, leads, reps) with teams as {id, name, city, lead}."""
    rng = random.Random("scale/people")
    teams, team_rows, user_rows = [], [], []
    probe = User()
    user_service.set_password(probe, PASSWORD)     # one hash for all: they share a password
    specs = []
    for t in range(TEAM_COUNT):
        team_id, name, city = _team_spec(t)
        teams.append({"id": team_id, "name": name, "city": city,
                      "lead_id": demo_id("scale-user", "lead", t)})
        team_rows.append({"id": team_id, "name": name, "lead_id": None, "parent_id": None,
                          "version": 1, "created_at": now, "updated_at": now})
        specs.append((demo_id("scale-user", "lead", t), lead_email(t), "lead", team_id))
        for r in range(t * REPS_PER_TEAM, (t + 1) * REPS_PER_TEAM):
            specs.append((demo_id("scale-user", "rep", r), rep_email(r), "rep", team_id))
    for user_id, email, role, team_id in specs:
        name, chinese = person_name(rng)
        user_rows.append({
            "id": user_id, "email": email, "name": name, "password_hash": probe.password_hash,
            "role": role, "team_id": team_id, "timezone": TZ_NAME,
            "locale": "zh-CN" if chinese and rng.random() < 0.3 else "en", "active": True,
            "version": 1, "created_at": now, "updated_at": now})
    have_teams = set(db.session.scalars(select(Team.id).where(
        Team.id.in_([row["id"] for row in team_rows]))))
    have_users = set(db.session.scalars(select(User.id).where(
        User.id.in_([row["id"] for row in user_rows]))))
    _insert(Team, [row for row in team_rows if row["id"] not in have_teams])
    _insert(User, [row for row in user_rows if row["id"] not in have_users])
    for team in teams:
        db.session.execute(update(Team).where(Team.id == team["id"], Team.lead_id.is_(None))
                           .values(lead_id=team["lead_id"]))
    db.session.commit()
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([row["id"] for row in user_rows])))}
    leads = [users[demo_id("scale-user", "lead", t)] for t in range(TEAM_COUNT)]
    reps = [users[demo_id("scale-user", "rep", r)]
            for r in range(TEAM_COUNT * REPS_PER_TEAM)]
    return teams, leads, reps


# Writing ------------------------------------------------------------------------------------

def _insert(model, rows: list[dict]) -> None:
    """Core bulk insert in batches: one executemany per ``BATCH_ROWS`` rows (SQLAlchemy
    pages a PostgreSQL executemany under the parameter limit itself). On the table, not
    the ORM entity: the ORM's bulk insert splits rows by which values are None, which turns
    one executemany into thousands of single INSERTs."""
    for start in range(0, len(rows), BATCH_ROWS):
        db.session.execute(insert(model.__table__), rows[start:start + BATCH_ROWS])


def block_marker(b: int) -> uuid.UUID:
    """The id of block ``b``'s first customer: there when the block is."""
    return demo_id("scale-customer", b, 0)


def seed_scale(blocks: int, now: datetime | None = None) -> str:
    """Bring the company to ``blocks`` scale blocks (the demo must be loaded; commits)."""
    if blocks < 0:
        raise ValueError("blocks must be >= 0")
    if db.session.get(User, demo_id("user", "manager")) is None:
        raise RuntimeError("Load the demo company first (fieldline seed-demo).")
    started = time.monotonic()
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    teams, leads, reps = _ensure_people(now)
    markers = {block_marker(b): b for b in range(blocks)}
    present = set()
    ids = list(markers)
    for start in range(0, len(ids), 500):
        present |= set(db.session.scalars(select(Customer.id).where(
            Customer.id.in_(ids[start:start + 500]))))
    todo = [b for m, b in markers.items() if m not in present]
    context = Context(now, teams, leads, reps)
    counts = defaultdict(int)
    for start in range(0, len(todo), BLOCKS_PER_COMMIT):
        rows = defaultdict(list)
        for b in todo[start:start + BLOCKS_PER_COMMIT]:
            Block(b, context, rows).build()
        for model in TABLES:
            _insert(model, rows[model])
            counts[model.__tablename__] += len(rows[model])
        context.save_order_counters()
        db.session.commit()
    rebuild_derived_data()
    db.session.commit()
    return (f"Scale company: {blocks} blocks of {BLOCK_CUSTOMERS} customers "
            f"({len(todo)} added, {blocks - len(todo)} already there) over "
            f"{len(reps)} reps and {len(leads)} leads in {len(teams)} teams; added "
            f"{counts['customers']:,} customers, {counts['contacts']:,} contacts, "
            f"{counts['activities']:,} activities, {counts['leads']:,} leads, "
            f"{counts['opportunities']:,} deals, {counts['orders']:,} orders, "
            f"{counts['expense_claims']:,} expense claims in {time.monotonic() - started:.1f} s. "
            f'Sign in as {rep_email(0)}, {lead_email(0)} (password "{PASSWORD}").')
