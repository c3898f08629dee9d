"""Precomputed daily counts that reports read instead of the raw tables.

Maintained by ``app.services.rollups`` in the same transaction as the writes they count.
"""
import uuid
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# The activity kinds a report counts as "logged" (a task is a to-do, not something done).
LOGGED_KINDS = ("call", "email", "visit", "meeting", "note")
# The counters, in column order.
COUNT_COLUMNS = LOGGED_KINDS + ("followups_done",)


class ActivityDaily(db.Model):
    """Per owner and day (the owner's local date): how many activities of each logged kind
    happened, and how many follow-ups were completed. A row whose counts all went back to
    zero (its activities deleted or moved) may stay; reports skip it."""

    __tablename__ = "activity_daily"

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    call: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    email: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    visit: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    meeting: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    note: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    followups_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        # A report over everyone (a manager's): the period's rows, whoever owns them, with
        # their counters in the index (covering: the report never reads the table). A rep's
        # or a team's report reads the primary key (owner_id, day) instead.
        Index("ix_activity_daily_day_counts", "day", "owner_id", *COUNT_COLUMNS),
    )


# The funnel's counters, in column order.
FUNNEL_COLUMNS = ("entered", "amount_cents", "stay_us", "stays_ended")


class FunnelDaily(db.Model):
    """Per owner, day the deals were created (the owner's local date) and stage: how many of
    those deals entered the stage (each deal once, however often it came back), their
    amount in cents (as the deals stand now, any currency, as the funnel always summed),
    and the stays in the stage that ended: how many, and how long together (microseconds).
    Rows whose deals all moved away stay with zeros; the report skips them."""

    __tablename__ = "funnel_daily"

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stages.id"), primary_key=True)
    entered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    stay_us: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    stays_ended: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        # A funnel over everyone (a manager's): the period's rows from the index alone.
        Index("ix_funnel_daily_day_counts", "day", "owner_id", "stage_id", *FUNNEL_COLUMNS),
    )
