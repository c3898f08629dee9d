"""Activities, follow-ups and the agenda."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, pre_dump, validates_schema

from app.api import validate
from app.api.common import (
    DAY_RANGE, FULL_FIELDS, TIME_RANGE,
    FieldsArgs, PageArgs, RecordSchema, StrictSchema, etag, if_match_version, list_page,
    page_schema, slim,
)
from app.extensions import db
from app.models.activities import ACTIVITY_KINDS, CHECKIN_STATUSES, FOLLOWUP_ACTIONS
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
    checkin_status = fields.String(dump_only=True, allow_none=True, metadata={
        "enum": [*CHECKIN_STATUSES, None],
        "description": "A visit's check-in (verified: within the company's checkin_radius_m "
                       "with accuracy better than it; far; unverified); null for the rest"})
    followup_of = fields.UUID(dump_only=True)


# Slim shapes (issue 11): what the customer card's timeline and follow-up cards show.
TimelineItemSchema = slim("TimelineItemSchema", ActivitySchema, (
    "id", "version", "updated_at", "kind", "occurred_at", "done_at", "outcome", "notes",
    "duration_seconds", "distance_m", "checkin_status"), "A timeline entry")
FollowupItemSchema = slim("FollowupItemSchema", ActivitySchema, (
    "id", "version", "updated_at", "kind", "action", "customer_id", "contact_id", "due_at",
    "notes"), "An open follow-up")
ActivityListItemSchema = slim("ActivityListItemSchema", ActivitySchema, (
    "id", "version", "created_at", "updated_at", "kind", "action", "owner_id", "customer_id",
    "contact_id", "lead_id", "occurred_at", "due_at", "done_at", "outcome", "notes",
    "duration_seconds", "location", "distance_m", "checkin_status"), "An activity")


class ActivityCreateSchema(ActivitySchema):
    next = fields.Nested(NextSchema, load_only=True, allow_none=True)
    completes_id = fields.UUID(load_only=True, allow_none=True)
    followup = fields.Nested(ActivitySchema, dump_only=True, allow_none=True)

    @pre_dump
    def beside_its_followup(self, logged, **kwargs):
        """A LoggedActivity: the activity's own fields, and the follow-up it set."""
        names = [name for name in self.dump_fields if name != "followup"]
        return {**{name: getattr(logged.activity, name) for name in names},
                "followup": logged.followup}

    @validates_schema
    def check_kind(self, data, **kwargs):
        if data.get("kind") == "task" and data.get("due_at") is None and not data.get("done_at"):
            raise ValidationError("A task needs a due time.", "due_at")


# What may change once logged: these fields of ActivitySchema, declared there once.
ActivityUpdateSchema = StrictSchema.from_dict(
    {name: ActivitySchema._declared_fields[name] for name in (
        "action", "occurred_at", "due_at", "done_at", "outcome", "notes", "duration_seconds")},
    name="ActivityUpdateSchema")


class ActivityListArgs(PageArgs, FieldsArgs):
    customer_id = fields.UUID(load_default=None)
    owner_id = fields.UUID(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(ACTIVITY_KINDS))
    open = fields.Boolean(load_default=None)


class AgendaCustomerSchema(StrictSchema):
    """The customer of a follow-up: enough to call, mail and navigate in one tap (the
    number in E.164: a stored phone always has one)."""

    id = fields.UUID()
    name = fields.String()
    phone_e164 = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)


class AgendaContactSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    phone_e164 = fields.String(allow_none=True)
    mobile_e164 = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class AgendaItemSchema(StrictSchema):
    """An open follow-up with what the rep needs to act on it in one tap, and no more:
    a busy rep's agenda (30 items) stays under 20 KB on a phone connection.
    ``?fields=full`` gives every field (AgendaFullItem)."""

    id = fields.UUID()
    version = fields.Integer()
    action = fields.String(allow_none=True)
    due_at = fields.DateTime()
    notes = fields.String(allow_none=True)
    customer = fields.Nested(AgendaCustomerSchema, allow_none=True)
    contact = fields.Nested(AgendaContactSchema, allow_none=True)


class AgendaFullCustomerSchema(AgendaCustomerSchema):
    phone = fields.String(allow_none=True)


class AgendaFullContactSchema(AgendaContactSchema):
    phone = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)


class AgendaFullItemSchema(RecordSchema):
    """An agenda item as it was before slim items (``?fields=full``)."""

    kind = fields.String()
    action = fields.String(allow_none=True)
    due_at = fields.DateTime()
    notes = fields.String(allow_none=True)
    customer_id = fields.UUID(allow_none=True)
    contact_id = fields.UUID(allow_none=True)
    opportunity_id = fields.UUID(allow_none=True)
    followup_of = fields.UUID(allow_none=True)
    customer = fields.Nested(AgendaFullCustomerSchema, allow_none=True)
    contact = fields.Nested(AgendaFullContactSchema, allow_none=True)


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
    counts = fields.Nested(AgendaCountsSchema, metadata={"description": (
        "Each section's total, counted up to 999 (a count never reads more of the index)")})
    counts_capped = fields.Boolean(metadata={
        "description": "true when a section has more than 999 follow-ups (its count says 999)"})


class AgendaFullSchema(AgendaSchema):
    overdue = fields.List(fields.Nested(AgendaFullItemSchema))
    today = fields.List(fields.Nested(AgendaFullItemSchema))
    upcoming = fields.List(fields.Nested(AgendaFullItemSchema))


class AgendaArgs(FieldsArgs):
    date = fields.Date(load_default=None, validate=_DAY_RANGE)
    limit = fields.Integer(load_default=activity_service.AGENDA_SECTION_LIMIT,
                           validate=validate.Range(1, 100))


@blp.route("/activities")
class Activities(MethodView):
    @blp.arguments(ActivityListArgs, location="query")
    @blp.response(200, page_schema(ActivityListItemSchema, "ActivityPage"))
    def get(self, args):
        """List activities you can see, newest first (``open=true``: open follow-ups)

        Slim items; ``fields=full`` for full records.
        """
        filters = {k: args[k] for k in ("customer_id", "owner_id", "kind", "open")}
        return list_page(args, ActivitySchema, *activity_service.list_activities(
            current_user, filters, args["limit"], args["cursor"]))

    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivityCreateSchema)
    def post(self, data):
        """Log an activity; ``next`` sets the follow-up, ``completes_id`` closes one"""
        activity, followup, created = activity_service.log_activity(current_user, data)
        db.session.commit()
        return (activity_service.LoggedActivity(activity, followup), 201 if created else 200,
                etag(activity))


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
    Slim items; ``fields=full`` for every field of each follow-up.
    """
    day: date = args["date"] or datetime.now(ZoneInfo(current_user.timezone)).date()
    result = activity_service.agenda(current_user, day, args["limit"])
    if args["detail"] == FULL_FIELDS:
        return jsonify(AgendaFullSchema().dump(result))
    return result
