"""People, teams and how they sign in (browser sessions and integration tokens)."""
import uuid
from datetime import datetime, time

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Time, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import RecordMixin, UTCDateTime, utcnow

ROLES = ("rep", "lead", "manager", "finance", "cashier", "admin")
LOCALES = ("en", "zh-CN")


class Team(RecordMixin, db.Model):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", use_alter=True, name="fk_teams_lead_id"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("teams.id"))


class User(RecordMixin, UserMixin, db.Model):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="rep")
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("teams.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Shanghai")
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Push reminders: how long before a follow-up is due, and the hours (in the user's
    # timezone) when nothing is sent; start == end means no quiet hours.
    reminder_lead_minutes: Mapped[int] = mapped_column(
        Integer, nullable=False, default=15, server_default="15")
    quiet_hours_start: Mapped[time] = mapped_column(
        Time, nullable=False, default=time(21, 0), server_default="21:00:00")
    quiet_hours_end: Mapped[time] = mapped_column(
        Time, nullable=False, default=time(8, 0), server_default="08:00:00")
    # When whose records this user sees last changed (a rep joined or left a team they
    # lead, they took or gave up a team, their role changed): the offline book of a phone
    # synced before then is downloaded again (app.services.customer_sync).
    scope_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id], lazy="raise")

    __table_args__ = (Index("ix_users_name", "name", "id"),)  # the user list's order

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return str(self.id)


class UserSession(db.Model):
    """A signed-in browser. The cookie holds a random token; only its hash is stored,
    so a database leak does not hand out sessions. A new row per sign-in rotates the id."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    user_agent: Mapped[str | None] = mapped_column(String(255))


class ApiToken(db.Model):
    """A bearer token for an integration; the secret is shown once, only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)
