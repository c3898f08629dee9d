"""The team home: where a lead's or manager's team stands today, and what waits for them.

Every figure comes from a grouped statement over all the reps at once (a constant number of
statements whatever the team size), each read from an index of those reps' rows: the daily
rollup for activity, the open follow-ups' partial index for overdue ones, the reps' open
deals and open leads. Nothing reads the company's activity table.

Attainment (``attainment_percent``, ``pace``) is each rep's headline item of this month's
attainment report (``services.attainment``: their first metric with a target); a rep with
no target reads "no_target".
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import (
    Activity, ActivityDaily, Customer, Lead, Opportunity, Stage, Team, User,
)
from app.models.base import utcnow
from app.models.rollups import COUNT_COLUMNS
from app.services import claim_queries
from app.services import leads as lead_service
from app.services.activities import agenda, local_day_bounds
from app.services.attainment import attainment_report, headline_by_owner
from app.services.errors import Forbidden, NotFound
from app.services.plans import get_plan, plan_owner
from app.services.scoping import SEE_ALL
from app.services.settings import get_settings

READERS = ("lead",) + SEE_ALL
MEMBER_ROLES = ("rep", "lead")
TOP = 5
# Before this hour of their own day, no rep counts as quiet.
QUIET_AFTER = time(11, 0)
# Leads the recycle job takes within this many days are "about to be recycled".
RECYCLE_HORIZON_DAYS = 3
PACE_ORDER = ("ahead", "on_track", "behind", "no_target")


@dataclass(frozen=True)
class RepRow:
    owner_id: uuid.UUID
    owner_name: str
    team_id: uuid.UUID | None
    timezone: str
    visits_this_week: int
    overdue_followups: int
    stale_deals: int
    activities_today: int
    attainment_percent: float | None
    pace: str


def _check_reader(actor: User) -> None:
    if actor.role not in READERS:
        raise Forbidden("Only team leads and managers have a team home.")


def team_members(actor: User, team_id: uuid.UUID | None = None) -> list[User]:
    """The people on ``actor``'s team home: a lead, the reps and leads of the teams they
    lead; managers and admins, everyone's (or one team's). Never the actor themselves."""
    _check_reader(actor)
    query = select(User).where(User.active.is_(True), User.role.in_(MEMBER_ROLES),
                               User.id != actor.id)
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or (actor.role == "lead" and team.lead_id != actor.id):
            raise NotFound("Team not found.")
        query = query.where(User.team_id == team_id)
    elif actor.role == "lead":
        query = query.where(User.team_id.in_(select(Team.id).where(Team.lead_id == actor.id)))
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def _local_today(user: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(user.timezone)).date()


def _activity_by_day(reps: list[User], now: datetime) -> dict:
    """(owner, day) -> (visits, everything logged and follow-ups done), each rep's days
    from their own week's Monday to their today: one range of the rollup's primary key."""
    todays = [_local_today(rep, now) for rep in reps]
    first = min(today - timedelta(days=today.weekday()) for today in todays)
    daily = ActivityDaily
    rows = db.session.execute(
        select(daily.owner_id, daily.day, daily.visit,
               sum((getattr(daily, column) for column in COUNT_COLUMNS[1:]), daily.call))
        .where(daily.owner_id.in_([rep.id for rep in reps]), daily.day >= first,
               daily.day <= max(todays)))
    return {(owner, day): (visits, total) for owner, day, visits, total in rows}


def _by_timezone(reps: list[User]) -> dict[str, list[uuid.UUID]]:
    zones: dict[str, list[uuid.UUID]] = {}
    for rep in reps:
        zones.setdefault(rep.timezone, []).append(rep.id)
    return zones


def _overdue_counts(reps: list[User], now: datetime) -> dict:
    """Open follow-ups due before each rep's today began (as the agenda's "overdue"), from
    ix_activities_open_followups: one (owners, due before) range per timezone."""
    ranges = []
    for tz_name, ids in _by_timezone(reps).items():
        start = local_day_bounds(now.astimezone(ZoneInfo(tz_name)).date(), tz_name)[0]
        ranges.append(and_(Activity.owner_id.in_(ids), Activity.due_at < start))
    rows = db.session.execute(
        select(Activity.owner_id, func.count())
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(or_(*ranges), Activity.deleted_at.is_(None), Activity.done_at.is_(None),
               Activity.due_at.is_not(None), Customer.deleted_at.is_(None))
        .group_by(Activity.owner_id))
    return dict(rows.all())


def _idle_since():
    """A deal's last touch: its customer's last activity, or the deal's own last change
    (a stage move, an edit), whichever is later."""
    touched = Customer.last_activity_at
    return case((and_(touched.is_not(None), touched > Opportunity.updated_at), touched),
                else_=Opportunity.updated_at)


def _stale_conditions(owner_ids, settings: dict, now: datetime) -> list:
    """Open deals of these owners idle for longer than their stage's stale_deal_days."""
    days = settings["stale_deal_days"]
    default_cutoff = now - timedelta(days=int(days["default"]))
    overrides = [(Opportunity.stage_id == uuid.UUID(key), now - timedelta(days=int(n)))
                 for key, n in days.items() if key != "default"]
    cutoff = case(*overrides, else_=default_cutoff) if overrides else default_cutoff
    # idle_since < cutoff, spelled out so that the deal's own updated_at is tested in the
    # index before its customer is read (most open deals changed recently are not stale)
    touched = Customer.last_activity_at
    return [Opportunity.owner_id.in_(owner_ids), Opportunity.status == "open",
            Opportunity.updated_at < cutoff, or_(touched.is_(None), touched < cutoff)]


def _stale_deals(owner_ids, settings: dict, now: datetime) -> tuple[dict, list[dict]]:
    """(owner -> stale deals, the TOP longest idle), from ix_opportunities_owner_status
    and each deal's customer by primary key: two statements."""
    conditions = _stale_conditions(owner_ids, settings, now)
    counts = dict(db.session.execute(
        select(Opportunity.owner_id, func.count())
        .join(Customer, Customer.id == Opportunity.customer_id)
        .where(*conditions).group_by(Opportunity.owner_id)).all())
    idle = _idle_since().label("idle_since")
    rows = db.session.execute(
        select(Opportunity.id, Opportunity.name, Customer.name, User.name, Stage.name, idle)
        .join(Customer, Customer.id == Opportunity.customer_id)
        .join(User, User.id == Opportunity.owner_id)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(*conditions).order_by(idle, Opportunity.id).limit(TOP))
    top = [{"id": deal_id, "name": name, "customer_name": customer, "owner_name": owner,
            "stage": stage, "days_idle": (now - since).days}
           for deal_id, name, customer, owner, stage, since in rows]
    return counts, top


def _leads_to_recycle(owner_ids, actor: User, now: datetime) -> tuple[int, list[dict]]:
    """Open leads the recycle job (app.jobs.leads) takes within RECYCLE_HORIZON_DAYS: its
    own stale rule with a cutoff that many days later. Soonest first."""
    days, cutoff = lead_service.recycle_cutoff()
    conditions = (Lead.owner_id.in_(owner_ids),
                  *lead_service.stale_conditions(cutoff + timedelta(days=RECYCLE_HORIZON_DAYS)))
    total = db.session.scalar(select(func.count()).select_from(Lead).where(*conditions))
    touched = case((and_(Lead.last_activity_at.is_not(None),
                         Lead.last_activity_at > Lead.owned_since), Lead.last_activity_at),
                   else_=Lead.owned_since).label("touched")
    rows = db.session.execute(
        select(Lead.id, Lead.name, User.name, touched).join(User, User.id == Lead.owner_id)
        .where(*conditions).order_by(touched, Lead.id).limit(TOP)) if total else []
    tz = ZoneInfo(actor.timezone)
    top = [{"id": lead_id, "name": name, "owner_name": owner,
            "recycles_on": max(since + timedelta(days=days), now).astimezone(tz).date()}
           for lead_id, name, owner, since in rows]
    return total, top


def _approvals(actor: User) -> tuple[int, list[dict]]:
    """The top of the actor's approvals inbox (the inbox's own query) and its count."""
    claims, _ = claim_queries.list_approvals(actor, TOP, None)
    items = [{"id": c.id, "version": c.version, "title": c.title, "claimant": c.owner_name,
              "amount": c.total, "currency": c.currency, "submitted_at": c.submitted_at,
              "step": c.step} for c in claims]
    return claim_queries.count_approvals(actor), items


def _is_quiet(rep: User, activities_today: int, now: datetime) -> bool:
    """Nothing logged today and it is past QUIET_AFTER where the rep is."""
    return activities_today == 0 and now.astimezone(ZoneInfo(rep.timezone)).time() >= QUIET_AFTER


def _ranked(rows: list[RepRow]) -> list[RepRow]:
    """Ahead first, then on track, behind, no target; within each, highest attainment,
    then the busiest today, then by name."""
    return sorted(rows, key=lambda r: (PACE_ORDER.index(r.pace), -(r.attainment_percent or 0),
                                       -r.activities_today, r.owner_name))


def team_home(actor: User, team_id: uuid.UUID | None = None,
              now: datetime | None = None) -> dict:
    now = now or utcnow()
    reps = team_members(actor, team_id)
    approvals_count, approvals = _approvals(actor)
    needs_you = {"approvals": approvals, "approvals_count": approvals_count,
                 "stale_deals": [], "stale_deals_count": 0, "leads_to_recycle": [],
                 "leads_to_recycle_count": 0, "quiet_reps": []}
    result = {"as_of": now, "team_id": team_id, "reps": [], "needs_you": needs_you}
    if not reps:
        return result
    ids = [rep.id for rep in reps]
    daily = _activity_by_day(reps, now)
    overdue = _overdue_counts(reps, now)
    settings = get_settings()
    stale_counts, needs_you["stale_deals"] = _stale_deals(ids, settings, now)
    month = now.astimezone(ZoneInfo(settings["timezone"])).strftime("%Y-%m")
    headline = headline_by_owner(attainment_report(actor, month, team_id=team_id, now=now))
    needs_you["stale_deals_count"] = sum(stale_counts.values())
    needs_you["leads_to_recycle_count"], needs_you["leads_to_recycle"] = \
        _leads_to_recycle(ids, actor, now)
    rows = []
    for rep in reps:
        attained = headline.get(rep.id, {})
        today = _local_today(rep, now)
        monday = today - timedelta(days=today.weekday())
        visits = sum(daily.get((rep.id, monday + timedelta(days=n)), (0, 0))[0]
                     for n in range(today.weekday() + 1))
        activities_today = daily.get((rep.id, today), (0, 0))[1]
        rows.append(RepRow(owner_id=rep.id, owner_name=rep.name, team_id=rep.team_id,
                           timezone=rep.timezone, visits_this_week=visits,
                           overdue_followups=overdue.get(rep.id, 0),
                           stale_deals=stale_counts.get(rep.id, 0),
                           activities_today=activities_today,
                           attainment_percent=attained.get("percent"),
                           pace=attained.get("pace", "no_target")))
        if _is_quiet(rep, activities_today, now):
            needs_you["quiet_reps"].append({"owner_id": rep.id, "owner_name": rep.name})
    result["reps"] = _ranked(rows)
    return result


# One rep's day -----------------------------------------------------------------------------

def _followups_done(owner: User, start: datetime, end: datetime) -> list[dict]:
    rows = db.session.execute(
        select(Activity.id, Activity.action, Activity.due_at, Activity.done_at,
               Activity.notes, Customer.id, Customer.name)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(Activity.owner_id == owner.id, Activity.done_at >= start,
               Activity.done_at < end, Activity.due_at.is_not(None),
               Activity.deleted_at.is_(None))
        .order_by(Activity.done_at, Activity.id))
    return [{"id": i, "action": action, "due_at": due, "done_at": done, "notes": notes,
             "customer": {"id": cid, "name": cname} if cid else None}
            for i, action, due, done, notes, cid, cname in rows]


def _visits(owner: User, start: datetime, end: datetime) -> list[dict]:
    rows = db.session.execute(
        select(Activity.id, Activity.customer_id, Customer.name, Activity.occurred_at,
               Activity.checkin_status, Activity.distance_m, Activity.outcome)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(Activity.owner_id == owner.id, Activity.kind == "visit",
               Activity.occurred_at >= start, Activity.occurred_at < end,
               Activity.deleted_at.is_(None))
        .order_by(Activity.occurred_at, Activity.id))
    return [{"id": i, "customer_id": cid, "customer_name": name, "occurred_at": at,
             "checkin_status": status, "distance_m": distance, "outcome": outcome}
            for i, cid, name, at, status, distance, outcome in rows]


def _pipeline(owner: User) -> dict:
    rows = db.session.execute(
        select(Opportunity.currency, func.count(), func.sum(Opportunity.amount))
        .where(Opportunity.owner_id == owner.id, Opportunity.status == "open")
        .group_by(Opportunity.currency).order_by(Opportunity.currency)).all()
    return {"open_deals": sum(n for _, n, _ in rows),
            "amount": [{"currency": currency, "deals": n, "amount": total or Decimal(0)}
                       for currency, n, total in rows]}


def rep_day(actor: User, user_id: uuid.UUID, day: date | None = None) -> dict:
    """A rep's day for their lead or a manager: follow-ups due (overdue and today) and
    done, the visits they logged with their check-ins, the day's plan, their open
    pipeline. Someone outside the reader's teams is not found."""
    _check_reader(actor)
    owner = plan_owner(actor, user_id)
    day = day or _local_today(owner, utcnow())
    start, end = local_day_bounds(day, owner.timezone)
    due = agenda(owner, day)
    plan = get_plan(owner, day)
    return {"date": day, "owner_id": owner.id, "owner_name": owner.name,
            "timezone": owner.timezone,
            "followups_due": due["overdue"] + due["today"],
            "followups_done": _followups_done(owner, start, end),
            "visits": _visits(owner, start, end),
            "plan": plan if plan.id is not None else None,
            "pipeline": _pipeline(owner)}
