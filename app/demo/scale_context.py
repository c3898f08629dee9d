"""What every scale block is built from: its sizes, the tables it writes, and the people,
products, stages and settings read once (``Context``)."""
import random
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Activity, Contact, Customer, ExpenseClaim, ExpenseItem, ExpenseStep, Lead, Notification,
    Opportunity, OpportunityLine, OrderCounter, OrderLine, Payment, PriceTier, Product,
    SalesOrder, Stage, StageHistory, User,
)
from app.demo.common import TZ, demo_id
from app.demo.content import CITIES, FIXED_COMPANIES
from app.demo.sales import PRODUCTS
from app.services import settings as settings_service
from app.services.records import money
from app.demo.content import EN_FIRST, EN_LAST, GIVEN_NAMES, SURNAMES

BLOCK_CUSTOMERS = 100
CONTACTS_PER_CUSTOMER = 3
ACTIVITIES_PER_CUSTOMER = 15
# Customers whose (i + i // 10) % 10 is one of these have an open follow-up: 2 in 10. Not
# i % 10 alone: the owner is (block x 100 + i) % 110, whose last digit is i's, so only the
# owners numbered 3 and 7 mod 10 got any (the bench's scale.rep001 had an empty agenda).
OPEN_FOLLOWUP_SLOTS = (3, 7)
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

# Tables in the order their foreign keys need.
TABLES = (Customer, Contact, Opportunity, OpportunityLine, StageHistory, SalesOrder, OrderLine,
          Payment, Lead, Activity, Notification, ExpenseClaim, ExpenseItem, ExpenseStep)


class Context:
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


def person_name(rng: random.Random) -> tuple[str, bool]:
    if rng.random() < 0.7:
        return rng.choice(SURNAMES)[0] + rng.choice(GIVEN_NAMES)[0], True
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}", False


class BlockCustomer:
    """A customer's row and what its block needs to know about it while planning."""

    def __init__(self, row: dict, owner: User, chinese: bool, contacts: list[dict]):
        self.row, self.owner, self.chinese, self.contacts = row, owner, chinese, contacts
