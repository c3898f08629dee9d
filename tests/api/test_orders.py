"""Orders and payments: totals, paid, outstanding, status; overpayment; cancelled orders;
who may pay; RFM on the customer."""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Payment, SalesOrder
from app.models.base import utcnow
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload


def _won_order(owner, amount="100.00", customer=None):
    return factories.win_deal(owner, customer, amount=Decimal(amount))[1]


def test_payments_move_paid_outstanding_and_status(world, client_for):
    order = _won_order(world.rep_a1, "100.00")
    rep = client_for(world.rep_a1)
    url = f"{API}/orders/{order.id}"
    body = rep.get(url).json
    assert (body["total"], body["paid"], body["outstanding"], body["status"]) == (
        "100.00", "0.00", "100.00", "confirmed")
    first = rep.post(f"{url}/payments", json={"amount": "30.10", "method": "bank_transfer",
                                              "reference": "TX-1"})
    assert first.status_code == 201, first.json
    again = rep.post(f"{url}/payments", json={"id": first.json["id"], "amount": "30.10",
                                              "method": "bank_transfer"})
    assert again.status_code == 200
    body = rep.get(url).json
    assert (body["paid"], body["outstanding"], body["status"]) == (
        "30.10", "69.90", "partially_paid")
    assert_error(rep.post(f"{url}/payments", json={"amount": "69.91", "method": "cash"}), 422,
                 ["amount"])
    assert_error(rep.post(f"{url}/payments", json={"amount": "0", "method": "cash"}), 422,
                 ["amount"])
    assert_error(rep.post(f"{url}/payments", json={"amount": 1.5, "method": "cash"}), 422,
                 ["amount"])
    assert_error(rep.post(f"{url}/payments", json={"amount": "1.00", "method": "gold"}), 422,
                 ["method"])
    paid = client_for(world.finance).post(f"{url}/payments",
                                          json={"amount": "69.90", "method": "cash"})
    assert paid.status_code == 201, paid.json
    body = rep.get(url).json
    assert (body["paid"], body["outstanding"], body["status"]) == ("100.00", "0.00", "paid")
    assert [p["amount"] for p in body["payments"]] == ["30.10", "69.90"]
    assert len(rep.get(f"{url}/payments").json["items"]) == 2
    assert count(Payment) == 2


def test_cancelled_orders_take_no_payments(world, client_for):
    order = _won_order(world.rep_a1)
    url = f"{API}/orders/{order.id}"
    assert_error(client_for(world.rep_a1).patch(url, json={"status": "cancelled"}), 403)
    finance = client_for(world.finance)
    cancelled = finance.patch(url, json={"status": "cancelled"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert_error(finance.post(f"{url}/payments", json={"amount": "1.00", "method": "cash"}),
                 409)
    assert count(Payment) == 0
    paid = _won_order(world.rep_a1)
    finance.post(f"{API}/orders/{paid.id}/payments", json={"amount": "1.00", "method": "cash"})
    assert_error(finance.patch(f"{API}/orders/{paid.id}", json={"status": "cancelled"}), 409)


def test_order_scoping(world, client_for):
    mine = _won_order(world.rep_a1)
    theirs = _won_order(world.rep_b1)
    rep = client_for(world.rep_a1)
    assert ids(rep.get(f"{API}/orders").json["items"]) == [str(mine.id)]
    assert_error(rep.get(f"{API}/orders/{theirs.id}"), 404)
    assert_error(rep.get(f"{API}/orders/{theirs.id}/payments"), 404)
    assert_error(rep.post(f"{API}/orders/{theirs.id}/payments",
                          json={"amount": "1.00", "method": "cash"}), 404)
    assert_error(rep.patch(f"{API}/orders/{theirs.id}", json={"status": "cancelled"}), 404)
    assert len(client_for(world.finance).get(f"{API}/orders").json["items"]) == 2
    assert_error(client_for(world.cashier).get(f"{API}/orders/{mine.id}"), 404)
    # a colleague who can see the order (team lead) may record a payment, another rep not
    assert client_for(world.lead_a).post(f"{API}/orders/{mine.id}/payments", json={
        "amount": "1.00", "method": "cash"}).status_code == 201
    assert_error(client_for(world.rep_a2).get(f"{API}/orders/{mine.id}"), 404)


def test_parallel_payments_never_overpay(app, world, client_for):
    order = _won_order(world.rep_a1, "100.00")
    url = f"{API}/orders/{order.id}/payments"
    clients = [client_for(world.finance), client_for(world.rep_a1), client_for(world.manager)]
    barrier = threading.Barrier(len(clients))
    statuses = [None] * len(clients)

    def pay(i):
        barrier.wait()
        statuses[i] = clients[i].post(url, json={"amount": "60.00", "method": "cash"}) \
            .status_code

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(201) == 1, statuses
    assert all(s in (409, 412, 422) for s in statuses if s != 201), statuses
    assert reload(SalesOrder, order.id).paid == Decimal("60.00")
    assert count(Payment) == 1


def _backdate(order, days):
    db.session.execute(SalesOrder.__table__.update().where(SalesOrder.id == order.id)
                       .values(ordered_at=utcnow() - timedelta(days=days)))
    db.session.commit()


@pytest.mark.parametrize("ages, segment", [
    ([], None),
    ([400, 500], "dormant"),
    ([10], "new"),
    ([5, 100, 200], "champion"),
    ([200, 300], "at risk"),
    ([100, 150], "loyal"),
])
def test_rfm_segments_on_the_card_and_list(world, client_for, ages, segment):
    customer = factories.make_customer(world.rep_a1, name="RFM Co")
    for age in ages:
        _backdate(_won_order(world.rep_a1, "10.00", customer), age)
    rep = client_for(world.rep_a1)
    card = rep.get(f"{API}/customers/{customer.id}").json
    listed = rep.get(f"{API}/customers").json["items"][0]
    assert listed["rfm_segment"] == segment  # a slim list item carries the segment only
    full = rep.get(f"{API}/customers?fields=full").json["items"][0]
    recent = [a for a in ages if a < 365]
    for body in (card, full):
        assert body["rfm_segment"] == segment
        assert body["orders_12m"] == len(recent)
        assert body["revenue_12m"] == f"{10 * len(recent)}.00"
        assert (body["last_order_at"] is None) == (not ages)


def test_cancelled_orders_do_not_count_in_rfm(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    order = _won_order(world.rep_a1, "10.00", customer)
    client_for(world.finance).patch(f"{API}/orders/{order.id}", json={"status": "cancelled"})
    card = client_for(world.rep_a1).get(f"{API}/customers/{customer.id}").json
    assert (card["rfm_segment"], card["orders_12m"]) == (None, 0)


def test_order_and_customer_lists_are_constant(world, client_for, count_queries):
    client = client_for(world.finance)
    _won_order(world.rep_a1)
    with count_queries() as small:
        assert client.get(f"{API}/orders").status_code == 200
    for _ in range(15):
        _won_order(world.rep_a2)
    with count_queries() as big:
        assert len(client.get(f"{API}/orders").json["items"]) == 16
    assert small.n == big.n <= 4
    rep = client_for(world.manager)
    with count_queries() as customers:
        assert len(rep.get(f"{API}/customers").json["items"]) == 16
    assert customers.n == 2


def test_order_detail_statements_do_not_grow_with_payments(world, client_for, count_queries):
    order = _won_order(world.rep_a1, "100.00")
    finance = client_for(world.finance)
    url = f"{API}/orders/{order.id}"
    finance.post(f"{url}/payments", json={"amount": "1.00", "method": "cash"})
    with count_queries() as one:
        assert len(finance.get(url).json["payments"]) == 1
    for _ in range(20):
        finance.post(f"{url}/payments", json={"amount": "1.00", "method": "cash"})
    with count_queries() as many:
        assert len(finance.get(url).json["payments"]) == 21
    assert one.n == many.n <= 4


def test_customer_card_is_not_kept_by_the_browser(world, client_for):
    """Orders (RFM) and activities change the card but not the customer's version, which is
    its ETag: kept by the browser, the card would come back as a stale 304."""
    customer = factories.make_customer(world.rep_a1, name="Cached Co", address="x" * 290)
    response = client_for(world.rep_a1).get(f"{API}/customers/{customer.id}")
    assert response.headers["ETag"] == '"1"'
    assert "no-store" in response.headers["Cache-Control"]
