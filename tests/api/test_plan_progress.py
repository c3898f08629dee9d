"""A plan against what happened: a stop is done when its owner logged a visit to that
customer on the plan's local date (``visited_at``, ``checkin_status``), and the plan's
``summary`` counts planned, visited, verified and missed stops for the rep's lead.

The reps' timezone is Asia/Shanghai: 2026-11-20 runs from 2026-11-19T16:00Z to
2026-11-20T16:00Z, and is over."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import uuid

from sqlalchemy import insert, text

from app.demo.planner import offset_point
from app.extensions import db
from app.models import Activity
from app.services import settings as settings_service
from tests import factories
from tests.api.helpers import API
from tests.api.test_visit_plans import _plan_of, _reads_activities_by
from tests.plans import captured_statements

PAST = "2026-11-20"
LAT, LNG = 31.2304, 121.4737
NEAR = {"lat": LAT + 0.0003, "lng": LNG, "accuracy": 20}  # about 33 m: verified
FAR = {"lat": LAT + 0.0135, "lng": LNG, "accuracy": 20}  # about 1.5 km: far


def _customers(owner, n):
    return [factories.make_customer(owner, name=f"Stop {i}", lat=LAT, lng=LNG)
            for i in range(n)]


def _plan(client, day, customers, owner=None):
    url = f"{API}/plans/{day}" + (f"?owner_id={owner.id}" if owner else "")
    body = {"start": {"lat": LAT, "lng": LNG}, "end": None,
            "stops": [{"customer_id": str(c.id)} for c in customers]}
    answer = client.put(url, json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def _visit(client, customer, when: str, location=None, kind="visit"):
    answer = client.post(f"{API}/activities", json={
        "kind": kind, "customer_id": str(customer.id), "occurred_at": when,
        "location": location})
    assert answer.status_code == 201, answer.json
    return answer.json


def _at(day: str, clock: str) -> str:
    return f"{day}T{clock}:00+08:00"


def test_a_visit_on_the_plans_date_marks_its_stop_done(world, client_for):
    rep, lead = world.rep_a1, world.lead_a
    a, b, c, d = _customers(rep, 4)
    client = client_for(rep)
    plan = _plan(client, PAST, [a, b, c, d])
    assert [s["visited_at"] for s in plan["stops"]] == [None] * 4
    _visit(client, a, _at(PAST, "10:00"), NEAR)
    # b: far first, then verified: done at the first visit, verified by the second
    _visit(client, b, _at(PAST, "11:00"), FAR)
    _visit(client, b, _at(PAST, "11:30"), NEAR)
    # c: none of these is a visit of the rep's on the plan's date
    _visit(client, c, _at("2026-11-19", "23:59"), NEAR)  # the day before, in Shanghai
    _visit(client, c, _at("2026-11-21", "00:00"), NEAR)  # the day after
    _visit(client, c, _at(PAST, "12:00"), NEAR, kind="call")
    _visit(client_for(lead), c, _at(PAST, "12:00"), NEAR)  # the lead's visit, not the rep's
    deleted = _visit(client, c, _at(PAST, "12:30"), NEAR)
    assert client.delete(f"{API}/activities/{deleted['id']}").status_code == 204
    # d: a visit without a position
    _visit(client, d, _at(PAST, "15:00"))

    answer = client.get(f"{API}/plans/{PAST}")
    # the visits leave the plan's version (its ETag) alone: the browser must not keep it
    assert answer.headers["ETag"] == '"1"' and "no-store" in answer.headers["Cache-Control"]
    plan = answer.json
    done = [(s["customer"]["name"], s["visited_at"], s["checkin_status"]) for s in plan["stops"]]
    assert done == [("Stop 0", "2026-11-20T02:00:00+00:00", "verified"),
                    ("Stop 1", "2026-11-20T03:00:00+00:00", "verified"),
                    ("Stop 2", None, None),
                    ("Stop 3", "2026-11-20T07:00:00+00:00", "unverified")]
    assert plan["summary"] == {"planned": 4, "visited": 3, "verified": 2, "missed": 1,
                               "pending": 0}
    # the lead sees the rep's plan against what happened
    seen = client_for(lead).get(f"{API}/plans/{PAST}?owner_id={rep.id}").json
    assert seen["stops"] == plan["stops"] and seen["summary"] == plan["summary"]


def test_while_the_day_lasts_stops_not_visited_are_pending(world, client_for):
    rep = world.rep_a1
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    customers = _customers(rep, 3)
    client = client_for(rep)
    _plan(client, today, customers)
    earlier = max(now - timedelta(minutes=1),
                  datetime.fromisoformat(_at(today, "00:00")).astimezone(timezone.utc))
    _visit(client, customers[1], earlier.isoformat(), FAR)
    plan = client.get(f"{API}/plans/{today}").json
    assert [s["checkin_status"] for s in plan["stops"]] == [None, "far", None]
    assert plan["summary"] == {"planned": 3, "visited": 1, "verified": 0, "missed": 0,
                               "pending": 2}


def test_an_empty_day_and_a_day_to_come_miss_nothing(world, client_for):
    client = client_for(world.rep_a1)
    assert client.get(f"{API}/plans/{PAST}").json["summary"] == {
        "planned": 0, "visited": 0, "verified": 0, "missed": 0, "pending": 0}
    plan = _plan(client, "2027-01-05", _customers(world.rep_a1, 2))
    assert plan["summary"] == {"planned": 2, "visited": 0, "verified": 0, "missed": 0,
                               "pending": 2}


def _a_busy_company(rep, customers=40, per_customer=50):
    """Other customers' visits and calls, every day of the autumn, with the statistics a
    live database has: the plan's customers are then the selective condition, as they are
    in a company's real activities (the dates alone are not)."""
    ids = [c.id for c in _customers(rep, customers)]
    start = datetime(2026, 9, 1, 2, tzinfo=timezone.utc)
    db.session.execute(insert(Activity), [
        {"id": uuid.uuid4(), "version": 1, "created_at": start, "updated_at": start,
         "kind": ("visit", "call")[n % 2], "owner_id": rep.id, "customer_id": ids[n % customers],
         "occurred_at": start + timedelta(hours=7 * n)}
        for n in range(customers * per_customer)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE activities"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def test_the_days_visits_are_one_statement_read_by_the_visits_index(world, client_for,
                                                                     count_queries):
    rep = world.rep_a1
    client = client_for(rep)
    few, many = _customers(rep, 2), _customers(rep, 25)
    counts = []
    for day, customers in (("2026-11-20", few), ("2026-11-21", many)):
        _plan(client, day, customers)
        for customer in customers:
            _visit(client, customer, _at(day, "10:00"), NEAR)
        with count_queries() as read:
            plan = client.get(f"{API}/plans/{day}").json
        assert plan["summary"]["visited"] == len(customers)
        counts.append(read.n)
    assert counts[0] == counts[1]
    _a_busy_company(world.rep_a2)
    with captured_statements(lambda s: "FROM activities" in s and "GROUP BY" in s) as seen:
        assert client.get(f"{API}/plans/2026-11-21").status_code == 200
    _reads_activities_by(_plan_of(seen), "ix_activities_customer_kind", "customer_id")


def test_an_order_set_by_hand_today_runs_from_now_on(world, client_for):
    """A drag mid-day: the straight-line ETAs of the new order start now, not at the
    working day's start hours ago."""
    settings_service.update_settings(world.admin, {"workday_start": "00:00",
                                                   "workday_end": "23:59"})
    db.session.commit()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    plan = _plan(client_for(world.rep_a1), today, _customers(world.rep_a1, 3))
    planned = [s for s in plan["stops"] if s["eta"]]
    assert all(datetime.fromisoformat(s["eta"]) >= now for s in planned)
    if planned:  # (none fit when this runs in the last minutes of a Shanghai day)
        assert datetime.fromisoformat(plan["leave_at"]) >= now


def test_optimising_mid_day_keeps_the_visits_first_and_routes_the_rest_from_the_last(
        world, client_for):
    """Stops 1, 2, 3.5 and 3 km east of the start; the one at 3 km is visited already. The
    optimiser keeps it first, with its figures, and drives on from there: 3.5, then back to
    2 and 1 (3 km more), not from the start again; ETAs from now on."""
    rep = world.rep_a1
    now = datetime.now(timezone.utc).replace(microsecond=0)
    hours = (12 - now.hour + 12) % 24 - 12  # a timezone where it is about noon now
    rep.timezone = "Etc/GMT" + (f"-{hours}" if hours > 0 else f"+{-hours}" if hours else "")
    db.session.commit()
    settings_service.update_settings(world.admin, {"workday_start": "00:00",
                                                   "workday_end": "23:59"})
    db.session.commit()
    today = now.astimezone(ZoneInfo(rep.timezone)).date().isoformat()
    east = [offset_point(LAT, LNG, km * 1000, 1.5708) for km in (1, 2, 3.5, 3)]
    stops = [factories.make_customer(rep, name=f"East {i}", lat=lat, lng=lng)
             for i, (lat, lng) in enumerate(east)]
    client = client_for(rep)
    _plan(client, today, stops)
    visited = stops[3]
    _visit(client, visited, (now - timedelta(minutes=10)).isoformat(),
           {"lat": visited.lat, "lng": visited.lng, "accuracy": 10})
    before = client.get(f"{API}/plans/{today}").json["stops"][3]
    answer = client.post(f"{API}/plans/{today}/optimise")
    assert answer.status_code == 200, answer.json
    order = [s["customer"]["name"] for s in answer.json["stops"]]
    assert order == ["East 3", "East 2", "East 1", "East 0"]
    first = answer.json["stops"][0]
    assert first["visited_at"] is not None
    assert (first["eta"], first["distance_m"]) == (before["eta"], before["distance_m"])
    rest = answer.json["stops"][1:]
    assert [s["unplanned"] for s in rest] == [None, None, None]
    # from the visited customer (500 m, times the road factor 1.3), not the start (4.5 km)
    assert 600 <= rest[0]["distance_m"] <= 700
    assert all(datetime.fromisoformat(s["eta"]) >= now for s in rest)
