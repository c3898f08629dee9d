"""Test data through the real services (so tests exercise the same rules as the API)."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import Team, User
from app.services import activities as activity_service
from app.services import customers as customer_service
from app.services import users as user_service

PASSWORD = "correct-horse"
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_team(name=None, lead=None) -> Team:
    team, _ = user_service.create_team(None, {"name": name or f"Team {_next()}",
                                              "lead_id": lead.id if lead else None})
    db.session.commit()
    return team


def make_user(role="rep", team=None, name=None, timezone_name="Asia/Shanghai", **extra) -> User:
    n = _next()
    user, _ = user_service.create_user(None, {
        "email": extra.pop("email", f"{role}{n}@test.fieldline"), "name": name or f"{role} {n}",
        "password": PASSWORD, "role": role, "team_id": team.id if team else None,
        "timezone": timezone_name, **extra,
    })
    db.session.commit()
    return user


def make_customer(owner: User, **fields):
    data = {"name": fields.pop("name", f"Customer {_next()}"), **fields}
    customer, _ = customer_service.create_customer(owner, data)
    db.session.commit()
    return customer


def make_contact(owner: User, customer, **fields):
    contact, _ = customer_service.create_contact(
        owner, {"customer_id": customer.id, "name": fields.pop("name", f"Contact {_next()}"),
                **fields})
    db.session.commit()
    return contact


def make_followup(owner: User, customer=None, due_at=None, **fields):
    due_at = due_at or datetime.now(timezone.utc) + timedelta(hours=2)
    activity, _, _ = activity_service.log_activity(owner, {
        "kind": "task", "action": fields.pop("action", "call"),
        "customer_id": customer.id if customer else None, "due_at": due_at, **fields})
    db.session.commit()
    return activity


def make_activity(owner: User, customer=None, **fields):
    activity, followup, _ = activity_service.log_activity(owner, {
        "kind": fields.pop("kind", "visit"), "customer_id": customer.id if customer else None,
        **fields})
    db.session.commit()
    return activity


@dataclass
class World:
    admin: User
    manager: User
    finance: User
    cashier: User
    team_a: Team
    team_b: Team
    lead_a: User
    lead_b: User
    rep_a1: User
    rep_a2: User
    rep_b1: User


def make_world() -> World:
    admin = make_user("admin", name="Admin")
    team_a, team_b = make_team("East"), make_team("West")
    lead_a = make_user("lead", team_a, name="Lead East")
    lead_b = make_user("lead", team_b, name="Lead West")
    user_service.update_team(admin, team_a, {"lead_id": lead_a.id})
    user_service.update_team(admin, team_b, {"lead_id": lead_b.id})
    db.session.commit()
    return World(
        admin=admin, manager=make_user("manager", name="Manager"),
        finance=make_user("finance"), cashier=make_user("cashier"),
        team_a=team_a, team_b=team_b, lead_a=lead_a, lead_b=lead_b,
        rep_a1=make_user("rep", team_a, name="王伟"), rep_a2=make_user("rep", team_a),
        rep_b1=make_user("rep", team_b),
    )


def make_lead(owner: User | None, **fields):
    from app.services import leads as lead_service

    actor = owner or User.query.filter_by(role="admin").first()
    data = {"name": fields.pop("name", f"Lead {_next()}"), **fields}
    if owner is None:
        data["pool"] = True
    lead, _ = lead_service.create_lead(actor, data)
    db.session.commit()
    return lead


def make_product(sku=None, unit_price="100.00", tiers=(), **fields):
    from decimal import Decimal

    from app.services import catalogue as catalogue_service

    admin = User.query.filter_by(role="admin").first()
    product, _ = catalogue_service.create_product(admin, {
        "sku": sku or f"SKU-{_next()}", "name": fields.pop("name", f"Product {_next()}"),
        "unit_price": Decimal(unit_price),
        "price_tiers": [{"min_qty": Decimal(q), "unit_price": Decimal(p)} for q, p in tiers],
        **fields})
    db.session.commit()
    return product


def make_opportunity(owner: User, customer=None, **fields):
    from app.services import opportunities as opportunity_service

    customer = customer or make_customer(owner)
    opportunity, _ = opportunity_service.create_opportunity(owner, {
        "customer_id": customer.id, "name": fields.pop("name", f"Deal {_next()}"), **fields})
    db.session.commit()
    return opportunity


def win_deal(owner: User, customer=None, closed_at=None, **fields):
    """A won opportunity and the order winning made (committed); ``closed_at`` moves the
    win to another moment (the reports' periods)."""
    from app.models import Opportunity
    from app.services import opportunities as opportunity_service

    opportunity = make_opportunity(owner, customer, **fields)
    _, order = opportunity_service.win_opportunity(owner, opportunity)
    db.session.commit()
    if closed_at is not None:
        db.session.execute(Opportunity.__table__.update()
                           .where(Opportunity.id == opportunity.id).values(closed_at=closed_at))
        db.session.commit()
    return opportunity, order
