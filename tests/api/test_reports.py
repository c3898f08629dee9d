"""Funnel and forecast: numbers, periods, and scoping (nobody counts others' deals)."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.extensions import db
from app.models import Opportunity
from app.services import opportunities as opportunity_service
from tests import factories
from tests.api.helpers import API, assert_error, stages_by_name


def _pipeline(world, client_for):
    """rep_a1: 3 deals (one to Proposal and won, one lost, one open); rep_b1: 1 deal."""
    rep = client_for(world.rep_a1)
    stages = {name: s["id"] for name, s in stages_by_name(rep).items()}
    soon = date.today() + timedelta(days=10)
    a = factories.make_opportunity(world.rep_a1, amount=Decimal("100.00"),
                                   expected_close_date=soon)
    b = factories.make_opportunity(world.rep_a1, amount=Decimal("200.00"),
                                   expected_close_date=soon)
    c = factories.make_opportunity(world.rep_a1, amount=Decimal("33.33"),
                                   expected_close_date=soon, probability=33)
    factories.make_opportunity(world.rep_b1, amount=Decimal("999.00"), expected_close_date=soon)
    rep.patch(f"{API}/opportunities/{a.id}", json={"stage_id": stages["Proposal"]})
    rep.post(f"{API}/opportunities/{a.id}/win")
    rep.post(f"{API}/opportunities/{b.id}/lose", json={"reason": "Price"})
    return a, b, c


def test_funnel_counts_and_conversion(world, client_for):
    _pipeline(world, client_for)
    body = client_for(world.rep_a1).get(f"{API}/reports/funnel").json
    stages = {s["name"]: s for s in body["stages"]}
    assert stages["Qualification"]["entered"] == 3
    assert stages["Qualification"]["amount"] == "333.33"
    assert stages["Proposal"]["entered"] == 1
    assert stages["Won"]["entered"] == 1 and stages["Lost"]["entered"] == 1
    assert stages["Qualification"]["conversion"] == 0.0  # nobody entered Needs analysis
    assert stages["Proposal"]["conversion"] == 0.0
    assert stages["Negotiation"]["conversion"] is None
    assert stages["Qualification"]["avg_days_in_stage"] is not None


def test_funnel_and_forecast_are_scoped(world, client_for):
    _pipeline(world, client_for)
    other = client_for(world.rep_b1).get(f"{API}/reports/funnel").json
    assert {s["name"]: s["entered"] for s in other["stages"]}["Qualification"] == 1
    # asking for someone else's numbers gives nothing, not their numbers
    snoop = client_for(world.rep_b1).get(
        f"{API}/reports/funnel?owner_id={world.rep_a1.id}").json
    assert all(s["entered"] == 0 for s in snoop["stages"])
    snoop = client_for(world.rep_b1).get(
        f"{API}/reports/forecast?team_id={world.team_a.id}").json
    assert snoop["months"] == [] and snoop["won"] == []
    manager = client_for(world.manager).get(f"{API}/reports/funnel").json
    assert {s["name"]: s["entered"] for s in manager["stages"]}["Qualification"] == 4
    team = client_for(world.manager).get(f"{API}/reports/funnel?team_id={world.team_a.id}").json
    assert {s["name"]: s["entered"] for s in team["stages"]}["Qualification"] == 3
    lead = client_for(world.lead_a).get(f"{API}/reports/forecast").json
    assert [t["deals"] for t in lead["totals"]] == [1]


def test_forecast_weights_by_probability(world, client_for):
    _pipeline(world, client_for)
    body = client_for(world.rep_a1).get(f"{API}/reports/forecast").json
    assert [(m["deals"], m["amount"], m["weighted"]) for m in body["months"]] == [
        (1, "33.33", "11.00")]  # 33.33 x 33% = 10.9989 -> 11.00
    assert body["won"] == [{"currency": "CNY", "deals": 1, "amount": "100.00"}]
    later = date.today() + timedelta(days=50)
    stage_default = factories.make_opportunity(  # Qualification: 10%
        world.rep_a1, amount=Decimal("10.05"), expected_close_date=later)
    assert stage_default.probability_override is None
    body = client_for(world.rep_a1).get(f"{API}/reports/forecast").json
    assert [m["weighted"] for m in body["months"]] == ["11.00", "1.01"]  # 1.005: half up
    assert body["totals"][0]["weighted"] == "12.00"  # 10.9989 + 1.005 = 12.0039


def test_report_arguments_are_checked(world, client_for):
    rep = client_for(world.rep_a1)
    assert_error(rep.get(f"{API}/reports/funnel?from=2026-12-01&to=2026-01-01"), 422)
    assert_error(rep.get(f"{API}/reports/funnel?from=1990-01-01&to=2026-01-01"), 422)
    assert_error(rep.get(f"{API}/reports/forecast?from=yesterday"), 422, ["from"],
                 location="query")
    assert_error(rep.get(f"{API}/reports/forecast?team_id=1"), 422, ["team_id"],
                 location="query")
    assert rep.get(f"{API}/reports/forecast?from=2026-01-01&to=2026-12-31").status_code == 200


def test_reports_run_constant_statements(world, client_for, count_queries):
    client = client_for(world.manager)
    with count_queries() as empty:
        assert client.get(f"{API}/reports/funnel").status_code == 200
    _pipeline(world, client_for)
    for _ in range(10):
        factories.make_opportunity(world.rep_a2, amount=Decimal("1.00"),
                                   expected_close_date=date.today())
    with count_queries() as full:
        assert client.get(f"{API}/reports/funnel").status_code == 200
    with count_queries() as forecast:
        assert client.get(f"{API}/reports/forecast").status_code == 200
    assert empty.n == full.n <= 4 and forecast.n <= 4
    db.session.rollback()
    assert db.session.query(Opportunity).count() == 14
    assert opportunity_service.money(Decimal("1.005")) == Decimal("1.01")


def test_a_reopened_deal_counts_once_in_a_stage_it_entered_again(world, client_for):
    rep = client_for(world.rep_a1)
    stages = {name: s["id"] for name, s in stages_by_name(rep).items()}
    deal = factories.make_opportunity(world.rep_a1, amount=Decimal("100.00"))
    assert rep.post(f"{API}/opportunities/{deal.id}/lose",
                    json={"reason": "Price"}).status_code == 200
    reopened = client_for(world.lead_a).post(f"{API}/opportunities/{deal.id}/reopen")
    assert reopened.status_code == 200, reopened.json
    rep.patch(f"{API}/opportunities/{deal.id}", json={"stage_id": stages["Qualification"]})
    body = client_for(world.rep_a1).get(f"{API}/reports/funnel").json
    qualification = {s["name"]: s for s in body["stages"]}["Qualification"]
    assert (qualification["entered"], qualification["amount"]) == (1, "100.00")


def test_periods_are_days_in_the_readers_timezone(world, client_for):
    """A deal won at 01:00 on 1 October in Shanghai (17:00 on 30 September UTC, 13:00 in
    New York) is October's for a Shanghai reader and September's for a New York one."""
    deal = factories.make_opportunity(world.rep_a1, amount=Decimal("500.00"))
    assert client_for(world.rep_a1).post(f"{API}/opportunities/{deal.id}/win").status_code == 200
    db.session.execute(Opportunity.__table__.update().where(Opportunity.id == deal.id)
                       .values(closed_at=datetime(2026, 9, 30, 17, 0, tzinfo=timezone.utc)))
    db.session.commit()
    shanghai = factories.make_user("manager", timezone_name="Asia/Shanghai")
    new_york = factories.make_user("manager", timezone_name="America/New_York")
    october, september = "from=2026-10-01&to=2026-10-31", "from=2026-09-01&to=2026-09-30"

    def won(reader, period):
        body = client_for(reader).get(f"{API}/reports/forecast?{period}").json
        return [(w["deals"], w["amount"]) for w in body["won"]]

    assert won(shanghai, october) == [(1, "500.00")] and won(shanghai, september) == []
    assert won(new_york, september) == [(1, "500.00")] and won(new_york, october) == []
    board = client_for(shanghai).get(f"{API}/reports/leaderboard?{october}").json
    assert [(p["owner_name"], p["amount"]) for p in board["people"]] == [
        (world.rep_a1.name, "500.00")]
