"""Company settings: everyone signed in reads them, administrators change them."""
from datetime import date

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validates

from app.api import validate
from app.api.common import Money, StrictSchema
from app.extensions import db
from app.services import settings as settings_service
from app.services import users as user_service

blp = Blueprint("settings", __name__, url_prefix="/api/v1", description="Company settings")


class ExpenseLimitSchema(StrictSchema):
    amount = Money(required=True)
    per = fields.String(required=True, validate=validate.OneOf(("day", "item")))


_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"
_DAY = r"^\d{4}-\d{2}-\d{2}$"


class SettingsSchema(StrictSchema):
    lead_cap = fields.Integer(strict=True, validate=validate.Range(1, 10_000))
    lead_recycle_days = fields.Integer(strict=True, validate=validate.Range(1, 365))
    lose_reasons = fields.List(fields.String(validate=validate.Length(1, 80)),
                               validate=validate.Length(1, 50))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="Not a currency code."),
                             metadata={"example": "CNY"})
    expense_manager_threshold = Money()
    expense_limits = fields.Dict(
        keys=fields.String(validate=validate.OneOf(settings_service.EXPENSE_CATEGORIES)),
        values=fields.Nested(ExpenseLimitSchema))
    visit_interval_days = fields.Dict(
        keys=fields.String(validate=validate.OneOf(settings_service.VISIT_INTERVAL_KEYS)),
        values=fields.Integer(strict=True, validate=validate.Range(1, 365)),
        metadata={"description": "Days between visits by RFM segment (\"none\": no orders "
                                 "yet), for customers without their own visit_interval_days"})
    checkin_radius_m = fields.Integer(strict=True, validate=validate.Range(10, 10_000), metadata={
        "description": "A visit logged this close to its customer is a verified check-in"})
    stale_deal_days = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 40)),
        values=fields.Integer(strict=True, validate=validate.Range(1, 365)),
        validate=validate.Length(1, 100),
        metadata={"example": {"default": 14},
                  "description": "Days without activity after which an open deal is stale: "
                                 "\"default\", and a stage's id for its own number"})
    # Day plans (the optimiser)
    visit_duration_min = fields.Integer(strict=True, validate=validate.Range(5, 480))
    workday_start = fields.String(validate=validate.Regexp(_CLOCK, error="Not a time (HH:MM)."),
                                  metadata={"example": "08:30"})
    workday_end = fields.String(validate=validate.Regexp(_CLOCK, error="Not a time (HH:MM)."),
                                metadata={"example": "18:00"})
    appointment_window_min = fields.Integer(strict=True, validate=validate.Range(0, 240))
    road_factor = fields.Float(validate=validate.Range(1, 3))
    average_speed_kmh = fields.Float(validate=validate.Range(3, 130))

    map_tile_url = fields.String(validate=validate.Length(max=300), metadata={
        "example": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "description": "Tile URL template with {z}, {x}, {y} (and {s}); its host joins the CSP."})
    map_subdomains = fields.String(validate=validate.Regexp(
        r"^[a-z0-9]{1,10}$", error="Letters or digits, one per subdomain."))
    map_attribution = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "The map's credit line, as plain text."})
    map_max_zoom = fields.Integer(strict=True, validate=validate.Range(1, 22))
    map_coordinates = fields.String(validate=validate.OneOf(settings_service.MAP_DATUMS), metadata={
        "description": "The datum of the tiles: gcj02 for Chinese providers."})

    # Targets and attainment
    timezone = fields.String(validate=validate.Length(1, 64), metadata={
        "example": "Asia/Shanghai",
        "description": "The company's IANA timezone: its months and days for attainment."})
    working_weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 7)),
        validate=validate.Length(1, 7), metadata={
            "example": [1, 2, 3, 4, 5], "description": "Working days, ISO weekdays (1 = Monday)"})
    holidays = fields.List(
        fields.String(validate=validate.Regexp(_DAY, error="Not a date (YYYY-MM-DD).")),
        validate=validate.Length(max=1000), metadata={
            "example": ["2027-01-01"], "description": "Dates that are not working days"})
    lock_closed_months = fields.Boolean(metadata={
        "description": "Refuse changes to the targets of months before the current one"})

    @validates("timezone")
    def _timezone(self, value, **kwargs):
        if not user_service.is_timezone(value):
            raise ValidationError("Unknown timezone; use an IANA name like Asia/Shanghai.")

    @validates("working_weekdays")
    def _distinct_weekdays(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("Each day only once.")

    @validates("holidays")
    def _holidays(self, value, **kwargs):
        for day in value:
            try:
                date.fromisoformat(day)
            except ValueError:
                raise ValidationError("Not a date (YYYY-MM-DD).") from None
        if len(set(value)) != len(value):
            raise ValidationError("Each date only once.")

    @validates("map_tile_url")
    def _tile_url(self, value, **kwargs):
        if settings_service.tile_origin(value) is None:
            raise ValidationError(
                "Not a tile URL: it needs http(s), a host and the z, x and y placeholders.")

    @validates("lose_reasons")
    def _distinct_reasons(self, value, **kwargs):
        if len({reason.strip().casefold() for reason in value}) != len(value):
            raise ValidationError("Each reason only once.")


@blp.route("/settings")
class Settings(MethodView):
    @blp.response(200, SettingsSchema)
    def get(self):
        """The company's settings (defaults where an administrator changed nothing)"""
        return settings_service.get_settings()

    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsSchema)
    def patch(self, data):
        """Change company settings (administrators)"""
        plain = SettingsSchema().dump(data)  # Decimals back to the strings we store
        result = settings_service.update_settings(current_user, plain)
        db.session.commit()
        return result
