"""The attainment trend: every month's point is exactly that month's attainment report
(value, actual, percent) for each person and team and currency, for every metric; the
months parameter; scoping like the report; four statements whatever the team size and the
number of months, each source read from an index."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Customer
from app.services import orders as order_service
from app.services import targets as target_service
from app.services.attainment import attainment_report, attainment_trend, last_months
from app.models.targets import METRICS
from tests import factories
from tests.api.helpers import API, assert_error
from tests.api.test_attainment import BIG_TABLES, NOW, _at, _set_target, _team_of
from tests.plans import captured_statements, plan_lines

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


@pytest.fixture
def half_year(world):
    """Targets and results spread over January to June 2026 (NOW is 10 June): wins in
    three months (one in USD), a win in December 2025 (outside), payments, new customers,
    visits and calls; targets for two people and team East in some months only."""
    rep, other, manager = world.rep_a1, world.rep_a2, world.manager
    _, order = factories.win_deal(rep, amount=Decimal("5000.00"), closed_at=_at(3, month=4))
    factories.win_deal(rep, amount=Decimal("1000.00"), closed_at=_at(9))
    factories.win_deal(rep, amount=Decimal("500.00"), currency="USD", closed_at=_at(4, month=2))
    factories.win_deal(other, amount=Decimal("2500.00"), closed_at=_at(31, 23, month=5))
    factories.win_deal(other, amount=Decimal("9000.00"),
                       closed_at=_at(20).replace(year=2025, month=12))
    order_service.add_payment(rep, order, {"amount": Decimal("2000.00"),
                                           "received_at": _at(5, month=5), "method": "cash"})
    db.session.commit()
    fresh = [factories.make_customer(other) for _ in range(2)]
    db.session.execute(update(Customer).where(Customer.id.in_([c.id for c in fresh]))
                       .values(created_at=_at(8, month=3)))
    db.session.commit()
    for month, day in ((1, 5), (3, 2), (6, 1), (6, 2)):
        factories.make_activity(rep, kind="visit", occurred_at=_at(day, month=month))
    factories.make_activity(other, kind="call", occurred_at=_at(2, month=4))
    for period, value in (("2026-04", "10000"), ("2026-05", "3000"), ("2026-06", "22000")):
        _set_target(manager, period, owner_id=rep.id, value=value)
    _set_target(manager, "2026-05", owner_id=other.id, value="2000")
    _set_target(manager, "2026-06", team_id=world.team_a.id, value="30000")
    _set_target(manager, "2026-02", owner_id=rep.id, value="1000", currency="USD")
    _set_target(manager, "2026-03", "visits", "4", owner_id=rep.id)
    _set_target(manager, "2026-03", "new_customers", "3", owner_id=other.id)
    return world


def _key(item):
    return (item["owner_id"], item["team_id"], item["currency"])


def _assert_matches_the_month_reports(trend, actor, metric, **filters):
    """Every point is its month's report item; every report item is in the trend."""
    by_key = {_key(item): item for item in trend["items"]}
    assert len(by_key) == len(trend["items"])
    zero = "0.00" if metric in ("won_amount", "collected_amount") else 0
    for index, month in enumerate(trend["months"]):
        report = attainment_report(actor, month, metric=metric, now=NOW, **filters)
        reported = {_key(item): item for item in report["items"]}
        assert set(reported) <= set(by_key), (month, set(reported) - set(by_key))
        for key, line in by_key.items():
            point = line["points"][index]
            assert point["month"] == month
            item = reported.get(key)
            if item is None:  # a currency this subject has in other months only
                assert (point["value"], point["actual"], point["percent"]) == (None, zero, None)
            else:
                assert (point["value"], point["actual"], point["percent"]) == (
                    item["value"], item["actual"], item["percent"]), (month, key)


@pytest.mark.parametrize("metric", METRICS)
def test_every_point_is_its_months_report(half_year, metric):
    world = half_year
    for actor in (world.manager, world.lead_a, world.rep_a1):
        trend = attainment_trend(actor, 6, metric, now=NOW)
        assert trend["months"] == MONTHS and trend["metric"] == metric
        _assert_matches_the_month_reports(trend, actor, metric)
    trend = attainment_trend(world.manager, 6, metric, team_id=world.team_a.id, now=NOW)
    _assert_matches_the_month_reports(trend, world.manager, metric, team_id=world.team_a.id)


def test_the_figures(half_year):
    world = half_year
    trend = attainment_trend(world.lead_a, 6, "won_amount", now=NOW)
    lines = {(i["name"], i["currency"]): i for i in trend["items"]}
    rep = lines[(world.rep_a1.name, "CNY")]
    assert rep["owner_id"] == world.rep_a1.id and rep["team_id"] is None
    assert [(p["value"], p["actual"], p["percent"]) for p in rep["points"]] == [
        (None, "0.00", None), (None, "0.00", None), (None, "0.00", None),
        ("10000.00", "5000.00", 50.0), ("3000.00", "0.00", 0.0),
        ("22000.00", "1000.00", 4.5)]
    usd = lines[(world.rep_a1.name, "USD")]
    assert [p["actual"] for p in usd["points"]] == [
        "0.00", "500.00", "0.00", "0.00", "0.00", "0.00"]
    assert usd["points"][1]["percent"] == 50.0
    team = lines[("East", "CNY")]
    assert team["team_id"] == world.team_a.id and team["owner_id"] is None
    # the 2,500 won at 23:00 on 31 May in Shanghai is May's; December 2025 is outside
    assert [p["actual"] for p in team["points"]] == [
        "0.00", "0.00", "0.00", "5000.00", "2500.00", "1000.00"]
    assert team["points"][-1]["value"] == "30000.00"
    assert list(lines)[0] == ("East", "CNY")  # teams first, as in the report
    # months=1 is the current month; twelve reach back into 2025
    assert attainment_trend(world.lead_a, 1, now=NOW)["months"] == ["2026-06"]
    assert last_months(12, date(2026, 6, 10))[0] == date(2025, 7, 1)


def test_scoping_is_the_reports(half_year, client_for):
    world = half_year

    def subjects(actor, **filters):
        answer = client_for(actor).get(f"{API}/reports/attainment-trend",
                                          query_string={k: str(v) for k, v in filters.items()})
        assert answer.status_code == 200, answer.json
        return ({i["owner_id"] for i in answer.json["items"] if i["owner_id"]},
                {i["team_id"] for i in answer.json["items"] if i["team_id"]})

    ids = lambda *people: {str(p.id) for p in people}  # noqa: E731
    assert subjects(world.rep_a1) == (ids(world.rep_a1), set())
    assert subjects(world.rep_a1, team_id=world.team_a.id) == (ids(world.rep_a1), set())
    a_people = ids(world.lead_a, world.rep_a1, world.rep_a2)
    assert subjects(world.lead_a) == (a_people, ids(world.team_a))
    assert subjects(world.lead_a, owner_id=world.rep_a2.id) == (ids(world.rep_a2), set())
    assert subjects(world.manager, team_id=world.team_b.id) == (
        ids(world.lead_b, world.rep_b1), ids(world.team_b))
    # someone else's person or team: nothing, exactly as /reports/attainment answers
    for actor, filters in ((world.rep_a1, {"owner_id": world.rep_b1.id}),
                           (world.lead_a, {"owner_id": world.rep_b1.id}),
                           (world.lead_a, {"team_id": world.team_b.id})):
        assert subjects(actor, **filters) == (set(), set())
        month = client_for(actor).get(f"{API}/reports/attainment",
                                      query_string={"period": "2026-06",
                                                    **{k: str(v) for k, v in filters.items()}})
        assert month.status_code == 200 and month.json["items"] == []


def test_the_endpoint_and_its_parameters(world, client_for):
    month = target_service.current_month("Asia/Shanghai")
    client = client_for(world.manager)
    client.post(f"{API}/targets", json={"metric": "visits", "period": month.strftime("%Y-%m"),
                                        "value": 20, "owner_id": str(world.rep_a1.id)})
    factories.make_activity(world.rep_a1, kind="visit")
    answer = client_for(world.rep_a1).get(f"{API}/reports/attainment-trend?metric=visits")
    assert answer.status_code == 200, answer.json
    assert answer.json["months"] == [m.strftime("%Y-%m") for m in last_months(6, month)]
    [line] = answer.json["items"]
    assert (line["name"], line["currency"], line["points"][-1]) == (
        world.rep_a1.name, None,
        {"month": month.strftime("%Y-%m"), "value": 20, "actual": 1, "percent": 5.0})
    default = client.get(f"{API}/reports/attainment-trend").json
    assert default["metric"] == "won_amount" and len(default["months"]) == 6
    assert {i["currency"] for i in default["items"]} == {"CNY"}
    assert len(client.get(f"{API}/reports/attainment-trend?months=12").json["months"]) == 12
    for query in ("months=0", "months=13", "months=-1", "months=x", "months=1.5",
                  "metric=sales", "team_id=x", "owner_id=1"):
        assert_error(client.get(f"{API}/reports/attainment-trend?{query}"), 422,
                     location="query")


# Cost ------------------------------------------------------------------------------------

def test_statements_are_few_and_constant_whatever_the_team_size_and_months(
        world, client_for, count_queries):
    counts = set()
    for n_reps, name in ((2, "Small"), (12, "Large")):
        lead, team = _team_of(n_reps, name)
        for client in (client_for(lead), client_for(world.manager)):
            for query in ("months=1", "months=12", "metric=visits&months=12",
                          f"months=6&team_id={team.id}"):
                with count_queries() as counted:
                    answer = client.get(f"{API}/reports/attainment-trend?{query}")
                assert answer.status_code == 200, answer.json
                counts.add(counted.n)
        people = {i["owner_id"] for i in answer.json["items"] if i["owner_id"]}
        assert len(people) == n_reps + 1
    assert counts == {5}, counts  # the session, settings, people and teams, targets, sources


@pytest.mark.parametrize("metric", METRICS)
def test_plans_read_every_month_from_indexes(half_year, client_for, metric):
    for who in ("rep_a1", "manager"):
        with captured_statements() as captured:
            answer = client_for(getattr(half_year, who)).get(
                f"{API}/reports/attainment-trend?months=12&metric={metric}")
            assert answer.status_code == 200
        plans = [(statement, [str(line) for line in plan_lines(statement, params)])
                 for statement, params in captured
                 if statement.lstrip().upper().startswith("SELECT")
                 and "user_sessions" not in statement]
        db.session.rollback()
        assert "FROM activities" not in "\n".join(s for s, _ in plans)
        for statement, lines in plans:
            for line in lines:
                for table in BIG_TABLES:
                    assert not line.strip().startswith(f"SCAN {table}"), (line, statement)
                    assert f"Seq Scan on {table} " not in line + " ", (line, statement)
