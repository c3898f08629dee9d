"""Customers and contacts."""
from flask import jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validates_schema

from app.api import validate
from app.api.activities import ActivitySchema, FollowupItemSchema, TimelineItemSchema
from app.api.common import (
    FULL_FIELDS, TIME_RANGE, FieldsArgs, Money, RecordSchema, SearchPageArgs,
    StrictSchema, etag, if_match_version, list_page, page_schema, slim,
)
from app.extensions import db
from app.models.customers import CONTACT_ROLES, CUSTOMER_STATUSES, PIN_MAX_ACCURACY_M
from app.services import customer_card, customer_geo, customer_sync
from app.services import customers as customer_service

blp = Blueprint("customers", __name__, url_prefix="/api/v1", description="Customers and contacts")


def _text(max_length, **kwargs):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class CustomerSchema(RecordSchema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    phone = _text(40)
    phone_e164 = fields.String(dump_only=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    address = _text(300)
    city = _text(100)
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lng = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    location_accuracy = fields.Float(allow_none=True, validate=[
        validate.Range(min=0),
        validate.Range(max=PIN_MAX_ACCURACY_M, error=(
            "The phone knows its position only to {input} m; a pin needs {max} m or better. "
            "Try again outside or by a window."))], metadata={
        "description": "metres: how sure the phone was of lat/lng (sent with them; a pin)"})
    located_at = fields.DateTime(dump_only=True, allow_none=True)
    industry = _text(100)
    source = _text(100)
    owner_id = fields.UUID()
    owner_name = fields.String(dump_only=True)
    status = fields.String(validate=validate.OneOf(CUSTOMER_STATUSES))
    tags = fields.List(fields.String(validate=validate.Length(1, 40)),
                       validate=validate.Length(max=20))
    last_activity_at = fields.DateTime(dump_only=True)
    # RFM, from orders not cancelled: recency, frequency and revenue of the last 12 months.
    last_order_at = fields.DateTime(dump_only=True, allow_none=True)
    orders_12m = fields.Integer(dump_only=True)
    revenue_12m = Money(dump_only=True)
    rfm_segment = fields.String(dump_only=True, allow_none=True, metadata={
        "enum": ["champion", "loyal", "at risk", "new", "dormant", None]})
    # Visit cadence (services.visits): its own interval (null: the company's default for
    # its segment), the one in force, and when it is due (owner's timezone).
    visit_interval_days = fields.Integer(strict=True, allow_none=True,
                                         validate=validate.Range(1, 365))
    effective_visit_interval_days = fields.Integer(dump_only=True)
    last_visit_at = fields.DateTime(dump_only=True, allow_none=True)
    visit_due_on = fields.Date(dump_only=True)
    visit_overdue = fields.Boolean(dump_only=True)


# What the customers list row and the phone's offline book show (issue 11: 20 KB a page):
# email too, so a customer only ever seen in the list keeps its Email button offline (the
# card, a follow-up queued for it). The address does not fit in 20 KB; Navigate uses lat/lng.
# Nor does the visit cadence (issue 13: 50 items of test_query_counts are 20,435 bytes, the
# five cadence fields make them 27,085): ``?fields=full`` items and the card carry it.
CustomerListItemSchema = slim("CustomerListItemSchema", CustomerSchema, (
    "id", "version", "name", "status", "city", "owner_id", "owner_name", "phone_e164", "email",
    "tags", "lat", "lng", "rfm_segment", "last_activity_at"), "A customer")


# Near me and the offline book filter on the cadence ("visit overdue"): their items carry it.
VISIT_FIELDS = ("visit_due_on", "visit_overdue")


class CustomerNearSchema(CustomerSchema):
    distance_m = fields.Integer(dump_only=True, metadata={
        "description": "Great-circle distance from the point asked about, in metres."})
    open_followups = fields.Integer(dump_only=True)


CustomerNearItemSchema = slim(
    "CustomerNearItemSchema", CustomerNearSchema,
    CustomerListItemSchema.Meta.fields + VISIT_FIELDS + ("distance_m", "open_followups"),
    "A customer near")


class CustomerSyncSchema(CustomerSchema):
    deleted = fields.Boolean(dump_only=True, metadata={
        "description": "Only on a removal (`true`): drop this id from the phone."})


# A changed customer: the list item and when it changed; a removal: id, deleted, updated_at.
CustomerSyncItemSchema = slim(
    "CustomerSyncItemSchema", CustomerSyncSchema,
    CustomerListItemSchema.Meta.fields + VISIT_FIELDS + ("updated_at", "deleted"),
    "A change to the book")


class CustomerSyncPageSchema(StrictSchema):
    items = fields.List(fields.Nested(CustomerSyncItemSchema))
    next_cursor = fields.String(allow_none=True)
    as_of = fields.DateTime(metadata={"description": (
        "Send it as `updated_since` next time, once every page of this walk is read.")})


class NearArgs(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))
    radius_m = fields.Integer(load_default=5000, validate=validate.Range(
        1, customer_geo.MAX_RADIUS_M))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, customer_geo.MAX_NEAR))


class CustomerUpdateSchema(CustomerSchema):
    class Meta:
        exclude = ("id",)


class ContactSchema(RecordSchema):
    customer_id = fields.UUID(required=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    title = _text(120)
    phone = _text(40)
    phone_e164 = fields.String(dump_only=True)
    mobile = _text(40)
    mobile_e164 = fields.String(dump_only=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    role = fields.String(allow_none=True, validate=validate.OneOf(CONTACT_ROLES))
    reports_to_id = fields.UUID(allow_none=True)
    notes = _text(5000)


ContactListItemSchema = slim("ContactListItemSchema", ContactSchema, (
    "id", "version", "updated_at", "customer_id", "name", "title", "role", "phone_e164",
    "mobile_e164", "email"), "A contact")


class ContactUpdateSchema(ContactSchema):
    class Meta:
        exclude = ("id", "customer_id")


class CardContactSchema(ContactSchema):
    """A contact on the customer card, with its latest activity (the decision chain)."""

    last_activity_at = fields.DateTime(dump_only=True, allow_none=True)


class CustomerDetailSchema(CustomerSchema):
    contacts = fields.List(fields.Nested(CardContactSchema), dump_only=True)
    followups = fields.List(fields.Nested(FollowupItemSchema), dump_only=True)
    timeline = fields.List(fields.Nested(TimelineItemSchema), dump_only=True)


class CustomerFullDetailSchema(CustomerSchema):
    """The card with every field of its follow-ups and timeline (``?fields=full``)."""

    contacts = fields.List(fields.Nested(CardContactSchema), dump_only=True)
    followups = fields.List(fields.Nested(ActivitySchema), dump_only=True)
    timeline = fields.List(fields.Nested(ActivitySchema), dump_only=True)


class DuplicateArgs(StrictSchema):
    name = fields.String(load_default=None, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.String(load_default=None, validate=validate.Length(max=254))


class DuplicateSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    city = fields.String(allow_none=True)
    owner_id = fields.UUID()
    owner_name = fields.String(allow_none=True)
    matched_on = fields.List(fields.String())


class DuplicateListSchema(StrictSchema):
    items = fields.List(fields.Nested(DuplicateSchema))


class CustomerListArgs(SearchPageArgs, FieldsArgs):
    updated_since = fields.AwareDateTime(load_default=None, validate=TIME_RANGE, metadata={
        "description": ("Delta sync: the changes and removals since then, oldest first, "
                        "as CustomerSyncPage (with `as_of`). Removals are kept 90 days: a "
                        "sync from longer ago is 410 (download the book again from "
                        "2000-01-01; anything before 2001 is a first download).")})

    @validates_schema
    def check_sync(self, data, **kwargs):
        if data.get("updated_since") and (data.get("q") or data.get("detail")):
            raise ValidationError("Not with updated_since.", "q" if data.get("q") else "fields")


class ContactListArgs(SearchPageArgs, FieldsArgs):
    customer_id = fields.UUID(load_default=None)


@blp.route("/customers")
class Customers(MethodView):
    @blp.arguments(CustomerListArgs, location="query")
    @blp.response(200, page_schema(CustomerListItemSchema, "CustomerPage"))
    def get(self, args):
        """List the customers you can see, by name; ``q`` searches name, city, phone, email

        Slim items (what a list row shows); ``fields=full`` for full records. With
        ``updated_since`` (ISO 8601 with offset, URL-encoded): the delta sync of the offline
        book, a CustomerSyncPage ordered by change (see the README).
        """
        if args["updated_since"] is not None:
            items, next_cursor, as_of = customer_sync.changes_since(
                current_user, args["updated_since"], args["limit"], args["cursor"])
            return jsonify(CustomerSyncPageSchema().dump(
                {"items": items, "next_cursor": next_cursor, "as_of": as_of}))
        return list_page(args, CustomerSchema, *customer_service.list_customers(
            current_user, args["q"], args["limit"], args["cursor"]))

    @blp.arguments(CustomerSchema)
    @blp.response(201, CustomerSchema)
    def post(self, data):
        """Create a customer (same ``id`` again: 200 with the stored one)"""
        customer, created = customer_service.create_customer(current_user, data)
        db.session.commit()
        return customer_service.customer_read(customer), 201 if created else 200, etag(customer)


@blp.route("/customers/duplicates")
@blp.arguments(DuplicateArgs, location="query")
@blp.response(200, DuplicateListSchema)
def duplicates(args):
    """Likely duplicates company-wide (name, phone, email normalised), with their owner"""
    return {"items": customer_service.find_duplicates(args["name"], args["phone"],
                                                      args["email"])}


@blp.route("/customers/near")
@blp.arguments(NearArgs, location="query")
@blp.response(200, page_schema(CustomerNearItemSchema, "CustomerNearPage"))
def near(args):
    """Customers you can see within ``radius_m`` (default 5 km, at most 50 km), nearest first

    Each with ``distance_m`` and its open follow-ups; ``next_cursor`` is always null.
    """
    return {"items": customer_geo.customers_near(
        current_user, args["lat"], args["lng"], args["radius_m"], args["limit"]),
        "next_cursor": None}


@blp.route("/customers/<uuid:customer_id>")
class CustomerById(MethodView):
    @blp.arguments(FieldsArgs, location="query")
    @blp.response(200, CustomerDetailSchema)
    def get(self, args, customer_id):
        """A customer with contacts, open follow-ups and recent timeline

        Follow-ups and timeline entries are slim; ``fields=full`` for every field of each.
        """
        customer = customer_card.customer_detail(current_user, customer_id)
        # The card's timeline, follow-ups and RFM move without the customer's version (its
        # ETag): a browser that kept the card would revalidate it into a stale 304.
        headers = {**etag(customer), "Cache-Control": "private, no-store"}
        if args["detail"] == FULL_FIELDS:
            return jsonify(CustomerFullDetailSchema().dump(customer)), 200, headers
        return customer, 200, headers

    @blp.arguments(CustomerUpdateSchema(partial=True))
    @blp.response(200, CustomerSchema)
    def patch(self, data, customer_id):
        """Change a customer (``If-Match`` for safe concurrent edits)"""
        customer = customer_service.get_customer(current_user, customer_id)
        customer = customer_service.update_customer(current_user, customer, data,
                                                    if_match_version())
        db.session.commit()
        return customer_service.customer_read(customer), 200, etag(customer)

    @blp.response(204)
    def delete(self, customer_id):
        """Delete a customer"""
        customer = customer_service.get_customer(current_user, customer_id)
        customer_service.delete_customer(current_user, customer, if_match_version())
        db.session.commit()


@blp.route("/contacts")
class Contacts(MethodView):
    @blp.arguments(ContactListArgs, location="query")
    @blp.response(200, page_schema(ContactListItemSchema, "ContactPage"))
    def get(self, args):
        """List contacts of customers you can see (slim items; ``fields=full`` for full ones)"""
        return list_page(args, ContactSchema, *customer_service.list_contacts(
            current_user, args["customer_id"], args["q"], args["limit"], args["cursor"]))

    @blp.arguments(ContactSchema)
    @blp.response(201, ContactSchema)
    def post(self, data):
        """Add a contact to a customer"""
        contact, created = customer_service.create_contact(current_user, data)
        db.session.commit()
        return contact, 201 if created else 200, etag(contact)


@blp.route("/contacts/<uuid:contact_id>")
class ContactById(MethodView):
    @blp.response(200, ContactSchema)
    def get(self, contact_id):
        """One contact"""
        contact = customer_service.get_contact(current_user, contact_id)
        return contact, 200, etag(contact)

    @blp.arguments(ContactUpdateSchema(partial=True))
    @blp.response(200, ContactSchema)
    def patch(self, data, contact_id):
        """Change a contact"""
        contact = customer_service.get_contact(current_user, contact_id)
        contact = customer_service.update_contact(current_user, contact, data,
                                                  if_match_version())
        db.session.commit()
        return contact, 200, etag(contact)

    @blp.response(204)
    def delete(self, contact_id):
        """Delete a contact"""
        contact = customer_service.get_contact(current_user, contact_id)
        customer_service.delete_contact(current_user, contact, if_match_version())
        db.session.commit()
