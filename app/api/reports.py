"""Pipeline reports: funnel and forecast."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.common import DAY_RANGE, StrictSchema
from app.services import reports as report_service

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Pipeline reports (funnel, forecast)")


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


def _args(args, ahead=False):
    today = datetime.now(ZoneInfo(current_user.timezone)).date()
    start, end = report_service.period(args["from_"], args["to"], today, ahead)
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
