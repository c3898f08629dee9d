"""Day plans: a rep's stops for a date, their order and timeline, and the optimiser; the
saved home and office points a plan starts and ends at."""
from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validates_schema

from app.api import validate
from app.api.activities import AgendaCustomerSchema
from app.api.common import DAY_RANGE, TIME_RANGE, StrictSchema, etag, if_match_version
from app.extensions import db
from app.models.activities import CHECKIN_STATUSES
from app.models.plans import PLACE_KINDS, TRAVEL_SOURCES, UNPLANNED_REASONS
from app.services import places as place_service
from app.services import plans as plan_service

blp = Blueprint("plans", __name__, url_prefix="/api/v1", description="Day plans")


def _lat(**kwargs):
    return fields.Float(validate=validate.Range(-90, 90), **kwargs)


def _lng(**kwargs):
    return fields.Float(validate=validate.Range(-180, 180), **kwargs)


def _label():
    return fields.String(allow_none=True, validate=validate.Length(max=120))


def _when(**kwargs):
    return fields.AwareDateTime(allow_none=True, validate=TIME_RANGE, **kwargs)


class PointSchema(StrictSchema):
    lat = _lat(required=True)
    lng = _lng(required=True)
    label = _label()


class PointInSchema(StrictSchema):
    """A point, or ``{"place": "home"}``: the plan owner's saved point of that kind."""

    lat = _lat()
    lng = _lng()
    label = _label()
    place = fields.String(validate=validate.OneOf(PLACE_KINDS))

    @validates_schema
    def point_or_place(self, data, **kwargs):
        if "place" in data:
            if data.keys() - {"place"}:
                raise ValidationError("Send a saved place or a point, not both.", "place")
        elif "lat" not in data or "lng" not in data:
            raise ValidationError("Send lat and lng, or a saved place.", "lat")


class StopInSchema(StrictSchema):
    customer_id = fields.UUID(required=True)
    followup_id = fields.UUID(allow_none=True)
    arrive_by = _when(metadata={"description": "A fixed appointment: the visit starts by "
                                               "then (on the plan's date)."})
    duration_min = fields.Integer(strict=True, allow_none=True, validate=validate.Range(5, 480),
                                  metadata={"description": "Default: the company's "
                                                           "visit_duration_min."})


class PlanInSchema(StrictSchema):
    start = fields.Nested(PointInSchema, allow_none=True)
    end = fields.Nested(PointInSchema, allow_none=True)
    depart_at = _when(metadata={"description": "When the rep may leave the start (on the "
                                               "plan's date); default: workday_start."})
    stops = fields.List(fields.Nested(StopInSchema), load_default=list,
                        validate=validate.Length(max=plan_service.MAX_STOPS))


class StopSchema(StrictSchema):
    customer_id = fields.UUID()
    followup_id = fields.UUID(allow_none=True)
    arrive_by = fields.DateTime(allow_none=True)
    duration_min = fields.Integer()
    eta = fields.DateTime(allow_none=True, metadata={
        "description": "When the visit starts (after any wait for its appointment)."})
    distance_m = fields.Integer(allow_none=True, metadata={"description": "The leg to it."})
    travel_min = fields.Integer(allow_none=True, metadata={"description": "The leg to it."})
    late = fields.Boolean(metadata={"description": "The ETA is after arrive_by (an order "
                                                   "set by hand)."})
    unplanned = fields.String(allow_none=True, metadata={"enum": list(UNPLANNED_REASONS)})
    customer = fields.Nested(AgendaCustomerSchema)
    visited_at = fields.DateTime(allow_none=True, metadata={
        "description": "Done: the plan owner's first visit to this customer on the plan's "
                       "date."})
    checkin_status = fields.String(allow_none=True, metadata={
        "enum": list(CHECKIN_STATUSES),
        "description": "The best check-in of the day's visits to this customer."})


class SummarySchema(StrictSchema):
    """The plan against what happened."""

    planned = fields.Integer(metadata={"description": "Stops in the plan."})
    visited = fields.Integer(metadata={"description": "Stops whose customer the owner "
                                                      "visited that day."})
    verified = fields.Integer(metadata={"description": "Visited with a verified check-in."})
    missed = fields.Integer(metadata={"description": "Not visited, once the owner's day is "
                                                     "over (else 0)."})
    pending = fields.Integer(metadata={"description": "Not visited yet, while the day lasts "
                                                      "(else 0)."})


class UnplannedSchema(StrictSchema):
    index = fields.Integer(metadata={"description": "Its position in stops."})
    customer_id = fields.UUID()
    followup_id = fields.UUID(allow_none=True)
    reason = fields.String(metadata={"enum": list(UNPLANNED_REASONS)})


class PlanSchema(StrictSchema):
    id = fields.UUID(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    owner_id = fields.UUID()
    date = fields.Date()
    timezone = fields.String()
    start = fields.Nested(PointSchema, allow_none=True)
    end = fields.Nested(PointSchema, allow_none=True)
    depart_at = fields.DateTime(allow_none=True)
    leave_at = fields.DateTime(allow_none=True)
    finish_at = fields.DateTime(allow_none=True)
    total_distance_m = fields.Integer(allow_none=True)
    total_travel_min = fields.Integer(allow_none=True)
    total_duration_min = fields.Integer(allow_none=True)
    optimised_at = fields.DateTime(allow_none=True)
    travel_source = fields.String(allow_none=True, metadata={"enum": list(TRAVEL_SOURCES)})
    stops = fields.List(fields.Nested(StopSchema))
    unplanned = fields.List(fields.Nested(UnplannedSchema))
    summary = fields.Nested(SummarySchema)


class PlanDateArgs(StrictSchema):
    date = fields.Date(required=True, validate=DAY_RANGE)


class PlanOwnerArgs(StrictSchema):
    owner_id = fields.UUID(load_default=None, metadata={
        "description": "Another user's plan: a lead, their teams' members; managers, anyone."})


class PlacesSchema(StrictSchema):
    home = fields.Nested(PointSchema, allow_none=True)
    office = fields.Nested(PointSchema, allow_none=True)


@blp.route("/plans/<date>")
class PlanByDate(MethodView):
    @blp.arguments(PlanDateArgs, location="path", as_kwargs=True)
    @blp.arguments(PlanOwnerArgs, location="query", as_kwargs=True)
    @blp.response(200, PlanSchema)
    def get(self, date, owner_id):
        """A day's plan (a day without one reads as an empty plan, version 0)"""
        plan = plan_service.get_plan(current_user, date, owner_id)
        # The stops' visits and the summary move without the plan's version (its ETag): a
        # browser that kept the plan would revalidate it into a stale 304.
        return plan, 200, {**etag(plan), "Cache-Control": "private, no-store"}

    @blp.arguments(PlanDateArgs, location="path", as_kwargs=True)
    @blp.arguments(PlanOwnerArgs, location="query", as_kwargs=True)
    @blp.arguments(PlanInSchema)
    @blp.response(200, PlanSchema)
    def put(self, data, date, owner_id):
        """Replace a day's plan (the same plan again changes nothing)"""
        plan, created = plan_service.put_plan(current_user, date, data, owner_id,
                                              if_match_version())
        db.session.commit()
        return plan, 201 if created else 200, etag(plan)


@blp.route("/plans/<date>/optimise", methods=["POST"])
@blp.arguments(PlanDateArgs, location="path", as_kwargs=True)
@blp.arguments(PlanOwnerArgs, location="query", as_kwargs=True)
@blp.response(200, PlanSchema)
def optimise(date, owner_id):
    """Order a day's stops: least driving, every appointment kept, within the working day"""
    osrm_url = current_app.config.get("OSRM_URL")
    osrm = (osrm_url, current_app.config["OSRM_TIMEOUT_SECONDS"]) if osrm_url else None
    plan = plan_service.optimise_plan(current_user, date, owner_id, if_match_version(), osrm)
    db.session.commit()
    return plan, 200, etag(plan)


@blp.route("/me/places")
class MyPlaces(MethodView):
    @blp.response(200, PlacesSchema)
    def get(self):
        """Your saved home and office points"""
        return place_service.saved_places(current_user)

    @blp.arguments(PlacesSchema)
    @blp.response(200, PlacesSchema)
    def patch(self, data):
        """Save or clear (null) your home and office points"""
        places = place_service.update_saved_places(current_user, data)
        db.session.commit()
        return places
