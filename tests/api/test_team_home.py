"""The team home and a rep's day: each rep's row, what needs the reader (approvals, stale
deals by stage, leads about to be recycled, quiet reps before and after 11:00 local), who
sees whom, bad input, and a constant number of statements whatever the team's size."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Customer, Lead, Opportunity
from app.services import targets as target_service
from tests import factories
from tests.api.helpers import API, assert_error
from tests.api.test_expenses import submitted
from tests.plans import captured_statements, plan_text

NOW = datetime.now(timezone.utc)


def _zone_at(local_hour: int) -> str:
    """A fixed-offset IANA zone where it is about ``local_hour`` o'clock now."""
    offset = (local_hour - NOW.hour) % 24
    offset = offset - 24 if offset > 14 else offset
    # Etc/GMT signs are reversed: Etc/GMT-5 is UTC+5.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _home(client, query=""):
    response = client.get(f"{API}/team/home{query}")
    assert response.status_code == 200, response.json
    return response.json


def _rows(body):
    return {row["owner_name"]: row for row in body["reps"]}


def _idle(deal, days):
    """The deal and its customer untouched for ``days``."""
    then = NOW - timedelta(days=days)
    db.session.execute(Opportunity.__table__.update().where(Opportunity.id == deal.id)
                       .values(updated_at=then))
    db.session.execute(Customer.__table__.update().where(Customer.id == deal.customer_id)
                       .values(last_activity_at=then))
    db.session.commit()


def _untouched_lead(owner, days):
    lead = factories.make_lead(owner)
    db.session.execute(Lead.__table__.update().where(Lead.id == lead.id)
                       .values(owned_since=NOW - timedelta(days=days), last_activity_at=None))
    db.session.commit()
    return lead


@pytest.fixture
def team(world):
    a1, a2 = world.rep_a1, world.rep_a2
    factories.make_activity(a1, kind="visit", occurred_at=NOW)
    factories.make_activity(a1, kind="call", occurred_at=NOW)
    factories.make_followup(a1, due_at=NOW - timedelta(days=3))
    factories.make_followup(a1, due_at=NOW - timedelta(days=2))
    factories.make_followup(a1, due_at=NOW + timedelta(days=2))          # not overdue
    world.stale = factories.make_opportunity(a2, name="Old pumps")
    _idle(world.stale, 20)
    world.fresh = factories.make_opportunity(a2, name="New valves")     # touched today
    factories.make_opportunity(world.rep_b1, name="West deal")
    _idle(factories.make_opportunity(world.rep_b1, name="West idle"), 30)
    world.soon = _untouched_lead(a1, 5)     # recycles in 2 days (lead_recycle_days 7)
    _untouched_lead(a1, 1)                  # 6 days to go
    factories.make_activity(world.rep_b1, kind="visit", occurred_at=NOW)
    return world


def test_rows_count_the_week_overdue_and_stale(team, client_for):
    body = _home(client_for(team.lead_a))
    rows = _rows(body)
    assert set(rows) == {team.rep_a1.name, team.rep_a2.name}     # the lead's team only
    a1, a2 = rows[team.rep_a1.name], rows[team.rep_a2.name]
    assert (a1["visits_this_week"], a1["activities_today"], a1["overdue_followups"],
            a1["stale_deals"]) == (1, 2, 2, 0)
    assert (a2["visits_this_week"], a2["overdue_followups"], a2["stale_deals"]) == (0, 0, 1)
    # No targets set: no attainment, said as such.
    assert {(r["pace"], r["attainment_percent"]) for r in body["reps"]} == {("no_target", None)}
    assert body["reps"][0]["owner_name"] == team.rep_a1.name    # the busiest first
    assert body["as_of"].startswith(NOW.date().isoformat()[:4])


def test_needs_you_lists_approvals_stale_deals_and_leads(team, client_for):
    claim = submitted(client_for(team.rep_a1), "120.00", title="Taxi")
    needs = _home(client_for(team.lead_a))["needs_you"]
    assert needs["approvals_count"] == 1
    assert [(a["id"], a["title"], a["amount"], a["step"], a["claimant"])
            for a in needs["approvals"]] == [
        (claim["id"], "Taxi", "120.00", "lead", team.rep_a1.name)]
    assert needs["stale_deals_count"] == 1
    deal = needs["stale_deals"][0]
    assert (deal["id"], deal["name"], deal["owner_name"], deal["days_idle"]) == (
        str(team.stale.id), "Old pumps", team.rep_a2.name, 20)
    assert needs["leads_to_recycle_count"] == 1
    assert [lead["id"] for lead in needs["leads_to_recycle"]] == [str(team.soon.id)]
    due = (NOW + timedelta(days=2)).astimezone(ZoneInfo(team.lead_a.timezone)).date()
    assert needs["leads_to_recycle"][0]["recycles_on"] == due.isoformat()
    # The manager sees every team's stale deals.
    manager = _home(client_for(team.manager))["needs_you"]
    assert manager["stale_deals_count"] == 2
    assert [d["name"] for d in manager["stale_deals"]] == ["West idle", "Old pumps"]


def test_stale_days_are_a_stage_setting(team, client_for, app):
    admin = client_for(team.admin)
    stage = str(team.stale.stage_id)
    response = admin.patch(f"{API}/settings",
                           json={"stale_deal_days": {"default": 14, stage: 30}})
    assert response.status_code == 200, response.json
    needs = _home(client_for(team.lead_a))["needs_you"]
    assert needs["stale_deals_count"] == 0      # 20 idle days, 30 allowed in its stage
    admin.patch(f"{API}/settings", json={"stale_deal_days": {"default": 25, stage: 10}})
    assert _home(client_for(team.lead_a))["needs_you"]["stale_deals_count"] == 1


@pytest.mark.parametrize("value", [
    {"default": 0}, {"default": "14"}, {"default": 14.5}, {"default": 366}, {},
    {"stage": 3, "default": 14}, {"00000000-0000-0000-0000-000000000001": 3, "default": 4},
    {"early": 5}, [14], 14,
])
def test_bad_stale_deal_days_are_422(team, client_for, value):
    response = client_for(team.admin).patch(f"{API}/settings", json={"stale_deal_days": value})
    assert_error(response, 422, ["stale_deal_days"])


def test_quiet_reps_only_after_eleven_their_time(world, client_for):
    early = factories.make_user("rep", world.team_a, name="Early", timezone_name=_zone_at(7))
    late = factories.make_user("rep", world.team_a, name="Late", timezone_name=_zone_at(15))
    busy = factories.make_user("rep", world.team_a, name="Busy", timezone_name=_zone_at(15))
    factories.make_activity(busy, kind="call", occurred_at=NOW)
    quiet = _home(client_for(world.lead_a))["needs_you"]["quiet_reps"]
    names = {q["owner_name"] for q in quiet}
    assert late.name in names
    assert early.name not in names and busy.name not in names


def test_who_sees_whom(team, client_for):
    assert_error(client_for(team.rep_a1).get(f"{API}/team/home"), 403)
    assert_error(client_for(team.finance).get(f"{API}/team/home"), 403)
    everyone = set(_rows(_home(client_for(team.manager))))
    assert {team.rep_a1.name, team.rep_a2.name, team.rep_b1.name, team.lead_a.name} <= everyone
    west = _rows(_home(client_for(team.manager), f"?team_id={team.team_b.id}"))
    assert set(west) == {team.rep_b1.name, team.lead_b.name}
    lead = client_for(team.lead_a)
    assert_error(lead.get(f"{API}/team/home?team_id={team.team_b.id}"), 404)
    assert set(_rows(_home(lead, f"?team_id={team.team_a.id}"))) == {
        team.rep_a1.name, team.rep_a2.name}
    # A lead's approvals are their own inbox: West's claims are not in it.
    submitted(client_for(team.rep_b1), "80.00")
    assert _home(lead)["needs_you"]["approvals_count"] == 0


@pytest.mark.parametrize("query", ["?team_id=nope", "?team_id=",
                                   f"?team_id={'0' * 8}-0000-0000-0000-{'0' * 12}"])
def test_bad_team_home_queries(world, client_for, query):
    response = client_for(world.manager).get(f"{API}/team/home{query}")
    assert response.status_code in (404, 422), response.json
    assert_error(response, response.status_code)


def test_a_reps_day(team, client_for):
    a1 = team.rep_a1
    done = factories.make_followup(a1, due_at=NOW - timedelta(hours=1))
    client_for(a1).patch(f"{API}/activities/{done.id}", json={"done_at": NOW.isoformat()})
    factories.make_opportunity(a1, amount="1500.00")
    response = client_for(team.lead_a).get(f"{API}/team/reps/{a1.id}/day")
    assert response.status_code == 200, response.json
    day = response.json
    assert day["owner_name"] == a1.name
    assert len(day["followups_due"]) == 2           # the two overdue ones
    assert [f["id"] for f in day["followups_done"]] == [str(done.id)]
    assert [(v["checkin_status"], v["customer_id"]) for v in day["visits"]] == [
        ("unverified", None)]
    assert day["plan"] is None
    assert day["pipeline"] == {"open_deals": 1, "amount": [
        {"currency": "CNY", "deals": 1, "amount": "1500.00"}]}
    yesterday = (NOW - timedelta(days=2)).date().isoformat()
    earlier = client_for(team.manager).get(f"{API}/team/reps/{a1.id}/day?date={yesterday}")
    assert earlier.status_code == 200 and earlier.json["visits"] == []


def test_a_reps_day_shows_their_plan_and_checked_in_visits(world, client_for):
    a1 = world.rep_a1
    shop = factories.make_customer(a1, name="Pump shop", lat=31.2304, lng=121.4737)
    rep = client_for(a1)
    today = datetime.now(ZoneInfo(a1.timezone)).date().isoformat()
    put = rep.put(f"{API}/plans/{today}", json={
        "start": {"lat": 31.22, "lng": 121.46}, "stops": [{"customer_id": str(shop.id)}]})
    assert put.status_code in (200, 201), put.json
    logged = rep.post(f"{API}/activities", json={
        "kind": "visit", "customer_id": str(shop.id), "occurred_at": NOW.isoformat(),
        "location": {"lat": 31.2305, "lng": 121.4737, "accuracy": 10}})
    assert logged.status_code == 201, logged.json
    day = client_for(world.lead_a).get(f"{API}/team/reps/{a1.id}/day").json
    assert [(v["customer_name"], v["checkin_status"], v["distance_m"]) for v in day["visits"]] == [
        ("Pump shop", "verified", 11)]
    assert [s["customer"]["name"] for s in day["plan"]["stops"]] == ["Pump shop"]
    assert day["plan"]["summary"]["visited"] == 1


def test_a_reps_day_is_scoped(team, client_for):
    lead = client_for(team.lead_a)
    assert_error(lead.get(f"{API}/team/reps/{team.rep_b1.id}/day"), 404)
    assert_error(lead.get(f"{API}/team/reps/not-a-uuid/day"), 404)
    assert_error(client_for(team.rep_a2).get(f"{API}/team/reps/{team.rep_a1.id}/day"), 403)
    for bad in ("2026-13-01", "yesterday", "0001-01-01"):
        assert_error(lead.get(f"{API}/team/reps/{team.rep_a1.id}/day?date={bad}"), 422,
                     ["date"], location="query")


def _grow(world, client_for, n):
    for i in range(n):
        rep = factories.make_user("rep", world.team_a,
                                  timezone_name=_zone_at(15) if i % 2 else "Asia/Shanghai")
        factories.make_activity(rep, kind="visit", occurred_at=NOW)
        factories.make_followup(rep, due_at=NOW - timedelta(days=1))
        _idle(factories.make_opportunity(rep), 40)
        _untouched_lead(rep, 6)
        submitted(client_for(rep), "10.00")


def test_constant_statements_whatever_the_team_size(world, client_for, count_queries):
    lead = client_for(world.lead_a)

    def statements():
        with count_queries() as counted:
            body = _home(lead)
        day = body["reps"][0]["owner_id"]
        with count_queries() as day_counted:
            assert lead.get(f"{API}/team/reps/{day}/day").status_code == 200
        return counted.n, day_counted.n, len(body["reps"])

    _grow(world, client_for, 2)
    small = statements()
    _grow(world, client_for, 10)
    large = statements()
    assert (small[2], large[2]) == (2 + 2, 12 + 2)
    assert small[:2] == large[:2], (small, large)


BIG_TABLES = ("activities", "opportunities", "leads", "customers", "expense_claims",
              "activity_daily")


def test_every_statement_reads_an_index(team, client_for, app):
    """No statement of the home or a rep's day scans a big table (SQLite: SCAN t, without
    an index; PostgreSQL with sequential scans off: Seq Scan on t)."""
    lead = client_for(team.lead_a)
    submitted(client_for(team.rep_a1), "30.00")
    with captured_statements() as seen:
        assert lead.get(f"{API}/team/home").status_code == 200
        assert lead.get(f"{API}/team/reps/{team.rep_a1.id}/day").status_code == 200
    tables = "|".join(BIG_TABLES)
    scan = re.compile(rf"(SCAN ({tables})\b(?! USING)|Seq Scan on ({tables})\b)")
    with app.app_context():
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = plan_text(statement, parameters)
            assert not scan.search(plan), (statement, plan)
            db.session.rollback()


def test_a_reps_attainment_is_their_first_metric_with_a_target(team, client_for):
    """rep_a2 has a visits target, rep_a1 a won-amount target (first in the metrics' order)
    and a visits target: each row carries the headline item of this month's attainment
    report, the same numbers the report gives; ranked by pace."""
    month = target_service.current_month("Asia/Shanghai").strftime("%Y-%m")
    manager = client_for(team.manager)
    for owner, metric, value in ((team.rep_a1, "won_amount", "100000.00"),
                                 (team.rep_a1, "visits", 1), (team.rep_a2, "visits", 400)):
        answer = manager.post(f"{API}/targets", json={
            "metric": metric, "period": month, "value": value, "owner_id": str(owner.id)})
        assert answer.status_code == 201, answer.json
    lead = client_for(team.lead_a)
    rows = _rows(_home(lead))
    report = lead.get(f"{API}/reports/attainment?period={month}").json["items"]

    def item(owner, metric):
        return next(i for i in report if i.get("owner_id") == str(owner.id)
                    and i["metric"] == metric)
    won, visits = item(team.rep_a1, "won_amount"), item(team.rep_a2, "visits")
    assert (rows[team.rep_a1.name]["attainment_percent"], rows[team.rep_a1.name]["pace"]) == (
        won["percent"], won["pace"])
    assert (rows[team.rep_a2.name]["attainment_percent"], rows[team.rep_a2.name]["pace"]) == (
        visits["percent"], visits["pace"])
    assert won["percent"] == 0.0 and visits["percent"] == 0.0  # nothing won, no visit yet
