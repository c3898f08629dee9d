"""The pipeline: stages, products with price tiers, opportunities, their lines and the
history of the stages they went through."""
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime, utcnow

STAGE_KINDS = ("open", "won", "lost")
OPPORTUNITY_STATUSES = ("open", "won", "lost")


class Stage(RecordMixin, db.Model):
    __tablename__ = "stages"

    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    probability: Mapped[int] = mapped_column(Integer, nullable=False)
    # "won" and "lost" are the terminal stages; a deal reaches them by win/lose only.
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="open")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (Index("ix_stages_position", "position", "id"),)


class Product(RecordMixin, db.Model):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="CNY")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (Index("ix_products_name", "name", "id"),)


class PriceTier(db.Model):
    """From ``min_qty`` units up, each unit costs ``unit_price``."""

    __tablename__ = "price_tiers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    product_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    min_qty: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)

    __table_args__ = (UniqueConstraint("product_id", "min_qty", name="uq_price_tiers_qty"),)


class Opportunity(RecordMixin, db.Model):
    __tablename__ = "opportunities"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customers.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="CNY")
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stages.id"), nullable=False)
    # None: the stage's probability applies.
    probability_override: Mapped[int | None] = mapped_column(Integer)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="open")
    lost_reason: Mapped[str | None] = mapped_column(String(100))
    lost_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_opportunities_owner_created", "owner_id", "created_at", "id"),
        # Funnel: the period's deals with owner and amount, from the index alone
        Index("ix_opportunities_created", "created_at", "id", "owner_id", "amount"),
        Index("ix_opportunities_customer", "customer_id", "created_at"),
        Index("ix_opportunities_stage", "stage_id", "status"),
        # Reports: the wins of a period, read from the index alone (leaderboard, forecast)
        Index("ix_opportunities_won", "status", "closed_at", "owner_id", "currency", "amount"),
        # Forecast: the open pipeline expected to close in a period, from the index alone
        Index("ix_opportunities_open_close", "status", "expected_close_date", "owner_id",
              "currency", "amount", "probability_override", "stage_id"),
        # The team home: a rep's open deals (stale ones by stage, the pipeline per currency)
        # without reading their won and lost ones.
        Index("ix_opportunities_owner_status", "owner_id", "status", "stage_id", "updated_at",
              "currency", "amount"),
    )


class OpportunityLine(db.Model):
    __tablename__ = "opportunity_lines"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("opportunities.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("products.id"))
    description: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    price_overridden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False,
                                                  default=Decimal(0))
    line_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)

    __table_args__ = (Index("ix_opportunity_lines_opportunity", "opportunity_id", "position"),)


class StageHistory(db.Model):
    """One row per stage an opportunity was in: when it entered and when it left."""

    __tablename__ = "stage_history"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("opportunities.id", ondelete="CASCADE"), nullable=False)
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stages.id"), nullable=False)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))

    __table_args__ = (
        # A deal's stays, per stage, from the index alone (the funnel reads nothing else)
        Index("ix_stage_history_opportunity", "opportunity_id", "stage_id", "entered_at",
              "left_at"),
        Index("ix_stage_history_stage", "stage_id", "entered_at"),
    )
