"""The demo company's sales data: there, consistent, and loaded once."""
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import (
    Lead, Opportunity, OpportunityLine, OrderCounter, OrderLine, Payment, PriceTier, Product,
    SalesOrder, Stage, StageHistory,
)
from app.demo.company import seed_demo


def _counts():
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Lead, Product, Opportunity, SalesOrder, Payment, Stage)}


def test_demo_sales_are_loaded_once(app):
    seed_demo()
    counts = _counts()
    assert counts == {"leads": 20, "products": 5, "opportunities": 35, "orders": 7,
                      "payments": 11, "stages": 6}
    assert db.session.scalar(select(func.count()).select_from(Lead)
                             .where(Lead.owner_id.is_(None))) == 6
    statuses = dict(db.session.execute(select(Opportunity.status, func.count())
                                       .group_by(Opportunity.status)).all())
    assert statuses == {"open": 21, "won": 7, "lost": 7}
    paid = dict(db.session.execute(select(SalesOrder.status, func.count())
                                   .group_by(SalesOrder.status)).all())
    assert paid == {"paid": 4, "partially_paid": 3}
    for order in db.session.scalars(select(SalesOrder)):
        assert order.paid == sum(p.amount for p in db.session.scalars(
            select(Payment).where(Payment.order_id == order.id)))
    seed_demo()
    assert _counts() == counts


def test_a_demo_loaded_before_sales_gets_them_on_the_next_run(app):
    seed_demo()
    for model in (Payment, OrderLine, SalesOrder, OrderCounter, StageHistory, OpportunityLine,
                  Lead, Opportunity, PriceTier, Product, Stage):
        db.session.execute(delete(model))
    db.session.commit()
    assert "already loaded" in seed_demo()
    assert _counts()["opportunities"] == 35
