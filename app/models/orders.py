"""Sales orders (made when a deal is won), their lines, payments, and the per-year counter
behind the human order numbers (SO-2026-00042)."""
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime

ORDER_STATUSES = ("confirmed", "partially_paid", "paid", "cancelled")
PAYMENT_METHODS = ("bank_transfer", "cash", "card", "cheque", "other")


class SalesOrder(RecordMixin, db.Model):
    __tablename__ = "orders"

    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customers.id"), nullable=False)
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("opportunities.id"), unique=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    paid: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="confirmed")
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_orders_owner_created", "owner_id", "created_at", "id"),
        Index("ix_orders_created", "created_at", "id"),
        # RFM: a customer's orders by date.
        Index("ix_orders_customer_ordered", "customer_id", "ordered_at"),
        # Product sales: the period's orders over everyone, and per owner (covering).
        Index("ix_orders_ordered", "ordered_at", "status", "owner_id", "currency", "id"),
        Index("ix_orders_owner_ordered", "owner_id", "ordered_at", "status", "currency", "id"),
    )


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("products.id"))
    description: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    line_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)

    __table_args__ = (
        Index("ix_order_lines_order", "order_id", "position"),
        # Product sales: an order's lines with what the report sums (covering).
        Index("ix_order_lines_sales", "order_id", "product_id", "quantity", "line_total"),
    )


class Payment(RecordMixin, db.Model):
    __tablename__ = "payments"

    order_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orders.id"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(100))
    recorded_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)

    __table_args__ = (
        Index("ix_payments_order", "order_id", "received_at", "id"),
        # Attainment's collected amounts: a period's payments with their amounts and
        # orders (whose owner and currency they count for), from the index alone.
        Index("ix_payments_received", "received_at", "order_id", "amount"),
    )


class OrderCounter(db.Model):
    """The last order number used in a year; bumped by one atomic upsert per order."""

    __tablename__ = "order_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, nullable=False)
