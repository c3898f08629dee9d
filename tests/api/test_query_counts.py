"""Constant SQL per request whatever the data size, and payloads that fit a phone on 3G."""
from datetime import datetime, timedelta, timezone

import pytest

from tests import factories
from tests.api.helpers import API

MAX_STATEMENTS = 4
# What each read costs today: the session lookup plus one statement per part of the answer.
LIST_STATEMENTS = 2     # session, page (owner name joined in)
DETAIL_STATEMENTS = 4   # session, customer + owner, contacts, follow-ups + timeline (one UNION)
AGENDA_STATEMENTS = 2   # session, one windowed statement for all three sections
MAX_PAYLOAD = 20 * 1024
NOTE = ("Met the purchasing manager and the plant engineer; they want a quote for two lines "
        "by Friday, 含税.")  # ~100 characters
CITIES = ["Shanghai", "Hangzhou", "Suzhou", "Nanjing", "Ningbo", "Xiamen"]


def _full_customer(owner, i):
    return factories.make_customer(
        owner, name=f"Jiangsu Precision Machinery {i:03d} Co., Ltd.",
        phone=f"+86 138-{i:04d}-{8000 + i:04d}", email=f"purchasing{i}@precision{i}.com.cn",
        address=f"{100 + i} Zhangjiang Hi-Tech Park, Lane {i}, Pudong New Area",
        city=CITIES[i % len(CITIES)], lat=31.2 + i / 1000, lng=121.4 + i / 1000,
        industry="Industrial machinery", source="trade show", status="active",
        tags=["key account", "machinery", "east"])


def _bulk_customer(owner, n_contacts, n_activities, n_followups):
    customer = _full_customer(owner, 0)
    for i in range(n_contacts):
        factories.make_contact(owner, customer, name=f"Contact {i:02d}", title="Engineer",
                               mobile=f"139{i:08d}", email=f"c{i}@precision.cn", role="user")
    start = datetime(2026, 11, 1, 1, 0, tzinfo=timezone.utc)
    for i in range(n_activities):
        factories.make_activity(owner, customer, kind="visit", notes=NOTE,
                                occurred_at=start + timedelta(hours=i), outcome="interested")
    for i in range(n_followups):
        factories.make_followup(owner, customer, due_at=start + timedelta(days=30, hours=i),
                                notes="call back about the quote")
    return customer


def _measure(count_queries, client, url):
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200, response.json
    return counted.n, response


def _size(response) -> int:
    return len(response.get_data())


def test_customer_list_statements_are_constant(world, client_for, count_queries):
    rep = world.rep_a1
    _full_customer(rep, 0)
    client = client_for(rep)
    one, _ = _measure(count_queries, client, f"{API}/customers?limit=5")
    for i in range(1, 60):
        _full_customer(rep, i)
    many_page, response = _measure(count_queries, client, f"{API}/customers?limit=50")
    cursor = response.json["next_cursor"]
    second, _ = _measure(count_queries, client, f"{API}/customers?limit=50&cursor={cursor}")
    searched, _ = _measure(count_queries, client, f"{API}/customers?limit=5&q=precision")
    assert one == LIST_STATEMENTS <= MAX_STATEMENTS
    assert one == many_page == second == searched, (one, many_page, second, searched)
    lead, _ = _measure(count_queries, client_for(world.lead_a), f"{API}/customers?limit=50")
    assert lead == one


def test_customer_detail_statements_are_constant(world, client_for, count_queries):
    rep = world.rep_a1
    small = _bulk_customer(rep, 1, 1, 1)
    client = client_for(rep)
    one, _ = _measure(count_queries, client, f"{API}/customers/{small.id}")
    big = _bulk_customer(world.rep_a1, 60, 60, 60)
    many, response = _measure(count_queries, client, f"{API}/customers/{big.id}")
    assert len(response.json["contacts"]) == 60
    assert len(response.json["timeline"]) == 30  # the most recent
    assert one == DETAIL_STATEMENTS <= MAX_STATEMENTS
    assert one == many, (one, many)


def test_agenda_statements_are_constant(world, client_for, count_queries):
    rep = world.rep_a1
    customer = _full_customer(rep, 0)
    day = "2026-11-22"
    base = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    factories.make_followup(rep, customer, due_at=base)
    client = client_for(rep)
    one, _ = _measure(count_queries, client, f"{API}/agenda?date={day}")
    contact = factories.make_contact(rep, customer, name="Zhang")
    for i in range(59):
        other = _full_customer(rep, i + 1)
        factories.make_followup(rep, other, due_at=base + timedelta(hours=(i % 3 - 1) * 24 * 3,
                                                                    minutes=i),
                                contact_id=None)
    factories.make_followup(rep, customer, due_at=base, contact_id=contact.id)
    many, response = _measure(count_queries, client, f"{API}/agenda?date={day}")
    assert sum(response.json["counts"].values()) == 61
    assert one == AGENDA_STATEMENTS <= MAX_STATEMENTS
    assert one == many, (one, many)


def test_contact_and_activity_lists_are_constant(world, client_for, count_queries):
    rep = world.rep_a1
    customer = _bulk_customer(rep, 1, 1, 0)
    client = client_for(rep)
    urls = [f"{API}/contacts?limit=5", f"{API}/activities?limit=5",
            f"{API}/contacts?limit=50&customer_id={customer.id}",
            f"{API}/activities?limit=50&open=false"]
    before = [_measure(count_queries, client, url)[0] for url in urls]
    _bulk_customer(rep, 60, 60, 0)
    after = [_measure(count_queries, client, url)[0] for url in urls]
    assert before == after == [LIST_STATEMENTS] * 4


def test_me_is_one_statement(world, client_for, count_queries):
    client = client_for(world.rep_a1)
    me, _ = _measure(count_queries, client, f"{API}/me")
    assert me == 1


# Payload sizes ------------------------------------------------------------------------------
#
# Measured as a phone receives them: browsers always send Accept-Encoding and the server
# compresses JSON itself (Flask-Compress, no proxy needed). Slim items keep the uncompressed
# JSON of the same pages within 20 KB too (test_uncompressed_json_fits_in_20_kb below).

PHONE = {"Accept-Encoding": "br, gzip, deflate"}


def _wire(client, url):
    response = client.get(url, headers=PHONE)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") in ("br", "gzip")
    raw = client.get(url)  # the same page, uncompressed, for the numbers in the message
    return len(response.get_data()), len(raw.get_data()), raw.json


def _customer_page(world):
    for i in range(60):
        _full_customer(world.rep_a1, i)
    return f"{API}/customers?limit=50"


def _customer_card(world):
    customer = _bulk_customer(world.rep_a1, 5, 35, 3)
    return f"{API}/customers/{customer.id}"


def _busy_agenda(world):
    rep = world.rep_a1
    base = datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)
    # a busy rep: 5 overdue, 10 today, 15 coming up, each with a full customer and a note
    offsets = [-1] * 5 + [0] * 10 + [2] * 15
    for i, days in enumerate(offsets):
        customer = _full_customer(rep, i)
        contact = factories.make_contact(rep, customer, name=f"Contact {i}",
                                         mobile=f"139{i:08d}", email=f"c{i}@precision.cn")
        factories.make_followup(rep, customer, due_at=base + timedelta(days=days, minutes=i),
                                contact_id=contact.id, notes=NOTE[:60])
    return f"{API}/agenda?date=2026-11-22"


def test_customer_list_page_of_50_fits_in_20_kb(world, client_for):
    wire, raw, body = _wire(client_for(world.rep_a1), _customer_page(world))
    assert len(body["items"]) == 50
    assert wire <= MAX_PAYLOAD, (wire, raw)


def test_customer_detail_with_30_timeline_items_fits_in_20_kb(world, client_for):
    wire, raw, body = _wire(client_for(world.rep_a1), _customer_card(world))
    assert len(body["timeline"]) == 30
    assert all(len(item["notes"]) >= 90 for item in body["timeline"])
    assert wire <= MAX_PAYLOAD, (wire, raw)


def test_agenda_of_a_busy_day_fits_in_20_kb(world, client_for):
    wire, raw, body = _wire(client_for(world.rep_a1), _busy_agenda(world))
    assert body["counts"] == {"overdue": 5, "today": 10, "upcoming": 15}
    assert wire <= MAX_PAYLOAD, (wire, raw)


@pytest.mark.parametrize("page", [_customer_page, _customer_card, _busy_agenda],
                         ids=["list", "card", "agenda"])
def test_uncompressed_json_fits_in_20_kb(world, client_for, page):
    """Slim list, timeline and agenda items (issue 11): 20 KB even before compression."""
    response = client_for(world.rep_a1).get(page(world))
    assert response.status_code == 200
    assert len(response.get_data()) <= MAX_PAYLOAD, len(response.get_data())
