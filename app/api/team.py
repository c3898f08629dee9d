"""The team home for leads and managers: the reps at a glance, what needs the reader, and
one rep's day."""
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.activities import AgendaItemSchema
from app.api.common import DAY_RANGE, Money, StrictSchema
from app.api.plans import PlanSchema
from app.models.activities import CHECKIN_STATUSES
from app.services import team_home as team_home_service

blp = Blueprint("team", __name__, url_prefix="/api/v1/team",
                description="The team home (leads and managers)")


class TeamHomeArgs(StrictSchema):
    team_id = fields.UUID(load_default=None, metadata={
        "description": "One team: a lead, one they lead; managers and admins, any."})


class TeamRepSchema(StrictSchema):
    owner_id = fields.UUID()
    owner_name = fields.String()
    team_id = fields.UUID(allow_none=True)
    timezone = fields.String()
    visits_this_week = fields.Integer(metadata={"description": "Since Monday, the rep's days."})
    overdue_followups = fields.Integer()
    stale_deals = fields.Integer()
    activities_today = fields.Integer(metadata={
        "description": "Logged today (the rep's day) and follow-ups done."})
    attainment_percent = fields.Float(allow_none=True)
    pace = fields.String(metadata={"enum": list(team_home_service.PACE_ORDER)})


class ApprovalItemSchema(StrictSchema):
    id = fields.UUID()
    version = fields.Integer()
    title = fields.String()
    claimant = fields.String(allow_none=True)
    amount = Money()
    currency = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    step = fields.String(allow_none=True)


class StaleDealSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    customer_name = fields.String()
    owner_name = fields.String()
    stage = fields.String()
    days_idle = fields.Integer()


class RecycleLeadSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    owner_name = fields.String()
    recycles_on = fields.Date(metadata={"description": "The reader's date; today when due."})


class QuietRepSchema(StrictSchema):
    owner_id = fields.UUID()
    owner_name = fields.String()


class NeedsYouSchema(StrictSchema):
    approvals = fields.List(fields.Nested(ApprovalItemSchema))
    approvals_count = fields.Integer()
    stale_deals = fields.List(fields.Nested(StaleDealSchema))
    stale_deals_count = fields.Integer()
    leads_to_recycle = fields.List(fields.Nested(RecycleLeadSchema))
    leads_to_recycle_count = fields.Integer()
    quiet_reps = fields.List(fields.Nested(QuietRepSchema), metadata={
        "description": "Nothing logged today, past 11:00 in the rep's timezone."})


class TeamHomeSchema(StrictSchema):
    as_of = fields.DateTime()
    team_id = fields.UUID(allow_none=True)
    reps = fields.List(fields.Nested(TeamRepSchema))
    needs_you = fields.Nested(NeedsYouSchema)


class RepDayArgs(StrictSchema):
    date = fields.Date(load_default=None, validate=DAY_RANGE,
                       metadata={"description": "Default: the rep's today."})


class DayCustomerSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()


class DoneFollowupSchema(StrictSchema):
    id = fields.UUID()
    action = fields.String(allow_none=True)
    due_at = fields.DateTime()
    done_at = fields.DateTime()
    notes = fields.String(allow_none=True)
    customer = fields.Nested(DayCustomerSchema, allow_none=True)


class DayVisitSchema(StrictSchema):
    id = fields.UUID()
    customer_id = fields.UUID(allow_none=True)
    customer_name = fields.String(allow_none=True)
    occurred_at = fields.DateTime()
    checkin_status = fields.String(allow_none=True, metadata={"enum": list(CHECKIN_STATUSES)})
    distance_m = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)


class PipelineAmountSchema(StrictSchema):
    currency = fields.String()
    deals = fields.Integer()
    amount = Money()


class PipelineSchema(StrictSchema):
    open_deals = fields.Integer()
    amount = fields.List(fields.Nested(PipelineAmountSchema))


class RepDaySchema(StrictSchema):
    date = fields.Date()
    owner_id = fields.UUID()
    owner_name = fields.String()
    timezone = fields.String()
    followups_due = fields.List(fields.Nested(AgendaItemSchema), metadata={
        "description": "Open follow-ups overdue or due that day (20 of each at most)."})
    followups_done = fields.List(fields.Nested(DoneFollowupSchema))
    visits = fields.List(fields.Nested(DayVisitSchema))
    plan = fields.Nested(PlanSchema, allow_none=True)
    pipeline = fields.Nested(PipelineSchema)


@blp.route("/home")
@blp.arguments(TeamHomeArgs, location="query")
@blp.response(200, TeamHomeSchema)
def home(args):
    """The team at a glance: each rep's week, overdue follow-ups and stale deals, and what
    needs the reader (approvals, stale deals, leads about to be recycled, quiet reps)"""
    return team_home_service.team_home(current_user, args["team_id"])


@blp.route("/reps/<uuid:user_id>/day")
@blp.arguments(RepDayArgs, location="query", as_kwargs=True)
@blp.response(200, RepDaySchema)
def rep_day(user_id, date):
    """One rep's day for their lead or a manager: follow-ups due and done, visits with
    their check-ins, the plan, the open pipeline"""
    return team_home_service.rep_day(current_user, user_id, date)
