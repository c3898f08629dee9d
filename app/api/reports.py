"""Reports: funnel, forecast, team activity, leaderboard; and the analysis charts (lead
intake, product sales, lost reasons, stage performance)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.common import DAY_RANGE, StrictSchema
from app.services import analysis_reports
from app.services import reports as report_service

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Reports (funnel, forecast, activity, leaderboard, analysis)")


class ReportArgs(StrictSchema):
    from_ = fields.Date(data_key="from", load_default=None, validate=DAY_RANGE)
    to = fields.Date(load_default=None, validate=DAY_RANGE)
    team_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)


class FunnelStageSchema(StrictSchema):
    stage_id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    probability = fields.Integer()
    entered = fields.Integer()
    amount = fields.String(metadata={"example": "1250.00"})
    conversion = fields.Float(allow_none=True)
    avg_days_in_stage = fields.Float(allow_none=True)


class FunnelSchema(StrictSchema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    stages = fields.List(fields.Nested(FunnelStageSchema))


class ForecastMonthSchema(StrictSchema):
    month = fields.String(metadata={"example": "2026-12"})
    currency = fields.String()
    deals = fields.Integer()
    amount = fields.String()
    weighted = fields.String()


class ForecastTotalSchema(StrictSchema):
    currency = fields.String()
    deals = fields.Integer()
    amount = fields.String()
    weighted = fields.String()


class WonSchema(StrictSchema):
    currency = fields.String()
    deals = fields.Integer()
    amount = fields.String()


class ForecastSchema(StrictSchema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    months = fields.List(fields.Nested(ForecastMonthSchema))
    totals = fields.List(fields.Nested(ForecastTotalSchema))
    won = fields.List(fields.Nested(WonSchema))


class ActivityPersonSchema(StrictSchema):
    owner_id = fields.UUID()
    owner_name = fields.String()
    total = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"example": {"call": 12, "visit": 4}})
    followups_done = fields.Integer()


class ActivityReportSchema(StrictSchema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    people = fields.List(fields.Nested(ActivityPersonSchema))


class LeaderSchema(StrictSchema):
    rank = fields.Integer()
    owner_id = fields.UUID()
    owner_name = fields.String()
    currency = fields.String()
    deals = fields.Integer()
    amount = fields.String(metadata={"example": "1250.00"})


class LeaderboardSchema(StrictSchema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    people = fields.List(fields.Nested(LeaderSchema))


def _today():
    return datetime.now(ZoneInfo(current_user.timezone)).date()


def _args(args, ahead=False):
    start, end = report_service.period(args["from_"], args["to"], _today(), ahead)
    return start, end, args["team_id"], args["owner_id"]


def _analysis_args(args):
    start, end = analysis_reports.analysis_period(args["from_"], args["to"], _today())
    return start, end, args["team_id"], args["owner_id"]


@blp.route("/funnel")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, FunnelSchema)
def funnel(args):
    """Deals created in the period (default: the last 90 days), per stage: entered,
    amount, conversion to the next stage, average days in stage"""
    return report_service.funnel(current_user, *_args(args))


@blp.route("/forecast")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ForecastSchema)
def forecast(args):
    """Open deals by expected close month (default: the next 90 days), weighted by
    probability; and what was won in the period"""
    return report_service.forecast(current_user, *_args(args, ahead=True))


@blp.route("/activity")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ActivityReportSchema)
def activity(args):
    """Per person (default: the last 90 days): calls, visits, meetings, emails and notes
    logged, and follow-ups completed"""
    return report_service.activity(current_user, *_args(args))


@blp.route("/leaderboard")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, LeaderboardSchema)
def leaderboard(args):
    """Deals won in the period (default: the last 90 days) per person and currency,
    ranked by amount"""
    return report_service.leaderboard(current_user, *_args(args))


# The analysis charts ----------------------------------------------------------------------

class PeriodSchema(StrictSchema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()


class IntakeWeekSchema(StrictSchema):
    week = fields.String(metadata={"example": "2026-W48"})
    source = fields.String(allow_none=True)
    count = fields.Integer()


class SourceConversionSchema(StrictSchema):
    source = fields.String(allow_none=True)
    leads = fields.Integer()
    converted = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"example": 0.25})


class OwnerConversionSchema(StrictSchema):
    owner_id = fields.UUID(allow_none=True)
    owner_name = fields.String(allow_none=True)
    leads = fields.Integer()
    converted = fields.Integer()
    rate = fields.Float(allow_none=True)


class ConversionSchema(StrictSchema):
    by_source = fields.List(fields.Nested(SourceConversionSchema))
    by_owner = fields.List(fields.Nested(OwnerConversionSchema))


class LeadIntakeSchema(PeriodSchema):
    weeks = fields.List(fields.Nested(IntakeWeekSchema))
    conversion = fields.Nested(ConversionSchema)


class ProductSalesItemSchema(StrictSchema):
    product_id = fields.UUID()
    name = fields.String()
    currency = fields.String()
    quantity = fields.String(metadata={"example": "12.00"})
    revenue = fields.String(metadata={"example": "1250.00"})


class ProductSalesSchema(PeriodSchema):
    items = fields.List(fields.Nested(ProductSalesItemSchema))
    best = fields.List(fields.Nested(ProductSalesItemSchema))
    slowest = fields.List(fields.Nested(ProductSalesItemSchema))


class CurrencyAmountSchema(StrictSchema):
    currency = fields.String()
    amount = fields.String(metadata={"example": "1250.00"})


class LostReasonSchema(StrictSchema):
    reason = fields.String(allow_none=True)
    count = fields.Integer()
    amounts = fields.List(fields.Nested(CurrencyAmountSchema))


class LostReasonsSchema(PeriodSchema):
    items = fields.List(fields.Nested(LostReasonSchema))


class StagePerformanceItemSchema(StrictSchema):
    stage_id = fields.UUID()
    stage = fields.String()
    entered = fields.Integer()
    won = fields.Integer()
    lost = fields.Integer()
    win_rate = fields.Float(allow_none=True)
    avg_days = fields.Float(allow_none=True)


class StagePerformanceSchema(PeriodSchema):
    items = fields.List(fields.Nested(StagePerformanceItemSchema))


@blp.route("/lead-intake")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, LeadIntakeSchema)
def lead_intake(args):
    """Leads in per ISO week and source (default: the last 12 weeks), and how many of them
    became customers, by source and by owner"""
    return analysis_reports.lead_intake(current_user, *_analysis_args(args))


@blp.route("/product-sales")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ProductSalesSchema)
def product_sales(args):
    """Quantity and revenue per product and currency of the orders placed in the period
    (default: the last 12 weeks); the five best and five slowest sellers per currency"""
    return analysis_reports.product_sales(current_user, *_analysis_args(args))


@blp.route("/lost-reasons")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, LostReasonsSchema)
def lost_reasons(args):
    """Deals lost in the period (default: the last 12 weeks) per reason, with their amount
    per currency"""
    return analysis_reports.lost_reasons(current_user, *_analysis_args(args))


@blp.route("/stage-performance")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, StagePerformanceSchema)
def stage_performance(args):
    """Of the deals won or lost in the period (default: the last 12 weeks), per stage they
    passed through: how many, won, lost, win rate and average days in the stage"""
    return analysis_reports.stage_performance(current_user, *_analysis_args(args))
