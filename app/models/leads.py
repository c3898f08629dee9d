"""Leads: people who might buy, before they are customers. Unowned open leads are the pool."""
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime
from app.models.customers import CREATED

LEAD_STATUSES = ("open", "converted", "disqualified")
LEAD_SOURCES = ("referral", "trade_show", "website", "inbound_call", "partner", "cold_call",
                "other")


class Lead(RecordMixin, db.Model):
    __tablename__ = "leads"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    company: Mapped[str | None] = mapped_column(String(200))
    # Normalised like customers (services.normalize) for the duplicate check.
    company_norm: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_norm: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    # When the current owner took it (claim, assign, create): recycling counts from the
    # later of this and the last activity.
    owned_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activity_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("customers.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("contacts.id"))
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("opportunities.id"))

    __table_args__ = (
        # "Mine" (and a lead's team): by owner, newest first.
        Index("ix_leads_owner_created", "owner_id", "status", "created_at", "id"),
        # The pool: open and unowned, newest first.
        Index("ix_leads_pool", "created_at", "id",
              sqlite_where=text("owner_id IS NULL AND status = 'open'"),
              postgresql_where=text("owner_id IS NULL AND status = 'open'")),
        Index("ix_leads_created", "created_at", "id"),
        # Lead intake: the period's leads over everyone, and per owner (covering).
        # Partial on CREATED, which only the report names (no lead list reads them).
        Index("ix_leads_intake", "created_at", "source", "status", "owner_id",
              sqlite_where=text(CREATED), postgresql_where=text(CREATED)),
        Index("ix_leads_owner_intake", "owner_id", "created_at", "source", "status",
              sqlite_where=text(CREATED), postgresql_where=text(CREATED)),
        Index("ix_leads_company", "company_norm"),
        Index("ix_leads_phone", "phone_e164"),
        Index("ix_leads_email", "email_norm"),
    )
