"""Attainment: the arithmetic of a month, a quarter and a year (pace by working days with
weekends and holidays, gap, coverage, team sums and mismatches), people without a target,
two currencies, scoping, bad periods; a constant number of statements whatever the team
size, and plans that read indexes, never the raw activities, payments or deals."""
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Customer, Setting, User
from app.services import customers as customer_service
from app.services import orders as order_service
from app.services import targets as target_service
from app.services import users as user_service
from app.services.attainment import attainment_report
from tests import factories
from tests.api.helpers import API, assert_error
from tests.plans import captured_statements, plan_lines

# 10:00 in Shanghai on Wednesday 10 June 2026: 7 of June's 22 working days are over
# (1-5 and 8-9 June; the 10th is not over yet).
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=timezone.utc)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int = 12, month: int = 6) -> datetime:
    """That day and hour of 2026 in Shanghai, as UTC."""
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI).astimezone(timezone.utc)


def _set_target(actor, period: str, metric: str = "won_amount", value="22000.00", **fields):
    year, month = map(int, period.split("-"))
    target_service.create_target(actor, {"metric": metric, "period": date(year, month, 1),
                                         "value": Decimal(value), **fields})
    db.session.commit()


def _won(owner, amount, closed_at, currency="CNY"):
    return factories.win_deal(owner, amount=Decimal(amount), currency=currency,
                              closed_at=closed_at)


def _items(report, **match):
    return [i for i in report["items"]
            if all(str(i[k]) == str(v) for k, v in match.items())]


def _one(report, **match):
    found = _items(report, **match)
    assert len(found) == 1, (match, found)
    return found[0]


@pytest.fixture
def june(world):
    """rep_a1's June: wins of 5,000 and 1,000 CNY (and 500 USD), a win just before and
    one just after the month (Shanghai days), 2,000 collected, 2 new customers (a third
    deleted), 7 visits and 2 calls, open deals weighted 4,000 in June and more in July."""
    rep = world.rep_a1
    _, order = _won(rep, "5000.00", _at(3))
    _won(rep, "1000.00", _at(9))
    _won(rep, "500.00", _at(4), currency="USD")
    _won(rep, "700.00", _at(31, 23, month=5))   # 31 May 23:00 in Shanghai
    _won(rep, "800.00", _at(1, 0, month=7).replace(minute=30))  # 1 July 00:30
    order_service.add_payment(rep, order, {"amount": Decimal("2000.00"),
                                           "received_at": _at(5), "method": "cash"})
    order_service.add_payment(rep, order, {"amount": Decimal("100.00"),
                                           "received_at": _at(2, month=7), "method": "cash"})
    db.session.commit()
    fresh = [factories.make_customer(rep) for _ in range(3)]
    db.session.execute(update(Customer).where(Customer.id.in_([c.id for c in fresh]))
                       .values(created_at=_at(8)))
    customer_service.delete_customer(rep, db.session.get(Customer, fresh[0].id))
    db.session.commit()
    for day in (1, 2, 3, 4, 5, 8, 9):
        factories.make_activity(rep, kind="visit", occurred_at=_at(day))
    factories.make_activity(rep, kind="call", occurred_at=_at(2))
    factories.make_activity(rep, kind="call", occurred_at=_at(11))
    factories.make_activity(rep, kind="visit", occurred_at=_at(2, month=7))
    factories.make_opportunity(rep, amount=Decimal("10000.00"), probability=40,
                               expected_close_date=date(2026, 6, 20))
    factories.make_opportunity(rep, amount=Decimal("99000.00"), probability=90,
                               expected_close_date=date(2026, 7, 5))
    return world


def test_a_month(june):
    world = june
    _set_target(world.manager, "2026-06", owner_id=world.rep_a1.id, stretch=Decimal("30000"))
    _set_target(world.manager, "2026-06", "visits", "22", owner_id=world.rep_a1.id)
    report = attainment_report(world.manager, "2026-06", now=NOW)
    assert {k: report[k] for k in ("period", "start", "end", "working_days",
                                   "working_days_elapsed", "working_days_left", "as_of")} == {
        "period": "2026-06", "start": "2026-06-01", "end": "2026-06-30", "working_days": 22,
        "working_days_elapsed": 7, "working_days_left": 15, "as_of": "2026-06-10T02:00:00Z"}
    rep = {"owner_id": world.rep_a1.id}
    won = _one(report, metric="won_amount", currency="CNY", **rep)
    assert won == {
        "metric": "won_amount", "owner_id": world.rep_a1.id, "owner_name": "王伟",
        "team_id": None, "team_name": None, "currency": "CNY", "value": "22000.00",
        "stretch": "30000.00", "actual": "6000.00", "percent": 27.3,
        "expected_to_date": "7000.00", "gap": "16000.00", "days_left": 15, "coverage": 0.25,
        "pace": "behind", "members_sum": None, "mismatch": False}
    visits = _one(report, metric="visits", **rep)
    assert (visits["value"], visits["actual"], visits["expected_to_date"], visits["gap"],
            visits["pace"], visits["currency"], visits["coverage"]) == (
        22, 7, 7, 15, "ahead", None, None)
    # no target: the actuals all the same, "target not set"
    activities = _one(report, metric="activities", **rep)
    assert (activities["value"], activities["actual"], activities["percent"],
            activities["expected_to_date"], activities["gap"], activities["pace"]) == (
        None, 9, None, None, None, "no_target")
    collected = _one(report, metric="collected_amount", **rep)
    assert (collected["actual"], collected["value"], collected["currency"]) == (
        "2000.00", None, "CNY")
    assert _one(report, metric="new_customers", **rep)["actual"] == 2


def test_a_second_currency_is_its_own_item(june):
    world = june
    _set_target(june.manager, "2026-06", owner_id=world.rep_a1.id)
    report = attainment_report(world.manager, "2026-06", now=NOW)
    usd = _one(report, metric="won_amount", currency="USD", owner_id=world.rep_a1.id)
    assert (usd["value"], usd["actual"], usd["pace"], usd["coverage"]) == (
        None, "500.00", "no_target", None)
    _set_target(june.manager, "2026-06", owner_id=world.rep_a1.id, value="1000",
                currency="USD")
    report = attainment_report(world.manager, "2026-06", now=NOW)
    usd = _one(report, metric="won_amount", currency="USD", owner_id=world.rep_a1.id)
    assert (usd["value"], usd["percent"], usd["gap"]) == ("1000.00", 50.0, "500.00")
    assert _one(report, metric="won_amount", currency="CNY",
                owner_id=world.rep_a1.id)["actual"] == "6000.00"


def test_a_quarter_and_a_year_are_sums_of_months(june):
    world = june
    _won(world.rep_a1, "3000.00", _at(15, month=4))
    for period, value in (("2026-04", "10000"), ("2026-05", "20000"), ("2026-06", "22000")):
        _set_target(world.manager, period, owner_id=world.rep_a1.id, value=value)
    _set_target(world.manager, "2026-05", owner_id=world.rep_a1.id, value="5000",
                stretch=Decimal("8000"), metric="collected_amount")
    quarter = attainment_report(world.manager, "2026-Q2", now=NOW)
    assert (quarter["start"], quarter["end"], quarter["working_days"],
            quarter["working_days_elapsed"], quarter["working_days_left"]) == (
        "2026-04-01", "2026-06-30", 65, 50, 15)  # April 22, May 21, June 7 of 22
    won = _one(quarter, metric="won_amount", currency="CNY", owner_id=world.rep_a1.id)
    assert (won["value"], won["actual"], won["expected_to_date"], won["gap"], won["stretch"]) \
        == ("52000.00", "9700.00", "37000.00", "42300.00", None)  # 700 won on 31 May
    collected = _one(quarter, metric="collected_amount", owner_id=world.rep_a1.id)
    # May is over: all of May's target is expected; the stretch is May's
    assert (collected["value"], collected["stretch"], collected["expected_to_date"],
            collected["actual"], collected["pace"]) == (
        "5000.00", "8000.00", "5000.00", "2000.00", "behind")
    year = attainment_report(world.manager, "2026", now=NOW)
    assert (year["start"], year["end"], year["working_days"]) == ("2026-01-01", "2026-12-31", 261)
    won = _one(year, metric="won_amount", currency="CNY", owner_id=world.rep_a1.id)
    assert (won["value"], won["actual"]) == ("52000.00", "10500.00")
    assert won["days_left"] == 261 - year["working_days_elapsed"]


def _settings(**values):
    for key, value in values.items():
        db.session.merge(Setting(key=key, value=value))
    db.session.commit()


def test_pace_counts_working_weekdays_and_holidays(june):
    world = june
    _set_target(world.manager, "2026-06", owner_id=world.rep_a1.id)
    _settings(working_weekdays=[1, 2, 3, 4, 5, 6], holidays=["2026-06-02", "2026-06-19"])
    report = attainment_report(world.manager, "2026-06", now=NOW)
    # + the four Saturdays, - two holidays; before the 10th: 1, 3-6, 8-9 June
    assert (report["working_days"], report["working_days_elapsed"]) == (24, 7)
    won = _one(report, metric="won_amount", currency="CNY", owner_id=world.rep_a1.id)
    assert won["expected_to_date"] == "6416.67" and won["days_left"] == 17


def test_today_counts_as_elapsed_once_it_is_over(june):
    world = june
    _set_target(world.manager, "2026-06", "new_customers", "22", owner_id=world.rep_a2.id)
    late_on_the_first = datetime(2026, 6, 1, 15, 59, tzinfo=timezone.utc)  # 23:59 Shanghai
    report = attainment_report(world.manager, "2026-06", now=late_on_the_first)
    item = _one(report, metric="new_customers", owner_id=world.rep_a2.id)
    assert report["working_days_elapsed"] == 0
    assert (item["expected_to_date"], item["pace"]) == (0, "on_track")
    report = attainment_report(world.manager, "2026-06",
                               now=datetime(2026, 6, 1, 16, 1, tzinfo=timezone.utc))
    item = _one(report, metric="new_customers", owner_id=world.rep_a2.id)
    assert report["working_days_elapsed"] == 1
    assert (item["expected_to_date"], item["pace"]) == (1, "behind")
    # in another company timezone the same moment is still the 1st
    _settings(timezone="Europe/Berlin")
    report = attainment_report(world.manager, "2026-06",
                               now=datetime(2026, 6, 1, 16, 1, tzinfo=timezone.utc))
    assert report["working_days_elapsed"] == 0


def test_a_future_and_a_past_month(june):
    world = june
    _set_target(world.manager, "2026-05", "visits", "21", owner_id=world.rep_a1.id)
    past = attainment_report(world.manager, "2026-05", now=NOW)
    assert (past["working_days_elapsed"], past["working_days_left"]) == (21, 0)
    assert _one(past, metric="visits", owner_id=world.rep_a1.id)["expected_to_date"] == 21
    future = attainment_report(world.manager, "2026-08", now=NOW)
    assert future["working_days_elapsed"] == 0 and future["working_days_left"] == 21


def test_team_items_add_up_their_members(june):
    world = june
    manager = world.manager
    _set_target(manager, "2026-06", team_id=world.team_a.id, value="50000")
    _set_target(manager, "2026-06", owner_id=world.rep_a1.id, value="22000")
    _set_target(manager, "2026-06", owner_id=world.rep_a2.id, value="20000")
    _set_target(manager, "2026-06", "visits", "40", team_id=world.team_a.id)
    _set_target(manager, "2026-06", "visits", "22", owner_id=world.rep_a1.id)
    _set_target(manager, "2026-06", "visits", "18", owner_id=world.lead_a.id)
    _won(world.rep_a2, "4000.00", _at(2))
    factories.make_opportunity(world.rep_a2, amount=Decimal("1000.00"), probability=100,
                               expected_close_date=date(2026, 6, 30))
    report = attainment_report(world.lead_a, "2026-06", now=NOW)
    team = {"team_id": world.team_a.id}
    won = _one(report, metric="won_amount", currency="CNY", **team)
    assert (won["team_name"], won["owner_id"], won["value"], won["actual"], won["gap"],
            won["members_sum"], won["mismatch"]) == (
        "East", None, "50000.00", "10000.00", "40000.00", "42000.00", True)
    assert won["coverage"] == 0.13  # (4,000 of rep_a1's + 1,000) / 40,000, half up
    visits = _one(report, metric="visits", **team)
    assert (visits["value"], visits["members_sum"], visits["mismatch"], visits["actual"]) == (
        40, 40, False, 7)
    # a team without a target: "not set", its members' targets still added up
    report = attainment_report(world.manager, "2026-06", team_id=world.team_b.id, now=NOW)
    west = _one(report, metric="won_amount", team_id=world.team_b.id)
    assert (west["value"], west["members_sum"], west["mismatch"], west["pace"]) == (
        None, None, False, "no_target")


def test_scoping(june):
    world = june
    for owner in (world.rep_a1, world.rep_b1):
        _set_target(world.manager, "2026-06", owner_id=owner.id)
    _set_target(world.manager, "2026-06", team_id=world.team_b.id)

    def subjects(actor, **filters):
        report = attainment_report(actor, "2026-06", now=NOW, **filters)
        return ({i["owner_id"] for i in report["items"] if i["owner_id"]},
                {i["team_id"] for i in report["items"] if i["team_id"]})

    a_people = {world.lead_a.id, world.rep_a1.id, world.rep_a2.id}
    assert subjects(world.rep_a1) == ({world.rep_a1.id}, set())
    assert subjects(world.rep_a1, owner_id=world.rep_b1.id) == (set(), set())
    assert subjects(world.rep_a1, team_id=world.team_a.id) == ({world.rep_a1.id}, set())
    assert subjects(world.lead_a) == (a_people, {world.team_a.id})
    assert subjects(world.lead_a, team_id=world.team_b.id) == (set(), set())
    assert subjects(world.lead_a, owner_id=world.rep_a2.id) == ({world.rep_a2.id}, set())
    assert subjects(world.lead_a, owner_id=world.rep_b1.id) == (set(), set())
    everyone = a_people | {world.lead_b.id, world.rep_b1.id}
    assert subjects(world.manager) == (everyone, {world.team_a.id, world.team_b.id})
    assert subjects(world.admin, team_id=world.team_b.id) == (
        {world.lead_b.id, world.rep_b1.id}, {world.team_b.id})
    assert subjects(world.finance) == (set(), set())  # no seller, no targets of their own


def test_the_endpoint(world, client_for):
    month = target_service.current_month("Asia/Shanghai").strftime("%Y-%m")
    client_for(world.manager).post(f"{API}/targets", json={
        "metric": "visits", "period": month, "value": 20, "owner_id": str(world.rep_a1.id)})
    factories.make_activity(world.rep_a1, kind="visit")
    answer = client_for(world.rep_a1).get(f"{API}/reports/attainment?period={month}")
    assert answer.status_code == 200, answer.json
    visits = [i for i in answer.json["items"] if i["metric"] == "visits"]
    assert len(visits) == 1 and visits[0]["value"] == 20 and visits[0]["actual"] == 1
    assert visits[0]["owner_id"] == str(world.rep_a1.id)
    assert len(answer.json["items"]) == 5  # one per metric, the company's currency
    lead = client_for(world.lead_a).get(
        f"{API}/reports/attainment?period={month[:4]}-Q1&team_id={world.team_a.id}")
    assert lead.status_code == 200 and lead.json["start"] == f"{month[:4]}-01-01"
    only = client_for(world.lead_a).get(f"{API}/reports/attainment?period={month}"
                                        "&metric=visits").json["items"]
    assert {i["metric"] for i in only} == {"visits"} and len(only) == 4  # East, 3 people
    assert [i["members_sum"] for i in only if i["team_id"]] == [20]
    client = client_for(world.manager)
    for query in ("", "period=2026-13", "period=2026-Q5", "period=2026-Q0", "period=0001",
                  "period=20261", "period=2026-06&team_id=x", "period=2026&owner_id=1",
                  "period=2026&metric=sales",
                  "period=9999"):
        assert_error(client.get(f"{API}/reports/attainment?{query}"), 422, location="query")


# Cost ------------------------------------------------------------------------------------

def _team_of(n_reps: int, name: str):
    """A lead with ``n_reps`` reps, each with targets, a win, a payment, a visit and an
    open deal this month."""
    admin = User.query.filter_by(role="admin").first()
    lead = factories.make_user("lead", name=f"Lead {name}")
    team = factories.make_team(name, lead=lead)
    user_service.update_user(admin, lead, {"team_id": team.id})
    db.session.commit()
    month = target_service.current_month("Asia/Shanghai")
    for _ in range(n_reps):
        rep = factories.make_user("rep", team)
        for metric, value in (("won_amount", "1000"), ("visits", "10")):
            _set_target(admin, month.strftime("%Y-%m"), metric, value, owner_id=rep.id)
        _, order = factories.win_deal(rep, amount=Decimal("100.00"))
        order_service.add_payment(rep, order, {"amount": Decimal("50.00"), "method": "cash"})
        db.session.commit()
        factories.make_activity(rep, kind="visit")
        factories.make_opportunity(rep, amount=Decimal("10.00"))
    _set_target(admin, month.strftime("%Y-%m"), team_id=team.id)
    return lead, team


def test_statements_are_few_and_constant_whatever_the_team_size(world, client_for,
                                                                count_queries):
    counts = {}
    for n_reps, name in ((2, "Small"), (12, "Large")):
        lead, team = _team_of(n_reps, name)
        for who, client in (("lead", client_for(lead)), ("manager", client_for(world.manager))):
            for query in ("period=2026", f"period=2026-Q4&team_id={team.id}"):
                with count_queries() as counted:
                    answer = client.get(f"{API}/reports/attainment?{query}")
                assert answer.status_code == 200, answer.json
                counts.setdefault((who, query.split("&")[0]), set()).add(counted.n)
        people = {i["owner_id"] for i in answer.json["items"] if i["owner_id"]}
        assert len(people) == n_reps + 1
    assert all(found == {5} for found in counts.values()), counts  # the session, then four


BIG_TABLES = ("opportunities", "payments", "orders", "customers", "activities",
              "activity_daily", "targets")


@pytest.mark.parametrize("who", ["rep_a1", "lead_a", "manager"])
def test_plans_read_the_periods_rows_from_indexes(june, client_for, app, who):
    client = client_for(getattr(june, who))
    for query in ("period=2026-06", "period=2026", f"period=2026-Q2&team_id={june.team_a.id}"):
        with captured_statements() as captured:
            assert client.get(f"{API}/reports/attainment?{query}").status_code == 200
        plans = [(statement, [str(line) for line in plan_lines(statement, params)])
                 for statement, params in captured
                 if statement.lstrip().upper().startswith("SELECT")
                 and "user_sessions" not in statement]
        db.session.rollback()
        text = "\n".join(line for _, lines in plans for line in lines)
        assert "activity_daily" in text and "FROM activities" not in "\n".join(
            s for s, _ in plans)
        if db.engine.dialect.name == "sqlite":  # PostgreSQL's choice needs real statistics
            for index in ("ix_opportunities_won", "ix_payments_received",
                          "ix_customers_owner_created", "ix_opportunities_open_close"):
                assert index in text, (index, text)
        for statement, lines in plans:
            for line in lines:
                for table in BIG_TABLES:
                    assert not line.strip().startswith(f"SCAN {table}"), (line, statement)
                    assert f"Seq Scan on {table} " not in line + " ", (line, statement)
