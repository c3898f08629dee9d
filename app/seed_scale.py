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
import math
import random
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import insert, select, update

from app.extensions import db
from app.models import (
    Activity, Contact, Customer, ExpenseClaim, ExpenseItem, ExpenseStep, Lead, Notification,
    Opportunity, OpportunityLine, OrderCounter, OrderLine, Payment, PriceTier, Product,
    SalesOrder, Stage, StageHistory, Team, User,
)
from app.models.leads import LEAD_SOURCES
from app.seed import (
    BOSS_TITLES, CITIES, DOMAIN, EN_FIRST, EN_LAST, FIXED_COMPANIES, FOLLOWUP_ACTIONS,
    FOLLOWUP_NOTES,
    GIVEN_NAMES, KINDS, NOTES, OUTCOMES, PASSWORD, STAFF_TITLES, SURNAMES, TZ, TZ_NAME,
    _at, _not_sunday, _offset, _Planner, _weighted, _working_time, demo_id, today_slot,
)
from app.seed_sales import PRODUCTS
from app.services import settings as settings_service
from app.services import users as user_service
from app.services.activities import distance_m
from app.services.catalogue import line_total, tier_price
from app.services.claim_approvals import BELOW_THRESHOLD
from app.services.claims import flag_items
from app.services.normalize import company_key, email_key, phone_e164
from app.services.notifications import REMINDER, reminder_time
from app.services.records import money

BLOCK_CUSTOMERS = 100
CONTACTS_PER_CUSTOMER = 3
ACTIVITIES_PER_CUSTOMER = 15
OPEN_FOLLOWUP_SLOTS = (3, 7)        # customers i % 10 in these have an open follow-up
DEALS_PER_BLOCK = 40                # deal d is on the block's customer d
LEADS_PER_BLOCK = 30
CLAIMS_PER_BLOCK = 20
TEAM_COUNT = 10
REPS_PER_TEAM = 10
YEARS = 3
BATCH_ROWS = 5000                   # rows per executemany
BLOCKS_PER_COMMIT = 10              # one transaction per 1,000 customers
CURRENCY = "CNY"
TEAM_CITIES = tuple(CITIES.values())
FREE_INDEX = len(FIXED_COMPANIES)   # the planner gives lower indexes the demo's own companies


def rebuild_derived_data():
    """Rebuild what Core inserts bypassed: the search index (services.search) and the
    activity rollup (services.rollups). The sales reports and RFM read their own tables
    through indexes, so they need nothing."""
    from app.services.rollups import rebuild_activity_rollups
    from app.services.search import rebuild_search_index

    rebuild_search_index()
    rebuild_activity_rollups()


# People -------------------------------------------------------------------------------------

def _team_spec(t: int) -> tuple[uuid.UUID, str, object]:
    city = TEAM_CITIES[t % len(TEAM_CITIES)]
    n = t // len(TEAM_CITIES) + 1
    return demo_id("scale-team", t), f"{city.zh}{n}组 {city.name} {n}", city


def lead_email(t: int) -> str:
    return f"scale.lead{t + 1:02d}@{DOMAIN}"


def rep_email(r: int) -> str:
    return f"scale.rep{r + 1:03d}@{DOMAIN}"


def _person_name(rng: random.Random) -> tuple[str, bool]:
    if rng.random() < 0.7:
        return rng.choice(SURNAMES)[0] + rng.choice(GIVEN_NAMES)[0], True
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}", False


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
        name, chinese = _person_name(rng)
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


# Tables in the order their foreign keys need.
TABLES = (Customer, Contact, Opportunity, OpportunityLine, StageHistory, SalesOrder, OrderLine,
          Payment, Lead, Activity, Notification, ExpenseClaim, ExpenseItem, ExpenseStep)


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
    context = _Context(now, teams, leads, reps)
    counts = defaultdict(int)
    for start in range(0, len(todo), BLOCKS_PER_COMMIT):
        rows = defaultdict(list)
        for b in todo[start:start + BLOCKS_PER_COMMIT]:
            _Block(b, context, rows).build()
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


class _Context:
    """What every block needs: people, products, stages, settings, order numbers."""

    def __init__(self, now, teams, leads, reps):
        self.now = now
        self.today = now.astimezone(TZ).date()
        self.teams, self.leads, self.reps = teams, leads, reps
        # Customers are dealt round reps and leads: 10 in 11 to reps.
        self.owners = [*reps, *leads]
        self.team_of = {u.id: t for t, team in enumerate(teams) for u in (*reps, *leads)
                        if u.team_id == team["id"]}
        self.lead_of_team = {t: leads[t] for t in range(len(teams))}
        self.manager = db.session.get(User, demo_id("user", "manager"))
        self.finance = db.session.get(User, demo_id("user", "finance"))
        self.cashier = db.session.get(User, demo_id("user", "cashier"))
        self.products = [db.session.get(Product, demo_id("product", sku))
                         for sku, *_ in PRODUCTS]
        tiers = defaultdict(list)
        for tier in db.session.scalars(select(PriceTier)):
            tiers[tier.product_id].append(tier)
        self.tiers = tiers
        stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()
        self.open_stages = [s for s in stages if s.kind == "open" and s.active]
        self.won_stage = next(s for s in stages if s.kind == "won")
        self.lost_stage = next(s for s in stages if s.kind == "lost")
        self.lose_reasons = list(settings_service.get_setting("lose_reasons"))
        self.threshold = money(settings_service.get_setting("expense_manager_threshold"))
        self.limits = settings_service.get_setting("expense_limits")
        self.region = current_app.config["PHONE_DEFAULT_REGION"]
        self.counters = {c.year: c.last for c in db.session.scalars(select(OrderCounter))}
        self.changed_years = set()
        # Read-only from here on: detached, so a commit does not expire them (and each block
        # reading an owner's id does not reload the user).
        db.session.expunge_all()

    def order_number(self, when: datetime) -> str:
        """The next ``SO-<year>-<n>`` of the year (in the seller's timezone) it was won."""
        year = when.astimezone(TZ).year
        self.counters[year] = self.counters.get(year, 0) + 1
        self.changed_years.add(year)
        return f"SO-{year}-{self.counters[year]:05d}"

    def save_order_counters(self):
        for year in self.changed_years:
            db.session.merge(OrderCounter(year=year, last=self.counters[year]))
        self.changed_years.clear()


def _blank(model) -> dict:
    """Every column of ``model`` with its plain default, else None: a bulk insert's rows must
    all have the same keys, and a column added later with a default still gets it."""
    row = {}
    for column in model.__table__.columns:
        default = column.default
        row[column.key] = default.arg if default is not None and default.is_scalar else None
    return row


BLANKS = {model: _blank(model) for model in TABLES}

CLAIM_TITLES = (("{zh}客户拜访", "Customer visits, {en}"), ("{zh}展会", "{en} trade show"),
                ("{zh}出差", "Trip to {en}"), ("客户招待 {zh}", "Client dinner, {en}"))
CLAIM_AMOUNTS = {"travel": (40, 1800), "lodging": (280, 900), "meals": (35, 320),
                 "fuel": (60, 400), "entertainment": (200, 1500), "other": (20, 300)}
LOST_NOTES = ("Went with a cheaper offer.", "选择了其他供应商。", "Budget frozen this year.",
              "项目延期。", None)
REJECT_REASONS = ("Please attach the receipts (photos are fine).", "请补充发票。",
                  "Meals above the limit need a note.")
LEAD_KINDS = ("pool",) * 10 + ("owned",) * 2 + ("converted",) * 10 + ("disqualified",) * 8
QUANTITIES = (1, 2, 3, 5, 6, 10, 12, 20, 25, 50)
DISCOUNTS = (Decimal(0), Decimal(0), Decimal(0), Decimal("2.5"), Decimal(5), Decimal(10))


class _Customer:
    """A customer's row and what its block needs to know about it while planning."""

    def __init__(self, row: dict, owner: User, chinese: bool, contacts: list[dict]):
        self.row, self.owner, self.chinese, self.contacts = row, owner, chinese, contacts


class _Block:
    """The rows of one block, appended to ``rows`` (model -> list of dicts)."""

    def __init__(self, b: int, context: _Context, rows: dict):
        self.b, self.c, self.rows = b, context, rows
        self.rng = random.Random(f"scale/{b}")
        self.planner = _Planner(self.rng, context.now)
        self.now = context.now

    def new_id(self) -> uuid.UUID:
        """A random id from the block's generator: the same on every run."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def add(self, model, **values) -> dict:
        row = {**BLANKS[model], **values}
        self.rows[model].append(row)
        return row

    def past(self, low: datetime, high: datetime | None = None, recent: float = 2.0):
        """A time between ``low`` and ``high`` (default now), denser towards ``high``."""
        high = high or self.now
        span = max((high - low).total_seconds(), 60.0)
        return high - timedelta(seconds=span * self.rng.random() ** recent)

    def build(self):
        customers = [self.customer(i) for i in range(BLOCK_CUSTOMERS)]
        for i, customer in enumerate(customers):
            self.history(i, customer)
        deals = [self.deal(d, customers[d]) for d in range(min(DEALS_PER_BLOCK, len(customers)))]
        self.leads(customers, deals)
        self.claims(customers)

    # -- customers and contacts --

    def customer(self, i: int) -> "_Customer":
        rng, c = self.rng, self.c
        owner = c.owners[(self.b * BLOCK_CUSTOMERS + i) % len(c.owners)]
        team = c.teams[c.team_of[owner.id]]
        city = team["city"] if rng.random() < 0.8 else CITIES[rng.choice(list(CITIES))]
        data, company = self.planner.customer(FREE_INDEX + i, city)
        data["lat"], data["lng"] = _offset(city.lat, city.lng, rng.uniform(300, 15000),
                                           rng.uniform(0, 2 * math.pi))
        created = self.now - timedelta(days=YEARS * 365 * rng.random() ** 2,
                                       minutes=rng.randint(0, 600))
        row = self.add(Customer, **{
            **data, "id": demo_id("scale-customer", self.b, i),
            "name_norm": company_key(data["name"]),
            "phone_e164": phone_e164(data["phone"], c.region),
            "email_norm": email_key(data["email"]), "owner_id": owner.id, "version": 1,
            "created_at": created, "updated_at": created})
        return _Customer(row, owner, company["chinese"], self.contacts(row, company, city))

    def contacts(self, customer: dict, company: dict, city) -> list[dict]:
        rng, region = self.rng, self.c.region
        result = []
        for n in range(CONTACTS_PER_CUSTOMER):
            if company["chinese"] and rng.random() < 0.85 or rng.random() < 0.3:
                (sur, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
                name, ascii_name = f"{sur}{given}", f"{given_py}.{sur_py}"
            else:
                first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
                name, ascii_name = f"{first} {last}", f"{first}.{last}".lower()
            if n == 0:
                title_zh, title_en = rng.choice(BOSS_TITLES)
                role = "decision_maker"
            else:
                title_zh, title_en, role = rng.choice(STAFF_TITLES)
            email = (f"{ascii_name.replace('ü', 'ue')}@{company['domain']}"
                     if rng.random() < 0.7 else None)
            mobile = self.planner.phones.mobile() if rng.random() < 0.9 else None
            phone = self.planner.phones.landline(city) if rng.random() < 0.3 else None
            result.append(self.add(
                Contact, id=self.new_id(), customer_id=customer["id"], name=name,
                title=title_zh if company["chinese"] and rng.random() < 0.8 else title_en,
                phone=phone, phone_e164=phone_e164(phone, region), mobile=mobile,
                mobile_e164=phone_e164(mobile, region), email=email, email_norm=email_key(email),
                role=role, reports_to_id=result[0]["id"] if n and rng.random() < 0.6 else None,
                version=1, created_at=customer["created_at"], updated_at=customer["created_at"]))
        return result

    # -- activities and follow-ups --

    def open_due(self) -> datetime:
        """An open follow-up's due time: overdue (up to a month), today or coming up."""
        rng, today = self.rng, self.c.today
        minutes = 9 * 60 + 15 * rng.randrange(36)
        where = rng.random()
        if where < 0.35:
            return _at(_not_sunday(today - timedelta(days=rng.randint(1, 30))), minutes)
        if where < 0.5:
            return today_slot(self.now, rng.random(), before_now=rng.random() < 0.5)
        return _at(_not_sunday(today + timedelta(days=rng.randint(1, 30))), minutes)

    def history(self, i: int, holder: "_Customer"):
        rng, owner, customer, contacts = self.rng, holder.owner, holder.row, holder.contacts
        has_open = i % 10 in OPEN_FOLLOWUP_SLOTS
        done = rng.randint(1, 4)
        events = ACTIVITIES_PER_CUSTOMER - done - has_open
        due = self.open_due() if has_open else None
        end = (min(self.now, due) if due else self.now) - timedelta(
            days=rng.randint(1, 5), hours=rng.randint(0, 8))
        if customer["created_at"] > end - timedelta(days=1):
            customer["created_at"] = customer["updated_at"] = end - timedelta(
                days=rng.randint(1, 60))
            for contact in contacts:
                contact["created_at"] = contact["updated_at"] = customer["created_at"]
        times = sorted(_working_time(self.past(customer["created_at"], end, recent=1.0), end)
                       for _ in range(events))
        zh = 0.7 if holder.chinese else 0.2
        rows = []
        for at in times:
            kind = _weighted(rng, KINDS)
            outcome = _weighted(rng, OUTCOMES[kind])
            en, cn = rng.choice(NOTES[(kind, outcome)])
            row = self.add(Activity, id=self.new_id(), kind=kind, owner_id=owner.id,
                           customer_id=customer["id"], occurred_at=at, outcome=outcome,
                           notes=cn if rng.random() < zh else en, version=1,
                           created_at=at, updated_at=at,
                           contact_id=rng.choice(contacts)["id"]
                           if kind != "note" and rng.random() < 0.75 else None)
            if kind == "call":
                row["duration_seconds"] = None if outcome == "no_answer" else rng.randint(45, 900)
            elif kind == "meeting":
                row["duration_seconds"] = rng.randint(2, 8) * 15 * 60
            elif kind == "visit":
                row["duration_seconds"] = rng.randint(20, 90) * 60
                if rng.random() < 0.97:  # otherwise: location was not allowed
                    metres = rng.uniform(5, 180) if rng.random() < 0.85 \
                        else rng.uniform(1200, 12000)
                    row["lat"], row["lng"] = _offset(customer["lat"], customer["lng"], metres,
                                                     rng.uniform(0, 2 * math.pi))
                    row["accuracy"] = float(rng.randint(5, 60))
                    row["distance_m"] = distance_m(row["lat"], row["lng"], customer["lat"],
                                                   customer["lng"])
            rows.append(row)
        # Follow-ups done: set by one contact, completed by the next (as PATCH done_at does).
        for n in sorted(rng.sample(range(len(rows) - 1), done)):
            source, nxt = rows[n], rows[n + 1]
            action = nxt["kind"] if nxt["kind"] != "note" else "task"
            en, cn = rng.choice(FOLLOWUP_NOTES[action])
            on_the_hour = nxt["occurred_at"].replace(minute=0, second=0, microsecond=0)
            self.add(Activity, id=self.new_id(), kind="task", action=action, owner_id=owner.id,
                     customer_id=customer["id"], contact_id=source["contact_id"],
                     due_at=on_the_hour if on_the_hour > source["occurred_at"]
                     else nxt["occurred_at"],
                     notes=cn if rng.random() < zh else en, followup_of=source["id"],
                     done_at=nxt["occurred_at"], occurred_at=nxt["occurred_at"], version=1,
                     created_at=source["occurred_at"], updated_at=nxt["occurred_at"])
        last = rows[-1]
        customer["last_activity_at"] = last["occurred_at"]
        if has_open:
            action = _weighted(rng, FOLLOWUP_ACTIONS)
            en, cn = rng.choice(FOLLOWUP_NOTES[action])
            followup = self.add(
                Activity, id=self.new_id(), kind="task", action=action, owner_id=owner.id,
                customer_id=customer["id"], contact_id=last["contact_id"], due_at=due,
                notes=cn if rng.random() < zh else en, followup_of=last["id"], version=1,
                created_at=last["occurred_at"], updated_at=last["occurred_at"])
            if due > self.now:  # what schedule_reminders does for a new open follow-up
                self.add(Notification, id=self.new_id(), user_id=owner.id, kind=REMINDER,
                         activity_id=followup["id"], params={"due_at": due.isoformat()},
                         url="/today", actions=[], status="scheduled", created_at=self.now,
                         send_at=reminder_time(due, owner, self.now))

    # -- deals, orders, payments --

    def lines(self, opportunity_id) -> list[dict]:
        rng, result = self.rng, []
        for position, product in enumerate(rng.sample(self.c.products, rng.randint(1, 3))):
            quantity = Decimal(rng.choice(QUANTITIES))
            price = tier_price(product, self.c.tiers[product.id], quantity)
            discount = rng.choice(DISCOUNTS)
            result.append(self.add(
                OpportunityLine, id=self.new_id(), opportunity_id=opportunity_id,
                position=position, product_id=product.id, description=product.name,
                quantity=quantity, unit_price=price, price_overridden=False,
                discount_pct=discount, line_total=line_total(quantity, price, discount)))
        return result

    def stages(self, opportunity_id, owner_id, path, start: datetime, end: datetime | None):
        """History rows through ``path`` (stages), the first entered at ``start``; the last
        left open, entered at ``end`` when given. Returns when the last was entered."""
        rng, at = self.rng, start
        for n, stage in enumerate(path):
            if n and end is not None and n == len(path) - 1:
                entered = end
            elif n:
                # 1-25 days on; near the end of the deal's time (or now), part of what is
                # left instead, so no two stays of a deal start at the same moment
                limit = end or self.now
                step = timedelta(days=rng.uniform(1, 25))
                entered = at + step if at + step < limit else at + (limit - at) * rng.uniform(
                    0.3, 0.7)
            else:
                entered = at
            if n:  # the previous stage was left when this one was entered
                self.rows[StageHistory][-1]["left_at"] = entered
            self.add(StageHistory, id=self.new_id(), opportunity_id=opportunity_id,
                     stage_id=stage.id, entered_at=entered, left_at=None, actor_id=owner_id)
            at = entered
        return at

    def deal(self, d: int, holder: "_Customer") -> dict:
        rng, c, owner, customer = self.rng, self.c, holder.owner, holder.row
        kind = ("open", "open", "open", "won", "won", "won", "lost", "lost")[d % 8]
        opportunity_id = self.new_id()
        lines = self.lines(opportunity_id)
        amount = money(sum((line["line_total"] for line in lines), Decimal(0)))
        first = lines[0]
        name = f"{first['description']} × {first['quantity']:g}"
        if kind == "open":
            created = max(customer["created_at"], self.now - timedelta(days=rng.uniform(1, 180)))
            path = c.open_stages[:rng.randint(1, len(c.open_stages))]
            self.stages(opportunity_id, owner.id, path, created, None)
            closed, status = None, "open"
            close_date = c.today + timedelta(days=rng.randint(-10, 120))
        else:
            created = self.past(customer["created_at"], self.now - timedelta(days=30), 1.0)
            closed = min(created + timedelta(days=rng.uniform(5, 90)), self.now)
            path = c.open_stages[:rng.randint(1, len(c.open_stages))]
            path.append(c.won_stage if kind == "won" else c.lost_stage)
            self.stages(opportunity_id, owner.id, path, created, closed)
            status, close_date = kind, closed.astimezone(TZ).date()
        row = self.add(
            Opportunity, id=opportunity_id, customer_id=customer["id"], name=name,
            amount=amount, currency=CURRENCY, stage_id=path[-1].id,
            expected_close_date=close_date, owner_id=owner.id, status=status,
            closed_at=closed, version=1, created_at=created, updated_at=closed or created,
            lost_reason=rng.choice(c.lose_reasons) if kind == "lost" else None,
            lost_note=rng.choice(LOST_NOTES) if kind == "lost" else None)
        if kind == "won":
            self.order(row, lines)
        return row

    def order(self, opportunity: dict, lines: list[dict]):
        rng, c, at = self.rng, self.c, opportunity["closed_at"]
        order_id, total = self.new_id(), opportunity["amount"]
        for line in lines:
            self.add(OrderLine, id=self.new_id(), order_id=order_id, position=line["position"],
                     product_id=line["product_id"], description=line["description"],
                     quantity=line["quantity"], unit_price=line["unit_price"],
                     discount_pct=line["discount_pct"], line_total=line["line_total"])
        how = rng.random()
        parts = [] if how < 0.2 else [money(total / 2)] if how < 0.5 \
            else [total] if how < 0.8 else [money(total / 2), total - money(total / 2)]
        received = at
        for n, part in enumerate(parts):
            received = min(received + timedelta(days=rng.uniform(1, 30)), self.now)
            self.add(Payment, id=self.new_id(), order_id=order_id, amount=part,
                     received_at=received, method="bank_transfer" if rng.random() < 0.85
                     else rng.choice(("cash", "cheque", "card")),
                     reference=f"TT-{self.b:04d}-{order_id.hex[:6]}-{n + 1}",
                     recorded_by=c.finance.id, version=1, created_at=received,
                     updated_at=received)
        paid = sum(parts, Decimal(0))
        self.rows[SalesOrder].append({
            **BLANKS[SalesOrder], "id": order_id, "number": c.order_number(at),
            "customer_id": opportunity["customer_id"], "opportunity_id": opportunity["id"],
            "owner_id": opportunity["owner_id"], "currency": CURRENCY, "total": total,
            "paid": paid, "status": "confirmed" if not parts else
            "paid" if paid >= total else "partially_paid", "ordered_at": at, "version": 1,
            "created_at": at, "updated_at": received})

    # -- leads --

    def leads(self, customers: list["_Customer"], deals: list[dict]):
        rng, c, region = self.rng, self.c, self.c.region
        by_id = {holder.row["id"]: holder for holder in customers}
        for n in range(LEADS_PER_BLOCK):
            kind = LEAD_KINDS[n % len(LEAD_KINDS)]
            name, chinese = _person_name(rng)
            city = TEAM_CITIES[rng.randrange(len(TEAM_CITIES))]
            company = self.planner.company(FREE_INDEX + BLOCK_CUSTOMERS + n, city)["name"]
            phone = self.planner.phones.mobile() if rng.random() < 0.85 else None
            email = f"lead{self.b}x{n}@{rng.choice(('163.com', 'qq.com', 'example.cn'))}" \
                if rng.random() < 0.6 else None
            owner, owned_since, created = None, None, None
            extra = {}
            if kind == "pool":
                created = self.past(self.now - timedelta(days=120))
            elif kind == "owned":   # recent, or the recycling would take it back at once
                owner = c.owners[rng.randrange(len(c.owners))]
                owned_since = self.now - timedelta(days=rng.uniform(0, 5))
                created = owned_since - timedelta(days=rng.uniform(0, 20))
            elif kind == "converted":
                deal = deals[(n - 12) * 4 % len(deals)]
                holder = by_id[deal["customer_id"]]
                customer, contact = holder.row, holder.contacts[0]
                owner, company, name = holder.owner, customer["name"], contact["name"]
                phone, email, city = contact["mobile"], contact["email"], CITIES[customer["city"]]
                owned_since = deal["created_at"] - timedelta(days=rng.uniform(1, 30))
                created = owned_since
                extra = {"converted_at": deal["created_at"], "customer_id": customer["id"],
                         "contact_id": contact["id"], "opportunity_id": deal["id"],
                         "status": "converted"}
            else:
                owner = c.owners[rng.randrange(len(c.owners))]
                created = self.past(self.now - timedelta(days=YEARS * 365),
                                    self.now - timedelta(days=30), 1.0)
                owned_since = created
                extra = {"status": "disqualified"}
            self.add(Lead, **{
                "id": self.new_id(), "name": name, "company": company,
                "company_norm": company_key(company) if company else None,
                "phone": phone, "phone_e164": phone_e164(phone, region), "email": email,
                "email_norm": email_key(email), "city": city.name,
                "title": None if chinese else "Purchasing Manager",
                "source": rng.choice(LEAD_SOURCES[:-1]), "status": "open",
                "owner_id": owner.id if owner else None, "owned_since": owned_since,
                "activity_count": 0, "version": 1, "created_at": created,
                "updated_at": extra.get("converted_at") or created, **extra})

    # -- expense claims --

    def claims(self, customers: list["_Customer"]):
        rng, c = self.rng, self.c
        stops = ("draft", "draft", "rejected", "lead", "manager", "finance", "approved",
                 "approved") + ("paid",) * 12
        for n in range(CLAIMS_PER_BLOCK):
            stop = stops[n % len(stops)]
            owner = c.reps[(self.b * CLAIMS_PER_BLOCK + n) % len(c.reps)]
            team = c.team_of[owner.id]
            lead = c.lead_of_team[team]
            city = c.teams[team]["city"]
            recent = stop in ("draft", "rejected", "lead", "manager", "finance", "approved")
            created = self.now - timedelta(days=rng.uniform(1, 20)) if recent else \
                self.past(self.now - timedelta(days=YEARS * 365), self.now - timedelta(days=25))
            claim_id = self.new_id()
            zh, en = rng.choice(CLAIM_TITLES)
            title = (zh if rng.random() < 0.5 else en).format(zh=city.zh, en=city.name)
            mine = [x.row for x in customers if x.owner.id == owner.id]
            items = []
            for position in range(rng.randint(1, 3)):
                category = "lodging" if stop == "manager" else rng.choice(tuple(CLAIM_AMOUNTS))
                low, high = CLAIM_AMOUNTS[category]
                amount = money(Decimal(rng.uniform(low, high)))
                if stop == "manager":
                    amount = money(c.threshold + Decimal(rng.uniform(100, 800)))
                items.append(SimpleNamespace(**{
                    **BLANKS[ExpenseItem], "id": self.new_id(), "claim_id": claim_id,
                    "position": position, "category": category, "amount": amount,
                    "currency": CURRENCY,
                    "spent_on": (created - timedelta(days=rng.randint(0, 5))).astimezone(TZ)
                    .date(),
                    "customer_id": rng.choice(mine)["id"] if mine and rng.random() < 0.5
                    else None}))
            flagged = flag_items(items, c.limits)
            total = money(sum((item.amount for item in items), Decimal(0)))
            for item in items:
                self.add(ExpenseItem, **vars(item))
            claim = self.add(ExpenseClaim, id=claim_id, owner_id=owner.id, title=title,
                             currency=CURRENCY, total=total, status="draft", round=0,
                             flagged=flagged, version=1, created_at=created,
                             updated_at=created)
            if stop != "draft":
                self.route(claim, stop, owner, lead, created)

    def route(self, claim: dict, stop: str, owner: User, lead: User, created: datetime):
        """Submit and take the claim along the chain up to ``stop``, writing the history the
        service writes (submitted, approved or skipped, rejected, paid)."""
        rng, c = self.rng, self.c
        claim["round"], at, seq = 1, created + timedelta(hours=rng.uniform(1, 30)), 0
        claim["submitted_at"] = min(at, self.now)

        def step(name, action, actor, comment=None):
            nonlocal at, seq
            seq += 1
            at = min(at + timedelta(hours=rng.uniform(0.1, 40)), self.now)
            self.add(ExpenseStep, id=self.new_id(), claim_id=claim["id"], round=1, step=name,
                     action=action, actor_id=actor.id if actor else None, comment=comment,
                     created_at=at, seq=seq)

        step("submit", "submitted", owner)
        claim["status"] = "pending"
        for name in ("lead", "manager", "finance"):
            if name == "manager" and claim["total"] <= c.threshold:
                step("manager", "skipped", None, BELOW_THRESHOLD)
                continue
            if stop == name:
                claim["step"] = name
                claim["approver_id"] = lead.id if name == "lead" else None
                claim["updated_at"] = at
                return
            if stop == "rejected":
                reason = rng.choice(REJECT_REASONS)
                step("lead", "rejected", lead, reason)
                claim.update(status="draft", rejected_reason=reason, updated_at=at)
                return
            step(name, "approved", {"lead": lead, "manager": c.manager,
                                    "finance": c.finance}[name])
        claim.update(status="approved", approved_at=at, updated_at=at)
        if stop == "paid":
            step("pay", "paid", c.cashier, f"BANK-{claim['id'].hex[:8]}")
            claim.update(status="paid", paid_at=at, paid_by_id=c.cashier.id,
                         payment_reference=f"BANK-{claim['id'].hex[:8]}", updated_at=at)
