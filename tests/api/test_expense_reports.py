"""The expense report: spend by rep, category and month, scoped by role, exact Decimals,
and the cost-to-revenue ratio (null while revenue is unknown)."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Opportunity
from app.services import expense_reports as report_service
from tests import factories
from tests.api.helpers import API, assert_error
from tests.api.test_expenses import approve, item, submitted

URL = f"{API}/reports/expenses?from=2026-09-01&to=2026-11-30"


@pytest.fixture
def spend(world, client_for):
    """Approved or paid claims of three reps in two teams, one pending, one draft."""
    lead_a, lead_b = client_for(world.lead_a), client_for(world.lead_b)
    finance = client_for(world.finance)

    def through(lead, rep, *items):
        return approve(finance, approve(lead, submitted(client_for(rep), *items)))

    through(lead_a, world.rep_a1, item("0.10", "meals", "2026-10-03"),
            item("0.20", "meals", "2026-10-04"), item("100.00", "travel", "2026-11-02"))
    paid = through(lead_a, world.rep_a2, item("55.55", "fuel", "2026-11-10"))
    client_for(world.cashier).post(f"{API}/expenses/{paid['id']}/pay", json={"reference": "P"})
    through(lead_b, world.rep_b1, item("40.00", "lodging", "2026-09-15"))
    through(lead_b, world.rep_b1, item("999.00", "travel", "2025-01-01"))   # out of period
    submitted(client_for(world.rep_a1), item("7.00", "other", "2026-11-05"))  # still pending
    return world


def by(report, key):
    return {row[key]: row["total"] for row in report[key_list(key)]}


def key_list(key):
    return {"owner_name": "by_rep", "category": "by_category", "month": "by_month"}[key]


def test_manager_sees_everyone(spend, client_for):
    report = client_for(spend.manager).get(URL).json
    assert report["from"] == "2026-09-01" and report["to"] == "2026-11-30"
    assert report["totals"] == [{"currency": "CNY", "total": "195.85"}]
    assert by(report, "owner_name") == {spend.rep_a1.name: "100.30",
                                        spend.rep_a2.name: "55.55",
                                        spend.rep_b1.name: "40.00"}
    assert by(report, "category") == {"travel": "100.00", "fuel": "55.55",
                                      "lodging": "40.00", "meals": "0.30"}
    assert [(m["month"], m["total"]) for m in report["by_month"]] == [
        ("2026-09", "40.00"), ("2026-10", "0.30"), ("2026-11", "155.55")]
    rep_row = report["by_rep"][0]
    assert rep_row["claims"] == 1 and rep_row["revenue"] is None
    assert rep_row["cost_to_revenue"] is None


def test_scoped_by_role(spend, client_for):
    def reps(user, query=""):
        response = client_for(user).get(URL + query)
        assert response.status_code == 200, response.json
        return set(by(response.json, "owner_name"))

    a1, a2, b1 = spend.rep_a1.name, spend.rep_a2.name, spend.rep_b1.name
    assert reps(spend.rep_a1) == {a1}
    assert reps(spend.lead_a) == {a1, a2}
    assert reps(spend.lead_b) == {b1}
    assert reps(spend.finance) == {a1, a2, b1}
    assert reps(spend.manager, f"&team_id={spend.team_b.id}") == {b1}
    assert reps(spend.rep_a1, f"&owner_id={spend.rep_a2.id}") == set()   # no leak
    assert reps(spend.lead_a, "&include_pending=true") == {a1, a2}
    report = client_for(spend.rep_a1).get(URL + "&include_pending=true").json
    assert report["totals"][0]["total"] == "107.30"


def test_cost_to_revenue_when_revenue_is_known(spend, client_for, monkeypatch):
    monkeypatch.setattr(report_service, "won_revenue_by_owner", lambda actor, ids, start, end: {
        (spend.rep_a1.id, "CNY"): Decimal("2006.00"), (spend.rep_a2.id, "CNY"): Decimal("0")})
    report = client_for(spend.manager).get(URL).json
    rows = {r["owner_name"]: r for r in report["by_rep"]}
    assert rows[spend.rep_a1.name]["cost_to_revenue"] == "0.0500"
    assert rows[spend.rep_a1.name]["revenue"] == "2006.00"
    assert rows[spend.rep_a2.name]["cost_to_revenue"] is None      # revenue 0: no ratio
    assert rows[spend.rep_b1.name]["cost_to_revenue"] is None      # unknown


def test_bad_periods_are_422(world, client_for):
    client = client_for(world.manager)
    assert_error(client.get(f"{API}/reports/expenses?from=2026-12-01&to=2026-11-01"), 422,
                 ["from"], location="query")
    assert_error(client.get(f"{API}/reports/expenses?from=2020-01-01&to=2026-11-01"), 422,
                 ["from"], location="query")
    assert_error(client.get(f"{API}/reports/expenses?from=yesterday"), 422, ["from"],
                 location="query")
    assert client.get(f"{API}/reports/expenses").status_code == 200


def test_report_runs_constant_queries(spend, client_for, count_queries):
    client = client_for(spend.manager)
    with count_queries() as counted:
        assert client.get(URL).status_code == 200
    assert counted.n <= 5, counted.statements


def test_cost_to_revenue_from_deals_won_in_the_period(spend, client_for):
    """rep_a1 spent 100.30 (approved) and won a 2,006.00 deal in the period; a deal won
    outside it, or in another currency, does not count."""

    product = factories.make_product(unit_price="1003.00")
    customer = factories.make_customer(spend.rep_a1)
    rep = client_for(spend.rep_a1)
    for quantity in ("2", "5"):
        deal = rep.post(f"{API}/opportunities", json={
            "customer_id": str(customer.id), "name": f"Deal {quantity}",
            "lines": [{"product_id": str(product.id), "quantity": quantity}]}).json
        assert rep.post(f"{API}/opportunities/{deal['id']}/win").status_code == 200
    # The 5-unit deal was won before the period: 31 August, 23:00 in Shanghai, the
    # reader's timezone.
    db.session.execute(Opportunity.__table__.update()
                       .where(Opportunity.name == "Deal 5")
                       .values(closed_at=datetime(2026, 8, 31, 15, 0, tzinfo=timezone.utc)))
    db.session.execute(Opportunity.__table__.update()
                       .where(Opportunity.name == "Deal 2")
                       .values(closed_at=datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)))
    db.session.commit()
    rows = {r["owner_name"]: r for r in client_for(spend.manager).get(URL).json["by_rep"]}
    mine = rows[spend.rep_a1.name]
    assert (mine["total"], mine["revenue"], mine["cost_to_revenue"]) == (
        "100.30", "2006.00", "0.0500")
    assert rows[spend.rep_a2.name]["revenue"] is None


def _won_deals(spend, client_for):
    """rep_a1 wins a 2,006.00 deal on 2026-10-01 and rep_b1 one of 1,003.00."""
    product = factories.make_product(unit_price="1003.00")
    for owner, quantity in ((spend.rep_a1, "2"), (spend.rep_b1, "1")):
        factories.win_deal(owner, name=f"Deal {quantity}",
                           lines=[{"product_id": product.id, "quantity": Decimal(quantity)}],
                           closed_at=datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc))


def test_cost_to_revenue_shows_no_revenue_to_who_cannot_see_deals(spend, client_for):
    """Finance and the cashier see the claims, not the deals: no revenue, no ratio."""
    _won_deals(spend, client_for)
    for who in (spend.finance, spend.cashier):
        response = client_for(who).get(URL)
        assert response.status_code == 200, response.json
        for row in response.json["by_rep"]:
            assert (row["revenue"], row["cost_to_revenue"]) == (None, None), (who.role, row)
    manager = {r["owner_name"]: r for r in client_for(spend.manager).get(URL).json["by_rep"]}
    assert manager[spend.rep_a1.name]["revenue"] == "2006.00"
    assert manager[spend.rep_b1.name]["revenue"] == "1003.00"


def test_a_lead_sees_revenue_of_their_team_only(spend, client_for):
    _won_deals(spend, client_for)
    rows = {r["owner_name"]: r for r in client_for(spend.lead_a).get(URL).json["by_rep"]}
    assert rows[spend.rep_a1.name]["revenue"] == "2006.00"
    assert spend.rep_b1.name not in rows
    mine = client_for(spend.rep_a1).get(URL).json["by_rep"]
    assert [(r["owner_name"], r["revenue"]) for r in mine] == [(spend.rep_a1.name, "2006.00")]
