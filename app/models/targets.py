"""Targets: what a person or a team should reach in a month, per metric.

Quarters and years are sums of months, never stored. Count metrics (visits, ...) keep
whole numbers in ``value``; money metrics have a currency. ``currency`` is "" for count
metrics (not NULL), so the unique indexes hold for them too: NULLs never collide.
"""
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint, Date, ForeignKey, Index, Numeric, String, Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import RecordMixin

MONEY_METRICS = ("won_amount", "collected_amount")
COUNT_METRICS = ("new_customers", "visits", "activities")
METRICS = MONEY_METRICS + COUNT_METRICS


class Target(RecordMixin, db.Model):
    __tablename__ = "targets"

    metric: Mapped[str] = mapped_column(String(24), nullable=False)
    # The month, as its first day.
    period: Mapped[date] = mapped_column(Date, nullable=False)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("teams.id"))
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    stretch: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="")

    __table_args__ = (
        CheckConstraint("(owner_id IS NULL) <> (team_id IS NULL)", name="ck_targets_subject"),
        # One target per metric, month, person (or team) and currency; also how the
        # attainment report reads a period's targets of the people (teams) in scope.
        Index("ux_targets_owner", "owner_id", "period", "metric", "currency", unique=True),
        Index("ux_targets_team", "team_id", "period", "metric", "currency", unique=True),
        # The list (a manager's, over everyone): keyset on (period, id).
        Index("ix_targets_period", "period", "id"),
    )
