"""Edges a review found in lead to cash: amounts past what a column holds, dates at the
ends of the calendar, the cap when a lead is reopened, releasing a closed lead, and
converting onto a customer the lead's owner cannot open. Each is a clear 4xx that
changes nothing."""
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Contact, Lead, Opportunity
from app.services import opportunities as opportunity_service
from app.services import settings as settings_service
from tests import factories
from tests.api.helpers import API, assert_error, count, reload


def test_a_line_or_lines_too_large_for_an_amount_are_422(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    rep = client_for(world.rep_a1)
    huge = "9999999999.99"
    body = assert_error(rep.post(f"{API}/opportunities", json={
        "customer_id": str(customer.id), "name": "Too big",
        "lines": [{"description": "x", "quantity": huge, "unit_price": huge}]}), 422, ["lines"])
    assert "0" in body["errors"]["json"]["lines"]
    assert_error(rep.post(f"{API}/opportunities", json={
        "customer_id": str(customer.id), "name": "Too big together",
        "lines": [{"description": "x", "quantity": "2", "unit_price": "6000000000.00"}] * 2}),
        422, ["lines"])
    assert count(Opportunity) == 0


@pytest.mark.parametrize("query", ["from=9999-12-30", "to=0001-01-01", "from=0001-01-01"])
def test_report_periods_at_the_ends_of_the_calendar_are_422(world, client_for, query):
    manager = client_for(world.manager)
    for report in ("funnel", "forecast"):
        assert_error(manager.get(f"{API}/reports/{report}?{query}"), 422, location="query")


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_a_payment_dated_at_the_ends_of_the_calendar_is_422(world, client_for, when):
    opportunity = factories.make_opportunity(world.rep_a1, None, amount=Decimal("100.00"))
    _, order = opportunity_service.win_opportunity(world.rep_a1, opportunity)
    db.session.commit()
    assert_error(client_for(world.rep_a1).post(f"{API}/orders/{order.id}/payments", json={
        "amount": "10.00", "method": "cash", "received_at": when}), 422, ["received_at"])


def test_reopening_a_disqualified_lead_counts_against_the_cap(world, client_for):
    settings_service.update_settings(world.admin, {"lead_cap": 1})
    db.session.commit()
    first = factories.make_lead(world.rep_a1)
    rep = client_for(world.rep_a1)
    assert rep.patch(f"{API}/leads/{first.id}", json={"status": "disqualified"}).status_code == 200
    pooled = factories.make_lead(None)
    assert rep.post(f"{API}/leads/{pooled.id}/claim").status_code == 200
    body = assert_error(rep.patch(f"{API}/leads/{first.id}", json={"status": "open"}), 409)
    assert "1 open leads" in body["message"]
    assert reload(Lead, first.id).status == "disqualified"


def test_a_disqualified_lead_cannot_be_released_into_nowhere(world, client_for):
    lead = factories.make_lead(world.rep_a1)
    rep = client_for(world.rep_a1)
    rep.patch(f"{API}/leads/{lead.id}", json={"status": "disqualified"})
    assert_error(rep.post(f"{API}/leads/{lead.id}/release"), 409)
    assert reload(Lead, lead.id).owner_id == world.rep_a1.id
    assert rep.get(f"{API}/leads/{lead.id}").status_code == 200


def test_converting_onto_a_customer_the_owner_cannot_open_is_refused(world, client_for):
    """A team lead sees both reps' customers; rep A1's deal must not land on A2's."""
    lead = factories.make_lead(world.rep_a1, name="Wei", company="Acme")
    others = factories.make_customer(world.rep_a2, name="Secret Co")
    mine = factories.make_customer(world.rep_a1, name="Acme")
    team_lead = client_for(world.lead_a)
    assert_error(team_lead.post(f"{API}/leads/{lead.id}/convert",
                                json={"customer_id": str(others.id)}), 422, ["customer_id"])
    assert reload(Lead, lead.id).status == "open"
    assert count(Opportunity) == 0 and count(Contact) == 0
    done = team_lead.post(f"{API}/leads/{lead.id}/convert", json={"customer_id": str(mine.id)})
    assert done.status_code == 200, done.json
    assert done.json["customer"]["owner_name"] == world.rep_a1.name
