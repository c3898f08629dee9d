"""A rep's plan for one day: where the day starts and ends, and the stops in order."""
import uuid
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime

UNPLANNED_REASONS = ("no_location", "no_fit")
TRAVEL_SOURCES = ("straight_line", "osrm")
PLACE_KINDS = ("home", "office")


class DayPlan(RecordMixin, db.Model):
    """One per owner and local date. The start and end points are copied in (a saved home
    or office point can move later without moving an old plan). The figures are those of
    the stops' current order: the optimiser's, or recomputed when the order was changed by
    hand."""

    __tablename__ = "day_plans"

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    start_lat: Mapped[float | None] = mapped_column(Float)
    start_lng: Mapped[float | None] = mapped_column(Float)
    start_label: Mapped[str | None] = mapped_column(String(120))
    end_lat: Mapped[float | None] = mapped_column(Float)
    end_lng: Mapped[float | None] = mapped_column(Float)
    end_label: Mapped[str | None] = mapped_column(String(120))
    # When the rep means to leave the start point (None: the company's workday start).
    depart_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    optimised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The timeline of the current order: when the rep leaves and is done (at the end point,
    # or at the last stop), and the distance driven.
    leave_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_distance_m: Mapped[int | None] = mapped_column(Integer)
    total_travel_min: Mapped[int | None] = mapped_column(Integer)
    travel_source: Mapped[str | None] = mapped_column(String(16))  # one of TRAVEL_SOURCES

    __table_args__ = (Index("ix_day_plans_owner_day", "owner_id", "day", unique=True),)


class PlanStop(db.Model):
    """A stop of a plan, at its position. ``arrive_by`` makes it a fixed appointment."""

    __tablename__ = "plan_stops"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("day_plans.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customers.id"), nullable=False)
    followup_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("activities.id"))
    arrive_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_min: Mapped[int] = mapped_column(Integer, nullable=False)
    # The timeline of the plan's order: when the visit starts (after any wait for an
    # appointment), the leg from the previous point; None when the stop is not planned.
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distance_m: Mapped[int | None] = mapped_column(Integer)
    travel_min: Mapped[int | None] = mapped_column(Integer)
    unplanned: Mapped[str | None] = mapped_column(String(16))  # one of UNPLANNED_REASONS

    __table_args__ = (Index("ix_plan_stops_plan_position", "plan_id", "position", unique=True),)



class SavedPlace(db.Model):
    """A user's saved point (home, office) a day plan can start or end at. Its own table,
    not columns on users: private to the user, and read only when planning."""

    __tablename__ = "saved_places"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # one of PLACE_KINDS
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lng: Mapped[float] = mapped_column(Float, nullable=False)
    label: Mapped[str | None] = mapped_column(String(120))
