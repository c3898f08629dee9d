"""Customers and contacts: create, change, delete, find, and spot duplicates."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.services.scoping import visible_contacts, visible_customers
from app.extensions import db
from app.models import Activity, Contact, Customer, User
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Invalid, NotFound
from app.services.notifications import schedule_reminders
from app.services.normalize import InvalidPhone, company_key, email_key, phone_e164
from app.services.pagination import keyset_page
from app.services.records import (
    apply_changes, check_version, find_replay, get_visible, new_id, read_of, resolve_owner,
)
from app.services.search import (
    contacts_matching, customers_matching, index_contact, index_customer,
)
from app.services.visits import visit_cadence, visit_columns, visit_intervals

CUSTOMER_FIELDS = (
    "name", "phone", "email", "address", "city", "lat", "lng", "industry", "source", "status",
    "tags", "visit_interval_days",
)
CONTACT_FIELDS = ("name", "title", "phone", "mobile", "email", "role", "reports_to_id", "notes")
# What the search index holds of each (services.search): a change to these re-indexes.
CUSTOMER_SEARCHED = {"name", "city", "email", "phone"}
CONTACT_SEARCHED = {"name", "email", "phone", "mobile"}


def _phone(value, field: str):
    try:
        return phone_e164(value, current_app.config["PHONE_DEFAULT_REGION"])
    except InvalidPhone as exc:
        raise Invalid({field: [str(exc)]}) from exc


def _normalise_customer(customer: Customer) -> None:
    customer.name_norm = company_key(customer.name)
    customer.phone_e164 = _phone(customer.phone, "phone")
    customer.email_norm = email_key(customer.email)


def get_customer(actor: User, customer_id: uuid.UUID) -> Customer:
    return get_visible(Customer, visible_customers, actor, customer_id, "Customer")


def _with_rfm(query):
    """The customer query with its RFM columns (services.orders.rfm_columns): correlated
    on the customer, so only the returned rows' orders are read; and what its visit
    cadence is derived from (services.visits.visit_columns)."""
    from app.services.orders import rfm_columns

    return query.add_columns(*rfm_columns(Customer.id),
                             *visit_columns(Customer.owner_id))


@dataclass(frozen=True)
class CustomerRead:
    """A customer as the API shows it: its columns and its owner's name."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    name: str
    phone: str | None
    phone_e164: str | None
    email: str | None
    address: str | None
    city: str | None
    lat: float | None
    lng: float | None
    industry: str | None
    source: str | None
    owner_id: uuid.UUID
    owner_name: str | None
    status: str
    tags: list
    last_activity_at: datetime | None
    visit_interval_days: int | None
    last_visit_at: datetime | None
    location_accuracy: float | None
    located_at: datetime | None


@dataclass(frozen=True)
class CustomerWithRfm(CustomerRead):
    """... how it buys (services.orders.rfm_columns) and when it is due a visit
    (services.visits): lists and the card."""

    last_order_at: datetime | None
    orders_12m: int
    revenue_12m: Decimal
    rfm_segment: str | None
    effective_visit_interval_days: int
    visit_due_on: date
    visit_overdue: bool


def customer_read(customer: Customer, owner_name: str | None = None) -> CustomerRead:
    """What a write answers (the owner is in the session already, unless named)."""
    if owner_name is None:
        owner = db.session.get(User, customer.owner_id)
        owner_name = owner.name if owner else None
    return read_of(CustomerRead, customer, owner_name=owner_name)


def _rows_with_rfm(rows) -> list[CustomerWithRfm]:
    """(customer, owner name, *rfm_columns, *visit_columns) rows -> read models."""
    from app.services.orders import rfm_values

    now = utcnow()
    reads = []
    for customer, owner_name, *rfm, owner_timezone, stored_intervals in rows:
        rfm = rfm_values(*rfm, now=now)
        cadence = visit_cadence(customer, rfm["rfm_segment"], owner_timezone,
                                visit_intervals(stored_intervals), now)
        reads.append(read_of(CustomerWithRfm, customer, owner_name=owner_name, **rfm,
                             **cadence))
    return reads


def get_customer_with_owner(actor: User, customer_id: uuid.UUID) -> CustomerWithRfm:
    row = db.session.execute(_with_rfm(
        visible_customers(select(Customer, User.name), actor)
        .outerjoin(User, User.id == Customer.owner_id)
        .where(Customer.id == customer_id))
    ).first()
    if row is None:
        raise NotFound("Customer not found.")
    return _rows_with_rfm([row])[0]


def create_customer(actor: User, data: dict) -> tuple[Customer, bool]:
    """Returns (customer, created). A replay of the same client id returns the stored one."""
    def sent_by_actor(customer: Customer) -> bool:
        # yours, or given by you to someone you may give records to (a lead to their rep)
        return customer.owner_id == actor.id or (
            customer.owner_id == data.get("owner_id") and db.session.scalar(
                visible_customers(select(Customer.id), actor).where(Customer.id == customer.id)
            ) is not None)

    existing = find_replay(Customer, data.get("id"), sent_by_actor)
    if existing is not None:
        return existing, False
    owner = resolve_owner(actor, data.get("owner_id"))
    customer = Customer(id=new_id(data.get("id")), owner_id=owner.id, tags=[], version=1)
    _pin(customer, data, apply_changes(customer, data, CUSTOMER_FIELDS))
    customer.status = customer.status or "prospect"
    _normalise_customer(customer)
    db.session.add(customer)
    db.session.flush()
    index_customer(customer)
    return customer, True


def update_customer(actor: User, customer: Customer, data: dict, expected_version=None):
    check_version(customer, expected_version)
    changes = apply_changes(customer, data, CUSTOMER_FIELDS)
    _pin(customer, data, changes)
    if "owner_id" in data and data["owner_id"] != customer.owner_id:
        owner = resolve_owner(actor, data["owner_id"])
        changes["owner_id"] = (customer.owner_id, owner.id)
        customer.owner_id = owner.id
        moved = _hand_over_followups(customer.id, changes["owner_id"][0], owner)
        record_audit(actor, "customer", customer.id, "owner_changed",
                     {"owner_id": changes["owner_id"], "open_followups_moved": (None, moved)})
    if changes:
        _normalise_customer(customer)
        db.session.flush()
    if changes.keys() & CUSTOMER_SEARCHED:
        index_customer(customer)
    return customer


def _pin(customer: Customer, data: dict, changes: dict) -> None:
    """New coordinates: when they were set (``located_at``) and how sure the phone was
    (``location_accuracy``, sent with lat and lng; none for typed ones). The address stays
    as typed."""
    if "location_accuracy" in data and not {"lat", "lng"} <= data.keys():
        raise Invalid({"location_accuracy": ["Send it together with lat and lng."]})
    accuracy = data.get("location_accuracy")
    moved = changes.keys() & {"lat", "lng"}
    if not (moved or ("location_accuracy" in data and accuracy != customer.location_accuracy)):
        return
    placed = customer.lat is not None and customer.lng is not None
    changes["location_accuracy"] = (customer.location_accuracy, accuracy if placed else None)
    customer.location_accuracy = changes["location_accuracy"][1]
    customer.located_at = utcnow() if placed else None


def _hand_over_followups(customer_id, old_owner_id, new_owner: User) -> int:
    """A reassigned customer's open follow-ups go to its new owner's agenda, and their
    reminders to the new owner's phone."""
    followups = db.session.scalars(
        select(Activity)
        .where(Activity.customer_id == customer_id, Activity.owner_id == old_owner_id,
               Activity.due_at.is_not(None), Activity.done_at.is_(None),
               Activity.deleted_at.is_(None))
    ).all()
    if not followups:
        return 0
    db.session.execute(
        update(Activity)
        .where(Activity.id.in_([f.id for f in followups]))
        .values(owner_id=new_owner.id, version=Activity.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    for followup in followups:
        set_committed_value(followup, "owner_id", new_owner.id)
    schedule_reminders(followups, new_owner)
    return len(followups)


def delete_customer(actor: User, customer: Customer, expected_version=None) -> None:
    check_version(customer, expected_version)
    customer.deleted_at = utcnow()
    record_audit(actor, "customer", customer.id, "deleted", {"name": (customer.name, None)})
    db.session.flush()


def list_customers(actor: User, q: str | None, limit: int, cursor: str | None):
    in_scope = visible_customers(select(Customer.id), actor)
    if q and q.strip():
        in_scope = in_scope.where(Customer.id.in_(customers_matching(q)))
    query = select(Customer, User.name).outerjoin(User, User.id == Customer.owner_id)
    rows, next_cursor = keyset_page(_with_rfm(query), (Customer.name_norm, Customer.id), limit,
                                    cursor, among=in_scope, matches_first=bool(q and q.strip()))
    return _rows_with_rfm(rows), next_cursor


def duplicate_keys(name: str | None, phone: str | None,
                   email: str | None) -> tuple[str | None, str | None, str | None]:
    """What two records are compared on to spot a duplicate: the company name, phone and
    email as normalised for storage (a phone that does not parse matches nothing)."""
    try:
        e164 = phone_e164(phone, current_app.config["PHONE_DEFAULT_REGION"]) if phone else None
    except InvalidPhone:
        e164 = None
    return (company_key(name) if name else None), e164, email_key(email)


def key_conditions(keys: tuple, name_column, phone_column, email_column) -> list:
    """One equality per duplicate key that is set (``duplicate_keys``), on the record's
    normalised name, phone and email columns."""
    return [column == value for column, value in zip(
        (name_column, phone_column, email_column), keys, strict=True) if value]


def find_duplicates(name: str | None, phone: str | None, email: str | None, limit: int = 10):
    """Likely duplicates across the whole company, visible or not (only name and owner
    are shown, so a rep learns that a customer exists and whom to ask, nothing more)."""
    key, e164, email_norm = keys = duplicate_keys(name, phone, email)
    conditions = key_conditions(keys, Customer.name_norm, Customer.phone_e164,
                                Customer.email_norm)
    contact_conditions = []
    if e164:
        contact_conditions += [Contact.phone_e164 == e164, Contact.mobile_e164 == e164]
    if email_norm:
        contact_conditions.append(Contact.email_norm == email_norm)
    if contact_conditions:
        conditions.append(Customer.id.in_(
            select(Contact.customer_id)
            .where(Contact.deleted_at.is_(None), or_(*contact_conditions))
        ))
    if not conditions:
        return []
    rows = db.session.execute(
        select(Customer.id, Customer.name, Customer.city, Customer.name_norm,
               Customer.phone_e164, Customer.email_norm, Customer.owner_id, User.name)
        .outerjoin(User, User.id == Customer.owner_id)
        .where(Customer.deleted_at.is_(None), or_(*conditions))
        .order_by(Customer.name_norm, Customer.id)
        .limit(limit)
    ).all()
    results = []
    for row in rows:
        matched = []
        if key and row.name_norm == key:
            matched.append("name")
        if e164 and row.phone_e164 == e164:
            matched.append("phone")
        if email_norm and row.email_norm == email_norm:
            matched.append("email")
        results.append({"id": row.id, "name": row.name, "city": row.city,
                        "owner_id": row.owner_id, "owner_name": row[7],
                        "matched_on": matched or ["contact"]})
    return results


# Contacts ---------------------------------------------------------------------------------

def _normalise_contact(contact: Contact) -> None:
    contact.phone_e164 = _phone(contact.phone, "phone")
    contact.mobile_e164 = _phone(contact.mobile, "mobile")
    contact.email_norm = email_key(contact.email)


def get_contact(actor: User, contact_id: uuid.UUID) -> Contact:
    return get_visible(Contact, visible_contacts, actor, contact_id, "Contact")


def _check_reports_to(contact: Contact) -> None:
    if contact.reports_to_id is None:
        return
    if contact.reports_to_id == contact.id:
        raise Invalid({"reports_to_id": ["A contact cannot report to themselves."]})
    boss = db.session.get(Contact, contact.reports_to_id)
    if boss is None or boss.deleted_at is not None or boss.customer_id != contact.customer_id:
        raise Invalid({"reports_to_id": ["Must be a contact of the same customer."]})
    seen = {contact.id}
    while boss is not None and boss.reports_to_id is not None:  # walk up: no loops
        if boss.id in seen or boss.reports_to_id in seen:
            raise Invalid({"reports_to_id": ["That would make a reporting loop."]})
        seen.add(boss.id)
        boss = db.session.get(Contact, boss.reports_to_id)


def create_contact(actor: User, data: dict) -> tuple[Contact, bool]:
    existing = find_replay(
        Contact, data.get("id"),
        lambda c: db.session.scalar(
            visible_contacts(select(Contact.id), actor).where(Contact.id == c.id)) is not None,
    )
    if existing is not None:
        return existing, False
    try:
        customer = get_customer(actor, data["customer_id"])
    except NotFound as exc:
        raise Invalid({"customer_id": ["Unknown customer."]}) from exc
    contact = Contact(id=new_id(data.get("id")), customer_id=customer.id, version=1)
    apply_changes(contact, data, CONTACT_FIELDS)
    _normalise_contact(contact)
    _check_reports_to(contact)
    db.session.add(contact)
    db.session.flush()
    index_contact(contact)
    return contact, True


def update_contact(actor: User, contact: Contact, data: dict, expected_version=None) -> Contact:
    check_version(contact, expected_version)
    changes = apply_changes(contact, data, CONTACT_FIELDS)
    if changes:
        _normalise_contact(contact)
        _check_reports_to(contact)
        db.session.flush()
    if changes.keys() & CONTACT_SEARCHED:
        index_contact(contact)
    return contact


def delete_contact(actor: User, contact: Contact, expected_version=None) -> None:
    check_version(contact, expected_version)
    contact.deleted_at = utcnow()
    record_audit(actor, "contact", contact.id, "deleted", {"name": (contact.name, None)})
    db.session.flush()


def list_contacts(actor: User, customer_id, q, limit, cursor):
    searching = bool(q and q.strip())
    if searching:
        # The same scope as visible_contacts, but each match's customer checked by its key:
        # visible_contacts lists every visible customer first, all of them for a manager.
        in_scope = visible_customers(
            select(Contact.id).join(Customer, Customer.id == Contact.customer_id), actor
        ).where(Contact.deleted_at.is_(None), Contact.id.in_(contacts_matching(q)))
    else:
        in_scope = visible_contacts(select(Contact.id), actor)
    if customer_id:
        in_scope = in_scope.where(Contact.customer_id == customer_id)
    return keyset_page(select(Contact), (Contact.name, Contact.id), limit, cursor,
                       among=in_scope, matches_first=searching)

