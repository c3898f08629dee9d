"""Sales orders and their payments."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import validate
from app.api.common import (
    TIME_RANGE, FieldsArgs, Money, PageArgs, RecordSchema, StrictSchema, etag,
    if_match_version, list_page, page, page_schema, slim,
)
from app.extensions import db
from app.models.orders import ORDER_STATUSES, PAYMENT_METHODS
from app.services import orders as order_service

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Sales orders, payments")


class OrderLineSchema(StrictSchema):
    id = fields.UUID()
    product_id = fields.UUID(allow_none=True)
    description = fields.String(allow_none=True)
    quantity = Money()
    unit_price = Money()
    discount_pct = Money()
    line_total = Money()


class PaymentSchema(RecordSchema):
    order_id = fields.UUID(dump_only=True)
    amount = Money(required=True)
    received_at = fields.AwareDateTime(load_default=None, validate=TIME_RANGE)
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String(allow_none=True, validate=validate.Length(max=100))
    recorded_by = fields.UUID(dump_only=True)


class OrderSchema(RecordSchema):
    number = fields.String(dump_only=True)
    customer_id = fields.UUID(dump_only=True)
    customer_name = fields.String(dump_only=True)
    opportunity_id = fields.UUID(dump_only=True, allow_none=True)
    owner_id = fields.UUID(dump_only=True)
    currency = fields.String(dump_only=True)
    total = Money(dump_only=True)
    paid = Money(dump_only=True)
    outstanding = fields.Method("_outstanding", dump_only=True,
                                metadata={"type": "string", "example": "1250.00"})
    status = fields.String(dump_only=True, metadata={"enum": list(ORDER_STATUSES)})
    ordered_at = fields.DateTime(dump_only=True)
    cancelled_at = fields.DateTime(dump_only=True, allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema), dump_only=True)
    payments = fields.List(fields.Nested(PaymentSchema), dump_only=True)

    def _outstanding(self, order):
        return f"{max(order.total - order.paid, 0):.2f}"


class OrderRecordSchema(OrderSchema):
    """An order without its lines and payments: a list's ``?fields=full`` item."""

    class Meta:
        exclude = ("lines", "payments")


# What the customer card's and the deal's order rows show.
OrderListItemSchema = slim("OrderListItemSchema", OrderRecordSchema, (
    "id", "version", "updated_at", "number", "customer_id", "customer_name", "opportunity_id",
    "owner_id", "currency", "total", "outstanding", "status", "ordered_at"), "An order")


class OrderUpdateSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(["cancelled"]))


class OrderListArgs(PageArgs, FieldsArgs):
    customer_id = fields.UUID(load_default=None)
    opportunity_id = fields.UUID(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(ORDER_STATUSES))


@blp.route("/orders")
@blp.arguments(OrderListArgs, location="query")
@blp.response(200, page_schema(OrderListItemSchema, "OrderPage"))
def orders(args):
    """Orders you can see (finance: all), newest first"""
    filters = {k: args[k] for k in ("customer_id", "opportunity_id", "status")}
    return list_page(args, OrderRecordSchema, *order_service.list_orders(
        current_user, filters, args["limit"], args["cursor"]))


@blp.route("/orders/<uuid:order_id>")
class OrderById(MethodView):
    @blp.response(200, OrderSchema)
    def get(self, order_id):
        """An order with its lines, payments, paid and outstanding"""
        order = order_service.order_detail(current_user, order_id)
        return order, 200, etag(order)

    @blp.arguments(OrderUpdateSchema)
    @blp.response(200, OrderSchema)
    def patch(self, data, order_id):
        """Cancel an order (``{"status": "cancelled"}``; finance, manager, admin)"""
        order = order_service.get_order(current_user, order_id)
        order_service.cancel_order(current_user, order, if_match_version())
        db.session.commit()
        order = order_service.order_detail(current_user, order_id)
        return order, 200, etag(order)


@blp.route("/orders/<uuid:order_id>/payments")
class OrderPayments(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(PaymentSchema, "PaymentPage"))
    def get(self, args, order_id):
        """An order's payments, oldest first"""
        order = order_service.get_order(current_user, order_id)
        return page(*order_service.list_payments(current_user, order, args["limit"],
                                                 args["cursor"]))

    @blp.arguments(PaymentSchema)
    @blp.response(201, PaymentSchema)
    def post(self, data, order_id):
        """Record a payment (finance or the owner); more than is outstanding is 422"""
        order = order_service.get_order(current_user, order_id)
        payment, created = order_service.add_payment(current_user, order, data)
        db.session.commit()
        return payment, 201 if created else 200, etag(payment)
