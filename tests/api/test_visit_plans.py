"""An index behind issue 13's new statements: a customer's last_visit_at after a visit, the
card's contacts with their latest activity, a deal's roles touched. None scans activities
(on PostgreSQL with sequential scans off, as in tests/plans.py)."""
import re

from app.extensions import db
from tests import factories
from tests.api.helpers import API
from tests.plans import captured_statements, plan_lines


def _plan_of(seen) -> str:
    assert len(seen) == 1, [s for s, _ in seen]
    lines = plan_lines(*seen[0])
    db.session.rollback()
    return "\n".join(lines)


def _no_activity_scan(plan: str) -> None:
    assert not re.search(r"SCAN activities\b|Seq Scan on activities", plan), plan


def test_last_visit_at_is_read_from_the_customers_visits_index(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)
    with captured_statements(lambda s: s.startswith("UPDATE customers SET last_visit_at")) \
            as seen:
        assert client.post(f"{API}/activities", json={
            "kind": "visit", "customer_id": str(customer.id)}).status_code == 201
    plan = _plan_of(seen)
    assert "ix_activities_customer_kind" in plan, plan
    _no_activity_scan(plan)


def test_card_contacts_and_deal_roles_read_the_contact_index(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep)
    contact = factories.make_contact(rep, customer, role="champion")
    deal = factories.make_opportunity(rep, customer)
    factories.make_activity(rep, customer, kind="call", contact_id=contact.id)
    client = client_for(rep)
    for url, pattern in ((f"{API}/customers/{customer.id}", r"^SELECT contacts\.customer_id"),
                         (f"{API}/opportunities/{deal.id}", r"^SELECT DISTINCT contacts\.role")):
        with captured_statements(lambda s, p=pattern: re.match(p, s)) as seen:
            assert client.get(url).status_code == 200
        plan = _plan_of(seen)
        assert "ix_activities_contact_occurred" in plan, (url, plan)
        _no_activity_scan(plan)
