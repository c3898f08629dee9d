"""Leads: the pool, claiming, assigning, scoring and converting."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import validate
from app.api.common import (
    FieldsArgs, Money, RecordSchema, SearchPageArgs, StrictSchema, etag, if_match_version,
    list_page, page_schema, slim,
)
from app.api.customers import ContactSchema, CustomerSchema
from app.api.opportunities import OpportunitySchema
from app.extensions import db
from app.models.leads import LEAD_SOURCES, LEAD_STATUSES
from app.services import customers as customer_service
from app.services import lead_queries
from app.services import leads as lead_service

blp = Blueprint("leads", __name__, url_prefix="/api/v1", description="Leads and the lead pool")


def _text(max_length, **kwargs):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class ScoreItemSchema(StrictSchema):
    factor = fields.String()
    points = fields.Integer()
    max = fields.Integer()
    detail = fields.String(allow_none=True)


class LeadSchema(RecordSchema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    company = _text(200)
    phone = _text(40)
    phone_e164 = fields.String(dump_only=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    title = _text(120)
    city = _text(100)
    source = fields.String(allow_none=True, validate=validate.OneOf(LEAD_SOURCES))
    notes = _text(5000)
    status = fields.String(validate=validate.OneOf(LEAD_STATUSES))
    owner_id = fields.UUID(allow_none=True)
    owner_name = fields.String(dump_only=True, allow_none=True)
    # On create: put the lead in the pool instead of keeping it.
    pool = fields.Boolean(load_only=True)
    owned_since = fields.DateTime(dump_only=True)
    last_activity_at = fields.DateTime(dump_only=True)
    activity_count = fields.Integer(dump_only=True)
    score = fields.Method("_score", dump_only=True)
    score_breakdown = fields.Method("_breakdown", dump_only=True)
    converted_at = fields.DateTime(dump_only=True)
    customer_id = fields.UUID(dump_only=True)
    contact_id = fields.UUID(dump_only=True)
    opportunity_id = fields.UUID(dump_only=True)

    def _score(self, lead):
        return lead_queries.score(lead)[0]

    def _breakdown(self, lead):
        return ScoreItemSchema(many=True).dump(lead_queries.score(lead)[1])


class LeadUpdateSchema(LeadSchema):
    class Meta:
        exclude = ("id", "owner_id", "pool")


# What the leads list row shows (Mine and Pool tabs).
LeadListItemSchema = slim("LeadListItemSchema", LeadSchema, (
    "id", "version", "updated_at", "name", "company", "city", "status", "owner_id",
    "owner_name", "score"), "A lead")


class LeadListArgs(SearchPageArgs, FieldsArgs):
    pool = fields.Boolean(load_default=False)
    status = fields.String(load_default=None, validate=validate.OneOf(LEAD_STATUSES))


class AssignSchema(StrictSchema):
    owner_id = fields.UUID(required=True)


class LeadDuplicateArgs(StrictSchema):
    name = fields.String(load_default=None, validate=validate.Length(max=200))
    company = fields.String(load_default=None, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.String(load_default=None, validate=validate.Length(max=254))


class LeadDuplicateSchema(StrictSchema):
    kind = fields.String(metadata={"enum": ["customer", "lead"]})
    id = fields.UUID()
    name = fields.String()
    city = fields.String(allow_none=True)
    owner_id = fields.UUID(allow_none=True)
    owner_name = fields.String(allow_none=True)
    matched_on = fields.List(fields.String())


class LeadDuplicateListSchema(StrictSchema):
    items = fields.List(fields.Nested(LeadDuplicateSchema))


def _one(lead):
    return lead_queries.lead_read(lead)


@blp.route("/leads")
class Leads(MethodView):
    @blp.arguments(LeadListArgs, location="query")
    @blp.response(200, page_schema(LeadListItemSchema, "LeadPage"))
    def get(self, args):
        """Your leads (a lead: the team's), newest first; ``pool=true``: the pool

        Slim items; ``fields=full`` for full records.
        """
        return list_page(args, LeadSchema, *lead_queries.list_leads(
            current_user, args["pool"], args["q"], args["status"], args["limit"],
            args["cursor"]))

    @blp.arguments(LeadSchema)
    @blp.response(201, LeadSchema)
    def post(self, data):
        """Create a lead: yours, someone's you may give it to, or the pool's (``pool``)"""
        lead, created = lead_service.create_lead(current_user, data)
        db.session.commit()
        return _one(lead), 201 if created else 200, etag(lead)


@blp.route("/leads/duplicates")
@blp.arguments(LeadDuplicateArgs, location="query")
@blp.response(200, LeadDuplicateListSchema)
def duplicates(args):
    """Customers and open leads that look like this lead, company-wide, with their owner"""
    return {"items": lead_queries.find_duplicates(args["name"], args["company"], args["phone"],
                                                  args["email"])}


@blp.route("/leads/<uuid:lead_id>")
class LeadById(MethodView):
    @blp.response(200, LeadSchema)
    def get(self, lead_id):
        """One lead with its score and the points behind it"""
        lead = lead_service.get_lead(current_user, lead_id)
        # The score moves with activities, which leave the version alone: never answer a
        # revalidation with 304 on the version's ETag (the browser must not keep it).
        return _one(lead), 200, {**etag(lead), "Cache-Control": "private, no-store"}

    @blp.arguments(LeadUpdateSchema(partial=True))
    @blp.response(200, LeadSchema)
    def patch(self, data, lead_id):
        """Change a lead (converted leads are read-only: 409)"""
        lead = lead_service.get_lead(current_user, lead_id)
        lead = lead_service.update_lead(current_user, lead, data, if_match_version())
        db.session.commit()
        return _one(lead), 200, etag(lead)


@blp.route("/leads/<uuid:lead_id>/claim", methods=["POST"])
@blp.response(200, LeadSchema)
def claim(lead_id):
    """Take a lead from the pool (409: someone was first, or you are at your cap)"""
    lead = lead_service.claim_lead(current_user, lead_id)
    db.session.commit()
    return _one(lead), 200, etag(lead)


@blp.route("/leads/<uuid:lead_id>/release", methods=["POST"])
@blp.response(200, LeadSchema)
def release(lead_id):
    """Put a lead back in the pool"""
    lead = lead_service.get_lead(current_user, lead_id)
    lead = lead_service.release_lead(current_user, lead, if_match_version())
    db.session.commit()
    return _one(lead), 200, etag(lead)


@blp.route("/leads/<uuid:lead_id>/assign", methods=["POST"])
@blp.arguments(AssignSchema)
@blp.response(200, LeadSchema)
def assign(data, lead_id):
    """Give a lead to someone (team lead, manager, admin)"""
    lead = lead_service.get_lead(current_user, lead_id)
    lead = lead_service.assign_lead(current_user, lead, data["owner_id"], if_match_version())
    db.session.commit()
    return _one(lead), 200, etag(lead)


class ConvertSchema(StrictSchema):
    customer_id = fields.UUID(load_default=None, allow_none=True)
    opportunity_name = fields.String(load_default=None, validate=validate.Length(1, 200))
    amount = Money(load_default=None)
    currency = fields.String(load_default=None,
                             validate=validate.Regexp(r"^[A-Z]{3}$", error="Not a currency code."))
    expected_close_date = fields.Date(load_default=None)


class ConvertedSchema(StrictSchema):
    lead = fields.Nested(LeadSchema)
    customer = fields.Nested(CustomerSchema)
    contact = fields.Nested(ContactSchema)
    opportunity = fields.Nested(OpportunitySchema)


@blp.route("/leads/<uuid:lead_id>/convert", methods=["POST"])
@blp.arguments(ConvertSchema)
@blp.response(200, ConvertedSchema)
def convert(data, lead_id):
    """Lead -> customer + contact + opportunity, or attach to ``customer_id``; all or nothing"""
    from app.services import opportunities as opportunity_service

    lead = lead_service.get_lead(current_user, lead_id)
    result = lead_service.convert_lead(current_user, lead, data, if_match_version())
    db.session.commit()
    lead = _one(result["lead"])
    customer = customer_service.customer_read(result["customer"],
                                              result["customer_owner_name"])
    return {"lead": lead, "customer": customer, "contact": result["contact"],
            "opportunity": opportunity_service.opportunity_detail(current_user,
                                                           result["opportunity"].id)}
