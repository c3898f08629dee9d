"""Logging an activity touches its customer and the follow-up it completes, carefully."""
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import Activity, Customer
from tests.factories import make_customer, make_followup


def test_logging_an_activity_moves_last_activity_but_not_the_customer_version(world, client_for):
    customer = make_customer(world.rep_a1)
    rep = client_for(world.rep_a1)
    before = rep.get(f"/api/v1/customers/{customer.id}")
    when = "2026-11-20T09:30:00+08:00"
    assert rep.post("/api/v1/activities", json={"kind": "call", "customer_id": str(customer.id),
                                                "occurred_at": when}).status_code == 201
    after = rep.get(f"/api/v1/customers/{customer.id}")
    assert after.json["last_activity_at"] == "2026-11-20T01:30:00+00:00"
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json["updated_at"] == before.json["updated_at"]
    # A PATCH the phone queued with the old version still applies.
    patched = rep.patch(f"/api/v1/customers/{customer.id}", json={"city": "Suzhou"},
                        headers={"If-Match": before.headers["ETag"]})
    assert patched.status_code == 200, patched.json
    # An older activity does not move last_activity_at back.
    rep.post("/api/v1/activities", json={"kind": "note", "customer_id": str(customer.id),
                                         "occurred_at": "2026-11-01T09:00:00+08:00"})
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).last_activity_at == datetime(
        2026, 11, 20, 1, 30, tzinfo=timezone.utc)


def test_completing_a_followup_by_logging_sets_when_it_happened(world, client_for):
    customer = make_customer(world.rep_a1)
    followup = make_followup(world.rep_a1, customer,
                             due_at=datetime.now(timezone.utc) - timedelta(hours=1))
    rep = client_for(world.rep_a1)
    response = rep.post("/api/v1/activities", json={
        "kind": "call", "customer_id": str(customer.id), "completes_id": str(followup.id),
        "occurred_at": "2026-11-22T10:00:00+08:00"})
    assert response.status_code == 201
    db.session.expire_all()
    done = db.session.get(Activity, followup.id)
    assert done.done_at == datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    assert done.occurred_at == done.done_at
    card = rep.get(f"/api/v1/customers/{customer.id}").json
    assert card["followups"] == []
    assert {a["id"] for a in card["timeline"]} == {str(followup.id), response.json["id"]}
