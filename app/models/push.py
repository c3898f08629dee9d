"""Web Push: the devices a user turned reminders on for, what to tell the user and when
(notifications), and each attempt to tell one device (deliveries)."""
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

NOTIFICATION_STATUSES = ("scheduled", "dispatched", "cancelled", "no_device")
DELIVERY_STATUSES = ("pending", "retry", "sent", "gone", "failed", "cancelled")


class PushSubscription(db.Model):
    """One browser on one device (``PushSubscription.toJSON()``), owned by a user."""

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    endpoint: Mapped[str] = mapped_column(Text, nullable=False)
    # sha256 of the endpoint: unique, and short enough for any index
    endpoint_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    p256dh: Mapped[str] = mapped_column(String(200), nullable=False)
    auth: Mapped[str] = mapped_column(String(100), nullable=False)
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)


class Notification(db.Model):
    """Something to tell one user at ``send_at``: a follow-up reminder, the morning digest,
    or a notice from a workflow (a lead recycled, a claim waiting for approval).

    The words are rendered when it is dispatched, in the user's language at that moment,
    from ``kind`` and ``params`` (reminders: from the follow-up as it is then).
    ``dedupe_key`` makes scheduling idempotent: one reminder per follow-up and due time,
    one digest per user and day.
    """

    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    activity_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("activities.id", ondelete="CASCADE"))
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    url: Mapped[str] = mapped_column(String(300), nullable=False, default="/today")
    # Notification actions the service worker can run: [{action, method, url, body}]
    actions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="scheduled")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # The dispatcher's claim: scheduled rows by send time.
        Index("ix_notifications_due", "send_at",
              sqlite_where=text("status = 'scheduled'"),
              postgresql_where=text("status = 'scheduled'")),
        Index("ix_notifications_activity", "activity_id"),
        Index("ix_notifications_user", "user_id", "send_at"),
    )


class PushDelivery(db.Model):
    """One notification to one device: claimed by a worker, retried with backoff."""

    __tablename__ = "push_deliveries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    notification_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("push_subscriptions.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # A worker that claimed this delivery owns it until then; a killed worker's claims
    # simply expire and another worker takes them.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("notification_id", "subscription_id"),
        Index("ix_push_deliveries_due", "next_attempt_at",
              sqlite_where=text("status IN ('pending', 'retry')"),
              postgresql_where=text("status IN ('pending', 'retry')")),
        Index("ix_push_deliveries_subscription", "subscription_id"),
    )
