"""Sales orders and their payments. An order is made when a deal is won (deals service);
here: its number, reading it, cancelling it, and taking payments."""
import uuid
from zoneinfo import ZoneInfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.services.scoping import owner_scope, visible_orders
from app.extensions import db
from app.models import (
    Customer, OpportunityLine, OrderCounter, OrderLine, Payment, SalesOrder, User,
)
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, Text
from app.services.pagination import keyset_page
from app.services.records import check_version, find_replay, new_id, read_of, where_equal

PAYMENT_ROLES = ("finance", "manager", "admin")
CANCEL_ROLES = ("finance", "manager", "admin")


def next_order_number(year: int) -> str:
    """``SO-<year>-<n>``: one atomic upsert on the year's counter row. Concurrent wins wait
    for each other's row lock (PostgreSQL) or the write lock (SQLite), so no number is ever
    handed out twice."""
    table = OrderCounter.__table__
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (insert(table).values(year=year, last=1)
                 .on_conflict_do_update(index_elements=[table.c.year],
                                        set_={"last": table.c.last + 1})
                 .returning(table.c.last))
    seq = db.session.execute(statement).scalar_one()
    return f"SO-{year}-{seq:05d}"


def _status(order: SalesOrder) -> str:
    if order.status == "cancelled":
        return "cancelled"
    if order.paid <= 0:
        return "confirmed"
    return "paid" if order.paid >= order.total else "partially_paid"


def create_order_for(actor: User, opportunity, lines: list[OpportunityLine]) -> SalesOrder:
    """The order of a won deal: its lines copied, or one line for the amount."""
    now = utcnow()
    # The year on the number is the one where the deal was won: 1 January 00:30 in
    # Shanghai is SO-2027-..., though it is still 2026 in UTC.
    year = now.astimezone(ZoneInfo(actor.timezone)).year
    order = SalesOrder(
        id=uuid.uuid4(), number=next_order_number(year), customer_id=opportunity.customer_id,
        opportunity_id=opportunity.id, owner_id=opportunity.owner_id,
        currency=opportunity.currency, total=opportunity.amount, paid=Decimal(0),
        status="confirmed", ordered_at=now, version=1)
    db.session.add(order)
    db.session.flush()
    if lines:
        for line in lines:
            db.session.add(OrderLine(
                id=uuid.uuid4(), order_id=order.id, position=line.position,
                product_id=line.product_id, description=line.description,
                quantity=line.quantity, unit_price=line.unit_price,
                discount_pct=line.discount_pct, line_total=line.line_total))
    else:
        db.session.add(OrderLine(id=uuid.uuid4(), order_id=order.id, position=0,
                                 description=opportunity.name, quantity=Decimal(1),
                                 unit_price=opportunity.amount, discount_pct=Decimal(0),
                                 line_total=opportunity.amount))
    record_audit(actor, "order", order.id, "created",
                 {"number": (None, order.number), "total": (None, order.total)})
    db.session.flush()
    return order


def get_order(actor: User, order_id: uuid.UUID) -> SalesOrder:
    order = db.session.scalar(visible_orders(select(SalesOrder), actor)
                              .where(SalesOrder.id == order_id))
    if order is None:
        raise NotFound("Order not found.")
    return order


@dataclass(frozen=True)
class OrderRead:
    """An order as the API shows it: its columns and its customer's name."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    number: str
    customer_id: uuid.UUID
    customer_name: str
    opportunity_id: uuid.UUID | None
    owner_id: uuid.UUID
    currency: str
    total: Decimal
    paid: Decimal
    status: str
    ordered_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True)
class OrderDetail(OrderRead):
    lines: list[OrderLine]
    payments: list[Payment]


def order_detail(actor: User, order_id: uuid.UUID) -> OrderDetail:
    row = db.session.execute(
        visible_orders(select(SalesOrder, Customer.name), actor)
        .join(Customer, Customer.id == SalesOrder.customer_id)
        .where(SalesOrder.id == order_id)).first()
    if row is None:
        raise NotFound("Order not found.")
    order, customer_name = row
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)
                               .order_by(OrderLine.position)).all()
    payments = db.session.scalars(select(Payment).where(Payment.order_id == order.id)
                                  .order_by(Payment.received_at, Payment.id)).all()
    return read_of(OrderDetail, order, customer_name=customer_name, lines=lines,
                   payments=payments)


def list_orders(actor: User, filters: dict, limit: int, cursor: str | None):
    in_scope = where_equal(visible_orders(select(SalesOrder.id), actor), SalesOrder, filters,
                           ("customer_id", "status", "opportunity_id"))
    query = select(SalesOrder, Customer.name).join(
        Customer, Customer.id == SalesOrder.customer_id)
    rows, next_cursor = keyset_page(query, (SalesOrder.created_at, SalesOrder.id), limit,
                                    cursor, descending=True, among=in_scope)
    return [read_of(OrderRead, order, customer_name=name) for order, name in rows], next_cursor


def _may_take_payments(actor: User, order: SalesOrder) -> bool:
    if actor.role in PAYMENT_ROLES or order.owner_id == actor.id:
        return True
    return actor.role == "lead" and db.session.scalar(
        select(SalesOrder.id).where(SalesOrder.id == order.id,
                                    owner_scope(actor, SalesOrder.owner_id))) is not None


def add_payment(actor: User, order: SalesOrder, data: dict) -> tuple[Payment, bool]:
    """A payment against an order (finance, or the order's owner). Never more than is
    outstanding, never on a cancelled order. The order row is locked while it is checked."""
    existing = find_replay(Payment, data.get("id"),
                           lambda p: p.order_id == order.id and p.recorded_by == actor.id)
    if existing is not None:
        return existing, False
    if not _may_take_payments(actor, order):
        raise Forbidden("Only finance or the order's owner can record payments.")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(SalesOrder.id).where(SalesOrder.id == order.id)
                           .with_for_update())
        db.session.refresh(order)
    if order.status == "cancelled":
        raise Conflict("A cancelled order takes no payments.")
    outstanding = f"{order.total - order.paid:.2f}"
    amount = data["amount"]
    if amount <= 0:
        raise Invalid({"amount": ["Must be more than zero."]})
    if amount > order.total - order.paid:
        raise Invalid({"amount": [Text("More than the {outstanding} outstanding.",
                                      outstanding=outstanding)]})
    payment = Payment(id=new_id(data.get("id")), order_id=order.id, amount=amount,
                      received_at=data.get("received_at") or utcnow(), method=data["method"],
                      reference=data.get("reference"), recorded_by=actor.id, version=1)
    db.session.add(payment)
    old_status = order.status
    order.paid = order.paid + amount
    order.status = _status(order)
    record_audit(actor, "order", order.id, "payment_added",
                 {"paid": (order.paid - amount, order.paid), "status": (old_status, order.status)})
    db.session.flush()
    return payment, True


def cancel_order(actor: User, order: SalesOrder, expected_version=None) -> SalesOrder:
    if actor.role not in CANCEL_ROLES:
        raise Forbidden("Only finance, a manager or an administrator can cancel an order.")
    check_version(order, expected_version)
    if order.status == "cancelled":
        return order
    if order.paid > 0:
        raise Conflict("An order with payments cannot be cancelled.")
    old = order.status
    order.status, order.cancelled_at = "cancelled", utcnow()
    record_audit(actor, "order", order.id, "cancelled", {"status": (old, "cancelled")})
    db.session.flush()
    return order


def list_payments(actor: User, order: SalesOrder, limit: int, cursor: str | None):
    return keyset_page(select(Payment).where(Payment.order_id == order.id),
                       (Payment.received_at, Payment.id), limit, cursor)


# RFM: how a customer buys, for the customer card and list ------------------------------------

RFM_SEGMENTS = ("champion", "loyal", "at risk", "new", "dormant")


def rfm_columns(customer_id, now=None):
    """A customer's buying, as four scalar subqueries correlated on ``customer_id`` (the
    customer query's id column), over its orders that were not cancelled: last and first
    order time, orders and revenue in the last 12 months.

    Each is a range of ix_orders_customer_ordered for that one customer, evaluated for the
    rows the customer query returns (a page of the list, the card), so its cost is the
    page's orders, never the company's: no GROUP BY over every order, and nothing to keep
    up to date (a precomputed row would slide out of date every day as the 12 months move).
    """
    from sqlalchemy import func

    now = now or utcnow()
    year_ago = now - timedelta(days=365)

    def over(aggregate, *conditions):
        return (select(aggregate)
                .where(SalesOrder.customer_id == customer_id,
                       SalesOrder.status != "cancelled", *conditions)
                .scalar_subquery())

    recent = SalesOrder.ordered_at >= year_ago
    return (over(func.max(SalesOrder.ordered_at)).label("last_order_at"),
            over(func.min(SalesOrder.ordered_at)).label("first_order_at"),
            over(func.count(), recent).label("orders_12m"),
            over(func.coalesce(func.sum(SalesOrder.total), 0), recent).label("revenue_12m"))


def rfm_segment(last_order_at, first_order_at, orders_12m, now=None) -> str | None:
    """First match wins: *dormant* (no order in 12 months), *new* (first order in the last
    90 days), *champion* (ordered in the last 90 days and 3+ orders in 12 months), *at
    risk* (last order over 180 days ago), else *loyal*. No orders at all: no segment."""
    if last_order_at is None:
        return None
    now = now or utcnow()
    if last_order_at < now - timedelta(days=365):
        return "dormant"
    if first_order_at >= now - timedelta(days=90):
        return "new"
    if last_order_at >= now - timedelta(days=90) and orders_12m >= 3:
        return "champion"
    if last_order_at < now - timedelta(days=180):
        return "at risk"
    return "loyal"


def rfm_values(last_order_at, first_order_at, orders_12m, revenue_12m, now=None) -> dict:
    """The RFM figures of ``rfm_columns`` and their segment, by read-model field name."""
    return {"last_order_at": last_order_at, "orders_12m": orders_12m or 0,
            "revenue_12m": Decimal(revenue_12m or 0).quantize(Decimal("0.01")),
            "rfm_segment": rfm_segment(last_order_at, first_order_at, orders_12m or 0, now)}
