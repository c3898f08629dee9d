"""Targets (a metric's value for a month, per person or team) and the attainment report."""
from datetime import date

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import validate
from app.api.common import (
    Money, PageArgs, RecordSchema, StrictSchema, etag, if_match_version, page, page_schema,
)
from app.extensions import db
from app.models.targets import METRICS
from app.services import attainment as attainment_service
from app.services import targets as target_service
from app.services.records import money

blp = Blueprint("targets", __name__, url_prefix="/api/v1",
                description="Targets and attainment")

_PERIOD_ERROR = "Not a period: a month (2026-12), a quarter (2026-Q4) or a year (2026)."
_MONTH = r"^(?:19|[2-8]\d)\d{2}-(?:0[1-9]|1[0-2])$"


class Month(fields.String):
    """A month as ``YYYY-MM`` (stored as its first day)."""

    _format = validate.Regexp(_MONTH, error="Not a month (YYYY-MM).")

    def __init__(self, **kwargs):
        super().__init__(metadata={"example": "2026-12", "pattern": _MONTH}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%Y-%m") if isinstance(value, date) else value

    def _deserialize(self, value, attr, data, **kwargs):
        text = self._format(super()._deserialize(value, attr, data, **kwargs))
        return date(int(text[:4]), int(text[5:7]), 1)


def _figure(description: str, allow_none=True, **kwargs):
    return Figure(allow_none=allow_none, metadata={
        "description": f"{description}: money as a string (\"42000.00\"), counts as an "
                       "integer", "oneOf": [{"type": "string"}, {"type": "integer"}]}, **kwargs)


class Figure(fields.Raw):
    """An amount as shown: money as a two-place string (``"100000.00"``), a count metric's
    as a whole number (``40``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, (int, str)):
            return value
        return f"{money(value):.2f}"


class TargetSchema(RecordSchema):
    metric = fields.String(required=True, validate=validate.OneOf(METRICS))
    period = Month(required=True)
    owner_id = fields.UUID(load_default=None, allow_none=True)
    team_id = fields.UUID(load_default=None, allow_none=True)
    value = _figure("The target", allow_none=False, dump_only=True)
    stretch = _figure("An optional higher target, at least value", dump_only=True)
    currency = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error="Not a currency code."), metadata={
            "description": "Money metrics only (default: the company's); null for counts"})


class TargetCreateSchema(TargetSchema):
    """``value`` and ``stretch`` as money strings (or whole numbers), never floats."""

    value = Money(required=True)
    stretch = Money(load_default=None, allow_none=True)


class TargetUpdateSchema(StrictSchema):
    value = Money()
    stretch = Money(allow_none=True)


class TargetListArgs(PageArgs):
    period = fields.String(load_default=None, validate=validate.Regexp(
        target_service.PERIOD, error=_PERIOD_ERROR))
    metric = fields.String(load_default=None, validate=validate.OneOf(METRICS))
    owner_id = fields.UUID(load_default=None)
    team_id = fields.UUID(load_default=None)


@blp.route("/targets")
class Targets(MethodView):
    @blp.arguments(TargetListArgs, location="query")
    @blp.response(200, page_schema(TargetSchema, "TargetPage"))
    def get(self, args):
        """Targets in your scope by month (a rep: their own)"""
        return page(*target_service.list_targets(current_user, args, args["limit"],
                                                 args["cursor"]))

    @blp.arguments(TargetCreateSchema)
    @blp.response(201, TargetSchema)
    def post(self, data):
        """Set a person's or a team's target for a month (leads, managers, administrators)"""
        target, created = target_service.create_target(current_user, data)
        db.session.commit()
        return target, 201 if created else 200, etag(target)


@blp.route("/targets/<uuid:target_id>")
class TargetById(MethodView):
    @blp.response(200, TargetSchema)
    def get(self, target_id):
        """One target"""
        target = target_service.get_target(current_user, target_id)
        return target, 200, etag(target)

    @blp.arguments(TargetUpdateSchema)
    @blp.response(200, TargetSchema)
    def patch(self, data, target_id):
        """Change a target's value or stretch"""
        target = target_service.update_target(
            current_user, target_service.find_target(current_user, target_id), data,
            if_match_version())
        db.session.commit()
        return target, 200, etag(target)

    @blp.response(204)
    def delete(self, target_id):
        """Remove a target"""
        target_service.delete_target(
            current_user, target_service.find_target(current_user, target_id),
            if_match_version())
        db.session.commit()


# Attainment -----------------------------------------------------------------------------

class AttainmentArgs(StrictSchema):
    period = fields.String(required=True, validate=validate.Regexp(
        target_service.PERIOD, error=_PERIOD_ERROR), metadata={"example": "2026-Q4"})
    team_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)
    metric = fields.String(load_default=None, validate=validate.OneOf(METRICS), metadata={
        "description": "Only this metric's items (default: every metric)"})


class AttainmentItemSchema(StrictSchema):
    metric = fields.String(metadata={"enum": list(METRICS)})
    owner_id = fields.UUID(allow_none=True)
    owner_name = fields.String(allow_none=True)
    team_id = fields.UUID(allow_none=True)
    team_name = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    value = _figure("The target (null: not set)")
    stretch = _figure("The stretch target")
    actual = _figure("What was reached")
    percent = fields.Float(allow_none=True)
    expected_to_date = _figure("Where the pace by working days says actual should be")
    gap = _figure("What is left to reach the target")
    days_left = fields.Integer()
    coverage = fields.Float(allow_none=True, metadata={
        "description": "Money: weighted open pipeline closing in the period / gap"})
    pace = fields.String(metadata={"enum": ["ahead", "on_track", "behind", "no_target"]})
    members_sum = _figure("A team's members' targets added up")
    mismatch = fields.Boolean()


class AttainmentSchema(StrictSchema):
    period = fields.String()
    start = fields.String(metadata={"format": "date"})
    end = fields.String(metadata={"format": "date"})
    working_days = fields.Integer()
    working_days_elapsed = fields.Integer()
    working_days_left = fields.Integer()
    as_of = fields.String(metadata={"format": "date-time"})
    items = fields.List(fields.Nested(AttainmentItemSchema))


@blp.route("/reports/attainment")
@blp.arguments(AttainmentArgs, location="query")
@blp.response(200, AttainmentSchema)
def attainment(args):
    """Targets against actuals for a month, quarter or year, per person and team in
    scope: percent, pace by working days, gap, coverage"""
    return attainment_service.attainment_report(current_user, args["period"],
                                                args["team_id"], args["owner_id"],
                                                args["metric"])


class AttainmentTrendArgs(StrictSchema):
    metric = fields.String(load_default="won_amount", validate=validate.OneOf(METRICS))
    months = fields.Integer(load_default=6, validate=validate.Range(1, 12), metadata={
        "description": "How many months, ending with the current one (company timezone)"})
    team_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)


class TrendPointSchema(StrictSchema):
    month = fields.String(metadata={"example": "2026-07"})
    value = _figure("The month's target (null: not set)")
    actual = _figure("What was reached in the month")
    percent = fields.Float(allow_none=True)


class TrendItemSchema(StrictSchema):
    owner_id = fields.UUID(allow_none=True)
    team_id = fields.UUID(allow_none=True)
    name = fields.String()
    currency = fields.String(allow_none=True)
    points = fields.List(fields.Nested(TrendPointSchema))


class AttainmentTrendSchema(StrictSchema):
    metric = fields.String(metadata={"enum": list(METRICS)})
    months = fields.List(fields.String(metadata={"example": "2026-07"}))
    items = fields.List(fields.Nested(TrendItemSchema))


@blp.route("/reports/attainment-trend")
@blp.arguments(AttainmentTrendArgs, location="query")
@blp.response(200, AttainmentTrendSchema)
def attainment_trend(args):
    """One metric's attainment month by month (the last 6 by default, up to 12), per person
    and team in scope: each month's figures are that month's attainment report's"""
    return attainment_service.attainment_trend(current_user, args["months"], args["metric"],
                                               args["team_id"], args["owner_id"])
