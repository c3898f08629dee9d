"""Opportunities (shown as "deals"), the pipeline's stages and the product catalogue: win, lose,
reopen. The blueprint keeps its name "deals" (its OpenAPI tag)."""
from decimal import Decimal

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import validate
from app.api.common import (
    DAY_RANGE, FieldsArgs, Money, PageArgs, RecordSchema, SearchPageArgs, StrictSchema, etag,
    if_match_version, list_page, page, page_schema, slim,
)
from app.api.orders import OrderSchema
from app.extensions import db
from app.models.deals import OPPORTUNITY_STATUSES, STAGE_KINDS
from app.services import catalogue as catalogue_service
from app.services import opportunities as opportunity_service
from app.services import pipeline as pipeline_service
from app.services import orders as order_service

blp = Blueprint("deals", __name__, url_prefix="/api/v1",
                description="Pipeline stages, products and opportunities")

def _currency(**kwargs):
    return fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="Not a currency code."),
                         **kwargs)


class StageSchema(RecordSchema):
    name = fields.String(required=True, validate=validate.Length(1, 80))
    position = fields.Integer(strict=True, validate=validate.Range(0, 100_000))
    probability = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))
    kind = fields.String(dump_only=True, metadata={"enum": list(STAGE_KINDS)})
    active = fields.Boolean()


class StageUpdateSchema(StageSchema):
    class Meta:
        exclude = ("id",)


class PriceTierSchema(StrictSchema):
    min_qty = Money(required=True, minimum=Decimal("0.01"))
    unit_price = Money(required=True)


class ProductSchema(RecordSchema):
    sku = fields.String(required=True, validate=validate.Length(1, 40))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    unit_price = Money(required=True)
    currency = _currency(load_default=None)
    active = fields.Boolean()
    price_tiers = fields.List(fields.Nested(PriceTierSchema), validate=validate.Length(max=20))


class ProductUpdateSchema(ProductSchema):
    class Meta:
        exclude = ("id",)


class LineSchema(StrictSchema):
    id = fields.UUID(dump_only=True)
    product_id = fields.UUID(allow_none=True)
    description = fields.String(allow_none=True, validate=validate.Length(max=200))
    quantity = Money(required=True, minimum=Decimal("0.01"))
    # From the product's price tiers when not given.
    unit_price = Money(allow_none=True)
    price_overridden = fields.Boolean(dump_only=True)
    discount_pct = Money(load_default=None, allow_none=True)
    line_total = Money(dump_only=True)


class DealRolesSchema(StrictSchema):
    """The buying roles (decision_maker, influencer, champion, user, gatekeeper) the deal
    has reached: a contact in that role with an activity since the deal was opened."""

    touched = fields.List(fields.String())
    missing = fields.List(fields.String())


class OpportunitySchema(RecordSchema):
    customer_id = fields.UUID(required=True)
    customer_name = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    amount = Money()
    currency = _currency()
    stage_id = fields.UUID()
    stage_name = fields.String(dump_only=True)
    probability = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 100))
    probability_override = fields.Integer(dump_only=True, allow_none=True)
    expected_close_date = fields.Date(allow_none=True, validate=DAY_RANGE)
    owner_id = fields.UUID()
    owner_name = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(OPPORTUNITY_STATUSES)})
    lost_reason = fields.String(dump_only=True, allow_none=True)
    lost_note = fields.String(dump_only=True, allow_none=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)
    lines = fields.List(fields.Nested(LineSchema), validate=validate.Length(max=100))
    roles = fields.Nested(DealRolesSchema, dump_only=True)


class OpportunityRecordSchema(OpportunitySchema):
    """A deal without its lines: a list's ``?fields=full`` item."""

    class Meta:
        exclude = ("lines", "roles")


# What the deals board and the customer card's deals show.
OpportunityListItemSchema = slim("OpportunityListItemSchema", OpportunityRecordSchema, (
    "id", "version", "updated_at", "name", "customer_id", "customer_name", "owner_id",
    "owner_name", "stage_id", "stage_name", "amount", "currency", "probability", "status",
    "lost_reason"), "A deal")


class OpportunityUpdateSchema(OpportunitySchema):
    class Meta:
        exclude = ("id",)


class OpportunityListArgs(SearchPageArgs, FieldsArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(OPPORTUNITY_STATUSES))
    stage_id = fields.UUID(load_default=None)
    customer_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)


class LoseSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 100))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReopenSchema(StrictSchema):
    stage_id = fields.UUID(load_default=None)


def _check_discounts(data):
    from app.services.errors import Invalid

    errors = {}
    for i, line in enumerate(data.get("lines") or []):
        if line.get("discount_pct") is not None and line["discount_pct"] > 100:
            errors[str(i)] = {"discount_pct": ["Must be between 0 and 100."]}
    if errors:
        raise Invalid({"lines": errors})


# Stages -------------------------------------------------------------------------------------

@blp.route("/stages")
class Stages(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(StageSchema, "StagePage"))
    def get(self, args):
        """The pipeline's stages in order, each with its probability"""
        items = page(*pipeline_service.list_stages(args["limit"], args["cursor"]))
        db.session.commit()  # the default stages, the first time
        return items

    @blp.arguments(StageSchema)
    @blp.response(201, StageSchema)
    def post(self, data):
        """Add a stage (administrators)"""
        stage, created = pipeline_service.create_stage(current_user, data)
        db.session.commit()
        return stage, 201 if created else 200, etag(stage)


@blp.route("/stages/<uuid:stage_id>")
class StageById(MethodView):
    @blp.response(200, StageSchema)
    def get(self, stage_id):
        """One stage"""
        stage = pipeline_service.get_stage(stage_id)
        return stage, 200, etag(stage)

    @blp.arguments(StageUpdateSchema(partial=True))
    @blp.response(200, StageSchema)
    def patch(self, data, stage_id):
        """Rename, reorder, re-weight or retire a stage (administrators)"""
        stage = pipeline_service.update_stage(
            current_user, pipeline_service.get_stage(stage_id), data, if_match_version())
        db.session.commit()
        return stage, 200, etag(stage)


# Products -----------------------------------------------------------------------------------

@blp.route("/products")
class Products(MethodView):
    @blp.arguments(SearchPageArgs, location="query")
    @blp.response(200, page_schema(ProductSchema, "ProductPage"))
    def get(self, args):
        """Products by name, with their price tiers; ``q`` searches name and SKU"""
        return page(*catalogue_service.list_products(args["q"], args["limit"], args["cursor"]))

    @blp.arguments(ProductSchema)
    @blp.response(201, ProductSchema)
    def post(self, data):
        """Add a product (managers, administrators)"""
        product, created = catalogue_service.create_product(current_user, data)
        db.session.commit()
        return product, 201 if created else 200, etag(product)


@blp.route("/products/<uuid:product_id>")
class ProductById(MethodView):
    @blp.response(200, ProductSchema)
    def get(self, product_id):
        """One product with its price tiers"""
        product = catalogue_service.get_product(product_id)
        return product, 200, etag(product)

    @blp.arguments(ProductUpdateSchema(partial=True))
    @blp.response(200, ProductSchema)
    def patch(self, data, product_id):
        """Change a product; ``price_tiers`` replaces all tiers"""
        product = catalogue_service.update_product(
            current_user, catalogue_service.find_product(product_id), data, if_match_version())
        db.session.commit()
        return product, 200, etag(product)


# Opportunities ------------------------------------------------------------------------------

def _detail(opportunity_id):
    return opportunity_service.opportunity_detail(current_user, opportunity_id)


@blp.route("/opportunities")
class Opportunities(MethodView):
    @blp.arguments(OpportunityListArgs, location="query")
    @blp.response(200, page_schema(OpportunityListItemSchema, "OpportunityPage"))
    def get(self, args):
        """Deals you can see, newest first (filter by status, stage, customer, owner)"""
        filters = {k: args[k] for k in ("status", "stage_id", "customer_id", "owner_id", "q")}
        return list_page(args, OpportunityRecordSchema, *opportunity_service.list_opportunities(
            current_user, filters, args["limit"], args["cursor"]))

    @blp.arguments(OpportunitySchema)
    @blp.response(201, OpportunitySchema)
    def post(self, data):
        """Open a deal; with ``lines`` its amount is their sum"""
        _check_discounts(data)
        opportunity, created = opportunity_service.create_opportunity(current_user, data)
        db.session.commit()
        opportunity = _detail(opportunity.id)
        return opportunity, 201 if created else 200, etag(opportunity)


@blp.route("/opportunities/<uuid:opportunity_id>")
class OpportunityById(MethodView):
    @blp.response(200, OpportunitySchema)
    def get(self, opportunity_id):
        """A deal with its lines"""
        opportunity = _detail(opportunity_id)
        return opportunity, 200, etag(opportunity)

    @blp.arguments(OpportunityUpdateSchema(partial=True))
    @blp.response(200, OpportunitySchema)
    def patch(self, data, opportunity_id):
        """Change a deal: fields, stage (kept in its history), ``lines`` (replaces all)"""
        _check_discounts(data)
        opportunity = opportunity_service.get_opportunity(current_user, opportunity_id)
        opportunity_service.update_opportunity(current_user, opportunity, data, if_match_version())
        db.session.commit()
        opportunity = _detail(opportunity_id)
        return opportunity, 200, etag(opportunity)


class WinSchema(StrictSchema):
    opportunity = fields.Nested(OpportunitySchema)
    order = fields.Nested(OrderSchema)


@blp.route("/opportunities/<uuid:opportunity_id>/win", methods=["POST"])
@blp.response(200, WinSchema)
def win(opportunity_id):
    """Won: the deal closes and its sales order is made, in one transaction"""
    opportunity = opportunity_service.get_opportunity(current_user, opportunity_id)
    _, order = opportunity_service.win_opportunity(current_user, opportunity, if_match_version())
    db.session.commit()
    order = order_service.order_detail(current_user, order.id)
    return {"opportunity": _detail(opportunity_id), "order": order}


@blp.route("/opportunities/<uuid:opportunity_id>/lose", methods=["POST"])
@blp.arguments(LoseSchema)
@blp.response(200, OpportunitySchema)
def lose(data, opportunity_id):
    """Lost, with a reason from the company's pick list (and a note)"""
    opportunity = opportunity_service.get_opportunity(current_user, opportunity_id)
    opportunity_service.lose_opportunity(current_user, opportunity, data["reason"], data["note"],
                                  if_match_version())
    db.session.commit()
    opportunity = _detail(opportunity_id)
    return opportunity, 200, etag(opportunity)


@blp.route("/opportunities/<uuid:opportunity_id>/reopen", methods=["POST"])
@blp.arguments(ReopenSchema)
@blp.response(200, OpportunitySchema)
def reopen(data, opportunity_id):
    """Back in the pipeline after a loss (team lead, manager, admin)"""
    opportunity = opportunity_service.get_opportunity(current_user, opportunity_id)
    opportunity_service.reopen_opportunity(current_user, opportunity, data["stage_id"],
                                    if_match_version())
    db.session.commit()
    opportunity = _detail(opportunity_id)
    return opportunity, 200, etag(opportunity)
