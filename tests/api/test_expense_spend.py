"""Each expense item's copy of its claim's owner and status (what the expense report reads
instead of the claims) follows the claim through its whole life: made, edited, submitted,
approved at each step, rejected, resubmitted, paid, deleted; and a rebuild gives the same."""
from sqlalchemy import select

from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem
from app.services.expense_spend import rebuild_expense_spend
from tests.api.helpers import API
from tests.api.test_expenses import act, approve, item, make_claim


def _copies() -> dict:
    """{item id: (its owner, its status)} and what the claims say they should be."""
    db.session.rollback()
    rows = db.session.execute(
        select(ExpenseItem.id, ExpenseItem.owner_id, ExpenseItem.claim_status,
               ExpenseClaim.owner_id, ExpenseClaim.status, ExpenseClaim.deleted_at)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseItem.claim_id)).all()
    copied = {r[0]: (r[1], r[2]) for r in rows}
    expected = {r[0]: (r[3], r[4] if r[5] is None else None) for r in rows}
    return copied, expected


def _assert_in_step(statuses: set | None = None):
    copied, expected = _copies()
    assert copied == expected
    if statuses is not None:
        assert {status for _, status in copied.values()} == statuses


def test_the_items_follow_their_claim_through_its_life(world, client_for):
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    finance, cashier = client_for(world.finance), client_for(world.cashier)
    claim = make_claim(rep, item("120.10", "meals"), "300.25")
    _assert_in_step({"draft"})
    edited = rep.patch(f"{API}/expenses/{claim['id']}", json={"items": [
        item("10.00", "meals"), item("20.00"), item("30.00", "lodging")]},
        headers={"If-Match": f'"{claim["version"]}"'})
    assert edited.status_code == 200, edited.json
    assert len(_copies()[0]) == 3
    _assert_in_step({"draft"})
    claim = act(rep, edited.json, "submit").json
    _assert_in_step({"pending"})
    claim = act(finance, approve(lead, claim), "reject", {"reason": "Receipt missing"}).json
    _assert_in_step({"draft"})
    claim = approve(finance, approve(lead, act(rep, claim, "submit").json))
    _assert_in_step({"approved"})
    act(cashier, claim, "pay", {"reference": "BANK-1"})
    _assert_in_step({"paid"})

    other = make_claim(rep, item("5.00"))
    assert rep.delete(f"{API}/expenses/{other['id']}",
                      headers={"If-Match": f'"{other["version"]}"'}).status_code == 204
    _assert_in_step({"paid", None})  # a deleted claim's items count nowhere

    db.session.execute(ExpenseItem.__table__.update().values(owner_id=None, claim_status=None))
    rebuild_expense_spend()
    db.session.commit()
    _assert_in_step({"paid", None})


def test_the_report_counts_what_the_copies_say(world, client_for):
    rep, lead, finance = client_for(world.rep_a1), client_for(world.lead_a), client_for(
        world.finance)
    claim = approve(finance, approve(lead, act(rep, make_claim(rep, item("42.00")),
                                                "submit").json))
    assert claim["status"] == "approved"
    body = client_for(world.manager).get(
        f"{API}/reports/expenses?from=2026-01-01&to=2026-12-31").json
    assert [(r["owner_id"], r["total"], r["claims"]) for r in body["by_rep"]] == [
        (str(world.rep_a1.id), "42.00", 1)]
