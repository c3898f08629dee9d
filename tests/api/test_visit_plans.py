"""An index behind issue 13's new statements: a customer's last_visit_at after a visit, the
card's contacts with their latest activity, a deal's roles touched. None scans activities
(on PostgreSQL with sequential scans off, as in tests/plans.py). SQLite's choice of index is
checked by name; PostgreSQL's, on tables this small and without statistics, is any index
with the right condition (it picks among equally cheap ones at random)."""
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


def _reads_activities_by(plan: str, index: str, column: str) -> None:
    """``index`` on SQLite; on PostgreSQL an index condition on ``column``."""
    _no_activity_scan(plan)
    if db.engine.dialect.name == "sqlite":
        assert f"USING INDEX {index} ({column}=?" in plan, plan
    else:
        assert re.search(rf"Index Cond: \(+{column} = ", plan), plan


def test_last_visit_at_is_read_from_the_customers_visits_index(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)
    with captured_statements(lambda s: s.startswith("UPDATE customers SET last_visit_at")) \
            as seen:
        assert client.post(f"{API}/activities", json={
            "kind": "visit", "customer_id": str(customer.id)}).status_code == 201
    _reads_activities_by(_plan_of(seen), "ix_activities_customer_kind", "customer_id")


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
        _reads_activities_by(_plan_of(seen), "ix_activities_contact_occurred", "contact_id")


def test_the_card_timeline_still_reads_its_own_index(world, client_for):
    """The new (customer, kind, occurred_at) index does not take the timeline's place: the
    timeline is still read from ix_activities_customer_occurred (SQLite). (The open
    follow-ups half may read either index by customer: neither is ordered by due time.)"""
    rep = world.rep_a1
    customer = factories.make_customer(rep)
    for _ in range(3):
        factories.make_activity(rep, customer, kind="visit")
    client = client_for(rep)
    with captured_statements(lambda s: "UNION ALL" in s and "FROM activities" in s) as seen:
        assert client.get(f"{API}/customers/{customer.id}").status_code == 200
    _reads_activities_by(_plan_of(seen), "ix_activities_customer_occurred", "customer_id")
