"""Leads: create, the pool, claim/release/assign, conversion, and the recycling of leads
nobody works on. Reading them (lists, scores, duplicates): ``lead_queries``."""
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, literal, or_, select, update

from app.services.scoping import SEE_ALL, owner_scope, visible_leads
from app.extensions import db
from app.models import Lead, User
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, Text
from app.services.normalize import InvalidPhone, company_key, email_key, phone_e164
from app.services.search import index_lead
from app.services.records import (
    apply_changes, check_version, find_replay, get_visible, new_id, resolve_owner,
)
from app.services.settings import get_setting

LEAD_FIELDS = ("name", "company", "phone", "email", "title", "city", "source", "notes")
LEAD_SEARCHED = {"name", "company", "phone", "email", "city"}  # re-indexed when changed
MANAGE_ROLES = ("lead", "manager", "admin")
RECYCLE_BATCH = 200


def _cap_reached(cap: int) -> Conflict:
    return Conflict(Text("You already hold {cap} open leads, the most allowed. "
                         "Release or convert one first.", cap=cap))


def _phone(value):
    try:
        return phone_e164(value, current_app.config["PHONE_DEFAULT_REGION"])
    except InvalidPhone as exc:
        raise Invalid({"phone": [str(exc)]}) from exc


def _normalise(lead: Lead) -> None:
    lead.company_norm = company_key(lead.company) if lead.company else None
    lead.phone_e164 = _phone(lead.phone)
    lead.email_norm = email_key(lead.email)


def get_lead(actor: User, lead_id: uuid.UUID) -> Lead:
    return get_visible(Lead, visible_leads, actor, lead_id, "Lead")


def create_lead(actor: User, data: dict) -> tuple[Lead, bool]:
    """A lead owned by the actor (or by ``owner_id``), or put in the pool with ``pool``."""
    existing = find_replay(
        Lead, data.get("id"),
        lambda lead: db.session.scalar(
            visible_leads(select(Lead.id), actor).where(Lead.id == lead.id)) is not None)
    if existing is not None:
        return existing, False
    lead = Lead(id=new_id(data.get("id")), status="open", activity_count=0, version=1)
    apply_changes(lead, data, LEAD_FIELDS)
    if not data.get("pool"):
        lead.owner_id = resolve_owner(actor, data.get("owner_id")).id
        lead.owned_since = utcnow()
    _normalise(lead)
    db.session.add(lead)
    db.session.flush()
    index_lead(lead)
    record_audit(actor, "lead", lead.id, "created", {"owner_id": (None, lead.owner_id)})
    return lead, True


def _check_open(lead: Lead) -> None:
    if lead.status == "converted":
        raise Conflict("This lead was converted; it can no longer be changed.")


def update_lead(actor: User, lead: Lead, data: dict, expected_version=None) -> Lead:
    check_version(lead, expected_version)
    _check_open(lead)
    if lead.owner_id is None and actor.role not in SEE_ALL:
        raise Forbidden("Claim this lead before you change it.")
    if "status" in data and data["status"] not in ("open", "disqualified"):
        raise Invalid({"status": ["Convert a lead to make it a customer."]})
    if data.get("status") == "open" and lead.status != "open" and lead.owner_id is not None:
        cap = int(get_setting("lead_cap"))
        if open_lead_count(lead.owner_id) >= cap:  # reopening counts like claiming
            raise _cap_reached(cap)
    changes = apply_changes(lead, data, LEAD_FIELDS + ("status",))
    if changes:
        _normalise(lead)
        if "status" in changes:
            record_audit(actor, "lead", lead.id, "status_changed", {"status": changes["status"]})
        db.session.flush()
    if changes.keys() & LEAD_SEARCHED:
        index_lead(lead)
    return lead


def open_lead_count(user_id: uuid.UUID) -> int:
    return db.session.scalar(select(func.count()).select_from(Lead).where(
        Lead.owner_id == user_id, Lead.status == "open"))


def claim_lead(actor: User, lead_id: uuid.UUID) -> Lead:
    """Take a lead from the pool. First come, first served: one conditional UPDATE decides,
    so of two reps claiming at the same instant exactly one gets it (the other: 409)."""
    lead = db.session.scalar(visible_leads(select(Lead), actor).where(Lead.id == lead_id))
    if lead is None:
        # Someone just took it from the pool: say so (it was in the pool you saw), but
        # tell nothing about leads that were never in reach.
        taken = db.session.scalar(select(Lead.id).where(
            Lead.id == lead_id, Lead.status == "open", Lead.owner_id.is_not(None)))
        if taken is not None:
            raise Conflict("Someone else claimed this lead first.")
        raise NotFound("Lead not found.")
    _check_open(lead)
    if lead.owner_id == actor.id:
        return lead
    cap = int(get_setting("lead_cap"))
    if db.engine.dialect.name == "postgresql":
        # One claim at a time per rep, so two parallel claims cannot both slip under the cap.
        db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    held_alias = Lead.__table__.alias("mine")
    held = (select(func.count()).select_from(held_alias)
            .where(held_alias.c.owner_id == actor.id, held_alias.c.status == "open")
            .scalar_subquery())
    now = utcnow()
    result = db.session.execute(
        update(Lead)
        .where(Lead.id == lead.id, Lead.owner_id.is_(None), Lead.status == "open", held < cap)
        .values(owner_id=actor.id, owned_since=now, version=Lead.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        if open_lead_count(actor.id) >= cap:
            raise _cap_reached(cap)
        raise Conflict("Someone else claimed this lead first.")
    record_audit(actor, "lead", lead.id, "claimed", {"owner_id": (None, actor.id)})
    db.session.flush()
    db.session.refresh(lead)
    return lead


def _may_manage(actor: User, lead: Lead) -> bool:
    """The owner, or someone whose scope includes the owner (a lead, manager, admin)."""
    if lead.owner_id == actor.id or actor.role in SEE_ALL:
        return True
    return actor.role == "lead" and db.session.scalar(
        select(Lead.id).where(Lead.id == lead.id, owner_scope(actor, Lead.owner_id))) is not None


def release_lead(actor: User, lead: Lead, expected_version=None) -> Lead:
    check_version(lead, expected_version)
    _check_open(lead)
    if lead.owner_id is None:
        return lead
    if not _may_manage(actor, lead):
        raise Forbidden("Only its owner or their team lead can release this lead.")
    if lead.status != "open":
        # The pool holds open leads only: a disqualified one released would be nobody's.
        raise Conflict("Only an open lead can go back to the pool.")
    old = lead.owner_id
    lead.owner_id, lead.owned_since = None, None
    record_audit(actor, "lead", lead.id, "released", {"owner_id": (old, None)})
    db.session.flush()
    return lead


def assign_lead(actor: User, lead: Lead, owner_id: uuid.UUID, expected_version=None) -> Lead:
    check_version(lead, expected_version)
    _check_open(lead)
    if actor.role not in MANAGE_ROLES:
        raise Forbidden("Only a team lead, a manager or an administrator can assign leads.")
    if lead.owner_id is not None and not _may_manage(actor, lead):
        raise Forbidden("Only its owner or their team lead can release this lead.")
    owner = resolve_owner(actor, owner_id)
    if owner.id == lead.owner_id:
        return lead
    cap = int(get_setting("lead_cap"))
    if open_lead_count(owner.id) >= cap:  # the cap holds for handed-out leads too
        raise Conflict(Text("{name} already holds {cap} open leads, the most allowed.",
                            name=owner.name, cap=cap))
    old = lead.owner_id
    lead.owner_id, lead.owned_since = owner.id, utcnow()
    record_audit(actor, "lead", lead.id, "assigned", {"owner_id": (old, owner.id)})
    db.session.flush()
    return lead


def touch_lead(lead_id: uuid.UUID, when: datetime) -> None:
    """An activity with this lead: count it and move its last activity forward (no version
    bump: logging a call is not an edit of the lead)."""
    table = Lead.__table__
    when = literal(when, UTCDateTime())
    db.session.execute(
        table.update().where(table.c.id == lead_id).values(
            activity_count=table.c.activity_count + 1,
            last_activity_at=func.coalesce(
                func.max(table.c.last_activity_at, when) if db.engine.dialect.name == "sqlite"
                else func.greatest(table.c.last_activity_at, when), when),
            updated_at=table.c.updated_at))


def lead_for_activity(actor: User, lead_id: uuid.UUID) -> Lead:
    try:
        lead = get_lead(actor, lead_id)
    except NotFound as exc:
        raise Invalid({"lead_id": ["Unknown lead."]}) from exc
    if lead.owner_id is None or not _may_manage(actor, lead):
        raise Invalid({"lead_id": ["Claim this lead before you log activities on it."]})
    return lead


def recycle_cutoff() -> tuple[int, datetime]:
    """(``lead_recycle_days``, the moment before which an untouched lead is stale)."""
    days = int(get_setting("lead_recycle_days"))
    return days, utcnow() - timedelta(days=days)


def stale_conditions(cutoff: datetime) -> tuple:
    """What makes an open, owned lead stale at ``cutoff``: owned and untouched since before
    it (the recycle job takes these; the team home asks with a later cutoff for the leads
    about to go)."""
    return (Lead.status == "open", Lead.owner_id.is_not(None), Lead.owned_since < cutoff,
            or_(Lead.last_activity_at.is_(None), Lead.last_activity_at < cutoff))


def stale_leads(cutoff: datetime) -> list:
    """The oldest-owned stale leads, a batch at most: (id, owner_id, name, owned_since)."""
    return db.session.execute(
        select(Lead.id, Lead.owner_id, Lead.name, Lead.owned_since)
        .where(*stale_conditions(cutoff))
        .order_by(Lead.owned_since).limit(RECYCLE_BATCH)
    ).all()


def recycle_lead(candidate, days: int, cutoff: datetime) -> bool:
    """One stale lead back to the pool by a conditional UPDATE, audited and its owner told;
    False (nothing written) when someone touched or took it since it was read."""
    from app.services.notifications import notify

    lead_id, owner_id, name, owned_since = candidate
    result = db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id, Lead.owner_id == owner_id, *stale_conditions(cutoff))
        .values(owner_id=None, owned_since=None, version=Lead.version + 1,
                updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    record_audit(None, "lead", lead_id, "recycled", {"owner_id": (owner_id, None)})
    notify(owner_id, "lead_recycled", {"lead": name, "days": days}, url="/leads",
           dedupe_key=f"lead_recycled:{lead_id}:{owned_since.isoformat()}")
    return True


def convert_lead(actor: User, lead: Lead, data: dict, expected_version=None) -> dict:
    """Lead -> customer + contact + opportunity (or contact + opportunity on an existing
    customer), all in the caller's one transaction: if any part fails, none remains."""
    from app.services import customers as customer_service
    from app.services import opportunities as opportunity_service

    check_version(lead, expected_version)
    _check_open(lead)
    if lead.status != "open":
        raise Conflict("Only an open lead can be converted.")
    if lead.owner_id is None:
        raise Forbidden("Claim this lead before you change it.")
    if not _may_manage(actor, lead):
        raise Forbidden("Only its owner or their team lead can convert this lead.")
    if data.get("customer_id"):
        owner = actor if lead.owner_id == actor.id else db.session.get(User, lead.owner_id)
        try:
            customer = customer_service.get_customer(actor, data["customer_id"])
            # The deal will be the lead owner's: its customer must be one they can open.
            customer_service.get_customer(owner, data["customer_id"])
        except NotFound as exc:
            raise Invalid({"customer_id": ["Unknown customer."]}) from exc
        created_customer = False
    else:
        customer, _ = customer_service.create_customer(actor, {
            "name": lead.company or lead.name, "phone": lead.phone, "email": lead.email,
            "city": lead.city, "source": lead.source, "owner_id": lead.owner_id})
        created_customer = True
    contact, _ = customer_service.create_contact(actor, {
        "customer_id": customer.id, "name": lead.name, "title": lead.title,
        "phone": lead.phone, "email": lead.email})
    opportunity, _ = opportunity_service.create_opportunity(actor, {
        "customer_id": customer.id, "owner_id": lead.owner_id,
        "name": data.get("opportunity_name") or lead.company or lead.name,
        "amount": data.get("amount"), "currency": data.get("currency"),
        "expected_close_date": data.get("expected_close_date")})
    lead.status, lead.converted_at = "converted", utcnow()
    lead.customer_id, lead.contact_id, lead.opportunity_id = customer.id, contact.id, \
        opportunity.id
    record_audit(actor, "lead", lead.id, "converted", {
        "status": ("open", "converted"), "customer_id": (None, customer.id),
        "opportunity_id": (None, opportunity.id)})
    db.session.flush()
    return {"lead": lead, "customer": customer, "contact": contact,
            "opportunity": opportunity, "created_customer": created_customer,
            "customer_owner_name": db.session.get(User, customer.owner_id).name}
