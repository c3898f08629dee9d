"""Activities and follow-ups: log (idempotently), set the next step, complete, move, delete."""
import math
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, AuditEntry, Customer
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload, walk

SHANGHAI = {"lat": 31.2304, "lng": 121.4737}


@pytest.fixture
def acme(world):
    return factories.make_customer(world.rep_a1, name="Acme", **SHANGHAI)


def _visit(customer, **extra):
    return {"kind": "visit", "customer_id": str(customer.id),
            "occurred_at": "2026-11-22T09:30:00+08:00", "outcome": "interested",
            "notes": "Demoed the new line", **extra}


def test_log_visit_with_next_creates_a_followup(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    activity_id, followup_id = new_id(), new_id()
    body = _visit(acme, id=activity_id, location={"lat": 31.2314, "lng": 121.4737, "accuracy": 25},
                  next={"id": followup_id, "kind": "call", "due_at": "2026-11-25T10:00:00+08:00",
                        "note": "send quote"})
    response = client.post(f"{API}/activities", json=body)
    assert response.status_code == 201
    created = response.json
    assert created["id"] == activity_id
    assert created["kind"] == "visit" and created["owner_id"] == str(world.rep_a1.id)
    assert created["occurred_at"] == "2026-11-22T01:30:00+00:00"  # stored and shown in UTC
    assert created["location"] == {"lat": 31.2314, "lng": 121.4737, "accuracy": 25.0}
    assert created["due_at"] is None and created["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert "next" not in created
    followup = created["followup"]
    assert followup["id"] == followup_id
    assert followup["kind"] == "task" and followup["action"] == "call"
    assert followup["due_at"] == "2026-11-25T02:00:00+00:00"
    assert followup["notes"] == "send quote"
    assert followup["followup_of"] == activity_id
    assert followup["customer_id"] == str(acme.id)
    assert followup["owner_id"] == str(world.rep_a1.id) and followup["done_at"] is None
    assert count(Activity) == 2
    stored = reload(Activity, followup_id)
    assert stored.is_open_followup
    assert reload(Customer, acme.id).last_activity_at == datetime(2026, 11, 22, 1, 30,
                                                                  tzinfo=timezone.utc)


def test_replaying_the_same_post_creates_nothing(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    body = _visit(acme, id=new_id(), next={"kind": "visit",
                                           "due_at": "2026-11-30T10:00:00+08:00"})
    first = client.post(f"{API}/activities", json=body)
    assert first.status_code == 201
    for _ in range(3):
        again = client.post(f"{API}/activities", json=body)
        assert again.status_code == 200
        assert again.json["id"] == first.json["id"]
        assert again.json["followup"]["id"] == first.json["followup"]["id"]
    assert count(Activity, Activity.id == uuid.UUID(first.json["id"])) == 1
    assert count(Activity) == 2


def test_same_activity_id_from_another_user_is_409(world, client_for, acme, new_id):
    activity_id = new_id()
    client_for(world.rep_a1).post(f"{API}/activities", json=_visit(acme, id=activity_id))
    for user in (world.rep_b1, world.lead_a, world.manager):
        response = client_for(user).post(f"{API}/activities",
                                         json={"id": activity_id, "kind": "note", "notes": "x"})
        assert_error(response, 409)
    stored = reload(Activity, activity_id)
    assert (stored.owner_id, stored.kind, stored.version) == (world.rep_a1.id, "visit", 1)
    assert count(Activity) == 1


def test_next_id_already_in_use_is_422(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    taken = client.post(f"{API}/activities", json={"kind": "note", "notes": "x"}).json["id"]
    response = client.post(f"{API}/activities", json=_visit(
        acme, next={"id": taken, "kind": "call", "due_at": "2026-12-01T10:00:00+08:00"}))
    assert_error(response, 422, ["next"])
    own = new_id()
    response = client.post(f"{API}/activities", json=_visit(
        acme, id=own, next={"id": own, "kind": "call", "due_at": "2026-12-01T10:00:00+08:00"}))
    assert response.status_code in (409, 422)
    assert_error(response, response.status_code)
    assert count(Activity) == 1


def test_completes_id_closes_the_followup(world, client_for, acme):
    followup = factories.make_followup(world.rep_a1, acme)
    client = client_for(world.rep_a1)
    response = client.post(f"{API}/activities", json={
        "kind": "call", "customer_id": str(acme.id), "occurred_at": "2026-11-22T10:00:00+08:00",
        "completes_id": str(followup.id), "outcome": "reached"})
    assert response.status_code == 201
    assert "completes_id" not in response.json
    stored = reload(Activity, followup.id)
    assert stored.done_at == datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    assert stored.version == 2
    open_items = client.get(f"{API}/activities?open=true").json["items"]
    assert str(followup.id) not in ids(open_items)


def test_completes_id_must_be_your_own_followup(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    visit = factories.make_activity(world.rep_a1, acme)
    theirs = factories.make_followup(world.rep_b1, factories.make_customer(world.rep_b1))
    team_members = factories.make_followup(world.rep_a2, factories.make_customer(world.rep_a2))
    for target in (visit.id, theirs.id, team_members.id, new_id()):
        response = client.post(f"{API}/activities", json={"kind": "call",
                                                          "completes_id": str(target)})
        assert_error(response, 422, ["completes_id"])
    # a lead sees the team's follow-ups, but completing them is their owner's job
    lead = client_for(world.lead_a)
    assert_error(lead.post(f"{API}/activities", json={"kind": "call",
                                                      "completes_id": str(team_members.id)}),
                 422, ["completes_id"])
    assert reload(Activity, theirs.id).done_at is None
    assert reload(Activity, team_members.id).done_at is None
    assert count(Activity) == 3


def _expected_distance(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2)
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def test_visit_distance_is_computed_from_customer_location(world, client_for, acme):
    client = client_for(world.rep_a1)
    here = {"lat": 31.2404, "lng": 121.4837, "accuracy": 10}
    response = client.post(f"{API}/activities", json=_visit(acme, location=here))
    distance = response.json["distance_m"]
    assert isinstance(distance, int)
    assert abs(distance - _expected_distance(31.2304, 121.4737, 31.2404, 121.4837)) <= 1
    assert 1400 < distance < 1500
    on_site = client.post(f"{API}/activities", json=_visit(acme, location={**SHANGHAI}))
    assert on_site.json["distance_m"] == 0
    # no distance without the customer's position, or for other kinds
    nowhere = factories.make_customer(world.rep_a1, name="No coordinates")
    assert client.post(f"{API}/activities",
                       json=_visit(nowhere, location=here)).json["distance_m"] is None
    call = client.post(f"{API}/activities", json={"kind": "call", "customer_id": str(acme.id),
                                                  "location": here})
    assert call.json["distance_m"] is None and call.json["location"]["lat"] == 31.2404
    assert client.post(f"{API}/activities", json=_visit(acme)).json["distance_m"] is None


def test_activity_without_times_happens_now_and_task_with_done_at_is_fine(world, client_for):
    client = client_for(world.rep_a1)
    before = datetime.now(timezone.utc)
    note = client.post(f"{API}/activities", json={"kind": "note", "notes": "Remember"}).json
    assert datetime.fromisoformat(note["occurred_at"]) >= before - timedelta(seconds=1)
    done_task = client.post(f"{API}/activities",
                            json={"kind": "task", "done_at": "2026-11-22T10:00:00+08:00"})
    assert done_task.status_code == 201
    scheduled = client.post(f"{API}/activities",
                            json={"kind": "call", "due_at": "2026-11-23T10:00:00+08:00"}).json
    assert scheduled["action"] == "call" and scheduled["occurred_at"] is None


def test_invalid_activities_are_422(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    other_customer = factories.make_customer(world.rep_a1, name="Other")
    stranger = factories.make_contact(world.rep_a1, other_customer)
    theirs = factories.make_customer(world.rep_b1, name="Theirs")
    due = "2026-11-25T10:00:00+08:00"
    cases = [
        ({}, "kind"), ({"kind": "party"}, "kind"), ({"kind": None}, "kind"),
        ({"kind": "task"}, "due_at"),
        ({"kind": "call", "occurred_at": "2026-11-22T09:30:00"}, "occurred_at"),
        ({"kind": "call", "occurred_at": "yesterday"}, "occurred_at"),
        ({"kind": "call", "due_at": "2026-02-30T10:00:00+08:00"}, "due_at"),
        ({"kind": "visit", "location": {"lat": 91, "lng": 0}}, "location"),
        ({"kind": "visit", "location": {"lat": 1}}, "location"),
        ({"kind": "visit", "location": {"lat": 1, "lng": 2, "accuracy": -1}}, "location"),
        ({"kind": "visit", "location": "here"}, "location"),
        ({"kind": "call", "opportunity_id": new_id()}, "opportunity_id"),
        ({"kind": "call", "customer_id": new_id()}, "customer_id"),
        ({"kind": "call", "customer_id": str(theirs.id)}, "customer_id"),
        ({"kind": "call", "contact_id": str(stranger.id)}, "contact_id"),
        ({"kind": "call", "customer_id": str(acme.id), "contact_id": str(stranger.id)},
         "contact_id"),
        ({"kind": "call", "duration_seconds": -1}, "duration_seconds"),
        ({"kind": "call", "duration_seconds": "60"}, "duration_seconds"),
        ({"kind": "call", "duration_seconds": 86_401}, "duration_seconds"),
        ({"kind": "call", "duration_seconds": 1.5}, "duration_seconds"),
        ({"kind": "call", "outcome": "o" * 41}, "outcome"),
        ({"kind": "call", "mood": "happy"}, "mood"),
        ({"kind": "call", "owner_id": str(world.rep_b1.id)}, "owner_id"),
        ({"kind": "call", "distance_m": 3}, "distance_m"),
        ({"kind": "call", "next": {"kind": "note", "due_at": due}}, "next"),
        ({"kind": "call", "next": {"kind": "call"}}, "next"),
        ({"kind": "call", "next": {"kind": "call", "due_at": "2026-11-25T10:00:00"}}, "next"),
        ({"kind": "call", "next": {"kind": "call", "due_at": due, "extra": 1}}, "next"),
        ({"kind": "call", "next": "tomorrow"}, "next"),
        ({"kind": "call", "completes_id": "x"}, "completes_id"),
        ({"kind": "call", "action": "dance"}, "action"),
    ]
    for body, field in cases:
        assert_error(client.post(f"{API}/activities", json=body), 422, [field])
    assert count(Activity) == 0


def test_get_patch_complete_move_and_delete_a_followup(world, client_for, acme):
    followup = factories.make_followup(world.rep_a1, acme,
                                       due_at=datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc))
    client = client_for(world.rep_a1)
    url = f"{API}/activities/{followup.id}"
    got = client.get(url)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert got.json["due_at"] == "2026-11-25T02:00:00+00:00"

    moved = client.patch(url, json={"due_at": "2026-11-26T09:00:00+08:00"},
                         headers={"If-Match": '"1"'})
    assert moved.status_code == 200
    assert moved.json["due_at"] == "2026-11-26T01:00:00+00:00" and moved.json["version"] == 2
    assert moved.headers["ETag"] == '"2"'
    assert_error(client.patch(url, json={"due_at": None}), 422, ["due_at"])
    assert_error(client.patch(url, json={"done_at": "2026-11-26T09:00:00+08:00"},
                              headers={"If-Match": '"1"'}), 412)
    assert reload(Activity, followup.id).done_at is None

    done = client.patch(url, json={"done_at": "2026-11-26T09:30:00+08:00", "outcome": "ordered"})
    assert done.status_code == 200
    assert done.json["done_at"] == "2026-11-26T01:30:00+00:00"
    assert done.json["occurred_at"] == "2026-11-26T01:30:00+00:00"
    assert done.json["outcome"] == "ordered"
    assert str(followup.id) not in ids(client.get(f"{API}/activities?open=true").json["items"])
    assert str(followup.id) in ids(client.get(f"{API}/activities?open=false").json["items"])

    for change, field in [({"kind": "visit"}, "kind"), ({"customer_id": str(acme.id)},
                                                        "customer_id"),
                          ({"done_at": "tomorrow"}, "done_at"), ({"notes": 5}, "notes"),
                          ({"owner_id": str(world.rep_a2.id)}, "owner_id")]:
        assert_error(client.patch(url, json=change), 422, [field])
    assert reload(Activity, followup.id).version == 3

    assert_error(client.delete(url, headers={"If-Match": '"1"'}), 412)
    assert reload(Activity, followup.id).deleted_at is None
    assert client.delete(url, headers={"If-Match": '"3"'}).status_code == 204
    assert_error(client.get(url), 404)
    assert_error(client.patch(url, json={"notes": "x"}), 404)
    assert_error(client.delete(url), 404)
    assert reload(Activity, followup.id).deleted_at is not None
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == followup.id))
    assert (entry.entity, entry.action, entry.actor_id) == ("activity", "deleted",
                                                            world.rep_a1.id)
    assert str(followup.id) not in ids(client.get(f"{API}/activities").json["items"])


def test_list_activities_newest_first_with_filters_and_paging(world, client_for, acme):
    rep = world.rep_a1
    other = factories.make_customer(rep, name="Other")
    visits = [factories.make_activity(rep, acme, kind="visit") for _ in range(4)]
    calls = [factories.make_activity(rep, other, kind="call") for _ in range(3)]
    followups = [factories.make_followup(rep, acme) for _ in range(2)]
    factories.make_activity(world.rep_b1, kind="call")
    client = client_for(rep)
    items, pages = walk(client, f"{API}/activities", 2)
    assert pages == 5 and len(items) == 9 and len(set(ids(items))) == 9
    keys = [(i["created_at"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)

    def listed(query):
        response = client.get(f"{API}/activities?{query}")
        assert response.status_code == 200, response.json
        return set(ids(response.json["items"]))

    assert listed("kind=call") == {str(a.id) for a in calls}
    assert listed(f"customer_id={acme.id}") == {str(a.id) for a in visits + followups}
    assert listed("open=true") == {str(a.id) for a in followups}
    assert listed("open=false") == {str(a.id) for a in visits + calls}
    assert listed(f"owner_id={rep.id}&kind=visit") == {str(a.id) for a in visits}
    assert listed(f"owner_id={world.rep_b1.id}") == set()


def test_activities_need_sign_in(world, anon, acme):
    activity = factories.make_activity(world.rep_a1, acme)
    assert_error(anon.get(f"{API}/activities"), 401)
    assert_error(anon.post(f"{API}/activities", json={"kind": "call"}), 401)
    assert_error(anon.get(f"{API}/activities/{activity.id}"), 401)
    assert_error(anon.patch(f"{API}/activities/{activity.id}", json={"notes": "x"}), 401)
    assert_error(anon.delete(f"{API}/activities/{activity.id}"), 401)
    assert_error(anon.get(f"{API}/agenda"), 401)
    assert count(Activity) == 1 and reload(Activity, activity.id).deleted_at is None


def test_missing_activity_is_404(world, client_for, new_id):
    client = client_for(world.manager)
    missing = new_id()
    assert_error(client.get(f"{API}/activities/{missing}"), 404)
    assert_error(client.patch(f"{API}/activities/{missing}", json={"notes": "x"}), 404)
    assert_error(client.delete(f"{API}/activities/{missing}"), 404)
    assert_error(client.get(f"{API}/activities/123"), 404)
