"""Slim list items (issue 11, the product owner's 20 KB decision): a list answers what its
row and the phone's offline book need; the single-record GET, and ``?fields=full`` on a list
(for integrations), answer the whole record. Same statements either way."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.extensions import db
from app.services import opportunities as opportunity_service
from tests import factories
from tests.api.helpers import API, assert_error

SLIM = {
    "customers": {"id", "version", "name", "status", "city", "owner_id", "owner_name",
                  "phone_e164", "email", "tags", "lat", "lng", "rfm_segment",
                  "last_activity_at"},
    "contacts": {"id", "version", "updated_at", "customer_id", "name", "title", "role",
                 "phone_e164", "mobile_e164", "email"},
    "activities": {"id", "version", "created_at", "updated_at", "kind", "action", "owner_id",
                   "customer_id", "contact_id", "lead_id", "occurred_at", "due_at", "done_at",
                   "outcome", "notes", "duration_seconds", "location", "distance_m",
                   "checkin_status"},
    "leads": {"id", "version", "updated_at", "name", "company", "city", "status", "owner_id",
              "owner_name", "score"},
    "opportunities": {"id", "version", "updated_at", "name", "customer_id", "customer_name",
                      "owner_id", "owner_name", "stage_id", "stage_name", "amount", "currency",
                      "probability", "status", "lost_reason"},
    "orders": {"id", "version", "updated_at", "number", "customer_id", "customer_name",
               "opportunity_id", "owner_id", "currency", "total", "outstanding", "status",
               "ordered_at"},
    "expenses": {"id", "version", "created_at", "updated_at", "title", "currency", "total",
                 "owner_id", "owner_name", "status", "step", "flagged", "receipts"},
}
# What the single-record GET embeds and a list never does (its own statements).
EMBEDDED = {"customers": {"contacts", "followups", "timeline"},
            "opportunities": {"lines", "roles"},
            "orders": {"lines", "payments"}, "expenses": {"items", "history", "can"}}
# Lists whose full items always carried their embedded lists (claims: their items).
LISTED_EMBEDS = {"expenses": {"items"}}


@pytest.fixture
def one_of_each(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(
        rep, name="Slim Trading", phone="13800138000", email="buy@slim.cn",
        address="1 Century Avenue", city="Shanghai", lat=31.23, lng=121.47, tags=["east"])
    factories.make_contact(rep, customer, name="Zhang", title="Buyer", mobile="13900139000")
    factories.make_activity(rep, customer, kind="visit", notes="met the buyer",
                            occurred_at=datetime.now(timezone.utc) - timedelta(days=1))
    factories.make_lead(rep, name="Li Lei", company="Slim Leads")
    opportunity = factories.make_opportunity(rep, customer, amount=Decimal("100.00"))
    factories.make_opportunity(rep, customer, name="Still open", amount=Decimal("50.00"))
    opportunity_service.win_opportunity(rep, opportunity)
    db.session.commit()
    client = client_for(rep)
    claim = client.post(f"{API}/expenses", json={"title": "Taxi", "items": [
        {"category": "travel", "amount": "32.50", "spent_on": "2026-11-20"}]})
    assert claim.status_code == 201, claim.json
    return client


@pytest.mark.parametrize("resource", list(SLIM))
def test_list_items_are_slim_and_full_on_request(one_of_each, count_queries, resource):
    client = one_of_each
    with count_queries() as slim_count:
        slim = client.get(f"{API}/{resource}")
    assert slim.status_code == 200, slim.json
    assert slim.json["items"], resource
    for item in slim.json["items"]:
        assert set(item) == SLIM[resource], set(item) ^ SLIM[resource]

    with count_queries() as full_count:
        full = client.get(f"{API}/{resource}?fields=full")
    assert full.status_code == 200, full.json
    assert full_count.n == slim_count.n  # the same rows, only serialised in full
    assert full.json["next_cursor"] == slim.json["next_cursor"]
    assert [i["id"] for i in full.json["items"]] == [i["id"] for i in slim.json["items"]]
    for listed, item in zip(slim.json["items"], full.json["items"], strict=True):
        one = client.get(f"{API}/{resource}/{item['id']}")
        assert one.status_code == 200, one.json
        dropped = EMBEDDED.get(resource, set()) - LISTED_EMBEDS.get(resource, set())
        record = {k: v for k, v in one.json.items() if k not in dropped}
        assert item == record, resource
        assert listed == {k: record[k] for k in SLIM[resource]}


def test_full_items_page_with_the_same_cursor(world, client_for):
    for i in range(3):
        factories.make_customer(world.rep_a1, name=f"Paged {i}")
    client = client_for(world.rep_a1)
    first = client.get(f"{API}/customers?limit=2&fields=full").json
    rest = client.get(f"{API}/customers?limit=2&fields=full&cursor={first['next_cursor']}").json
    names = [c["name"] for c in first["items"] + rest["items"]]
    assert names == ["Paged 0", "Paged 1", "Paged 2"] and rest["next_cursor"] is None
    assert "email" in rest["items"][0] and "address" in rest["items"][0]


def test_card_embeds_slim_entries_and_full_on_request(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Card Co")
    visit = factories.make_activity(rep, customer, kind="visit", notes="long talk",
                                    occurred_at=datetime.now(timezone.utc))
    followup = factories.make_followup(rep, customer)
    client = client_for(rep)
    card = client.get(f"{API}/customers/{customer.id}")
    assert card.status_code == 200 and card.headers["ETag"] == '"1"'
    assert set(card.json["timeline"][0]) == {
        "id", "version", "updated_at", "kind", "occurred_at", "done_at", "outcome", "notes",
        "duration_seconds", "distance_m", "checkin_status"}
    assert set(card.json["followups"][0]) == {
        "id", "version", "updated_at", "kind", "action", "customer_id", "contact_id", "due_at",
        "notes"}
    assert {"email", "address", "orders_12m"} <= set(card.json)  # the customer in full
    full = client.get(f"{API}/customers/{customer.id}?fields=full")
    assert full.status_code == 200 and full.headers["ETag"] == '"1"'
    assert full.headers["Cache-Control"] == "private, no-store"
    by_id = {a["id"]: a for a in full.json["timeline"] + full.json["followups"]}
    for activity in (visit, followup):
        assert by_id[str(activity.id)] == client.get(f"{API}/activities/{activity.id}").json
    assert {k: v for k, v in full.json.items() if k not in ("timeline", "followups")} == \
        {k: v for k, v in card.json.items() if k not in ("timeline", "followups")}


def test_agenda_items_are_slim_and_full_on_request(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Agenda Co", phone="13800138000",
                                       email="a@agenda.cn", address="2 Nanjing Road")
    contact = factories.make_contact(rep, customer, name="Wang", mobile="13900139000")
    factories.make_followup(rep, customer, due_at=datetime.now(timezone.utc) + timedelta(hours=1),
                            contact_id=contact.id, notes="send the quote")
    client = client_for(rep)
    slim = client.get(f"{API}/agenda").json
    items = slim["overdue"] + slim["today"] + slim["upcoming"]
    assert len(items) == 1
    item = items[0]
    assert set(item) == {"id", "version", "action", "due_at", "notes", "customer", "contact"}
    assert item["customer"] == {"id": str(customer.id), "name": "Agenda Co",
                                "phone_e164": "+8613800138000", "email": "a@agenda.cn",
                                "address": "2 Nanjing Road", "city": None, "lat": None,
                                "lng": None}
    assert item["contact"] == {"id": str(contact.id), "name": "Wang", "phone_e164": None,
                               "mobile_e164": "+8613900139000", "email": None}
    full = client.get(f"{API}/agenda?fields=full").json
    assert full["counts"] == slim["counts"]
    full_item = (full["overdue"] + full["today"] + full["upcoming"])[0]
    assert full_item["customer"]["phone"] == "13800138000"
    assert full_item["contact"]["mobile"] == "13900139000"
    assert {"created_at", "kind", "customer_id", "contact_id", "followup_of"} <= set(full_item)
    assert {k: v for k, v in full_item.items() if k in item and k not in ("customer", "contact")} \
        == {k: v for k, v in item.items() if k not in ("customer", "contact")}


@pytest.mark.parametrize("path", ["customers", "contacts", "activities", "leads",
                                  "opportunities", "orders", "expenses", "agenda"])
def test_unknown_fields_value_is_422(world, client_for, path):
    response = client_for(world.rep_a1).get(f"{API}/{path}?fields=everything")
    assert_error(response, 422, ["fields"], location="query")
