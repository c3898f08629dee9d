"""Every lead-to-cash endpoint: signed out is 401, and what each role may do."""
import uuid

import pytest

from tests import factories
from tests.api.helpers import API, assert_error

SOME = str(uuid.UUID(int=1))
ENDPOINTS = [
    ("GET", "/leads"), ("POST", "/leads"), ("GET", "/leads/duplicates"),
    ("GET", f"/leads/{SOME}"), ("PATCH", f"/leads/{SOME}"), ("POST", f"/leads/{SOME}/claim"),
    ("POST", f"/leads/{SOME}/release"), ("POST", f"/leads/{SOME}/assign"),
    ("POST", f"/leads/{SOME}/convert"),
    ("GET", "/stages"), ("POST", "/stages"), ("GET", f"/stages/{SOME}"),
    ("PATCH", f"/stages/{SOME}"),
    ("GET", "/products"), ("POST", "/products"), ("GET", f"/products/{SOME}"),
    ("PATCH", f"/products/{SOME}"),
    ("GET", "/opportunities"), ("POST", "/opportunities"), ("GET", f"/opportunities/{SOME}"),
    ("PATCH", f"/opportunities/{SOME}"), ("POST", f"/opportunities/{SOME}/win"),
    ("POST", f"/opportunities/{SOME}/lose"), ("POST", f"/opportunities/{SOME}/reopen"),
    ("GET", "/orders"), ("GET", f"/orders/{SOME}"), ("PATCH", f"/orders/{SOME}"),
    ("GET", f"/orders/{SOME}/payments"), ("POST", f"/orders/{SOME}/payments"),
    ("GET", "/reports/funnel"), ("GET", "/reports/forecast"),
]


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_signed_out_is_401(anon, method, path):
    assert_error(anon.open(method, f"{API}{path}", json={}), 401)


@pytest.mark.parametrize("method, path", [e for e in ENDPOINTS if "{" not in e[1]
                                          and SOME in e[1]])
def test_missing_records_are_404_for_everyone(world, client_for, method, path):
    body = {"reason": "Price", "owner_id": str(world.rep_a1.id), "amount": "1.00",
            "method": "cash", "status": "cancelled", "name": "x", "probability": 1}
    for user in (world.rep_a1, world.admin):
        response = client_for(user).open(method, f"{API}{path}", json=body)
        if path.startswith("/stages") and method == "PATCH" and user.role != "admin":
            continue
        assert response.status_code in (404, 422), (user.role, method, path, response.json)


def test_finance_and_cashier_see_no_leads_or_deals_of_reps(world, client_for):
    factories.make_lead(world.rep_a1)
    factories.make_opportunity(world.rep_a1)
    for user in (world.finance, world.cashier):
        client = client_for(user)
        assert client.get(f"{API}/leads").json["items"] == []
        assert client.get(f"{API}/opportunities").json["items"] == []
        funnel = client.get(f"{API}/reports/funnel").json
        assert all(stage["entered"] == 0 for stage in funnel["stages"])


def test_follow_up_set_on_a_lead_call_stays_with_the_lead(world, client_for):
    lead = factories.make_lead(world.rep_a1)
    response = client_for(world.rep_a1).post(f"{API}/activities", json={
        "kind": "call", "lead_id": str(lead.id),
        "next": {"kind": "call", "due_at": "2030-01-01T09:00:00+08:00"}})
    assert response.status_code == 201, response.json
    assert response.json["lead_id"] == str(lead.id)
    assert response.json["followup"]["lead_id"] == str(lead.id)
