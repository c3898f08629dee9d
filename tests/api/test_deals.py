"""Stages, products with price tiers, opportunities with lines, stage history, win/lose,
reopen, and converting a lead."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditEntry, Contact, Customer, Lead, Opportunity, OrderLine, SalesOrder, StageHistory,
)
from app.services import catalogue as catalogue_service
from app.services import opportunities as opportunity_service
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload, stages_by_name


# Money math ---------------------------------------------------------------------------------

@pytest.mark.parametrize("quantity, price, discount, expected", [
    ("1", "0.01", "50", "0.01"),        # 0.005 rounds half up
    ("3", "33.33", "0", "99.99"),
    ("2", "10.05", "10", "18.09"),      # 18.09 exactly
    ("7", "1.15", "15", "6.84"),        # 6.8425 -> 6.84
    ("1.5", "2.33", "0", "3.50"),       # 3.495 -> 3.50 (half up, not banker's 3.50/3.49)
    ("0.5", "0.05", "0", "0.03"),       # 0.025 -> 0.03
])
def test_line_total_rounds_half_up_to_cents(quantity, price, discount, expected):
    total = catalogue_service.line_total(Decimal(quantity), Decimal(price), Decimal(discount))
    assert total == Decimal(expected) and str(total) == expected


def test_tier_price_picks_the_largest_reached_tier(app, world):
    product = factories.make_product(unit_price="100.00",
                                     tiers=[("10", "90.00"), ("50", "80.00")])
    tiers = catalogue_service.tiers_of([product.id])[product.id]
    assert catalogue_service.tier_price(product, tiers, Decimal("9.99")) == Decimal("100.00")
    assert catalogue_service.tier_price(product, tiers, Decimal("10")) == Decimal("90.00")
    assert catalogue_service.tier_price(product, tiers, Decimal("500")) == Decimal("80.00")


# Stages and products ------------------------------------------------------------------------

def test_default_stages_and_admin_only_changes(world, client_for):
    rep = client_for(world.rep_a1)
    stages = rep.get(f"{API}/stages").json["items"]
    assert [(s["name"], s["probability"], s["kind"]) for s in stages] == [
        ("Qualification", 10, "open"), ("Needs analysis", 25, "open"), ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]
    assert_error(rep.post(f"{API}/stages", json={"name": "Demo", "probability": 40}), 403)
    admin = client_for(world.admin)
    demo = admin.post(f"{API}/stages", json={"name": "Demo", "probability": 40})
    assert demo.status_code == 201, demo.json
    names = [s["name"] for s in rep.get(f"{API}/stages").json["items"]]
    assert names.index("Demo") == 4 and names[-2:] == ["Won", "Lost"]
    assert_error(admin.post(f"{API}/stages", json={"name": "Demo", "probability": 40}), 422,
                 ["name"])
    assert_error(admin.post(f"{API}/stages", json={"name": "X", "probability": 101}), 422,
                 ["probability"])
    won = stages_by_name(rep)["Won"]
    assert_error(admin.patch(f"{API}/stages/{won['id']}", json={"probability": 50}), 422)
    changed = admin.patch(f"{API}/stages/{demo.json['id']}", json={"probability": 45})
    assert changed.status_code == 200 and changed.json["probability"] == 45


def test_products_with_tiers(world, client_for):
    rep = client_for(world.rep_a1)
    body = {"sku": "PUMP-1", "name": "Pump", "unit_price": "100.00",
            "price_tiers": [{"min_qty": "10", "unit_price": "90.00"}]}
    assert_error(rep.post(f"{API}/products", json=body), 403)
    manager = client_for(world.manager)
    created = manager.post(f"{API}/products", json=body)
    assert created.status_code == 201, created.json
    assert created.json["price_tiers"] == [{"min_qty": "10.00", "unit_price": "90.00"}]
    assert_error(manager.post(f"{API}/products", json=body), 422, ["sku"])
    assert_error(manager.post(f"{API}/products", json={**body, "sku": "P2",
                                                       "unit_price": 1.5}), 422, ["unit_price"])
    assert_error(manager.post(f"{API}/products", json={**body, "sku": "P3", "price_tiers": [
        {"min_qty": "5", "unit_price": "1"}, {"min_qty": "5", "unit_price": "2"}]}), 422,
        ["price_tiers"])
    changed = manager.patch(f"{API}/products/{created.json['id']}", json={"price_tiers": []},
                            headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json["price_tiers"] == []
    assert changed.json["version"] == 2
    assert ids(rep.get(f"{API}/products?q=pump").json["items"]) == [created.json["id"]]


# Opportunities ------------------------------------------------------------------------------

def test_lines_price_from_tiers_and_amount_is_their_sum(world, client_for):
    product = factories.make_product(unit_price="100.00", tiers=[("10", "90.00")])
    customer = factories.make_customer(world.rep_a1)
    rep = client_for(world.rep_a1)
    created = rep.post(f"{API}/opportunities", json={
        "customer_id": str(customer.id), "name": "Pumps", "amount": "5.00", "lines": [
            {"product_id": str(product.id), "quantity": "12", "discount_pct": "5"},
            {"product_id": str(product.id), "quantity": "1", "unit_price": "99.99"},
            {"description": "Install", "quantity": "1.5", "unit_price": "33.33"}]})
    assert created.status_code == 201, created.json
    lines = created.json["lines"]
    assert [(line["unit_price"], line["line_total"], line["price_overridden"])
            for line in lines] == [("90.00", "1026.00", False), ("99.99", "99.99", True),
                                   ("33.33", "50.00", True)]
    assert created.json["amount"] == "1175.99"
    assert created.json["stage_name"] == "Qualification" and created.json["probability"] == 10
    assert created.json["customer_name"] == customer.name
    bad = rep.post(f"{API}/opportunities", json={
        "customer_id": str(customer.id), "name": "x",
        "lines": [{"quantity": "1"}, {"quantity": "0", "unit_price": "1"},
                  {"quantity": "1", "unit_price": "1", "discount_pct": "101"}]})
    assert_error(bad, 422, ["lines"])
    assert count(Opportunity) == 1


def test_probability_follows_stage_unless_overridden_and_history_is_kept(world, client_for):
    rep = client_for(world.rep_a1)
    stages = stages_by_name(rep)
    opportunity = factories.make_opportunity(world.rep_a1)
    url = f"{API}/opportunities/{opportunity.id}"
    moved = rep.patch(url, json={"stage_id": stages["Proposal"]["id"]})
    assert moved.status_code == 200 and moved.json["probability"] == 50
    assert rep.patch(url, json={"probability": 60}).json["probability"] == 60
    assert rep.patch(url, json={"stage_id": stages["Negotiation"]["id"]}).json["probability"] \
        == 60
    assert rep.patch(url, json={"probability": None}).json["probability"] == 75
    assert_error(rep.patch(url, json={"stage_id": stages["Won"]["id"]}), 422, ["stage_id"])
    history = db.session.execute(
        select(StageHistory.stage_id, StageHistory.left_at)
        .where(StageHistory.opportunity_id == opportunity.id)
        .order_by(StageHistory.entered_at)).all()
    assert [str(h.stage_id) for h in history] == [
        stages[n]["id"] for n in ("Qualification", "Proposal", "Negotiation")]
    assert [h.left_at is None for h in history] == [False, False, True]
    assert count(AuditEntry, AuditEntry.entity_id == opportunity.id,
                 AuditEntry.action == "stage_changed") == 2


def test_lose_needs_a_reason_and_reopen_is_for_leads(world, client_for):
    opportunity = factories.make_opportunity(world.rep_a1)
    rep = client_for(world.rep_a1)
    url = f"{API}/opportunities/{opportunity.id}"
    assert_error(rep.post(f"{url}/lose", json={}), 422, ["reason"])
    assert_error(rep.post(f"{url}/lose", json={"reason": "Aliens"}), 422, ["reason"])
    assert reload(Opportunity, opportunity.id).status == "open"
    lost = rep.post(f"{url}/lose", json={"reason": "Price", "note": "20% cheaper elsewhere"})
    assert lost.status_code == 200 and lost.json["status"] == "lost"
    assert lost.json["stage_name"] == "Lost" and lost.json["lost_reason"] == "Price"
    assert_error(rep.patch(url, json={"name": "x"}), 409)
    assert_error(rep.post(f"{url}/reopen", json={}), 403)
    assert_error(client_for(world.lead_b).post(f"{url}/reopen", json={}), 404)
    reopened = client_for(world.lead_a).post(f"{url}/reopen", json={})
    assert reopened.status_code == 200, reopened.json
    assert reopened.json["status"] == "open" and reopened.json["stage_name"] == "Qualification"
    assert reopened.json["lost_reason"] is None
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_id == opportunity.id)).all()
    assert {"lost", "reopened"} <= set(actions)


def test_win_makes_an_order_from_the_lines(world, client_for):
    product = factories.make_product(unit_price="10.00")
    customer = factories.make_customer(world.rep_a1)
    rep = client_for(world.rep_a1)
    created = rep.post(f"{API}/opportunities", json={
        "customer_id": str(customer.id), "name": "Deal",
        "lines": [{"product_id": str(product.id), "quantity": "3", "discount_pct": "10"}]})
    won = rep.post(f"{API}/opportunities/{created.json['id']}/win",
                   headers={"If-Match": f'"{created.json["version"]}"'})
    assert won.status_code == 200, won.json
    order = won.json["order"]
    assert won.json["opportunity"]["status"] == "won"
    assert won.json["opportunity"]["stage_name"] == "Won"
    assert won.json["opportunity"]["probability"] == 100
    assert order["number"].startswith("SO-") and order["number"].endswith("-00001")
    assert (order["total"], order["paid"], order["outstanding"], order["status"]) == (
        "27.00", "0.00", "27.00", "confirmed")
    assert [(line["quantity"], line["line_total"]) for line in order["lines"]] == [
        ("3.00", "27.00")]
    assert_error(rep.post(f"{API}/opportunities/{created.json['id']}/win"), 409)
    assert count(SalesOrder) == 1


def test_a_failing_order_leaves_the_deal_open(world, client_for, monkeypatch):
    from app.services import orders as order_service

    opportunity = factories.make_opportunity(world.rep_a1, amount=Decimal("5.00"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(order_service, "create_order_for", broken)
    response = client_for(world.rep_a1).post(f"{API}/opportunities/{opportunity.id}/win")
    assert_error(response, 500)
    assert reload(Opportunity, opportunity.id).status == "open"
    assert count(SalesOrder) == 0


def test_concurrent_wins_get_distinct_sequential_numbers(app, world, client_for):
    reps = [world.rep_a1, world.rep_a2, world.rep_b1, world.lead_a, world.manager]
    deals = [factories.make_opportunity(user, amount=Decimal("1.00")) for user in reps]
    urls = [f"{API}/opportunities/{deal.id}/win" for deal in deals]
    clients = [client_for(user) for user in reps]
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def win(i):
        barrier.wait()
        answers[i] = clients[i].post(urls[i])

    threads = [threading.Thread(target=win, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * len(clients), [a.json for a in answers]
    numbers = sorted(a.json["order"]["number"] for a in answers)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4, 5]
    assert count(SalesOrder) == 5 and count(OrderLine) == 5


def test_opportunity_scoping(world, client_for):
    mine = factories.make_opportunity(world.rep_a1)
    theirs = factories.make_opportunity(world.rep_b1)
    rep = client_for(world.rep_a1)
    assert ids(rep.get(f"{API}/opportunities").json["items"]) == [str(mine.id)]
    for method, suffix, body in (("get", "", None), ("patch", "", {"name": "x"}),
                                 ("post", "/win", None), ("post", "/lose", {"reason": "Price"}),
                                 ("post", "/reopen", {})):
        response = getattr(rep, method)(f"{API}/opportunities/{theirs.id}{suffix}", json=body)
        assert_error(response, 404)
    other_customer = factories.make_customer(world.rep_b1)
    assert_error(rep.post(f"{API}/opportunities", json={
        "customer_id": str(other_customer.id), "name": "x"}), 422, ["customer_id"])
    lead = client_for(world.lead_a)
    assert set(ids(lead.get(f"{API}/opportunities").json["items"])) == {str(mine.id)}
    assert len(client_for(world.manager).get(f"{API}/opportunities").json["items"]) == 2


def test_opportunity_list_statements_are_constant(world, client_for, count_queries):
    client = client_for(world.lead_a)
    factories.make_opportunity(world.rep_a1)
    with count_queries() as small:
        assert client.get(f"{API}/opportunities").status_code == 200
    for _ in range(20):
        factories.make_opportunity(world.rep_a2)
    with count_queries() as big:
        assert len(client.get(f"{API}/opportunities").json["items"]) == 21
    assert small.n == big.n <= 4


# Converting a lead --------------------------------------------------------------------------

def test_convert_makes_customer_contact_and_opportunity(world, client_for):
    lead = factories.make_lead(world.rep_a1, name="Li Na", company="Acme", title="Buyer",
                               phone="13800138000", email="li@acme.cn", source="referral")
    rep = client_for(world.rep_a1)
    converted = rep.post(f"{API}/leads/{lead.id}/convert", json={"amount": "1000.00"})
    assert converted.status_code == 200, converted.json
    body = converted.json
    assert body["customer"]["name"] == "Acme" and body["customer"]["owner_id"] == str(
        world.rep_a1.id)
    assert body["contact"]["name"] == "Li Na" and body["contact"]["title"] == "Buyer"
    assert body["opportunity"]["amount"] == "1000.00"
    assert body["opportunity"]["customer_id"] == body["customer"]["id"]
    assert body["lead"]["status"] == "converted"
    assert body["lead"]["opportunity_id"] == body["opportunity"]["id"]
    assert_error(rep.post(f"{API}/leads/{lead.id}/convert", json={}), 409)
    assert_error(rep.patch(f"{API}/leads/{lead.id}", json={"name": "x"}), 409)
    assert_error(rep.post(f"{API}/leads/{lead.id}/release"), 409)
    assert count(Customer) == 1 and count(Contact) == 1 and count(Opportunity) == 1


def test_convert_onto_an_existing_customer(world, client_for):
    customer = factories.make_customer(world.rep_a1, name="Acme")
    lead = factories.make_lead(world.rep_a1, name="Li Na", company="ACME Co., Ltd.")
    rep = client_for(world.rep_a1)
    other = factories.make_customer(world.rep_b1)
    assert_error(rep.post(f"{API}/leads/{lead.id}/convert",
                          json={"customer_id": str(other.id)}), 422, ["customer_id"])
    converted = rep.post(f"{API}/leads/{lead.id}/convert",
                         json={"customer_id": str(customer.id)})
    assert converted.status_code == 200, converted.json
    assert converted.json["customer"]["id"] == str(customer.id)
    assert count(Customer) == 2


def test_failing_the_third_insert_leaves_nothing(world, client_for, monkeypatch):
    lead = factories.make_lead(world.rep_a1, name="Li Na", company="Acme")
    real = opportunity_service.create_opportunity

    def third_insert_fails(actor, data):
        real(actor, data)
        db.session.flush()
        raise RuntimeError("the third insert failed")

    monkeypatch.setattr(opportunity_service, "create_opportunity", third_insert_fails)
    assert_error(client_for(world.rep_a1).post(f"{API}/leads/{lead.id}/convert", json={}), 500)
    assert count(Customer) == 0 and count(Contact) == 0 and count(Opportunity) == 0
    stored = reload(Lead, lead.id)
    assert stored.status == "open" and stored.customer_id is None
    assert count(AuditEntry, AuditEntry.action == "converted") == 0


def test_convert_scoping(world, client_for):
    lead = factories.make_lead(world.rep_b1)
    pooled = factories.make_lead(None)
    rep = client_for(world.rep_a1)
    assert_error(rep.post(f"{API}/leads/{lead.id}/convert", json={}), 404)
    assert_error(rep.post(f"{API}/leads/{pooled.id}/convert", json={}), 403)
    assert count(Customer) == 0


def test_opportunity_detail_statements_do_not_grow_with_lines(world, client_for, count_queries):
    product = factories.make_product(unit_price="1.00")
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)

    def deal(n):
        return client.post(f"{API}/opportunities", json={
            "customer_id": str(customer.id), "name": f"{n} lines",
            "lines": [{"product_id": str(product.id), "quantity": "1"}] * n}).json["id"]

    small, big = deal(1), deal(40)
    with count_queries() as one:
        assert len(client.get(f"{API}/opportunities/{small}").json["lines"]) == 1
    with count_queries() as forty:
        assert len(client.get(f"{API}/opportunities/{big}").json["lines"]) == 40
    assert one.n == forty.n <= 4


def _race(calls):
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i):
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_one_deal_won_twice_at_once_makes_one_order(app, world, client_for):
    deal = factories.make_opportunity(world.rep_a1, amount=Decimal("9.00"))
    url = f"{API}/opportunities/{deal.id}/win"
    clients = [client_for(world.rep_a1), client_for(world.lead_a), client_for(world.manager)]
    answers = _race([lambda c=c: c.post(url) for c in clients])
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 200 and all(c in (409, 412) for c in codes[1:]), codes
    assert count(SalesOrder) == 1 and count(OrderLine) == 1


def test_one_lead_converted_twice_at_once_converts_once(app, world, client_for):
    lead = factories.make_lead(world.rep_a1, company="Twice Ltd")
    url = f"{API}/leads/{lead.id}/convert"
    clients = [client_for(world.rep_a1), client_for(world.lead_a), client_for(world.manager)]
    answers = _race([lambda c=c: c.post(url, json={}) for c in clients])
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 200 and all(c in (409, 412) for c in codes[1:]), codes
    assert count(Customer) == 1 and count(Contact) == 1 and count(Opportunity) == 1


def test_the_order_number_year_is_the_winners_local_year(world, client_for, monkeypatch):
    """00:30 on 1 January in Shanghai is still 31 December in UTC: the order is 2027's."""
    from datetime import datetime, timezone

    from app.services import orders as order_service

    monkeypatch.setattr(order_service, "utcnow",
                        lambda: datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))
    deal = factories.make_opportunity(world.rep_a1, amount=Decimal("10.00"))
    won = client_for(world.rep_a1).post(f"{API}/opportunities/{deal.id}/win")
    assert won.status_code == 200, won.json
    assert won.json["order"]["number"] == "SO-2027-00001"
