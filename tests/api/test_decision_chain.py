"""Issue 13's decision chain: each contact on the card with its latest activity, who
reports to whom (no loops, same customer), and the buying roles a deal has touched."""
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import Contact, Opportunity
from tests import factories
from tests.api.helpers import API, assert_error, reload

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def test_card_contacts_carry_their_latest_activity(world, client_for, count_queries):
    from tests.api.test_query_counts import DETAIL_STATEMENTS

    rep = world.rep_a1
    customer = factories.make_customer(rep)
    buyer = factories.make_contact(rep, customer, name="Buyer", role="decision_maker")
    engineer = factories.make_contact(rep, customer, name="Engineer", role="user")
    silent = factories.make_contact(rep, customer, name="Silent", role="gatekeeper")
    for hours in (0, 5):
        factories.make_activity(rep, customer, kind="call", contact_id=buyer.id,
                                occurred_at=T0 + timedelta(hours=hours))
    factories.make_followup(rep, customer, contact_id=buyer.id,
                            due_at=T0 + timedelta(days=30))  # open: not yet happened
    late = factories.make_activity(rep, customer, kind="visit", contact_id=engineer.id,
                                   occurred_at=T0 + timedelta(days=3))
    factories.make_activity(rep, customer, kind="visit", contact_id=engineer.id,
                            occurred_at=T0 + timedelta(days=1))
    client = client_for(rep)
    assert client.delete(f"{API}/activities/{late.id}").status_code == 204
    ids = {name: str(c.id) for name, c in (("buyer", buyer), ("engineer", engineer),
                                           ("silent", silent))}
    url = f"{API}/customers/{customer.id}"
    with count_queries() as counted:
        card = client.get(url)
    assert counted.n == DETAIL_STATEMENTS
    latest = {c["id"]: c["last_activity_at"] for c in card.json["contacts"]}
    assert latest == {ids["buyer"]: (T0 + timedelta(hours=5)).isoformat(),
                      ids["engineer"]: (T0 + timedelta(days=1)).isoformat(),
                      ids["silent"]: None}
    for i in range(30):  # more contacts, more history: the same statements
        more = factories.make_contact(rep, customer, name=f"More {i:02d}", role="influencer")
        factories.make_activity(rep, customer, kind="call", contact_id=more.id)
    with count_queries() as again:
        assert len(client.get(url).json["contacts"]) == 33
    assert again.n == DETAIL_STATEMENTS
    full = client.get(f"{url}?fields=full").json
    assert {c["id"]: c["last_activity_at"] for c in full["contacts"]}[ids["buyer"]] == \
        latest[ids["buyer"]]


def test_reporting_lines_refuse_loops_and_other_customers(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep)
    other = factories.make_customer(rep)
    a, b, c = (factories.make_contact(rep, customer, name=n) for n in "ABC")
    stranger = factories.make_contact(rep, other, name="Stranger")
    client = client_for(rep)

    def reports(contact, boss):
        return client.patch(f"{API}/contacts/{contact.id}",
                            json={"reports_to_id": str(boss.id) if boss else None})

    assert reports(a, b).status_code == 200
    assert_error(reports(b, a), 422, ["reports_to_id"])             # A -> B -> A
    assert reports(b, c).status_code == 200
    assert_error(reports(c, a), 422, ["reports_to_id"])             # A -> B -> C -> A
    assert_error(reports(a, a), 422, ["reports_to_id"])
    assert_error(reports(c, stranger), 422, ["reports_to_id"])      # another customer's
    created = client.post(f"{API}/contacts", json={
        "customer_id": str(customer.id), "name": "New", "reports_to_id": str(stranger.id)})
    assert_error(created, 422, ["reports_to_id"])
    assert client.delete(f"{API}/contacts/{c.id}").status_code == 204
    assert_error(client.post(f"{API}/contacts", json={
        "customer_id": str(customer.id), "name": "New", "reports_to_id": str(c.id)}), 422,
        ["reports_to_id"])                                           # a deleted manager
    assert reload(Contact, b.id).reports_to_id == c.id and \
        reload(Contact, c.id).reports_to_id is None
    assert reports(a, None).status_code == 200
    assert reports(b, a).status_code == 200  # the loop is gone, so this is fine now
    assert client.post(f"{API}/contacts", json={
        "customer_id": str(customer.id), "name": "Assistant", "role": "gatekeeper",
        "reports_to_id": str(b.id)}).status_code == 201


def test_a_deal_shows_the_roles_it_touched_and_missed(world, client_for, count_queries):
    rep = world.rep_a1
    customer = factories.make_customer(rep)
    elsewhere = factories.make_customer(rep)
    deal = factories.make_opportunity(rep, customer)
    opened = reload(Opportunity, deal.id).created_at
    boss = factories.make_contact(rep, customer, name="Boss", role="decision_maker")
    fan = factories.make_contact(rep, customer, name="Fan", role="champion")
    adviser = factories.make_contact(rep, customer, name="Adviser", role="influencer")
    clerk = factories.make_contact(rep, customer, name="Clerk", role="user")
    factories.make_contact(rep, customer, name="Nobody", role="gatekeeper")
    other = factories.make_contact(rep, customer, name="Other", role="other")
    theirs = factories.make_contact(rep, elsewhere, name="Theirs", role="gatekeeper")
    after = opened + timedelta(minutes=5)
    factories.make_activity(rep, customer, kind="visit", contact_id=boss.id, occurred_at=after)
    factories.make_activity(rep, customer, kind="call", contact_id=fan.id, occurred_at=after)
    factories.make_activity(rep, customer, kind="call", contact_id=other.id, occurred_at=after)
    factories.make_activity(rep, elsewhere, kind="call", contact_id=theirs.id,
                            occurred_at=after)
    factories.make_activity(rep, customer, kind="call", contact_id=adviser.id,
                            occurred_at=opened - timedelta(days=2))  # before the deal
    gone = factories.make_activity(rep, customer, kind="call", contact_id=clerk.id,
                                   occurred_at=after)
    client = client_for(rep)
    assert client.delete(f"{API}/activities/{gone.id}").status_code == 204
    url = f"{API}/opportunities/{deal.id}"
    with count_queries() as counted:
        answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json["roles"] == {
        "touched": ["decision_maker", "champion"],
        "missing": ["influencer", "user", "gatekeeper"]}
    assert counted.n <= 4
    for i in range(20):
        more = factories.make_contact(rep, customer, name=f"User {i}", role="user")
        factories.make_activity(rep, customer, kind="call", contact_id=more.id,
                                occurred_at=after)
    with count_queries() as again:
        assert client.get(url).json["roles"]["touched"] == [
            "decision_maker", "champion", "user"]
    assert again.n == counted.n
    listed = client.get(f"{API}/opportunities?fields=full").json["items"]
    assert "roles" not in listed[0]
    db.session.rollback()
