"""The expense report: spend by rep, category and month, and cost against won revenue."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validates_schema

from app.api import validate
from app.api.common import Money, StrictSchema
from app.services import expense_reports as report_service

blp = Blueprint("expense_reports", __name__, url_prefix="/api/v1",
                description="Expense reports")

_DAY_RANGE = validate.Range(date(2000, 1, 1), date(9000, 1, 1))
MAX_DAYS = 3 * 366


class ReportArgs(StrictSchema):
    from_ = fields.Date(data_key="from", load_default=None, validate=_DAY_RANGE)
    to = fields.Date(load_default=None, validate=_DAY_RANGE)
    team_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)
    include_pending = fields.Boolean(load_default=False)

    @validates_schema
    def _order(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            raise ValidationError("Must not be after 'to'.", "from")
        if start and end and (end - start).days > MAX_DAYS:
            raise ValidationError("At most three years at a time.", "from")


class RepRowSchema(StrictSchema):
    owner_id = fields.UUID()
    owner_name = fields.String()
    currency = fields.String()
    total = Money()
    claims = fields.Integer()
    revenue = Money(allow_none=True)
    cost_to_revenue = fields.Decimal(as_string=True, allow_none=True,
                                     metadata={"type": "string", "example": "0.0525"})


class TotalSchema(StrictSchema):
    currency = fields.String()
    total = Money()


class CategoryRowSchema(TotalSchema):
    category = fields.String()


class MonthRowSchema(TotalSchema):
    month = fields.String(metadata={"example": "2026-11"})


class ExpenseReportSchema(StrictSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    totals = fields.List(fields.Nested(TotalSchema))
    by_rep = fields.List(fields.Nested(RepRowSchema))
    by_category = fields.List(fields.Nested(CategoryRowSchema))
    by_month = fields.List(fields.Nested(MonthRowSchema))


def default_period(today: date) -> tuple[date, date]:
    """This month and the five before it."""
    month, year = today.month - 5, today.year
    while month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1), today


@blp.route("/reports/expenses")
class ExpenseReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ExpenseReportSchema)
    def get(self, args):
        """Spend by rep, category and month, and each rep's cost-to-revenue ratio
        (``?from=&to=&team_id=&owner_id=``; default: the last six months)"""
        today = datetime.now(ZoneInfo(current_user.timezone)).date()  # the user's today
        start, end = default_period(today)
        start = args["from_"] or (args["to"] - timedelta(days=180) if args["to"] else start)
        end = args["to"] or max(end, start)
        report = report_service.expense_report(
            current_user, start, end,
            {"team_id": args["team_id"], "owner_id": args["owner_id"]},
            args["include_pending"])
        report["from_"] = report.pop("from")
        return report
