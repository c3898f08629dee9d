"""Day plans: GET/PUT /plans/{date}, POST /plans/{date}/optimise, GET/PATCH /me/places.

Stops are customers in Shanghai a few kilometres apart; the reps' timezone is
Asia/Shanghai, so 2026-12-10 runs from 2026-12-09T16:00Z to 2026-12-10T16:00Z."""
from datetime import datetime

import pytest

from app.extensions import db
from app.services import settings as settings_service
from tests import factories
from tests.api.helpers import API, assert_error

DAY = "2026-12-10"
PLAN = f"{API}/plans/{DAY}"
HOME = {"lat": 31.2304, "lng": 121.4737, "label": "Home"}
OFFICE = {"lat": 31.2400, "lng": 121.5000, "label": "Office"}


def _at(clock: str) -> str:
    return f"{DAY}T{clock}:00+08:00"


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _customers(owner, n, **extra):
    return [factories.make_customer(owner, name=f"Stop {i}", lat=31.20 + 0.01 * (i % 5),
                                    lng=121.44 + 0.012 * (i // 5), **extra) for i in range(n)]


def _body(customers, start=HOME, end=OFFICE, **extra):
    return {"start": start, "end": end,
            "stops": [{"customer_id": str(c.id)} for c in customers], **extra}


def _names(plan):
    return [stop["customer"]["name"] for stop in plan["stops"]]


# Reading and saving ----------------------------------------------------------------------

def test_a_day_without_a_plan_reads_as_an_empty_plan(world, client_for):
    response = client_for(world.rep_a1).get(PLAN)
    assert response.status_code == 200 and response.headers["ETag"] == '"0"'
    body = response.json
    assert body["id"] is None and body["version"] == 0
    assert (body["date"], body["timezone"], body["owner_id"]) == (
        DAY, "Asia/Shanghai", str(world.rep_a1.id))
    assert body["start"] is None and body["end"] is None
    assert body["stops"] == [] and body["unplanned"] == []


def test_put_stores_the_plan_with_a_timeline_and_a_replay_changes_nothing(world, client_for):
    rep = world.rep_a1
    a, b, c = _customers(rep, 3)
    followup = factories.make_followup(rep, b, due_at=_instant(_at("10:00")), action="visit")
    client = client_for(rep)
    body = _body([a, b, c])
    body["stops"][1].update(followup_id=str(followup.id), arrive_by=_at("10:00"))
    body["stops"][2]["duration_min"] = 45

    created = client.put(PLAN, json=body)
    assert created.status_code == 201, created.json
    assert created.headers["ETag"] == '"1"'
    plan = created.json
    assert plan["version"] == 1 and plan["start"] == HOME and plan["end"] == OFFICE
    assert [s["customer_id"] for s in plan["stops"]] == [str(a.id), str(b.id), str(c.id)]
    assert [s["duration_min"] for s in plan["stops"]] == [30, 30, 45]  # company default 30
    assert plan["stops"][1]["followup_id"] == str(followup.id)
    assert plan["stops"][0]["customer"] == {  # as the agenda has it: to call and navigate
        "id": str(a.id), "name": "Stop 0", "phone_e164": None, "email": None,
        "address": None, "city": None, "lat": a.lat, "lng": a.lng}
    assert plan["stops"][1]["arrive_by"] == "2026-12-10T02:00:00+00:00"
    # the timeline of the order sent: leave at the workday start (08:30), drive, visit
    assert plan["leave_at"] == "2026-12-10T00:30:00+00:00"
    first = plan["stops"][0]
    assert first["distance_m"] > 0 and first["travel_min"] >= 1
    assert _instant(first["eta"]) > _instant(plan["leave_at"])
    assert plan["stops"][1]["eta"] == "2026-12-10T01:45:00+00:00"  # waits for 09:45
    assert plan["stops"][1]["late"] is False
    assert plan["travel_source"] == "straight_line" and plan["optimised_at"] is None
    assert plan["total_distance_m"] > sum(s["distance_m"] for s in plan["stops"])  # + to end
    assert plan["total_duration_min"] == round(
        (_instant(plan["finish_at"]) - _instant(plan["leave_at"])).total_seconds() / 60)
    assert client.get(PLAN).json == plan

    replay = client.put(PLAN, json=body)
    assert replay.status_code == 200 and replay.json == plan

    body["stops"].reverse()
    changed = client.put(PLAN, json=body)
    assert changed.status_code == 200 and changed.json["version"] == 2
    assert _names(changed.json) == ["Stop 2", "Stop 1", "Stop 0"]
    assert changed.json["stops"][0]["eta"] != first["eta"]


def test_an_order_by_hand_that_misses_an_appointment_says_late(world, client_for):
    rep = world.rep_a1
    customers = _customers(rep, 4)
    body = _body(customers)
    body["stops"][3]["arrive_by"] = _at("09:00")  # three 30-minute visits before it
    plan = client_for(rep).put(PLAN, json=body).json
    assert [s["late"] for s in plan["stops"]] == [False, False, False, True]


def test_the_visit_duration_default_is_a_company_setting(world, client_for):
    settings_service.update_settings(world.admin, {"visit_duration_min": 45})
    db.session.commit()
    (customer,) = _customers(world.rep_a1, 1)
    plan = client_for(world.rep_a1).put(PLAN, json=_body([customer])).json
    assert plan["stops"][0]["duration_min"] == 45


def test_a_stop_without_coordinates_is_kept_and_marked(world, client_for):
    rep = world.rep_a1
    located = _customers(rep, 1)
    nowhere = factories.make_customer(rep, name="Nowhere")
    plan = client_for(rep).put(PLAN, json=_body([nowhere, *located])).json
    assert plan["stops"][0]["unplanned"] == "no_location" and plan["stops"][0]["eta"] is None
    assert plan["stops"][1]["unplanned"] is None and plan["stops"][1]["eta"]
    assert plan["unplanned"] == [{"index": 0, "customer_id": str(nowhere.id),
                                  "followup_id": None, "reason": "no_location"}]


def test_a_plan_without_a_start_has_no_timeline(world, client_for):
    customers = _customers(world.rep_a1, 2)
    plan = client_for(world.rep_a1).put(PLAN, json=_body(customers, start=None, end=None)).json
    assert plan["start"] is None and plan["leave_at"] is None
    assert [s["eta"] for s in plan["stops"]] == [None, None]


def test_if_match_on_put_and_optimise(world, client_for):
    rep = world.rep_a1
    client = client_for(rep)
    body = _body(_customers(rep, 2))
    assert client.put(PLAN, json=body, headers={"If-Match": '"0"'}).status_code == 201
    assert_error(client.put(PLAN, json=_body([]), headers={"If-Match": '"0"'}), 412)
    stale = client.post(f"{PLAN}/optimise", headers={"If-Match": '"7"'})
    assert_error(stale, 412)
    assert client.get(PLAN).json["optimised_at"] is None
    assert client.put(PLAN, json=_body([]), headers={"If-Match": 'W/"1"'}).status_code == 200
    assert client.get(PLAN).json["stops"] == []
    assert_error(client.put(PLAN, json=body, headers={"If-Match": "nonsense"}), 400)
    other_day = f"{API}/plans/2026-12-11"
    assert_error(client.put(other_day, json=body, headers={"If-Match": '"1"'}), 412)


# Bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["2026-02-30", "2026-12-1", "tomorrow", "10000-01-01",
                                 "0001-01-01"])
def test_a_bad_date_is_422(world, client_for, day):
    client = client_for(world.rep_a1)
    assert_error(client.get(f"{API}/plans/{day}"), 422, ["date"], location="path")
    assert_error(client.put(f"{API}/plans/{day}", json={}), 422, ["date"], location="path")
    assert_error(client.post(f"{API}/plans/{day}/optimise"), 422, ["date"], location="path")


@pytest.mark.parametrize("change, field", [
    ({"start": {"lat": 91, "lng": 121}}, "start"),
    ({"end": {"lat": 31, "lng": -181}}, "end"),
    ({"start": {"lat": "north", "lng": 121}}, "start"),
    ({"start": {"lat": 31}}, "start"),
    ({"start": {"place": "home", "lat": 31, "lng": 121}}, "start"),
    ({"start": {"place": "beach"}}, "start"),
    ({"start": {"lat": float("nan"), "lng": 121}}, "start"),
    ({"depart_at": "2026-12-10T09:00:00"}, "depart_at"),  # no offset
    ({"depart_at": "2026-12-11T09:00:00+08:00"}, "depart_at"),  # another day
    ({"stops": [{"customer_id": "not-a-uuid"}]}, "stops"),
    ({"colour": "red"}, "colour"),
])
def test_bad_plans_are_422(world, client_for, change, field):
    client = client_for(world.rep_a1)
    assert_error(client.put(PLAN, json={**_body([]), **change}), 422, [field])
    assert client.get(PLAN).json["version"] == 0


def test_bad_stops_are_422(world, client_for):
    rep = world.rep_a1
    (customer,) = _customers(rep, 1)
    client = client_for(rep)
    for stop in ({"customer_id": str(customer.id), "duration_min": 0},
                 {"customer_id": str(customer.id), "duration_min": 30.5},
                 {"customer_id": str(customer.id), "arrive_by": "2026-12-11T10:00:00+08:00"},
                 {"customer_id": str(customer.id), "arrive_by": "2026-12-10T10:00:00"},
                 {"customer_id": str(customer.id), "eta": _at("10:00")}):
        body = client.put(PLAN, json={"start": HOME, "stops": [stop]})
        assert_error(body, 422, ["stops"])
    # the follow-up of another of my customers
    other = factories.make_customer(rep, name="Other")
    followup = factories.make_followup(rep, other)
    response = client.put(PLAN, json={"stops": [
        {"customer_id": str(customer.id), "followup_id": str(followup.id)}]})
    assert assert_error(response, 422, ["stops"])["errors"]["json"]["stops"]["0"] == {
        "followup_id": ["Must be a follow-up of this stop's customer."]}


def test_more_than_60_stops_is_422(world, client_for):
    rep = world.rep_a1
    (customer,) = _customers(rep, 1)
    client = client_for(rep)
    sixty = {"stops": [{"customer_id": str(customer.id)}] * 60}
    assert client.put(PLAN, json=sixty).status_code == 201
    assert_error(client.put(PLAN, json={"stops": sixty["stops"] * 2}), 422, ["stops"])
    assert len(client.get(PLAN).json["stops"]) == 60


def test_a_saved_place_that_is_not_saved_is_422(world, client_for):
    response = client_for(world.rep_a1).put(PLAN, json={"start": {"place": "home"}})
    assert assert_error(response, 422, ["start"])["errors"]["json"]["start"] == {
        "place": ["No point of this kind is saved."]}


def test_errors_speak_chinese(world, client_for):
    rep = factories.make_user("rep", world.team_a, locale="zh-CN")
    response = client_for(rep).post(f"{PLAN}/optimise")
    assert assert_error(response, 404)["message"] == "这一天还没有计划。"


# Scope -----------------------------------------------------------------------------------

def test_a_stop_outside_your_scope_is_404(world, client_for):
    rep = world.rep_a1
    mine = _customers(rep, 1)
    theirs = factories.make_customer(world.rep_b1, name="Theirs", lat=31.2, lng=121.4)
    their_followup = factories.make_followup(world.rep_b1, theirs)
    deleted = factories.make_customer(rep, name="Gone", lat=31.2, lng=121.4)
    client = client_for(rep)
    client.delete(f"{API}/customers/{deleted.id}")
    for customer in (theirs, deleted):
        assert_error(client.put(PLAN, json=_body([*mine, customer])), 404)
    assert_error(client.put(PLAN, json={"stops": [
        {"customer_id": str(mine[0].id), "followup_id": str(their_followup.id)}]}), 404)
    assert client.get(PLAN).json["version"] == 0


def test_owner_id_reaches_team_members_for_a_lead_and_anyone_for_a_manager(world, client_for):
    rep, teammate, other_team = world.rep_a1, world.rep_a2, world.rep_b1
    customers = _customers(rep, 2)
    own = client_for(rep)
    # a rep only has their own plan: anyone else's, or an unknown user's, is not found
    for user_id in (teammate.id, world.lead_a.id, "00000000-0000-4000-8000-00000000abcd"):
        assert_error(own.get(f"{PLAN}?owner_id={user_id}"), 404)
        assert_error(own.put(f"{PLAN}?owner_id={user_id}", json={}), 404)
        assert_error(own.post(f"{PLAN}/optimise?owner_id={user_id}"), 404)
    assert_error(own.get(f"{PLAN}?owner_id=me"), 422, ["owner_id"], location="query")
    assert own.get(f"{PLAN}?owner_id={rep.id}").status_code == 200

    lead = client_for(world.lead_a)
    planned = lead.put(f"{PLAN}?owner_id={rep.id}", json=_body(customers))
    assert planned.status_code == 201 and planned.json["owner_id"] == str(rep.id)
    assert own.get(PLAN).json == planned.json
    assert lead.get(PLAN).json["version"] == 0  # the lead's own day is another plan
    assert lead.post(f"{PLAN}/optimise?owner_id={rep.id}").status_code == 200
    assert_error(lead.get(f"{PLAN}?owner_id={other_team.id}"), 404)

    manager = client_for(world.manager)
    assert manager.get(f"{PLAN}?owner_id={rep.id}").json["version"] == 2
    assert manager.get(f"{PLAN}?owner_id={other_team.id}").status_code == 200


def test_signed_out_is_401(anon):
    assert_error(anon.get(PLAN), 401)
    assert_error(anon.get(f"{API}/me/places"), 401)


# Optimising ------------------------------------------------------------------------------

def test_optimise_orders_the_stops_keeps_the_appointment_and_stores_the_order(world,
                                                                                client_for):
    rep = world.rep_a1
    customers = _customers(rep, 8)
    nowhere = factories.make_customer(rep, name="Nowhere")
    client = client_for(rep)
    body = _body([nowhere, *customers])
    body["stops"][5]["arrive_by"] = _at("11:00")
    client.put(PLAN, json=body)

    response = client.post(f"{PLAN}/optimise")
    assert response.status_code == 200, response.json
    plan = response.json
    assert plan["version"] == 2 and response.headers["ETag"] == '"2"'
    assert plan["optimised_at"] and plan["travel_source"] == "straight_line"
    assert sorted(_names(plan)) == sorted(["Nowhere", *(c.name for c in customers)])
    assert plan["stops"][-1]["customer"]["name"] == "Nowhere"
    assert plan["unplanned"] == [{"index": 8, "customer_id": str(nowhere.id),
                                  "followup_id": None, "reason": "no_location"}]
    appointment = next(s for s in plan["stops"] if s["arrive_by"])
    assert _instant(_at("10:45")) <= _instant(appointment["eta"]) <= _instant(_at("11:00"))
    etas = [_instant(s["eta"]) for s in plan["stops"][:-1]]
    assert etas == sorted(etas)
    assert plan["total_distance_m"] > sum(s["distance_m"] for s in plan["stops"][:-1])
    assert plan["total_travel_min"] > 0 and plan["total_duration_min"] >= 8 * 30
    # the optimised order is the stored plan; optimising again changes nothing
    assert client.get(PLAN).json == plan
    again = client.post(f"{PLAN}/optimise")
    assert again.json == plan
    # sending the optimised order back as it is keeps the optimiser's figures
    replay = {"start": plan["start"], "end": plan["end"], "stops": [
        {key: stop[key] for key in ("customer_id", "followup_id", "arrive_by", "duration_min")}
        for stop in plan["stops"]]}
    assert client.put(PLAN, json=replay).json == plan


def test_a_stop_that_cannot_fit_goes_to_unplanned(world, client_for):
    rep = world.rep_a1
    near, far = _customers(rep, 1)[0], factories.make_customer(
        rep, name="Hangzhou", lat=30.2741, lng=120.1551)  # 170 km away
    client = client_for(rep)
    body = _body([far, near])
    body["stops"][0]["arrive_by"] = _at("09:00")  # leaving at 08:30, 4 h to drive there
    client.put(PLAN, json=body)
    plan = client.post(f"{PLAN}/optimise").json
    assert _names(plan) == ["Stop 0", "Hangzhou"]
    assert plan["stops"][1]["eta"] is None and plan["stops"][1]["unplanned"] == "no_fit"
    assert plan["unplanned"] == [{"index": 1, "customer_id": str(far.id),
                                  "followup_id": None, "reason": "no_fit"}]


def test_depart_at_and_the_working_day_bound_the_plan(world, client_for):
    rep = world.rep_a1
    settings_service.update_settings(world.admin, {"workday_end": "12:00"})
    db.session.commit()
    customers = _customers(rep, 8)  # 8 x 30 min of visits from 09:00 do not end by noon
    client = client_for(rep)
    client.put(PLAN, json=_body(customers, depart_at=_at("09:00")))
    plan = client.post(f"{PLAN}/optimise").json
    assert plan["depart_at"] == "2026-12-10T01:00:00+00:00"
    assert _instant(plan["leave_at"]) >= _instant(_at("09:00"))
    assert _instant(plan["finish_at"]) <= _instant(_at("12:00"))
    assert 0 < len(plan["unplanned"]) < 8
    assert {u["reason"] for u in plan["unplanned"]} == {"no_fit"}


def test_optimise_needs_a_plan_and_a_start(world, client_for):
    client = client_for(world.rep_a1)
    assert_error(client.post(f"{PLAN}/optimise"), 404)
    client.put(PLAN, json=_body(_customers(world.rep_a1, 2), start=None))
    assert_error(client.post(f"{PLAN}/optimise"), 422, ["start"])


def test_an_empty_plan_optimises_to_an_empty_day(world, client_for):
    client = client_for(world.rep_a1)
    client.put(PLAN, json=_body([]))
    plan = client.post(f"{PLAN}/optimise").json
    assert plan["stops"] == [] and plan["leave_at"] is None and plan["unplanned"] == []


# Saved places ----------------------------------------------------------------------------

def test_saved_places_are_private_and_usable_as_start_and_end(world, client_for):
    rep = world.rep_a1
    client = client_for(rep)
    assert client.get(f"{API}/me/places").json == {"home": None, "office": None}
    saved = client.patch(f"{API}/me/places", json={"home": HOME, "office": OFFICE})
    assert saved.status_code == 200 and saved.json == {"home": HOME, "office": OFFICE}
    moved = {**HOME, "lat": 31.3}
    assert client.patch(f"{API}/me/places", json={"home": moved}).json == {
        "home": moved, "office": OFFICE}
    assert client_for(world.rep_a2).get(f"{API}/me/places").json == {
        "home": None, "office": None}
    assert_error(client.patch(f"{API}/me/places", json={"home": {"lat": 100, "lng": 0}}),
                 422, ["home"])
    assert_error(client.patch(f"{API}/me/places", json={"gym": HOME}), 422, ["gym"])

    plan = client.put(PLAN, json={"start": {"place": "home"}, "end": {"place": "office"}}).json
    assert plan["start"] == moved and plan["end"] == OFFICE
    # the plan keeps its copy: clearing or moving the saved point does not move it
    assert client.patch(f"{API}/me/places", json={"home": None}).json["home"] is None
    assert client.get(PLAN).json["start"] == moved
    # a lead planning a rep's day uses the rep's saved points
    lead = client_for(world.lead_a)
    other_day = f"{API}/plans/2026-12-11?owner_id={rep.id}"
    assert lead.put(other_day, json={"start": {"place": "office"}}).json["start"] == OFFICE


# Settings --------------------------------------------------------------------------------

def test_the_planning_settings_are_company_settings(world, client_for):
    admin = client_for(world.admin)
    settings = admin.get(f"{API}/settings").json
    assert {key: settings[key] for key in (
        "visit_duration_min", "workday_start", "workday_end", "appointment_window_min",
        "road_factor", "average_speed_kmh")} == {
        "visit_duration_min": 30, "workday_start": "08:30", "workday_end": "18:00",
        "appointment_window_min": 15, "road_factor": 1.3, "average_speed_kmh": 30}
    changed = admin.patch(f"{API}/settings", json={"road_factor": 1.5, "workday_start": "07:45"})
    assert changed.status_code == 200
    assert (changed.json["road_factor"], changed.json["workday_start"]) == (1.5, "07:45")
    for bad in ({"road_factor": 0.5}, {"average_speed_kmh": 0}, {"workday_end": "25:00"},
                {"workday_start": "8:30"}, {"visit_duration_min": "30"},
                {"appointment_window_min": -1}):
        assert_error(admin.patch(f"{API}/settings", json=bad), 422, list(bad))
    assert_error(client_for(world.rep_a1).patch(f"{API}/settings", json={"road_factor": 1.2}),
                 403)


def test_road_factor_and_speed_set_the_travel_times(world, client_for):
    rep = world.rep_a1
    customers = _customers(rep, 1)
    client = client_for(rep)
    first = client.put(PLAN, json=_body(customers)).json["stops"][0]
    settings_service.update_settings(world.admin, {"road_factor": 2.6, "average_speed_kmh": 15})
    db.session.commit()
    client.put(PLAN, json=_body([]))
    second = client.put(PLAN, json=_body(customers)).json["stops"][0]
    assert abs(second["distance_m"] - 2 * first["distance_m"]) <= 2
    assert abs(second["travel_min"] - 4 * first["travel_min"]) <= 2


# Statements ------------------------------------------------------------------------------

def test_statements_do_not_grow_with_the_stops(world, client_for, count_queries):
    rep = world.rep_a1
    few, many = _customers(rep, 3), _customers(rep, 40)
    followups = [factories.make_followup(rep, c) for c in many]
    client = client_for(rep)
    counts = {}
    for name, customers, day in (("few", few, "2026-12-10"), ("many", many, "2026-12-11")):
        url = f"{API}/plans/{day}"
        body = _body(customers)
        if name == "many":
            for stop, followup in zip(body["stops"], followups, strict=True):
                stop["followup_id"] = str(followup.id)
        else:
            body["stops"][0]["followup_id"] = None
        with count_queries() as created:
            assert client.put(url, json=body).status_code == 201
        body["stops"].reverse()
        with count_queries() as changed:
            assert client.put(url, json=body).status_code == 200
        with count_queries() as read:
            assert client.get(url).status_code == 200
        with count_queries() as optimised:
            assert client.post(f"{url}/optimise").status_code == 200
        counts[name] = (created.n, changed.n, read.n, optimised.n)
    few_counts, many_counts = counts["few"], counts["many"]
    # the many-stop plan names follow-ups: one more statement to check them
    assert many_counts == (few_counts[0] + 1, few_counts[1] + 1, few_counts[2], few_counts[3])


def test_optimising_today_plans_from_now_on(world, client_for):
    from datetime import timezone
    from zoneinfo import ZoneInfo

    settings_service.update_settings(world.admin, {"workday_start": "00:00",
                                                   "workday_end": "23:59"})
    db.session.commit()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    client = client_for(world.rep_a1)
    client.put(f"{API}/plans/{today}", json=_body(_customers(world.rep_a1, 3)))
    plan = client.post(f"{API}/plans/{today}/optimise").json
    planned = [s for s in plan["stops"] if s["eta"]]
    assert all(_instant(s["eta"]) >= now for s in planned)
    if planned:  # (none fit when this runs in the last hour of a Shanghai day)
        assert _instant(plan["leave_at"]) >= now
