"""Lists at a company's size (issue 11): a rep's or a team lead's page is read from the
owners' (owner, sort key) index and stops there, never a scan of the big table nor every row
of the team sorted; the page's ids are chosen before the joins and the RFM columns, which
read the page's rows by primary key. On PostgreSQL (sequential scans off) no list scans a
big table either."""
import re
from decimal import Decimal

import pytest

from app.extensions import db
from app.services import opportunities as opportunity_service
from tests.plans import captured_statements, plan_lines
from tests import factories
from tests.api.helpers import API

BIG_TABLES = ("customers", "opportunities", "orders", "leads", "expense_claims")
# list -> (its table, the index a rep's or lead's page is read from)
LISTS = {
    "customers?limit=50": ("customers", "ix_customers_owner_name"),
    "opportunities?limit=50": ("opportunities", "ix_opportunities_owner_created"),
    "orders?limit=50": ("orders", "ix_orders_owner_created"),
    "leads?limit=50": ("leads", "ix_leads_owner_created"),
    "expenses?limit=50": ("expense_claims", "ix_expense_claims_owner_created"),
}


def _team_records(world, client_for):
    """Customers, deals, orders, leads and submitted claims of the lead's team, and some of
    another team's."""
    for owner in (world.rep_a1, world.rep_a2, world.lead_a, world.rep_b1):
        for i in range(3):
            customer = factories.make_customer(owner, name=f"{owner.name} Co {i}")
            deal = factories.make_opportunity(owner, customer, amount=Decimal("10.00"))
            if i == 0:
                opportunity_service.win_opportunity(owner, deal)
            factories.make_lead(owner)
    db.session.commit()
    for who in (world.rep_a1, world.rep_a2):
        client = client_for(who)
        claim = client.post(f"{API}/expenses", json={"title": "Trip", "items": [
            {"category": "travel", "amount": "2500.00", "spent_on": "2026-11-20"}]}).json
        assert client.post(f"{API}/expenses/{claim['id']}/submit").status_code == 200


def _page_statement(client, url, table):
    """The one statement of the request that reads ``table`` (besides the session)."""
    with captured_statements(lambda statement: re.search(rf"\bFROM {table}\b", statement)) \
            as seen:
        response = client.get(url)
    assert response.status_code == 200, response.json
    assert response.json["items"], url
    assert len(seen) == 1, [s for s, _ in seen]
    return seen[0]


def _plan(statement, parameters):
    lines = plan_lines(statement, parameters)
    db.session.rollback()
    return lines


@pytest.mark.parametrize("who", ["rep_a1", "lead_a"])
@pytest.mark.parametrize("url", list(LISTS))
def test_a_scoped_page_reads_the_owner_index_then_the_page_by_key(world, client_for, who, url):
    _team_records(world, client_for)
    table, owner_index = LISTS[url]
    client = client_for(getattr(world, who))
    plan = _plan(*_page_statement(client, f"{API}/{url}", table))
    text = "\n".join(plan)
    if db.engine.dialect.name == "postgresql":
        assert not any(f"Seq Scan on {t} " in line + " " for line in plan for t in BIG_TABLES), \
            text
        return
    assert not any(line.startswith(f"SCAN {t}") for line in plan for t in BIG_TABLES), text
    # The scope is one owner IN (...): the owner index read once, not an OR of two reads of
    # it (which fetched and sorted every row of the team).
    owner_reads = [line for line in plan
                   if re.match(rf"SEARCH {table} USING (COVERING )?INDEX {owner_index} "
                               r"\(owner_id=\?", line)]
    assert len(owner_reads) == 1, text
    # The page's ids first, then its rows by primary key for the joins and RFM columns.
    assert any(line.startswith(f"SEARCH {table} USING INDEX sqlite_autoindex_{table}_1 "
                               "(id=?)") for line in plan), text


@pytest.mark.parametrize("who, indexes", [
    ("lead_a", ["ix_expense_claims_step (status=? AND step=? AND approver_id=?)"]),
    ("manager", ["ix_expense_claims_step (status=? AND step=? AND approver_id=?)",
                 "ix_expense_claims_waiting (status=? AND step=?)"]),
])
def test_the_approvals_inbox_reads_each_step_from_its_index(world, client_for, who, indexes):
    _team_records(world, client_for)
    client = client_for(getattr(world, who))
    if who == "manager":  # the two claims are above the threshold: past their lead
        lead = client_for(world.lead_a)
        for claim in lead.get(f"{API}/approvals").json["items"]:
            assert lead.post(f"{API}/expenses/{claim['id']}/approve").status_code == 200
    plan = _plan(*_page_statement(client, f"{API}/approvals?limit=50", "expense_claims"))
    text = "\n".join(plan)
    if db.engine.dialect.name == "postgresql":
        assert not any("Seq Scan on expense_claims" in line for line in plan), text
        return
    assert not any(line.startswith("SCAN expense_claims") for line in plan), text
    for index in indexes:
        assert f"SEARCH expense_claims USING INDEX {index}" in text, text
