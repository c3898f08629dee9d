"""Expense notices go out through the push sender: the lead's phone gets "waiting for you"
with an Approve button whose request, run as the lead (what the service worker does),
approves the claim; the submitter's phone then hears about it."""
from app.extensions import db
from app.push.dispatch import send_push_notifications
from app.services import push as push_service
from tests.api.helpers import API


def _subscribe(user, receiver):
    browser = receiver.new_browser()
    push_service.save_subscription(user, browser.subscription_json(), ["127.0.0.1"], None)
    db.session.commit()
    return browser


def _awake(*users):
    from datetime import time

    for user in users:
        user.quiet_hours_start = user.quiet_hours_end = time(0, 0)
    db.session.commit()


def test_the_lead_approves_from_the_notice_and_the_rep_is_told(app, world, client_for,
                                                              push_receiver):
    _awake(world.lead_a, world.rep_a1)
    lead_phone = _subscribe(world.lead_a, push_receiver)
    rep_phone = _subscribe(world.rep_a1, push_receiver)
    rep = client_for(world.rep_a1)
    claim = rep.post(f"{API}/expenses", json={"title": "Suzhou visit", "items": [
        {"category": "travel", "amount": "120.50", "spent_on": "2026-11-20"}]}).json
    assert rep.post(f"{API}/expenses/{claim['id']}/submit").status_code == 200

    send_push_notifications(app)
    [waiting] = push_receiver.payloads_for(lead_phone)
    assert waiting["kind"] == "expense_waiting"
    assert waiting["url"] == "/approvals"
    assert [a["action"] for a in waiting["actions"]] == ["approve", "open"]
    request = waiting["requests"]["approve"]
    assert request == {"method": "POST", "url": f"/api/v1/expenses/{claim['id']}/approve",
                       "body": {"step": "lead"}}

    lead = client_for(world.lead_a)
    response = lead.open(request["method"], request["url"], json=request["body"])
    assert response.status_code == 200, response.json
    assert response.json["step"] == "finance"
    # Tapped again on an old notification: the claim moved on, nothing is decided twice.
    again = lead.open(request["method"], request["url"], json=request["body"])
    assert again.status_code == 409

    send_push_notifications(app)
    assert push_receiver.payloads_for(rep_phone) == []  # not approved until finance says so
    assert client_for(world.finance).post(
        f"{API}/expenses/{claim['id']}/approve", json={}).status_code == 200
    send_push_notifications(app)
    [approved] = push_receiver.payloads_for(rep_phone)
    assert approved["kind"] == "expense_approved"
    assert approved["requests"] == {}
    assert all(r.error is None for r in push_receiver.received)
