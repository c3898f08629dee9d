"""Reading leads: the lists (mine, the pool), a lead's score, and likely duplicates."""
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Lead, User
from app.models.base import utcnow
from app.services.customers import duplicate_keys, key_conditions
from app.services.customers import find_duplicates as find_customer_duplicates
from app.services.pagination import keyset_page
from app.services.records import read_of
from app.services.scoping import owner_scope
from app.services.search import leads_matching

# Score: explainable points, 100 at most.
SOURCE_POINTS = {"referral": 30, "inbound_call": 25, "trade_show": 20, "partner": 20,
                 "website": 15, "cold_call": 5, "other": 5}
COMPLETENESS_POINTS = {"phone": 10, "email": 10, "company": 10}
RECENCY_POINTS = ((3, 20), (7, 10), (30, 5))  # (within days, points)
POINTS_PER_ACTIVITY, MAX_ACTIVITY_POINTS = 5, 20


@dataclass(frozen=True)
class LeadRead:
    """A lead as the API shows it: its columns and its owner's name."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    name: str
    company: str | None
    phone: str | None
    phone_e164: str | None
    email: str | None
    title: str | None
    city: str | None
    source: str | None
    notes: str | None
    status: str
    owner_id: uuid.UUID | None
    owner_name: str | None
    owned_since: datetime | None
    last_activity_at: datetime | None
    activity_count: int
    converted_at: datetime | None
    customer_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None


def lead_read(lead: Lead) -> LeadRead:
    """One lead's read model (its owner's name: one statement, or none in the pool)."""
    name = db.session.scalar(select(User.name).where(User.id == lead.owner_id)) \
        if lead.owner_id else None
    return read_of(LeadRead, lead, owner_name=name)


def score(lead: Lead, now: datetime | None = None) -> tuple[int, list[dict]]:
    """0-100 and the points behind it: source, contact data, recency and count of activity."""
    now = now or utcnow()
    breakdown = [{"factor": "source", "points": SOURCE_POINTS.get(lead.source or "", 0),
                  "max": max(SOURCE_POINTS.values()), "detail": lead.source}]
    for field, points in COMPLETENESS_POINTS.items():
        breakdown.append({"factor": field, "points": points if getattr(lead, field) else 0,
                          "max": points, "detail": None})
    recency, days = 0, None
    if lead.last_activity_at is not None:
        days = max(0, (now - lead.last_activity_at).days)
        recency = next((p for within, p in RECENCY_POINTS if days <= within), 0)
    breakdown.append({"factor": "recency", "points": recency, "max": RECENCY_POINTS[0][1],
                      "detail": None if days is None else f"{days}d"})
    breakdown.append({"factor": "activities",
                      "points": min(MAX_ACTIVITY_POINTS, POINTS_PER_ACTIVITY * lead.activity_count),
                      "max": MAX_ACTIVITY_POINTS, "detail": str(lead.activity_count)})
    return min(100, sum(item["points"] for item in breakdown)), breakdown


def list_leads(actor: User, pool: bool, q: str | None, status: str | None, limit: int,
               cursor: str | None):
    if pool:
        in_scope = select(Lead.id).where(Lead.owner_id.is_(None), Lead.status == "open")
    else:
        # The pool part of visible_leads never matches an owned lead: left out, so the
        # owners' (owner, created) index ranges are read in order and stop at the page.
        in_scope = select(Lead.id).where(Lead.owner_id.is_not(None),
                                         owner_scope(actor, Lead.owner_id))
        if status:
            in_scope = in_scope.where(Lead.status == status)
    searching = bool(q and q.strip())
    if searching:
        in_scope = in_scope.where(Lead.id.in_(leads_matching(q)))
    rows, next_cursor = keyset_page(
        select(Lead, User.name).outerjoin(User, User.id == Lead.owner_id),
        (Lead.created_at, Lead.id), limit, cursor, descending=True, among=in_scope,
        matches_first=searching)
    return [read_of(LeadRead, lead, owner_name=name) for lead, name in rows], next_cursor


def find_duplicates(name: str | None, company: str | None, phone: str | None,
                    email: str | None, limit: int = 10) -> list[dict]:
    """Customers and open leads that look like this one (company-wide, with their owner)."""
    results = [{**row, "kind": "customer"}
               for row in find_customer_duplicates(company or name, phone, email, limit)]
    key, e164, email_norm = keys = duplicate_keys(company, phone, email)
    conditions = key_conditions(keys, Lead.company_norm, Lead.phone_e164, Lead.email_norm)
    if not conditions:
        return results
    rows = db.session.execute(
        select(Lead.id, Lead.name, Lead.company, Lead.city, Lead.company_norm, Lead.phone_e164,
               Lead.email_norm, Lead.owner_id, User.name.label("owner_name"))
        .outerjoin(User, User.id == Lead.owner_id)
        .where(Lead.status == "open", or_(*conditions))
        .order_by(Lead.created_at.desc(), Lead.id)
        .limit(limit)
    ).all()
    for row in rows:
        matched = [field for field, ok in (("name", key and row.company_norm == key),
                                           ("phone", e164 and row.phone_e164 == e164),
                                           ("email", email_norm and row.email_norm == email_norm))
                   if ok]
        results.append({"kind": "lead", "id": row.id,
                        "name": f"{row.company} · {row.name}" if row.company else row.name,
                        "city": row.city, "owner_id": row.owner_id,
                        "owner_name": row.owner_name, "matched_on": matched})
    return results
