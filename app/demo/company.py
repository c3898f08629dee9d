"""The demo company behind ``fieldline seed-demo``.

Users, teams, customers, contacts and the open follow-ups go through the services, so
passwords are hashed, phones normalised and rules applied exactly as for real users. The
closed history (about 2,900 past activities and completed follow-ups) is built in one batch
with the same derived columns, for speed; see ``closed_activities``.

Content is deterministic (``random.Random(42)``, uuid5 ids from a fixed namespace); only the
dates move: "today" is the seeding day in Asia/Shanghai, so every rep's agenda always has
something overdue, due today (before and after now) and coming up.

Idempotent: the whole company is one transaction, so when the demo admin exists the company
is complete and a second run changes nothing.
"""
import os
import random
from datetime import datetime, timezone

import click
from sqlalchemy import select

from app.demo import sales as seed_sales
from app.extensions import db
from app.models import Customer, Team, User
from app.services import activities as activity_service
from app.services import customers as customer_service
from app.services import users as user_service
from app.services.errors import ServiceError
from app.services.rollups import rebuild_activity_rollups
from app.services.settings import get_setting
from app.demo.expenses import seed_expenses
from app.demo.common import (
    CUSTOMERS_PER_LEAD, CUSTOMER_COUNT, PASSWORD, TZ, TZ_NAME, demo_email, demo_id,
)
from app.demo.content import CITIES, FIXED_COMPANIES, TEAMS, USERS
from app.demo.planner import Planner, closed_activities


# Running it ---------------------------------------------------------------------------------

def _sign_in_list(users: list[User], teams: dict) -> str:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    width = max(len(u.email) for u in users)
    lines = [f'Sign in at {url} with password "{PASSWORD}":']
    for user in users:
        where = f", {teams[user.team_id]}" if user.team_id in teams else ""
        lines.append(f"  {user.email:<{width}}  ({user.role}{where}, {user.name}"
                     f"{', ' + user.locale if user.locale != 'en' else ''})")
    return "\n".join(lines)


def _demo_users() -> tuple[list[User], dict]:
    ids = [demo_id("user", local) for local, *_ in USERS]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    teams = {t.id: t.name for t in db.session.scalars(select(Team))}
    return [users[i] for i in ids if i in users], teams


def seed_demo(now: datetime | None = None) -> str:
    """Load the demo company; ``now`` (aware) pins "today" for tests."""
    admin_email = demo_email("admin")
    existing = db.session.scalar(select(User).where(User.email == admin_email))
    if existing is not None:
        if existing.id != demo_id("user", "admin"):
            raise click.ClickException(
                f"{admin_email} exists but was not made by seed-demo; nothing loaded.")
        users, teams = _demo_users()
        if not seed_sales.sales_loaded(demo_id):  # a demo loaded before lead-to-cash
            people = {u.email.split("@")[0]: u for u in users}
            seed_sales.load_sales(people, demo_id, now or datetime.now(timezone.utc))
            db.session.commit()
        return "Demo company already loaded.\n" + _sign_in_list(users, teams)
    try:
        counts = _load(now or datetime.now(timezone.utc))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        details = f" {exc.errors}" if exc.errors else ""
        raise click.ClickException(f"Demo company not loaded: {exc.message}{details}") from None
    users, teams = _demo_users()
    return ("Demo company ready: {users} users, {teams} teams, {customers:,} customers, "
            "{contacts:,} contacts, {activities:,} activities ({open:,} open follow-ups).\n"
            .format(**counts) + _sign_in_list(users, teams))


def _load(now: datetime) -> dict:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(42)
    planner = Planner(rng, now)

    # People: admin first (the actor for the rest), then teams, leads, everyone else.
    people: dict[str, User] = {}
    teams: dict[str, Team] = {}

    def add_user(local, name, role, team_key, locale, actor):
        user, _ = user_service.create_user(actor, {
            "id": demo_id("user", local), "email": demo_email(local), "password": PASSWORD,
            "name": name, "role": role, "timezone": TZ_NAME, "locale": locale,
            "team_id": teams[team_key].id if team_key else None,
        })
        people[local] = user

    add_user(*USERS[0], actor=None)
    admin = people["admin"]
    for key, name, _ in TEAMS:
        teams[key], _ = user_service.create_team(admin, {"id": demo_id("team", key),
                                                         "name": name})
    for spec in USERS[1:]:
        add_user(*spec, actor=admin)
    for key, _, _ in TEAMS:
        user_service.update_team(admin, teams[key], {"lead_id": people[f"lead.{key}"].id})

    # Who owns which customers: a few for each lead, the rest dealt round the reps.
    owners = []
    for key, _, _ in TEAMS:
        owners += [f"lead.{key}"] * CUSTOMERS_PER_LEAD
    reps = [local for local, _, role, _, _ in USERS if role == "rep"]
    owners += [reps[i % len(reps)] for i in range(CUSTOMER_COUNT - len(owners))]
    rng.shuffle(owners)
    team_of = {local: team for local, _, _, team, _ in USERS}
    cities = {key: names for key, _, names in TEAMS}
    fixed_city = {i: CITIES[c] for i, (_, c, _) in enumerate(FIXED_COMPANIES)}
    for i, (_, city_name, _) in enumerate(FIXED_COMPANIES):   # put them in the right team
        want = next(k for k, _, names in TEAMS if city_name in names)
        if team_of[owners[i]] != want:
            j = next(j for j in range(len(FIXED_COMPANIES), len(owners))
                     if team_of[owners[j]] == want)
            owners[i], owners[j] = owners[j], owners[i]

    plans = []
    for index, owner_key in enumerate(owners):
        city = fixed_city.get(index) or CITIES[rng.choice(cities[team_of[owner_key]])]
        customer, company = planner.customer(index, city)
        contacts = planner.contacts(index, company, city)
        plans.append((owner_key, customer, company, contacts))

    for owner_key, customer, _, contacts in plans:
        owner = people[owner_key]
        customer_service.create_customer(owner, customer)
        for contact in contacts:
            customer_service.create_contact(owner, contact)

    followups = {}
    for local in sorted(set(owners)):
        mine = [i for i, o in enumerate(owners) if o == local]
        followups.update(planner.open_followups(local, mine, local.startswith("lead.")))

    rows, still_open = [], []
    checkin_radius_m = get_setting("checkin_radius_m")
    for index, (owner_key, customer, company, contacts) in enumerate(plans):
        history = planner.history(index, customer, company, contacts, followups.get(index))
        owner, record = people[owner_key], db.session.get(Customer, customer["id"])
        if index in followups:
            still_open.append((owner, history.pop()))
        for data in history:
            rows += closed_activities(owner, record, data, checkin_radius_m)
        if history:
            record.last_activity_at = history[-1]["occurred_at"]
        visits = [data["occurred_at"] for data in history if data["kind"] == "visit"]
        record.last_visit_at = max(visits, default=None)
    db.session.add_all(rows)

    # The open follow-ups go through the service: whatever it schedules for an open
    # follow-up (reminders) is scheduled for these too.
    for owner, data in sorted(still_open, key=lambda item: item[1]["occurred_at"]):
        activity_service.log_activity(owner, data)
    db.session.flush()
    # The history went in as one batch: count the rollup from the table once (the same as
    # the flush counted, and still right should that batch become a Core insert).
    rebuild_activity_rollups()
    seed_expenses(people, now.astimezone(TZ).date(), demo_id)
    seed_sales.load_sales(people, demo_id, now)
    return {
        "users": len(people), "teams": len(teams), "customers": len(plans),
        "contacts": sum(len(contacts) for _, _, _, contacts in plans),
        "activities": len(rows) + 2 * len(still_open), "open": len(still_open),
    }
