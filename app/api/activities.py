"""Activities, follow-ups and the agenda."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from app.api.common import (
    DAY_RANGE, TIME_RANGE,
    PageArgs, RecordSchema, StrictSchema, etag, if_match_version, page, page_schema,
)
from app.extensions import db
from app.models.activities import ACTIVITY_KINDS, FOLLOWUP_ACTIONS
from app.services import activities as activity_service

blp = Blueprint("activities", __name__, url_prefix="/api/v1",
                description="Activities, follow-ups and the agenda")


_TIME_RANGE, _DAY_RANGE = TIME_RANGE, DAY_RANGE


def _when(**kwargs):
    return fields.AwareDateTime(allow_none=True, validate=_TIME_RANGE, **kwargs)


class LocationSchema(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy = fields.Float(allow_none=True, validate=validate.Range(0, 100_000))


class NextSchema(StrictSchema):
    id = fields.UUID()
    kind = fields.String(required=True, validate=validate.OneOf(FOLLOWUP_ACTIONS))
    due_at = fields.AwareDateTime(required=True, validate=_TIME_RANGE)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ActivitySchema(RecordSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    action = fields.String(allow_none=True, validate=validate.OneOf(FOLLOWUP_ACTIONS))
    owner_id = fields.UUID(dump_only=True)
    customer_id = fields.UUID(allow_none=True)
    contact_id = fields.UUID(allow_none=True)
    opportunity_id = fields.UUID(allow_none=True, validate=validate.Equal(
        None, error="Opportunities are not available yet."))
    lead_id = fields.UUID(allow_none=True)
    occurred_at = _when()
    due_at = _when()
    done_at = _when()
    outcome = fields.String(allow_none=True, validate=validate.Length(max=40))
    notes = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    duration_seconds = fields.Integer(allow_none=True, strict=True,
                                      validate=validate.Range(0, 86_400))
    location = fields.Nested(LocationSchema, allow_none=True)
    distance_m = fields.Integer(dump_only=True)
    followup_of = fields.UUID(dump_only=True)


class ActivityCreateSchema(ActivitySchema):
    next = fields.Nested(NextSchema, load_only=True, allow_none=True)
    completes_id = fields.UUID(load_only=True, allow_none=True)
    followup = fields.Nested(ActivitySchema, dump_only=True, allow_none=True)

    @validates_schema
    def check_kind(self, data, **kwargs):
        if data.get("kind") == "task" and data.get("due_at") is None and not data.get("done_at"):
            raise ValidationError("A task needs a due time.", "due_at")


class ActivityUpdateSchema(StrictSchema):
    action = fields.String(allow_none=True, validate=validate.OneOf(FOLLOWUP_ACTIONS))
    occurred_at = _when()
    due_at = _when()
    done_at = _when()
    outcome = fields.String(allow_none=True, validate=validate.Length(max=40))
    notes = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    duration_seconds = fields.Integer(allow_none=True, strict=True,
                                      validate=validate.Range(0, 86_400))


class ActivityListArgs(PageArgs):
    customer_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(ACTIVITY_KINDS))
    open = fields.Boolean(load_default=None)


class AgendaCustomerSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    phone = fields.String(allow_none=True)
    phone_e164 = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)


class AgendaContactSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    phone = fields.String(allow_none=True)
    phone_e164 = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    mobile_e164 = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class AgendaItemSchema(RecordSchema):
    """An open follow-up with what the rep needs to act on it in one tap. Slimmer than a
    full activity (an open follow-up has no outcome, location or duration yet) so that a
    busy rep's agenda stays small on a phone connection."""

    kind = fields.String()
    action = fields.String(allow_none=True)
    due_at = fields.DateTime()
    notes = fields.String(allow_none=True)
    customer_id = fields.UUID(allow_none=True)
    contact_id = fields.UUID(allow_none=True)
    opportunity_id = fields.UUID(allow_none=True)
    followup_of = fields.UUID(allow_none=True)
    customer = fields.Nested(AgendaCustomerSchema, allow_none=True)
    contact = fields.Nested(AgendaContactSchema, allow_none=True)


class AgendaCountsSchema(StrictSchema):
    overdue = fields.Integer()
    today = fields.Integer()
    upcoming = fields.Integer()


class AgendaSchema(StrictSchema):
    date = fields.Date()
    timezone = fields.String()
    overdue = fields.List(fields.Nested(AgendaItemSchema))
    today = fields.List(fields.Nested(AgendaItemSchema))
    upcoming = fields.List(fields.Nested(AgendaItemSchema))
    counts = fields.Nested(AgendaCountsSchema)


class AgendaArgs(StrictSchema):
    date = fields.Date(load_default=None, validate=_DAY_RANGE)
    limit = fields.Integer(load_default=activity_service.AGENDA_SECTION_LIMIT,
                           validate=validate.Range(1, 100))


@blp.route("/activities")
class Activities(MethodView):
    @blp.arguments(ActivityListArgs, location="query")
    @blp.response(200, page_schema(ActivitySchema, "ActivityPage"))
    def get(self, args):
        """List activities you can see, newest first (``open=true``: open follow-ups)"""
        filters = {k: args[k] for k in ("customer_id", "owner_id", "kind", "open")}
        return page(*activity_service.list_activities(current_user, filters, args["limit"],
                                                      args["cursor"]))

    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivityCreateSchema)
    def post(self, data):
        """Log an activity; ``next`` sets the follow-up, ``completes_id`` closes one"""
        activity, followup, created = activity_service.log_activity(current_user, data)
        db.session.commit()
        activity.followup = followup
        return activity, 201 if created else 200, etag(activity)


@blp.route("/activities/<uuid:activity_id>")
class ActivityById(MethodView):
    @blp.response(200, ActivitySchema)
    def get(self, activity_id):
        """One activity"""
        activity = activity_service.get_activity(current_user, activity_id)
        return activity, 200, etag(activity)

    @blp.arguments(ActivityUpdateSchema)
    @blp.response(200, ActivitySchema)
    def patch(self, data, activity_id):
        """Change an activity; ``done_at`` completes a follow-up, ``due_at`` moves it"""
        activity = activity_service.get_activity_to_change(current_user, activity_id)
        activity = activity_service.update_activity(current_user, activity, data,
                                                    if_match_version())
        db.session.commit()
        return activity, 200, etag(activity)

    @blp.response(204)
    def delete(self, activity_id):
        """Delete an activity (a follow-up's reminder goes with it)"""
        activity = activity_service.get_activity_to_change(current_user, activity_id)
        activity_service.delete_activity(current_user, activity, if_match_version())
        db.session.commit()


@blp.route("/agenda")
@blp.arguments(AgendaArgs, location="query")
@blp.response(200, AgendaSchema)
def agenda(args):
    """Your follow-ups: overdue, today and the next 7 days, in your timezone

    Each section holds at most ``limit`` items (soonest first); ``counts`` are the totals.
    """
    day: date = args["date"] or datetime.now(ZoneInfo(current_user.timezone)).date()
    result = activity_service.agenda(current_user, day, args["limit"])
    for section in ("overdue", "today", "upcoming"):
        items = []
        for entry in result[section]:
            activity = entry["activity"]
            activity.customer = entry["customer"]
            activity.contact = entry["contact"]
            items.append(activity)
        result[section] = items
    return result
