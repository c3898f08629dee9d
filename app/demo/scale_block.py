"""One scale block of 100 customers: its customers, contacts, history and leads; deals and
claims come from the mixins."""
import math
import random
import uuid
from datetime import datetime, timedelta


from app.models import Activity, Contact, Customer, Lead, Notification
from app.models.leads import LEAD_SOURCES
from app.demo.common import (
    contact_person, demo_id, local_at, not_sunday, today_slot, weighted, working_time,
)
from app.demo.content import CITIES, FOLLOWUP_ACTIONS, FOLLOWUP_NOTES, KINDS, NOTES, OUTCOMES
from app.demo.planner import Planner, offset_point
from app.services.activities import distance_m
from app.services.settings import DEFAULTS
from app.services.visits import checkin_status
from app.services.normalize import company_key, email_key, phone_e164
from app.services.notifications import REMINDER, reminder_time
from app.demo.scale_context import (
    ACTIVITIES_PER_CUSTOMER, BLANKS, BLOCK_CUSTOMERS, CONTACTS_PER_CUSTOMER, Context,
    DEALS_PER_BLOCK, FREE_INDEX, LEADS_PER_BLOCK, LEAD_KINDS, OPEN_FOLLOWUP_SLOTS, TEAM_CITIES,
    YEARS,
)
from app.demo.scale_claims import ClaimRows
from app.demo.scale_sales import DealRows
from app.demo.scale_context import BlockCustomer, person_name


class Block(DealRows, ClaimRows):
    """The rows of one block, appended to ``rows`` (model -> list of dicts)."""

    def __init__(self, b: int, context: Context, rows: dict):
        self.b, self.c, self.rows = b, context, rows
        self.rng = random.Random(f"scale/{b}")
        self.planner = Planner(self.rng, context.now)
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

    def customer(self, i: int) -> "BlockCustomer":
        rng, c = self.rng, self.c
        owner = c.owners[(self.b * BLOCK_CUSTOMERS + i) % len(c.owners)]
        team = c.teams[c.team_of[owner.id]]
        city = team["city"] if rng.random() < 0.8 else CITIES[rng.choice(list(CITIES))]
        data, company = self.planner.customer(FREE_INDEX + i, city)
        data["lat"], data["lng"] = offset_point(city.lat, city.lng, rng.uniform(300, 15000),
                                           rng.uniform(0, 2 * math.pi))
        created = self.now - timedelta(days=YEARS * 365 * rng.random() ** 2,
                                       minutes=rng.randint(0, 600))
        row = self.add(Customer, **{
            **data, "id": demo_id("scale-customer", self.b, i),
            "name_norm": company_key(data["name"]),
            "phone_e164": phone_e164(data["phone"], c.region),
            "email_norm": email_key(data["email"]), "owner_id": owner.id, "version": 1,
            "created_at": created, "updated_at": created})
        return BlockCustomer(row, owner, company["chinese"], self.contacts(row, company, city))

    def contacts(self, customer: dict, company: dict, city) -> list[dict]:
        rng, region = self.rng, self.c.region
        result = []
        for n in range(CONTACTS_PER_CUSTOMER):
            name, ascii_name, title_zh, title_en, role = contact_person(
                rng, company["chinese"], boss=n == 0)
            email = f"{ascii_name}@{company['domain']}" if rng.random() < 0.7 else None
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
            return local_at(not_sunday(today - timedelta(days=rng.randint(1, 30))), minutes)
        if where < 0.5:
            return today_slot(self.now, rng.random(), before_now=rng.random() < 0.5)
        return local_at(not_sunday(today + timedelta(days=rng.randint(1, 30))), minutes)

    def history(self, i: int, holder: "BlockCustomer"):
        rng, owner, customer, contacts = self.rng, holder.owner, holder.row, holder.contacts
        has_open = (i + i // 10) % 10 in OPEN_FOLLOWUP_SLOTS
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
        times = sorted(working_time(self.past(customer["created_at"], end, recent=1.0), end)
                       for _ in range(events))
        zh = 0.7 if holder.chinese else 0.2
        rows = []
        for at in times:
            kind = weighted(rng, KINDS)
            outcome = weighted(rng, OUTCOMES[kind])
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
                    row["lat"], row["lng"] = offset_point(customer["lat"], customer["lng"], metres,
                                                     rng.uniform(0, 2 * math.pi))
                    row["accuracy"] = float(rng.randint(5, 60))
                    row["distance_m"] = distance_m(row["lat"], row["lng"], customer["lat"],
                                                   customer["lng"])
                row["checkin_status"] = checkin_status(
                    row["distance_m"], row["accuracy"], DEFAULTS["checkin_radius_m"])
                customer["last_visit_at"] = at
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
            action = weighted(rng, FOLLOWUP_ACTIONS)
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

    # -- leads --

    def leads(self, customers: list["BlockCustomer"], deals: list[dict]):
        rng, c, region = self.rng, self.c, self.c.region
        by_id = {holder.row["id"]: holder for holder in customers}
        for n in range(LEADS_PER_BLOCK):
            kind = LEAD_KINDS[n % len(LEAD_KINDS)]
            name, chinese = person_name(rng)
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
