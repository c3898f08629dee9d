"""The demo company's expense claims: drafts, claims waiting at each step, approved, paid
and one returned with a reason. Built through the services (the real chain), with fixed
ids, so a second run changes nothing. Called from ``app.demo.company``'s load step.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete

from app.extensions import db
from app.models import ExpenseClaim, Notification, User
from app.services import claim_approvals as approval_service
from app.services import claims as claim_service

# title, submitter, items [(category, amount, days ago, note)], how far it goes
CLAIMS = (
    ("Client lunch, Suzhou", "rep1", [("meals", "168.00", 1, "Lunch with 苏州精密 buyers"),
                                      ("fuel", "80.00", 1, None)], "draft"),
    ("杭州拜访差旅", "rep1", [("travel", "420.00", 6, "高铁 上海-杭州 往返"),
                         ("lodging", "380.00", 6, None), ("meals", "150.00", 5, None)], "lead"),
    ("Nanjing trade show", "rep1", [("lodging", "1200.00", 20, "3 nights"),
                                    ("travel", "900.50", 21, None),
                                    ("entertainment", "650.00", 19, "Dinner with distributor")],
     "approved"),
    ("Ningbo site visits", "rep1", [("fuel", "260.40", 35, None), ("meals", "96.00", 35, None)],
     "paid"),
    ("Shenyang plant audit", "rep2", [("travel", "1850.00", 9, "Flights"),
                                      ("lodging", "900.00", 8, None)], "manager"),
    ("Taxi receipts, October", "rep2", [("travel", "312.70", 28, None)], "rejected"),
    ("Wuxi customer dinner", "rep3", [("entertainment", "880.00", 12, None)], "finance"),
    ("Hangzhou follow-up visit", "rep3", [("travel", "210.00", 40, None)], "paid"),
    ("Draft: Ningbo fuel", "rep4", [("fuel", "150.00", 2, None)], "draft"),
    ("Guangzhou expo", "rep5", [("lodging", "760.00", 4, None), ("meals", "240.00", 4, None)],
     "lead"),
    ("Shenzhen client visits", "rep5", [("travel", "530.00", 25, None)], "approved"),
    ("厦门客户拜访", "rep6", [("meals", "230.00", 3, "超出餐费标准，客户临时加人")], "lead"),
    ("Team offsite, East", "lead.east", [("lodging", "640.00", 7, None),
                                         ("meals", "380.00", 7, None)], "manager"),
    ("Suzhou visits, week 47", "rep4", [("fuel", "180.00", 3, None),
                                        ("meals", "90.00", 3, None)], "lead"),
)
STOPS = {"draft": 0, "lead": 1, "manager": 2, "finance": 3, "approved": 4, "paid": 5,
         "rejected": 1}


def seed_expenses(people: dict[str, User], today: date, demo_id) -> int:
    """Add the demo claims (once); returns how many exist afterwards."""
    first = demo_id("expense", 0)
    if db.session.get(ExpenseClaim, first) is not None:
        return len(CLAIMS)
    manager, finance, cashier = people["manager"], people["finance"], people["cashier"]
    for n, (title, who, items, stop) in enumerate(CLAIMS):
        owner = people[who]
        claim, _ = claim_service.create_claim(owner, {
            "id": demo_id("expense", n), "title": title, "currency": "CNY",
            "items": [{"id": demo_id("expense", n, i), "category": category,
                       "amount": Decimal(amount), "spent_on": today - timedelta(days=ago),
                       "note": note}
                      for i, (category, amount, ago, note) in enumerate(items)]})
        if STOPS[stop] == 0:
            continue
        approval_service.submit_claim(owner, claim)
        deciders = {"lead": None, "manager": manager, "finance": finance}
        while claim.status == "pending":
            if stop == "rejected":
                lead = db.session.get(User, claim.approver_id)
                approval_service.reject_claim(
                    lead, claim, "Please attach the taxi receipts (photos are fine).")
                break
            if claim.step == stop:
                break
            decider = deciders[claim.step] or db.session.get(User, claim.approver_id)
            approval_service.approve_claim(decider, claim, "OK")
        if stop == "paid":
            approval_service.pay_claim(cashier, claim, f"BANK-{n:04d}")
    # Demo history is not news: nobody is pushed about claims decided before they joined.
    db.session.execute(delete(Notification).where(Notification.kind.like("expense_%")))
    db.session.flush()
    return len(CLAIMS)
