"""Expense claims: the approval chain for each role, below and above the threshold,
rejection and resubmission, forbidden transitions, self-approval, concurrent decisions,
scoping and exact Decimal totals."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ExpenseClaim, ExpenseStep, Notification
from app.services import claim_approvals as approval_service
from app.services import claim_queries as claim_query_service
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload

DAY = "2026-11-20"


def item(amount, category="travel", day=DAY, **extra):
    return {"category": category, "amount": amount, "spent_on": day, **extra}


def make_claim(client, *amounts, title="Trip to Suzhou", **extra):
    items = [item(a) if isinstance(a, str) else a for a in amounts]
    response = client.post(f"{API}/expenses", json={"title": title, "items": items, **extra})
    assert response.status_code == 201, response.json
    return response.json


def submitted(client, *amounts, **extra):
    claim = make_claim(client, *amounts, **extra)
    response = client.post(f"{API}/expenses/{claim['id']}/submit")
    assert response.status_code == 200, response.json
    return response.json


def act(client, claim, verb, json=None, **kw):
    return client.post(f"{API}/expenses/{claim['id']}/{verb}", json=json or {}, **kw)


def approve(client, claim, **kw):
    response = act(client, claim, "approve", **kw)
    assert response.status_code == 200, response.json
    return response.json


def lines(claim):
    return [(h["step"], h["action"], h["comment"]) for h in claim["history"]]


def notices(user, kind=None):
    db.session.rollback()
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


# The chain ----------------------------------------------------------------------------------

def test_below_threshold_lead_then_finance_then_cashier(world, client_for):
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    finance, cashier = client_for(world.finance), client_for(world.cashier)
    claim = make_claim(rep, item("120.10", "meals"), "300.25")
    assert claim["status"] == "draft" and claim["total"] == "420.35"
    assert claim["can"] == ["edit", "submit", "delete"]

    claim = act(rep, claim, "submit").json
    assert (claim["status"], claim["step"]) == ("pending", "lead")
    assert claim["approver_id"] == str(world.lead_a.id)
    waiting = notices(world.lead_a, "expense_waiting")
    assert len(waiting) == 1 and waiting[0].url == "/approvals"
    assert waiting[0].actions[0] == {"action": "approve", "method": "POST",
                                     "url": f"/api/v1/expenses/{claim['id']}/approve",
                                     "body": {"step": "lead"}}
    assert waiting[0].params["total"] == "420.35"

    assert_error(act(finance, claim, "approve"), 403)   # not finance's step yet
    claim = approve(lead, claim, json={"comment": "ok"})
    assert (claim["status"], claim["step"]) == ("pending", "finance")
    assert lines(claim) == [("submit", "submitted", None), ("lead", "approved", "ok"),
                            ("manager", "skipped", "below_threshold")]
    assert notices(world.manager) == []
    assert len(notices(world.finance, "expense_waiting")) == 1

    assert_error(act(client_for(world.manager), claim, "approve"), 403)
    claim = approve(finance, claim)
    assert claim["status"] == "approved" and claim["step"] is None
    assert len(notices(world.rep_a1, "expense_approved")) == 1
    assert len(notices(world.cashier, "expense_waiting")) == 1

    assert_error(act(cashier, claim, "pay", {}), 422, ["reference"])
    assert_error(act(finance, claim, "pay", {"reference": "X"}), 403)
    claim = act(cashier, claim, "pay", {"reference": "BANK-0042"}).json
    assert claim["status"] == "paid" and claim["payment_reference"] == "BANK-0042"
    assert lines(claim)[-1] == ("pay", "paid", "BANK-0042")
    assert claim["history"][-1]["actor_name"] == world.cashier.name
    paid = notices(world.rep_a1, "expense_paid")
    assert len(paid) == 1 and paid[0].url == f"/expenses/{claim['id']}"
    actions = [a.action for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == ExpenseClaim.id.type.python_type(
            claim["id"])).order_by(AuditEntry.created_at))]
    assert actions == ["created", "submitted", "approved_lead", "approved_finance", "paid"]
    assert_error(act(cashier, claim, "pay", {"reference": "again"}), 409)


def test_above_threshold_goes_through_the_manager(world, client_for):
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    manager, finance = client_for(world.manager), client_for(world.finance)
    claim = submitted(rep, "1500.00", item("500.01", "lodging", note="2 nights"))
    assert claim["total"] == "2000.01"
    claim = approve(lead, claim)
    assert (claim["step"], claim["approver_id"]) == ("manager", None)
    assert len(notices(world.manager, "expense_waiting")) == 1
    assert_error(act(lead, claim, "approve", {"step": "lead"}), 409)   # it moved on
    assert_error(act(lead, claim, "approve"), 403)                     # not theirs now
    assert_error(act(finance, claim, "approve"), 403)
    claim = approve(manager, claim, json={"step": "manager"})
    assert claim["step"] == "finance"
    claim = approve(finance, claim)
    assert claim["status"] == "approved"
    assert [(s, a) for s, a, _ in lines(claim)] == [
        ("submit", "submitted"), ("lead", "approved"), ("manager", "approved"),
        ("finance", "approved")]


def test_exactly_the_threshold_does_not_need_the_manager(world, client_for):
    rep = client_for(world.rep_a1)
    claim = submitted(rep, "0.10", "0.20", "1999.70")
    assert claim["total"] == "2000.00"
    claim = approve(client_for(world.lead_a), claim)
    assert claim["step"] == "finance"


def test_threshold_is_the_company_setting(world, client_for):
    admin = client_for(world.admin)
    assert admin.patch(f"{API}/settings",
                       json={"expense_manager_threshold": "100.00"}).status_code == 200
    claim = submitted(client_for(world.rep_a1), "100.01")
    assert approve(client_for(world.lead_a), claim)["step"] == "manager"


def test_a_leads_own_claim_goes_to_the_manager_whatever_the_total(world, client_for):
    lead = client_for(world.lead_a)
    claim = submitted(lead, "50.00")
    assert (claim["status"], claim["step"]) == ("pending", "manager")
    assert lines(claim) == [("submit", "submitted", None), ("lead", "skipped", "own_claim")]
    assert_error(act(lead, claim, "approve"), 403)
    claim = approve(client_for(world.manager), claim)
    assert claim["step"] == "finance"


def test_nobody_approves_or_pays_their_own_claim(world, client_for):
    manager, finance = client_for(world.manager), client_for(world.finance)
    cashier, admin = client_for(world.cashier), client_for(world.admin)
    # A manager's claim: no team lead, and the manager step is theirs: straight to finance.
    claim = submitted(manager, "3000.00")
    assert claim["step"] == "finance"
    assert lines(claim)[1:] == [("lead", "skipped", "no_team_lead"),
                                ("manager", "skipped", "own_claim")]
    assert_error(act(manager, claim, "approve"), 403)
    # Finance's own claim: another finance person or an admin decides the finance step.
    own = submitted(finance, "10.00")
    assert own["step"] == "manager"
    own = approve(manager, own)
    assert own["step"] == "finance"
    assert_error(act(finance, own, "approve"), 403)
    assert_error(act(finance, own, "reject", {"reason": "mine"}), 403)
    assert claim_query_service.count_approvals(world.finance) == 1   # the manager's, not its own
    own = approve(admin, own)
    assert own["status"] == "approved"
    # A cashier's own claim is paid by someone else.
    mine = submitted(cashier, "20.00")
    mine = approve(finance, approve(manager, mine))
    assert mine["status"] == "approved"
    assert_error(act(cashier, mine, "pay", {"reference": "self"}), 403)
    assert act(admin, mine, "pay", {"reference": "ADM-1"}).status_code == 200


def test_a_managers_own_claim_goes_to_the_other_managers(world, client_for):
    other = factories.make_user("manager", name="Second Manager")
    manager, second = client_for(world.manager), client_for(other)
    claim = submitted(manager, "50.00")
    assert (claim["status"], claim["step"], claim["approver_id"]) == ("pending", "manager", None)
    assert lines(claim)[1:] == [("lead", "skipped", "no_team_lead")]
    assert len(notices(other, "expense_waiting")) == 1
    assert notices(world.manager, "expense_waiting") == []
    assert_error(act(manager, claim, "approve"), 403)
    assert manager.get(f"{API}/approvals/count").json == {"count": 0}
    assert [c["id"] for c in second.get(f"{API}/approvals").json["items"]] == [claim["id"]]
    claim = approve(second, claim)
    assert claim["step"] == "finance"
    # With the other manager gone, the step is skipped again.
    assert client_for(world.admin).patch(f"{API}/users/{other.id}",
                                         json={"active": False}).status_code == 200
    alone = submitted(manager, "60.00")
    assert alone["step"] == "finance"
    assert lines(alone)[1:] == [("lead", "skipped", "no_team_lead"),
                                ("manager", "skipped", "own_claim")]

def test_a_manager_who_approved_as_team_lead_is_not_asked_again_as_manager(world, client_for):
    boss = factories.make_user("manager", name="Leading Manager")
    team = factories.make_team("Direct", lead=boss)
    rep = factories.make_user("rep", team=team)
    claim = submitted(client_for(rep), "2500.00")  # above the threshold: lead, then manager
    assert (claim["step"], claim["approver_id"]) == ("lead", str(boss.id))
    claim = approve(client_for(boss), claim)
    assert (claim["status"], claim["step"]) == ("pending", "manager")
    # The other manager is told; the one who just approved is not (they cannot decide it).
    assert len(notices(world.manager, "expense_waiting")) == 1
    [told] = notices(boss, "expense_waiting")  # once, for the lead step only
    assert told.actions[0]["body"] == {"step": "lead"}
    assert client_for(boss).get(f"{API}/approvals/count").json == {"count": 0}
    claim = approve(client_for(world.manager), claim)
    assert claim["step"] == "finance"


def test_rejection_returns_a_draft_and_resubmission_starts_again(world, client_for):
    rep, lead, finance = client_for(world.rep_a1), client_for(world.lead_a), \
        client_for(world.finance)
    claim = submitted(rep, "80.00")
    claim = approve(lead, claim)
    assert_error(act(finance, claim, "reject", {}), 422, ["reason"])
    assert_error(act(finance, claim, "reject", {"reason": ""}), 422, ["reason"])
    assert_error(act(finance, claim, "reject", {"reason": "   "}), 422, ["reason"])
    claim = act(finance, claim, "reject", {"reason": "Receipt missing"}).json
    assert (claim["status"], claim["step"]) == ("draft", None)
    assert claim["rejected_reason"] == "Receipt missing"
    assert claim["can"] == []                       # finance sees it, cannot edit it
    rejected = notices(world.rep_a1, "expense_rejected")
    assert len(rejected) == 1 and rejected[0].params["reason"] == "Receipt missing"

    response = rep.patch(f"{API}/expenses/{claim['id']}",
                         json={"items": [item("80.00"), item("15.50", "fuel")]})
    assert response.status_code == 200, response.json
    assert response.json["total"] == "95.50"
    claim = act(rep, claim, "submit").json
    assert (claim["status"], claim["step"], claim["round"]) == ("pending", "lead", 2)
    assert claim["rejected_reason"] is None
    assert [(h["round"], h["step"], h["action"]) for h in claim["history"]] == [
        (1, "submit", "submitted"), (1, "lead", "approved"), (1, "manager", "skipped"),
        (1, "finance", "rejected"), (2, "submit", "submitted")]
    assert claim["history"][3]["comment"] == "Receipt missing"
    assert len(notices(world.lead_a, "expense_waiting")) == 2


def test_forbidden_transitions(world, client_for, new_id):
    rep, other, lead = client_for(world.rep_a1), client_for(world.rep_a2), \
        client_for(world.lead_a)
    lead_b, cashier = client_for(world.lead_b), client_for(world.cashier)
    draft = make_claim(rep, "10.00")
    assert_error(act(rep, draft, "approve"), 409)             # not waiting for a decision
    assert_error(act(lead, draft, "approve"), 404)            # a draft is private
    assert_error(act(rep, draft, "pay", {"reference": "x"}), 409)
    empty = make_claim(rep, title="Nothing yet")
    assert_error(act(rep, empty, "submit"), 422, ["items"])

    claim = submitted(rep, "10.00")
    url = f"{API}/expenses/{claim['id']}"
    assert_error(rep.patch(url, json={"title": "changed"}), 409)
    assert_error(rep.delete(url), 409)
    assert_error(act(rep, claim, "submit"), 409)
    assert_error(act(rep, claim, "approve"), 403)             # own claim
    assert_error(act(other, claim, "approve"), 404)           # not visible
    assert_error(act(lead_b, claim, "approve"), 404)          # another team's
    assert_error(act(cashier, claim, "approve"), 404)         # cashier sees approved only
    assert_error(act(lead, claim, "pay", {"reference": "x"}), 409)
    assert_error(act(lead, claim, "approve", {"step": "finance"}), 409)  # it moved: no
    assert_error(act(lead, claim, "approve", headers={"If-Match": '"1"'}), 412)
    assert_error(rep.post(f"{API}/expenses/{new_id()}/submit"), 404)
    assert reload(ExpenseClaim, claim["id"]).step == "lead"


def test_concurrent_decisions_one_wins_the_other_gets_409(world, client_for, monkeypatch):
    """Two finance reviewers approve the same claim at the same moment, for real: both
    have read it as waiting before either writes."""
    second_finance = factories.make_user("finance")
    claim = approve(client_for(world.lead_a), submitted(client_for(world.rep_a1), "99.00"))
    clients = [client_for(world.finance), client_for(second_finance)]
    barrier = threading.Barrier(2, timeout=10)
    real = approval_service._check_decision
    calls = []

    def both_read_first(*args, **kwargs):
        real(*args, **kwargs)
        calls.append(1)
        if len(calls) <= 2:
            barrier.wait()

    monkeypatch.setattr(approval_service, "_check_decision", both_read_first)
    answers = [None, None]

    def decide(i):
        answers[i] = act(clients[i], claim, "approve")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.json for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert_error(loser, 409)
    stored = reload(ExpenseClaim, claim["id"])
    assert stored.status == "approved"
    assert count(ExpenseStep, ExpenseStep.claim_id == stored.id,
                 ExpenseStep.step == "finance") == 1
    assert len(notices(world.rep_a1, "expense_approved")) == 1


# Drafts, totals, flags ----------------------------------------------------------------------

def test_decimal_totals_are_exact(world, client_for):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "0.10", "0.20", item("33.33", "meals"), item("1", "fuel"),
                       item(7, "other"))
    assert claim["total"] == "41.63"
    assert [i["amount"] for i in claim["items"]] == ["0.10", "0.20", "33.33", "1.00", "7.00"]
    assert reload(ExpenseClaim, claim["id"]).total == Decimal("41.63")
    assert_error(rep.post(f"{API}/expenses", json={"title": "x", "items": [item(0.1)]}), 422)
    assert_error(rep.post(f"{API}/expenses", json={"title": "x", "items": [item("0.001")]}),
                 422)
    assert_error(rep.post(f"{API}/expenses", json={"title": "x", "items": [item("0")]}), 422)
    assert_error(rep.post(f"{API}/expenses", json={"title": "x", "items": [item("-5")]}), 422)
    body = assert_error(rep.post(f"{API}/expenses", json={
        "title": "x", "currency": "CNY", "items": [item("5", currency="USD")]}), 422)
    assert "items" in body["errors"]["json"]
    assert_error(rep.post(f"{API}/expenses", json={"title": "x", "items": [
        item("5", category="yacht")]}), 422)


def test_a_total_above_what_a_claim_holds_is_422_not_a_500(world, client_for):
    rep = client_for(world.rep_a1)
    top = "9999999999.99"
    body = assert_error(rep.post(f"{API}/expenses", json={
        "title": "x", "items": [item(top), item("0.01")]}), 422, ["items"])
    assert "9,999,999,999.99" in str(body["errors"])
    assert count(ExpenseClaim) == 0
    claim = make_claim(rep, top)
    assert claim["total"] == top
    url = f"{API}/expenses/{claim['id']}"
    assert_error(rep.patch(url, json={"items": [item(top), item("5000000000.00")]}), 422,
                 ["items"])
    assert reload(ExpenseClaim, claim["id"]).total == Decimal(top)
    from app.api.messages import translate
    assert "拆分" in translate(body["errors"]["json"]["items"][0], "zh-CN")

def test_items_over_the_category_limit_are_flagged_not_blocked(world, client_for):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, item("150.00", "meals"), item("80.00", "meals"),
                       item("190.00", "meals", day="2026-11-21"), item("900.00", "travel"))
    assert claim["flagged"] is True
    assert [i["over_limit"] for i in claim["items"]] == [True, True, False, False]
    assert claim["items"][0]["limit_amount"] == "200.00"
    claim = act(rep, claim, "submit").json
    inbox = client_for(world.lead_a).get(f"{API}/approvals").json["items"]
    assert inbox[0]["flagged"] is True and inbox[0]["owner_name"] == world.rep_a1.name


def test_editing_a_draft_replaces_items_and_keeps_ids(world, client_for, new_id):
    rep = client_for(world.rep_a1)
    first, second = new_id(), new_id()
    claim = make_claim(rep, item("10.00", id=first), item("20.00", id=second))
    url = f"{API}/expenses/{claim['id']}"
    response = rep.patch(url, json={"items": [item("12.00", id=first), item("1.00", "fuel")]},
                         headers={"If-Match": f'"{claim["version"]}"'})
    assert response.status_code == 200, response.json
    assert [i["id"] for i in response.json["items"]][0] == first
    assert second not in [i["id"] for i in response.json["items"]]
    assert response.json["total"] == "13.00"
    assert_error(rep.patch(url, json={"title": "x"}, headers={"If-Match": '"1"'}), 412)
    assert_error(client_for(world.lead_a).patch(url, json={"title": "x"}), 404)


def test_create_replay_and_conflict(world, client_for, new_id):
    rep, other = client_for(world.rep_a1), client_for(world.rep_b1)
    claim_id = new_id()
    body = {"id": claim_id, "title": "Replay", "items": [item("5.00")]}
    assert rep.post(f"{API}/expenses", json=body).status_code == 201
    again = rep.post(f"{API}/expenses", json=body)
    assert again.status_code == 200 and again.json["id"] == claim_id
    assert count(ExpenseClaim) == 1
    assert_error(other.post(f"{API}/expenses", json=body), 409)


def test_delete_a_draft(world, client_for):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "5.00")
    assert rep.delete(f"{API}/expenses/{claim['id']}").status_code == 204
    assert_error(rep.get(f"{API}/expenses/{claim['id']}"), 404)


# Who sees what ------------------------------------------------------------------------------

def test_scoping_of_claims(world, client_for):
    rep_a1, rep_a2 = client_for(world.rep_a1), client_for(world.rep_a2)
    draft = make_claim(rep_a1, "1.00", title="draft")
    pending = submitted(rep_a1, "2.00", title="pending")
    paid = submitted(rep_a2, "3.00", title="paid")
    paid = approve(client_for(world.finance), approve(client_for(world.lead_a), paid))
    act(client_for(world.cashier), paid, "pay", {"reference": "P1"})
    west = submitted(client_for(world.rep_b1), "4.00", title="west")

    def titles(user, query=""):
        response = client_for(user).get(f"{API}/expenses{query}")
        assert response.status_code == 200, response.json
        return sorted(c["title"] for c in response.json["items"])

    assert titles(world.rep_a1) == ["draft", "pending"]
    assert titles(world.rep_a2) == ["paid"]
    assert titles(world.lead_a) == ["paid", "pending"]
    assert titles(world.lead_b) == ["west"]
    assert titles(world.manager) == ["paid", "pending", "west"]
    assert titles(world.finance) == ["paid", "pending", "west"]
    assert titles(world.finance, "?status=pending") == ["pending", "west"]
    assert titles(world.cashier) == ["paid"]
    for who, claim in ((world.rep_a2, pending), (world.lead_b, pending), (world.lead_a, west),
                       (world.manager, draft), (world.cashier, pending)):
        assert_error(client_for(who).get(f"{API}/expenses/{claim['id']}"), 404)
    assert rep_a2.get(f"{API}/expenses?owner_id={world.rep_a1.id}").json["items"] == []


def test_approvals_inbox_per_role(world, client_for):
    rep_a1, rep_b1 = client_for(world.rep_a1), client_for(world.rep_b1)
    small = submitted(rep_a1, "10.00", title="small")
    big = submitted(rep_a1, "5000.00", title="big")
    west = submitted(rep_b1, "7.00", title="west")

    def inbox(user):
        response = client_for(user).get(f"{API}/approvals")
        assert response.status_code == 200, response.json
        return [c["title"] for c in response.json["items"]]

    assert inbox(world.lead_a) == ["small", "big"]
    assert inbox(world.lead_b) == ["west"]
    assert inbox(world.manager) == [] and inbox(world.rep_a2) == []
    assert client_for(world.lead_a).get(f"{API}/approvals/count").json == {"count": 2}
    approve(client_for(world.lead_a), big)
    assert inbox(world.manager) == ["big"]
    assert inbox(world.lead_a) == ["small"]
    approve(client_for(world.lead_a), small)
    assert inbox(world.finance) == ["small"]
    assert ids([]) == []
    assert west["status"] == "pending"


def test_a_team_lead_made_a_rep_gets_no_inbox_and_claims_do_not_stick(world, client_for):
    """The admin makes lead_a a rep but leaves them named as the team's lead: new claims
    skip the lead step (no_team_lead) instead of waiting for someone who cannot decide, and
    a claim already waiting for them is in nobody's sight but the people who may decide it."""
    admin, rep = client_for(world.admin), client_for(world.rep_a1)
    before = submitted(rep, "10.00", title="before")
    assert before["approver_id"] == str(world.lead_a.id)
    response = admin.patch(f"{API}/users/{world.lead_a.id}", json={"role": "rep"})
    assert response.status_code == 200, response.json
    assert reload(type(world.team_a), world.team_a.id).lead_id == world.lead_a.id

    after = submitted(rep, "10.00", title="after")
    assert (after["status"], after["step"], after["approver_id"]) == \
        ("pending", "manager", None)
    assert lines(after)[1:] == [("lead", "skipped", "no_team_lead")]

    demoted = client_for(world.lead_a)
    assert demoted.get(f"{API}/approvals").json["items"] == []
    assert demoted.get(f"{API}/approvals/count").json == {"count": 0}
    assert claim_query_service.count_approvals(world.lead_a) == 0
    assert_error(act(demoted, before, "approve"), 404)
    # The claim routed before the change is not stuck: an admin decides the lead step.
    inbox = [c["title"] for c in admin.get(f"{API}/approvals").json["items"]]
    assert "before" in inbox
    assert approve(admin, before)["step"] == "finance"
    assert [c["title"] for c in
            client_for(world.manager).get(f"{API}/approvals").json["items"]] == ["after"]


def test_an_inactive_team_lead_is_skipped(world, client_for):
    admin = client_for(world.admin)
    assert admin.patch(f"{API}/users/{world.lead_a.id}",
                       json={"active": False}).status_code == 200
    claim = submitted(client_for(world.rep_a1), "10.00")
    assert (claim["step"], claim["approver_id"]) == ("manager", None)
    assert lines(claim)[1:] == [("lead", "skipped", "no_team_lead")]


def test_a_manager_named_team_lead_decides_the_lead_step(world, client_for):
    admin = client_for(world.admin)
    assert admin.patch(f"{API}/teams/{world.team_a.id}",
                       json={"lead_id": str(world.manager.id)}).status_code == 200
    claim = submitted(client_for(world.rep_a1), "10.00")
    assert (claim["step"], claim["approver_id"]) == ("lead", str(world.manager.id))
    manager = client_for(world.manager)
    assert manager.get(f"{API}/approvals/count").json == {"count": 1}
    assert approve(manager, claim)["step"] == "finance"

def test_nobody_approves_two_steps_of_the_same_round(world, client_for):
    admin, manager = client_for(world.admin), client_for(world.manager)
    finance, rep = client_for(world.finance), client_for(world.rep_a1)
    claim = submitted(rep, "5000.00", title="big")
    claim = approve(admin, claim)                        # an admin may decide the lead step
    assert claim["step"] == "manager"
    body = assert_error(act(admin, claim, "approve"), 403)
    assert body["message"] == ("You already approved an earlier step of this claim; "
                               "someone else decides this one.")
    assert_error(act(admin, claim, "reject", {"reason": "no"}), 403)
    assert admin.get(f"{API}/expenses/{claim['id']}").json["can"] == []
    assert "big" not in [c["title"] for c in admin.get(f"{API}/approvals").json["items"]]
    assert admin.get(f"{API}/approvals/count").json == {"count": 0}
    claim = approve(manager, claim)
    assert_error(act(admin, claim, "approve"), 403)      # nor the finance step
    assert_error(act(manager, claim, "approve"), 403)    # not a manager's step anyway
    claim = act(finance, claim, "reject", {"reason": "Receipt missing"}).json
    # An admin who approved the finance step still finds the claim to pay in the inbox.
    small = approve(client_for(world.lead_a), submitted(rep, "10.00", title="small"))
    small = approve(admin, small)
    assert small["status"] == "approved"
    assert "small" in [c["title"] for c in admin.get(f"{API}/approvals").json["items"]]
    assert admin.get(f"{API}/expenses/{small['id']}").json["can"] == ["pay", "reject"]
    # A new round: everyone may decide again.
    claim = approve(admin, act(rep, claim, "submit").json)
    assert claim["step"] == "manager" and claim["round"] == 2
    assert reload(ExpenseClaim, claim["id"]).step == "manager"


def test_a_manager_who_leads_the_team_does_not_also_approve_the_manager_step(world, client_for):
    admin, manager = client_for(world.admin), client_for(world.manager)
    assert admin.patch(f"{API}/teams/{world.team_a.id}",
                       json={"lead_id": str(world.manager.id)}).status_code == 200
    claim = approve(manager, submitted(client_for(world.rep_a1), "5000.00"))
    assert claim["step"] == "manager"
    assert_error(act(manager, claim, "approve"), 403)
    other = client_for(factories.make_user("manager"))
    assert approve(other, claim)["step"] == "finance"


def test_batch_approve_takes_each_claim_once(world, client_for):
    admin = client_for(world.admin)
    claim = submitted(client_for(world.rep_a1), "5000.00")
    response = admin.post(f"{API}/approvals/batch-approve",
                          json={"ids": [claim["id"], claim["id"], claim["id"]]})
    assert response.status_code == 200, response.json
    assert [(r["id"], r["status"], r["step"]) for r in response.json["results"]] == [
        (claim["id"], 200, "manager")]
    stored = reload(ExpenseClaim, claim["id"])
    assert (stored.status, stored.step) == ("pending", "manager")
    assert count(ExpenseStep, ExpenseStep.claim_id == stored.id,
                 ExpenseStep.action == "approved") == 1

def test_batch_approve(world, client_for):
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    first, second = submitted(rep, "10.00"), submitted(rep, "3000.00")
    decided = approve(lead, submitted(rep, "5.00"))
    west = submitted(client_for(world.rep_b1), "1.00")
    response = lead.post(f"{API}/approvals/batch-approve",
                         json={"ids": [first["id"], second["id"], decided["id"], west["id"]]})
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == [200, 200, 403, 404]   # 3rd: finance's now
    assert [r.get("step") for r in results[:2]] == ["finance", "manager"]
    assert reload(ExpenseClaim, west["id"]).step == "lead"
    assert_error(lead.post(f"{API}/approvals/batch-approve", json={"ids": []}), 422, ["ids"])


@pytest.mark.parametrize("n", [2, 12])
def test_lists_run_constant_queries(world, client_for, count_queries, n):
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    for i in range(n):
        submitted(rep, "10.00", item("20.00", "meals"), title=f"c{i}")
    with count_queries() as counted:
        assert len(rep.get(f"{API}/expenses?limit=50").json["items"]) == n
    assert counted.n <= 4, counted.statements  # session, page with owner names, items, receipts
    with count_queries() as counted:
        assert len(lead.get(f"{API}/approvals").json["items"]) == n
    assert counted.n <= 4, counted.statements
    claim_id = rep.get(f"{API}/expenses?limit=1").json["items"][0]["id"]
    with count_queries() as counted:
        assert rep.get(f"{API}/expenses/{claim_id}").status_code == 200
    assert counted.n <= 6, counted.statements


def test_list_pages_with_a_cursor(world, client_for):
    from tests.api.helpers import walk

    rep = client_for(world.rep_a1)
    for i in range(5):
        make_claim(rep, "1.00", title=f"c{i}")
    items, pages = walk(rep, f"{API}/expenses", 2)
    assert pages == 3 and len({c["id"] for c in items}) == 5


def test_cashier_inbox_lists_approved_claims_and_can_send_one_back(world, client_for):
    cashier = client_for(world.cashier)
    claim = approve(client_for(world.finance),
                    approve(client_for(world.lead_a), submitted(client_for(world.rep_a1), "9.99")))
    inbox = cashier.get(f"{API}/approvals").json["items"]
    assert [c["id"] for c in inbox] == [claim["id"]]
    assert cashier.get(f"{API}/expenses/{claim['id']}").json["can"] == ["pay", "reject"]
    back = act(cashier, claim, "reject", {"reason": "Bank details missing"}).json
    assert (back["status"], back["rejected_reason"]) == ("draft", "Bank details missing")
    assert lines(back)[-1] == ("pay", "rejected", "Bank details missing")
    assert cashier.get(f"{API}/approvals").json["items"] == []
    assert_error(cashier.get(f"{API}/expenses/{claim['id']}"), 404)   # a draft again


def test_notices_read_well_in_both_languages(world, client_for):
    from app.push.texts import ACTION_TITLES, render_notice

    claim = submitted(client_for(world.rep_a1), "88.80", title="Suzhou trip")
    act(client_for(world.lead_a), claim, "reject", {"reason": "Wrong date"})
    waiting = notices(world.lead_a, "expense_waiting")[0]
    rejected = notices(world.rep_a1, "expense_rejected")[0]
    assert render_notice(waiting.kind, "en", waiting.params) == (
        "Expense claim waiting for you", f"{world.rep_a1.name}: Suzhou trip, 88.80 CNY")
    assert render_notice(rejected.kind, "zh-CN", rejected.params) == (
        "报销单被退回", "Suzhou trip：Wrong date")
    for kind in ("expense_approved", "expense_paid"):
        for locale in ("en", "zh-CN"):
            title, body = render_notice(kind, locale, {**waiting.params, "reference": "R1"})
            assert title and "Suzhou trip" in body
    assert ACTION_TITLES["approve"]["zh-CN"] == "批准" and "reject" in ACTION_TITLES


def test_a_claim_in_another_currency_always_goes_to_a_manager_and_is_not_limit_checked(
        world, client_for):
    """The threshold (2,000) and limits (meals 200 a day) are CNY amounts: USD 1,300 is not
    'below the threshold', and USD 300 of meals is not measured against CNY 200."""
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    claim = submitted(rep, item("1000.00", "travel"), item("300.00", "meals"), currency="USD")
    assert not any(i["over_limit"] for i in claim["items"])
    claim = approve(lead, claim)
    assert claim["step"] == "manager"
    cny = approve(lead, submitted(rep, item("1000.00", "travel"), item("300.00", "meals")))
    assert cny["step"] == "finance"
    assert [i["over_limit"] for i in cny["items"]] == [False, True]


def test_the_company_currency_is_a_setting(world, client_for):
    admin = client_for(world.admin)
    assert admin.get(f"{API}/settings").json["currency"] == "CNY"
    assert_error(admin.patch(f"{API}/settings", json={"currency": "usd"}), 422, ["currency"])
    assert admin.patch(f"{API}/settings", json={"currency": "USD"}).status_code == 200
    claim = approve(client_for(world.lead_a), submitted(
        client_for(world.rep_a1), item("100.00", "travel"), currency="USD"))
    assert claim["step"] == "finance"
