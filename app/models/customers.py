"""Customers (accounts) and the people we talk to there."""
import uuid
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime

CUSTOMER_STATUSES = ("prospect", "active", "inactive")
CONTACT_ROLES = ("decision_maker", "influencer", "champion", "user", "gatekeeper", "other")
# A pin ("this customer is here") from a phone less sure of its position is refused.
PIN_MAX_ACCURACY_M = 100
# The rows the partial indexes hold: customers not deleted (and, for the map, placed).
# updated_at > SYNC_FLOOR is always true (no change is that old); only a query naming it, the
# delta sync's, may use the sync indexes: SQLite would otherwise read a team lead's list by
# name from the (owner_id, updated_at) index as readily as from (owner_id, name_norm).
SYNC_FLOOR = "'1900-01-01'"
SYNCED = f"deleted_at IS NULL AND updated_at > {SYNC_FLOOR}"
LOCATED = "deleted_at IS NULL AND lat IS NOT NULL AND lng IS NOT NULL"
# created_at > SYNC_FLOOR, true of every row the same way: only the reports that name it
# (new customers and new leads of a period) may use their (owner_id, created_at) indexes;
# SQLite would otherwise read a lead's customer list from one and sort the whole team.
CREATED = f"created_at > {SYNC_FLOOR}"


class Customer(RecordMixin, db.Model):
    __tablename__ = "customers"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Normalised copies for search and duplicate detection (services.normalize).
    name_norm: Mapped[str] = mapped_column(String(200), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_norm: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    industry: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(100))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="prospect")
    tags: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Visit cadence: days between visits (None: the company's default for its RFM segment)
    # and the latest visit's time, kept by services.visits in the visit's transaction.
    visit_interval_days: Mapped[int | None] = mapped_column(Integer)
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A pin: how sure the phone was of lat/lng (metres) and when they were set.
    location_accuracy: Mapped[float | None] = mapped_column(Float)
    located_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # The list: scoped by owner, ordered by name, keyset on (name_norm, id).
        Index("ix_customers_owner_name", "owner_id", "name_norm", "id"),
        Index("ix_customers_name", "name_norm", "id"),
        Index("ix_customers_phone", "phone_e164"),
        Index("ix_customers_email", "email_norm"),
        # Near me (services.customer_geo): a bounding box, a lat range with lng filtered in
        # the index, per owner (reps, leads) or company-wide (managers). deleted_at (always
        # NULL here) only so SQLite sees the index covers the query and never reads a row.
        Index("ix_customers_owner_geo", "owner_id", "lat", "lng", "id", "deleted_at",
              sqlite_where=text(LOCATED), postgresql_where=text(LOCATED)),
        Index("ix_customers_geo", "lat", "lng", "id", "deleted_at",
              sqlite_where=text(LOCATED), postgresql_where=text(LOCATED)),
        # Delta sync (services.customer_sync): changed since, keyset on (updated_at, id).
        Index("ix_customers_owner_updated", "owner_id", "updated_at", "id",
              sqlite_where=text(SYNCED), postgresql_where=text(SYNCED)),
        Index("ix_customers_updated", "updated_at", "id",
              sqlite_where=text(SYNCED), postgresql_where=text(SYNCED)),
        # Attainment's new customers: each owner's range of the period's new customers, from
        # the index alone.
        Index("ix_customers_owner_created", "owner_id", "created_at", "deleted_at",
              sqlite_where=text(CREATED), postgresql_where=text(CREATED)),
    )


class CustomerRemoval(db.Model):
    """A customer left ``owner_id``'s book at ``removed_at``: deleted, or given to someone
    else. The delta sync tells the phones of that owner (and of whoever saw the book
    through them) to drop it; without a row like this a reassignment is invisible to the
    rep who lost the customer. Written by services.customer_sync in the write's flush."""

    __tablename__ = "customer_removals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customers.id"), nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_customer_removals_owner", "owner_id", "removed_at", "customer_id"),
        Index("ix_customer_removals_removed", "removed_at", "customer_id"),
    )


class Contact(RecordMixin, db.Model):
    __tablename__ = "contacts"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customers.id"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    mobile: Mapped[str | None] = mapped_column(String(40))
    mobile_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_norm: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(20))
    reports_to_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("contacts.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_contacts_customer_name", "customer_id", "name", "id"),
        Index("ix_contacts_name", "name", "id"),
        Index("ix_contacts_phone", "phone_e164"),
        Index("ix_contacts_mobile", "mobile_e164"),
        Index("ix_contacts_email", "email_norm"),
    )
