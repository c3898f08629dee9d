"""Calls, visits, notes, and follow-ups (a task with a due time)."""
import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime

ACTIVITY_KINDS = ("call", "email", "visit", "meeting", "note", "task")
CHECKIN_STATUSES = ("verified", "far", "unverified")
FOLLOWUP_ACTIONS = ("call", "email", "visit", "meeting", "task")
OPEN_FOLLOWUP = "done_at IS NULL AND deleted_at IS NULL AND due_at IS NOT NULL"
DONE_FOLLOWUP = "done_at IS NOT NULL"


class Activity(RecordMixin, db.Model):
    __tablename__ = "activities"

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # For a follow-up: what to do when it is due (call, visit, ...).
    action: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("customers.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("contacts.id"))
    # Opportunities arrive with the lead-to-cash work; the column is ready for them.
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # A call or visit with a lead (before it is a customer): moves its score and recycling.
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("leads.id", name="fk_activities_lead_id"))
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[int | None] = mapped_column(Integer)
    # A visit's check-in: verified, far or unverified (services.visits); None otherwise.
    checkin_status: Mapped[str | None] = mapped_column(String(12))
    followup_of: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("activities.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Agenda: a user's open follow-ups by due time.
        Index(
            "ix_activities_open_followups", "owner_id", "due_at",
            sqlite_where=text(OPEN_FOLLOWUP),
            postgresql_where=text(OPEN_FOLLOWUP),
        ),
        # Open follow-ups per customer: the card's list, and near me's counts (an index
        # of the open ones only, so a count reads nothing else).
        Index(
            "ix_activities_customer_open_followups", "customer_id", "due_at",
            sqlite_where=text(OPEN_FOLLOWUP),
            postgresql_where=text(OPEN_FOLLOWUP),
        ),
        # Customer timeline (by occurred_at) and the activity lists (by created_at).
        Index("ix_activities_customer_occurred", "customer_id", "occurred_at", "id"),
        Index("ix_activities_customer_created", "customer_id", "created_at", "id"),
        Index("ix_activities_owner_created", "owner_id", "created_at", "id"),
        Index("ix_activities_created", "created_at", "id"),
        Index("ix_activities_lead", "lead_id", "occurred_at"),
        # A customer's latest visit (its last_visit_at), and the latest activity with each
        # of its contacts (the decision chain on the card, a deal's roles). Read from the
        # newest end, so the rare deleted row costs a step, not a predicate: a partial index
        # (on kind = 'visit' or deleted_at IS NULL) is never matched by a query's kind = ?
        # parameter, and planners took one for whole-index scans of other queries.
        Index("ix_activities_customer_kind", "customer_id", "kind", "occurred_at"),
        Index("ix_activities_contact_occurred", "contact_id", "occurred_at"),
        # A rep's day for their lead (services.team_home): the visits they logged that day,
        # and the follow-ups they completed (partial: only done ones are in it).
        Index("ix_activities_owner_kind", "owner_id", "kind", "occurred_at"),
        Index("ix_activities_owner_done", "owner_id", "done_at",
              sqlite_where=text(DONE_FOLLOWUP), postgresql_where=text(DONE_FOLLOWUP)),
    )

    @property
    def location(self) -> dict | None:
        if self.lat is None or self.lng is None:
            return None
        return {"lat": self.lat, "lng": self.lng, "accuracy": self.accuracy}

    @property
    def is_open_followup(self) -> bool:
        return self.due_at is not None and self.done_at is None
