"""The customer card: the customer with its contacts (each with its latest activity, for
the decision chain), open follow-ups and recent timeline."""
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, union_all

from app.extensions import db
from app.models import Activity, Contact, User
from app.services.customers import CustomerWithRfm, get_customer_with_owner
from app.services.records import read_of

TIMELINE_SIZE = 30
OPEN_FOLLOWUPS_SHOWN = 50


@dataclass(frozen=True)
class CardContact:
    """A contact as the card shows it: its columns, and when it was last talked to."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    customer_id: uuid.UUID
    name: str
    title: str | None
    phone: str | None
    phone_e164: str | None
    mobile: str | None
    mobile_e164: str | None
    email: str | None
    role: str | None
    reports_to_id: uuid.UUID | None
    notes: str | None
    last_activity_at: datetime | None


@dataclass(frozen=True)
class CustomerCard(CustomerWithRfm):
    contacts: list[CardContact]
    followups: list[Activity]
    timeline: list[Activity]


def _contacts(customer_id: uuid.UUID) -> list[CardContact]:
    """The customer's contacts, each with the time of its latest activity not deleted: a
    subquery correlated on the contact, one descent of ix_activities_contact_occurred per
    contact inside the one statement (no statement per contact, no GROUP BY over their
    whole histories)."""
    latest = (select(func.max(Activity.occurred_at))
              .where(Activity.contact_id == Contact.id, Activity.deleted_at.is_(None))
              .scalar_subquery())
    rows = db.session.execute(
        select(Contact, latest)
        .where(Contact.customer_id == customer_id, Contact.deleted_at.is_(None))
        .order_by(Contact.name, Contact.id)
    ).all()
    return [read_of(CardContact, contact, last_activity_at=at) for contact, at in rows]


def customer_detail(actor: User, customer_id: uuid.UUID) -> CustomerCard:
    """The customer card: record, contacts, open follow-ups and recent timeline.

    Four statements at most, whatever the customer's history: owner join, contacts, and one
    UNION for follow-ups plus timeline (the fourth is the session lookup done by auth).
    """
    customer = get_customer_with_owner(actor, customer_id)
    contacts = _contacts(customer.id)
    open_q = (
        select(Activity.id)
        .where(Activity.customer_id == customer.id, Activity.deleted_at.is_(None),
               Activity.due_at.is_not(None), Activity.done_at.is_(None))
        .order_by(Activity.due_at, Activity.id)
        .limit(OPEN_FOLLOWUPS_SHOWN)
    )
    timeline_q = (
        select(Activity.id)
        .where(Activity.customer_id == customer.id, Activity.deleted_at.is_(None),
               or_(Activity.due_at.is_(None), Activity.done_at.is_not(None)))
        .order_by(Activity.occurred_at.desc().nulls_last(), Activity.id.desc())
        .limit(TIMELINE_SIZE)
    )
    ids = union_all(select(open_q.subquery().c.id),
                    select(timeline_q.subquery().c.id)).subquery()
    activities = db.session.scalars(
        select(Activity).where(Activity.id.in_(select(ids.c.id)))
    ).all()
    followups = sorted((a for a in activities if a.is_open_followup), key=lambda a: a.due_at)
    timeline = sorted(
        (a for a in activities if not a.is_open_followup),
        key=lambda a: (a.occurred_at or a.created_at), reverse=True,
    )
    return CustomerCard(**vars(customer), contacts=contacts, followups=followups,
                        timeline=timeline)
