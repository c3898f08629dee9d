"""Expense claims, their receipts, the approval chain and the approvals inbox."""
from datetime import date

from flask import send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import fields

from app.api import validate
from app.api.common import (
    FieldsArgs, Money, PageArgs, RecordSchema, SearchPageArgs, StrictSchema, etag,
    if_match_version, list_page, page, page_schema, slim,
)
from app.extensions import db
from app.models.expenses import CLAIM_STATUSES, STEPS
from app.services import claim_approvals as approval_service
from app.services import claim_queries as claim_query_service
from app.services import claims as claim_service
from app.services import receipts as receipt_service
from app.services.settings import EXPENSE_CATEGORIES

blp = Blueprint("expenses", __name__, url_prefix="/api/v1",
                description="Expense claims and their approval")

_DAY_RANGE = validate.Range(date(2000, 1, 1), date(9000, 1, 1))
_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="A three-letter currency code, like CNY.")


class ExpenseItemSchema(StrictSchema):
    id = fields.UUID()
    category = fields.String(required=True, validate=validate.OneOf(EXPENSE_CATEGORIES))
    amount = Money(required=True, minimum="0.01")
    currency = fields.String(validate=_CURRENCY)
    spent_on = fields.Date(required=True, validate=_DAY_RANGE)
    customer_id = fields.UUID(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    over_limit = fields.Boolean(dump_only=True)
    limit_amount = Money(dump_only=True, allow_none=True)


class ReceiptSchema(StrictSchema):
    id = fields.UUID()
    content_type = fields.String()
    size = fields.Integer()
    original_name = fields.String(allow_none=True)
    created_at = fields.DateTime()
    url = fields.Function(lambda r: f"/api/v1/expenses/{r.claim_id}/receipts/{r.id}")


class StepSchema(StrictSchema):
    round = fields.Integer()
    step = fields.String()
    action = fields.String()
    actor_id = fields.UUID(allow_none=True)
    actor_name = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ClaimSchema(RecordSchema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    currency = fields.String(validate=_CURRENCY)
    items = fields.List(fields.Nested(ExpenseItemSchema), validate=validate.Length(max=100))
    total = Money(dump_only=True)
    owner_id = fields.UUID(dump_only=True)
    owner_name = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    step = fields.String(dump_only=True, allow_none=True)
    approver_id = fields.UUID(dump_only=True, allow_none=True)
    round = fields.Integer(dump_only=True)
    flagged = fields.Boolean(dump_only=True)
    rejected_reason = fields.String(dump_only=True, allow_none=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    approved_at = fields.DateTime(dump_only=True, allow_none=True)
    paid_at = fields.DateTime(dump_only=True, allow_none=True)
    payment_reference = fields.String(dump_only=True, allow_none=True)
    receipts = fields.List(fields.Nested(ReceiptSchema), dump_only=True)


class ClaimUpdateSchema(ClaimSchema):
    class Meta:
        exclude = ("id",)


class ClaimDetailSchema(ClaimSchema):
    history = fields.List(fields.Nested(StepSchema), dump_only=True)
    can = fields.List(fields.String(), dump_only=True)


# What the claims list row shows: title, status and step, owner, receipts, flag, total.
ClaimListItemSchema = slim("ClaimListItemSchema", ClaimSchema, (
    "id", "version", "created_at", "updated_at", "title", "currency", "total", "owner_id",
    "owner_name", "status", "step", "flagged", "receipts"), "An expense claim")


class ClaimListArgs(SearchPageArgs, FieldsArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(CLAIM_STATUSES))
    step = fields.String(load_default=None, validate=validate.OneOf(STEPS))
    owner_id = fields.UUID(load_default=None)
    mine = fields.Boolean(load_default=False)


class DecisionSchema(StrictSchema):
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))
    step = fields.String(allow_none=True, validate=validate.OneOf(STEPS))


class RejectSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    step = fields.String(allow_none=True, validate=validate.OneOf(STEPS))


class PaySchema(StrictSchema):
    reference = fields.String(required=True, validate=validate.Length(1, 100))


class BatchSchema(StrictSchema):
    ids = fields.List(fields.UUID(), required=True, validate=validate.Length(1, 100))


class BatchResultSchema(StrictSchema):
    id = fields.UUID()
    status = fields.Integer()
    claim_status = fields.String()
    step = fields.String(allow_none=True)
    message = fields.String()


class BatchAnswerSchema(StrictSchema):
    results = fields.List(fields.Nested(BatchResultSchema))


class ApprovalCountSchema(StrictSchema):
    count = fields.Integer()


class ReceiptUploadSchema(StrictSchema):
    id = fields.UUID()


class ReceiptFileSchema(StrictSchema):
    """The multipart body as documented: ``id`` is read from the form part (above)."""

    id = fields.UUID(metadata={"description": "the client's id for the receipt (replay-safe)"})
    file = Upload(required=True)


def _detail(claim_id, claim=None):
    claim = claim_query_service.claim_detail(current_user, claim_id, claim)
    return claim, 200, etag(claim)


@blp.route("/expenses")
class Expenses(MethodView):
    @blp.arguments(ClaimListArgs, location="query")
    @blp.response(200, page_schema(ClaimListItemSchema, "ExpenseClaimPage"))
    def get(self, args):
        """List the claims you can see, newest first (filter by status, step, owner)

        Slim items; ``fields=full`` for full claims (with their items).
        """
        return list_page(args, ClaimSchema, *claim_query_service.list_claims(
            current_user, args, args["limit"], args["cursor"]))

    @blp.arguments(ClaimSchema)
    @blp.response(201, ClaimDetailSchema)
    def post(self, data):
        """Start a claim as a draft (same ``id`` again: 200 with the stored one)"""
        claim, created = claim_service.create_claim(current_user, data)
        db.session.commit()
        claim, _, headers = _detail(claim.id)
        return claim, 201 if created else 200, headers


@blp.route("/expenses/<uuid:claim_id>")
class ExpenseById(MethodView):
    @blp.response(200, ClaimDetailSchema)
    def get(self, claim_id):
        """A claim with its items, receipts and history"""
        return _detail(claim_id)

    @blp.arguments(ClaimUpdateSchema(partial=True))
    @blp.response(200, ClaimDetailSchema)
    def patch(self, data, claim_id):
        """Change a draft (``items`` replaces the list); a submitted claim: 409"""
        claim = claim_service.get_claim(current_user, claim_id)
        claim_service.update_claim(current_user, claim, data, if_match_version())
        db.session.commit()
        return _detail(claim_id)

    @blp.response(204)
    def delete(self, claim_id):
        """Delete a draft"""
        claim = claim_service.get_claim(current_user, claim_id)
        claim_service.delete_claim(current_user, claim, if_match_version())
        db.session.commit()


@blp.route("/expenses/<uuid:claim_id>/submit")
class Submit(MethodView):
    @blp.response(200, ClaimDetailSchema)
    def post(self, claim_id):
        """Send a draft into the approval chain"""
        claim = claim_service.get_claim(current_user, claim_id)
        approval_service.submit_claim(current_user, claim, if_match_version())
        db.session.commit()
        return _detail(claim_id, claim)


@blp.route("/expenses/<uuid:claim_id>/approve")
class Approve(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, ClaimDetailSchema)
    def post(self, data, claim_id):
        """Approve the step the claim waits at (``step`` guards against it having moved)"""
        claim = claim_service.get_claim(current_user, claim_id)
        approval_service.approve_claim(current_user, claim, data.get("comment"),
                                      data.get("step"), if_match_version())
        db.session.commit()
        return _detail(claim_id, claim)


@blp.route("/expenses/<uuid:claim_id>/reject")
class Reject(MethodView):
    @blp.arguments(RejectSchema)
    @blp.response(200, ClaimDetailSchema)
    def post(self, data, claim_id):
        """Send the claim back to its submitter as a draft, with a reason"""
        claim = claim_service.get_claim(current_user, claim_id)
        approval_service.reject_claim(current_user, claim, data["reason"], data.get("step"),
                                     if_match_version())
        db.session.commit()
        return _detail(claim_id, claim)


@blp.route("/expenses/<uuid:claim_id>/pay")
class Pay(MethodView):
    @blp.arguments(PaySchema)
    @blp.response(200, ClaimDetailSchema)
    def post(self, data, claim_id):
        """Record the payment of an approved claim (cashier), with its reference"""
        claim = claim_service.get_claim(current_user, claim_id)
        approval_service.pay_claim(current_user, claim, data["reference"], if_match_version())
        db.session.commit()
        return _detail(claim_id, claim)


@blp.route("/expenses/<uuid:claim_id>/receipts")
class Receipts(MethodView):
    @blp.arguments(ReceiptUploadSchema, location="form")
    @blp.arguments(ReceiptFileSchema, location="files")
    @blp.response(201, ReceiptSchema)
    def post(self, data, files, claim_id):
        """Attach a receipt (multipart ``file``: JPEG, PNG, WebP, HEIC or PDF, up to 10 MB;
        optional ``id``, the client's id for it)"""
        claim = claim_service.get_claim(current_user, claim_id)
        upload = files["file"]
        receipt, created = receipt_service.add_receipt(
            current_user, claim, upload.stream, upload.filename, data.get("id"))
        db.session.commit()
        return receipt, 201 if created else 200


@blp.route("/expenses/<uuid:claim_id>/receipts/<uuid:receipt_id>")
class ReceiptById(MethodView):
    @blp.response(200, description="The file, inline, with its real content type")
    def get(self, claim_id, receipt_id):
        """A receipt's file (only for people who may see the claim)"""
        claim = claim_service.get_claim(current_user, claim_id)
        receipt = receipt_service.get_receipt(claim, receipt_id)
        path = receipt_service.path_of(receipt)
        if not path.is_file():
            raise receipt_service.NotFound("Receipt not found.")
        ext = receipt_service.EXTENSIONS[receipt.content_type]
        response = send_file(path, mimetype=receipt.content_type, max_age=0,
                             download_name=f"receipt-{receipt.id}.{ext}", conditional=True)
        response.headers["Cache-Control"] = "private, max-age=3600"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @blp.response(204)
    def delete(self, claim_id, receipt_id):
        """Remove a receipt from a draft"""
        claim = claim_service.get_claim(current_user, claim_id)
        receipt = receipt_service.get_receipt(claim, receipt_id)
        path = receipt_service.delete_receipt(current_user, claim, receipt)
        db.session.commit()
        path.unlink(missing_ok=True)


@blp.route("/approvals")
class Approvals(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(ClaimSchema, "ApprovalPage"))
    def get(self, args):
        """The claims waiting for your decision (a cashier: approved claims to pay)"""
        return page(*claim_query_service.list_approvals(current_user, args["limit"],
                                                    args["cursor"]))


@blp.route("/approvals/count")
class ApprovalCount(MethodView):
    @blp.response(200, ApprovalCountSchema)
    def get(self):
        """How many claims wait for you (the badge)"""
        return {"count": claim_query_service.count_approvals(current_user)}


@blp.route("/approvals/batch-approve")
class BatchApprove(MethodView):
    @blp.arguments(BatchSchema)
    @blp.response(200, BatchAnswerSchema)
    def post(self, data):
        """Approve several claims; each answers on its own (200, 403, 404 or 409)"""
        results = approval_service.batch_approve(current_user, data["ids"])
        db.session.commit()
        return {"results": results}
