"""Issue 13 on the road: a customer's visit cadence (visit_interval_days, last_visit_at,
visit_due_on, visit_overdue), pinning a customer where the phone is, and check-ins."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Customer
from app.services import opportunities as opportunity_service
from app.services.activities import distance_m
from tests import factories
from tests.api.helpers import API, assert_error, reload

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
LAT, LNG = 31.2304, 121.4737  # People's Square
METRES_PER_DEGREE_LAT = 111_195


def _north(metres: float) -> float:
    return LAT + metres / METRES_PER_DEGREE_LAT


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _created_days_ago(customer, days: int) -> None:
    db.session.execute(update(Customer).where(Customer.id == customer.id).values(
        created_at=datetime.now(timezone.utc) - timedelta(days=days)))
    db.session.commit()


# Cadence -------------------------------------------------------------------------------------

def test_a_customer_never_visited_is_due_one_interval_after_it_was_created(world, client_for):
    rep = world.rep_a1
    fresh = factories.make_customer(rep, name="Fresh")
    old = factories.make_customer(rep, name="Old")
    _created_days_ago(old, 45)
    client = client_for(rep)
    card = client.get(f"{API}/customers/{fresh.id}").json
    assert card["visit_interval_days"] is None and card["last_visit_at"] is None
    assert card["effective_visit_interval_days"] == 30  # no orders: the "none" default
    assert card["visit_due_on"] == (_today() + timedelta(days=30)).isoformat()
    assert card["visit_overdue"] is False
    card = client.get(f"{API}/customers/{old.id}").json
    assert card["visit_due_on"] == (_today() - timedelta(days=15)).isoformat()
    assert card["visit_overdue"] is True


def test_visits_keep_last_visit_at_and_the_book_current_without_editing_the_customer(
        world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Visited")
    client = client_for(rep)
    before = reload(Customer, customer.id)
    version, updated_at = before.version, before.updated_at
    first = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
    second = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    for when in (first, second):
        answer = client.post(f"{API}/activities", json={
            "kind": "visit", "customer_id": str(customer.id), "occurred_at": when.isoformat()})
        assert answer.status_code == 201, answer.json
    latest_id = answer.json["id"]
    call = client.post(f"{API}/activities", json={
        "kind": "call", "customer_id": str(customer.id),
        "occurred_at": (second + timedelta(days=3)).isoformat()})
    assert call.status_code == 201
    stored = reload(Customer, customer.id)
    assert stored.last_visit_at == second  # a call is no visit
    # No edit of the customer (its version, so no queued edit gets a 412), but a change
    # the phones' delta sync brings to the offline book, with the new due date.
    assert stored.version == version and stored.updated_at > updated_at
    card = client.get(f"{API}/customers/{customer.id}")
    assert card.headers["ETag"] == f'"{version}"'
    assert card.json["last_visit_at"] == second.isoformat()
    assert card.json["visit_due_on"] == "2026-12-20"
    synced = client.get(f"{API}/customers", query_string={
        "updated_since": updated_at.isoformat()}).json["items"]
    assert [(c["id"], c["visit_due_on"]) for c in synced] == [(str(customer.id), "2026-12-20")]

    # moved back in time: the earlier visit is now the latest
    moved = client.patch(f"{API}/activities/{latest_id}",
                         json={"occurred_at": "2026-10-01T02:00:00+00:00"})
    assert moved.status_code == 200, moved.json
    assert reload(Customer, customer.id).last_visit_at == first
    # deleted: it no longer counts; with no visit left, none
    first_id = client.get(f"{API}/activities?customer_id={customer.id}&kind=visit"
                          ).json["items"]
    for item in first_id:
        assert client.delete(f"{API}/activities/{item['id']}").status_code == 204
    stored = reload(Customer, customer.id)
    assert stored.last_visit_at is None and stored.version == version


def test_a_done_visit_follow_up_counts_as_a_visit(world, client_for):
    """A visit planned with a due time is visited when it is done (PATCH done_at)."""
    rep = world.rep_a1
    customer = factories.make_customer(rep)
    client = client_for(rep)
    planned = client.post(f"{API}/activities", json={
        "kind": "visit", "customer_id": str(customer.id),
        "due_at": "2026-11-25T02:00:00+00:00"})
    assert planned.status_code == 201, planned.json
    assert reload(Customer, customer.id).last_visit_at is None
    done = client.patch(f"{API}/activities/{planned.json['id']}",
                        json={"done_at": "2026-11-25T03:00:00+00:00"})
    assert done.status_code == 200, done.json
    assert reload(Customer, customer.id).last_visit_at == datetime(
        2026, 11, 25, 3, 0, tzinfo=timezone.utc)


def test_the_due_day_is_the_owners_local_day(world, client_for):
    """20:00 UTC on 30 November is 1 December in Shanghai: due 1 December + interval."""
    rep = world.rep_a1  # Asia/Shanghai
    customer = factories.make_customer(rep, visit_interval_days=10)
    factories.make_activity(rep, customer, kind="visit",
                            occurred_at=datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
    card = client_for(rep).get(f"{API}/customers/{customer.id}").json
    assert card["visit_due_on"] == "2026-12-11"
    new_york = factories.make_user("rep", team=world.team_a, timezone_name="America/New_York")
    theirs = factories.make_customer(new_york, visit_interval_days=10)
    factories.make_activity(new_york, theirs, kind="visit",
                            occurred_at=datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
    card = client_for(world.lead_a).get(f"{API}/customers/{theirs.id}").json
    assert card["visit_due_on"] == "2026-12-10"


def test_own_interval_and_the_segments_default(world, client_for):
    rep = world.rep_a1
    client = client_for(rep)
    created = client.post(f"{API}/customers", json={"name": "Own", "visit_interval_days": 7})
    assert created.status_code == 201, created.json
    assert created.json["visit_interval_days"] == 7
    cid = created.json["id"]
    card = client.get(f"{API}/customers/{cid}").json
    assert card["effective_visit_interval_days"] == 7
    assert card["visit_due_on"] == (_today() + timedelta(days=7)).isoformat()
    # back to the company default; a first order within 90 days makes the customer "new"
    assert client.patch(f"{API}/customers/{cid}",
                        json={"visit_interval_days": None}).status_code == 200
    customer = reload(Customer, cid)
    deal = factories.make_opportunity(rep, customer)
    opportunity_service.win_opportunity(rep, deal)
    db.session.commit()
    card = client.get(f"{API}/customers/{cid}").json
    assert (card["rfm_segment"], card["visit_interval_days"],
            card["effective_visit_interval_days"]) == ("new", None, 14)
    for bad in (0, 366, "7", 7.5, True):
        assert_error(client.patch(f"{API}/customers/{cid}", json={"visit_interval_days": bad}),
                     422, ["visit_interval_days"])
    assert reload(Customer, cid).visit_interval_days is None


def test_the_company_defaults_are_a_setting(world, client_for):
    admin = client_for(world.admin)
    settings = admin.get(f"{API}/settings").json
    assert settings["visit_interval_days"] == {"champion": 14, "loyal": 21, "at risk": 14,
                                               "new": 14, "dormant": 60, "none": 30}
    assert settings["checkin_radius_m"] == 200
    changed = admin.patch(f"{API}/settings", json={"visit_interval_days": {"none": 10}})
    assert changed.status_code == 200, changed.json
    assert changed.json["visit_interval_days"]["none"] == 10
    assert changed.json["visit_interval_days"]["dormant"] == 60  # the others kept
    for bad in ({"vip": 5}, {"none": 0}, {"none": 400}, {"none": "10"}, [10]):
        assert_error(admin.patch(f"{API}/settings", json={"visit_interval_days": bad}), 422,
                     ["visit_interval_days"])
    for bad in (0, 5, 20_000, "200"):
        assert_error(admin.patch(f"{API}/settings", json={"checkin_radius_m": bad}), 422,
                     ["checkin_radius_m"])
    assert_error(client_for(world.rep_a1).patch(f"{API}/settings",
                                                json={"checkin_radius_m": 300}), 403)
    customer = factories.make_customer(world.rep_a1)
    card = client_for(world.rep_a1).get(f"{API}/customers/{customer.id}").json
    assert card["effective_visit_interval_days"] == 10


def test_cadence_reads_cost_no_extra_statement(world, client_for, count_queries):
    """The setting and the owner's timezone are read inside the customer statement."""
    from tests.api.test_query_counts import DETAIL_STATEMENTS, LIST_STATEMENTS

    client_for(world.admin).patch(f"{API}/settings", json={"visit_interval_days": {"none": 9}})
    rep = world.rep_a1
    client = client_for(rep)
    customers = [factories.make_customer(rep, name=f"C{i:02d}") for i in range(12)]
    for customer in customers[:6]:
        factories.make_activity(rep, customer, kind="visit")
    with count_queries() as listed:
        page = client.get(f"{API}/customers?fields=full&limit=50")
    assert page.status_code == 200 and len(page.json["items"]) == 12
    assert listed.n == LIST_STATEMENTS
    assert {i["effective_visit_interval_days"] for i in page.json["items"]} == {9}
    assert sum(i["last_visit_at"] is not None for i in page.json["items"]) == 6
    url = f"{API}/customers/{customers[0].id}"
    with count_queries() as card:
        assert client.get(url).status_code == 200
    assert card.n == DETAIL_STATEMENTS


# Pin here ------------------------------------------------------------------------------------

def test_pin_stores_the_position_and_keeps_the_typed_address(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, address="88 Nanjing Road", city="Shanghai")
    client = client_for(rep)
    before = datetime.now(timezone.utc)
    pinned = client.patch(f"{API}/customers/{customer.id}", headers={"If-Match": '"1"'},
                          json={"lat": LAT, "lng": LNG, "location_accuracy": 12.5})
    assert pinned.status_code == 200, pinned.json
    assert (pinned.json["lat"], pinned.json["lng"], pinned.json["location_accuracy"]) == (
        LAT, LNG, 12.5)
    assert pinned.json["address"] == "88 Nanjing Road" and pinned.json["version"] == 2
    stored = reload(Customer, customer.id)
    assert before <= stored.located_at <= datetime.now(timezone.utc)
    assert pinned.json["located_at"] == stored.located_at.isoformat()
    # typed coordinates: no accuracy; cleared ones: no time either
    typed = client.patch(f"{API}/customers/{customer.id}", json={"lat": 31.0, "lng": 121.0})
    assert typed.json["location_accuracy"] is None and typed.json["located_at"] is not None
    cleared = client.patch(f"{API}/customers/{customer.id}", json={"lat": None, "lng": None})
    assert (cleared.json["location_accuracy"], cleared.json["located_at"]) == (None, None)
    # an edit that does not touch the position leaves it alone
    client.patch(f"{API}/customers/{customer.id}",
                 json={"lat": LAT, "lng": LNG, "location_accuracy": 30})
    located_at = reload(Customer, customer.id).located_at
    renamed = client.patch(f"{API}/customers/{customer.id}", json={"name": "Renamed"})
    assert renamed.json["location_accuracy"] == 30
    assert reload(Customer, customer.id).located_at == located_at


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_pin_worse_than_100_m_is_refused_and_changes_nothing(world, client_for, locale):
    rep = factories.make_user("rep", team=world.team_a, locale=locale)
    customer = factories.make_customer(rep, lat=30.0, lng=120.0)
    located_at = reload(Customer, customer.id).located_at
    client = client_for(rep)
    body = assert_error(client.patch(f"{API}/customers/{customer.id}", json={
        "lat": LAT, "lng": LNG, "location_accuracy": 150}), 422, ["location_accuracy"])
    message = body["errors"]["json"]["location_accuracy"][0]
    if locale == "en":
        assert "150" in message and "100 m" in message
    else:
        assert "150" in message and "100 米" in message
    stored = reload(Customer, customer.id)
    assert (stored.lat, stored.lng, stored.version, stored.location_accuracy) == (
        30.0, 120.0, 1, None)
    assert stored.located_at == located_at is not None
    assert client.patch(f"{API}/customers/{customer.id}", json={
        "lat": LAT, "lng": LNG, "location_accuracy": 100}).status_code == 200


def test_pin_input_is_checked(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    for body, field in (({"lat": 90.5, "lng": 0}, "lat"), ({"lat": 0, "lng": -180.5}, "lng"),
                        ({"lat": "north", "lng": 0}, "lat"),
                        ({"lat": 1, "lng": 2, "location_accuracy": -1}, "location_accuracy"),
                        ({"lat": 1, "lng": 2, "location_accuracy": "NaN"}, "location_accuracy"),
                        ({"location_accuracy": 20}, "location_accuracy"),
                        ({"lat": 1, "location_accuracy": 20}, "location_accuracy")):
        assert_error(client.patch(url, json=body), 422, [field])
    assert reload(Customer, customer.id).version == 1
    assert client.patch(url, json={"lat": -90, "lng": 180}).status_code == 200


# Check-ins -----------------------------------------------------------------------------------

def _visit(client, customer, location, kind="visit"):
    answer = client.post(f"{API}/activities", json={
        "kind": kind, "customer_id": str(customer.id), "location": location})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_checkin_status_of_a_visit(world, client_for):
    rep = world.rep_a1
    here = factories.make_customer(rep, lat=LAT, lng=LNG)
    nowhere = factories.make_customer(rep)
    client = client_for(rep)
    near = _visit(client, here, {"lat": _north(50), "lng": LNG, "accuracy": 20})
    assert near["checkin_status"] == "verified"
    assert near["distance_m"] == distance_m(_north(50), LNG, LAT, LNG)
    edge = _visit(client, here, {"lat": _north(199), "lng": LNG, "accuracy": 199})
    assert edge["checkin_status"] == "verified" and edge["distance_m"] <= 200
    far = _visit(client, here, {"lat": _north(1500), "lng": LNG, "accuracy": 20})
    assert (far["checkin_status"], far["distance_m"]) == ("far", 1500)
    assert _visit(client, here, {"lat": _north(50), "lng": LNG, "accuracy": 200}
                  )["checkin_status"] == "unverified"  # accuracy not better than the radius
    assert _visit(client, here, {"lat": _north(50), "lng": LNG}
                  )["checkin_status"] == "unverified"  # accuracy unknown
    assert _visit(client, here, None)["checkin_status"] == "unverified"
    assert _visit(client, nowhere, {"lat": LAT, "lng": LNG, "accuracy": 5}
                  )["checkin_status"] == "unverified"
    assert _visit(client, here, {"lat": LAT, "lng": LNG, "accuracy": 5}, kind="call"
                  )["checkin_status"] is None
    one = client.get(f"{API}/activities/{far['id']}").json
    assert (one["checkin_status"], one["distance_m"]) == ("far", 1500)
    listed = client.get(f"{API}/activities?customer_id={here.id}&kind=visit").json["items"]
    assert sorted(i["checkin_status"] for i in listed) == [
        "far", "unverified", "unverified", "unverified", "verified", "verified"]
    card = client.get(f"{API}/customers/{here.id}").json
    assert {e["id"]: e["checkin_status"] for e in card["timeline"]}[near["id"]] == "verified"


def test_the_checkin_radius_is_the_companys(world, client_for):
    client_for(world.admin).patch(f"{API}/settings", json={"checkin_radius_m": 2000})
    customer = factories.make_customer(world.rep_a1, lat=LAT, lng=LNG)
    client = client_for(world.rep_a1)
    assert _visit(client, customer, {"lat": _north(1500), "lng": LNG, "accuracy": 300}
                  )["checkin_status"] == "verified"
    assert _visit(client, customer, {"lat": _north(2500), "lng": LNG, "accuracy": 300}
                  )["checkin_status"] == "far"


def test_a_replayed_visit_keeps_its_checkin(world, client_for, new_id):
    customer = factories.make_customer(world.rep_a1, lat=LAT, lng=LNG)
    client = client_for(world.rep_a1)
    body = {"id": new_id(), "kind": "visit", "customer_id": str(customer.id),
            "location": {"lat": _north(30), "lng": LNG, "accuracy": 10}}
    assert client.post(f"{API}/activities", json=body).status_code == 201
    client_for(world.admin).patch(f"{API}/settings", json={"checkin_radius_m": 10})
    again = client.post(f"{API}/activities", json=body)
    assert again.status_code == 200 and again.json["checkin_status"] == "verified"
