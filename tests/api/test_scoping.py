"""Who sees what: a record outside your scope is exactly like a missing one (404), never
listed, never counted, never changed."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.models import Activity, Contact, Customer
from tests import factories
from tests.api.helpers import API, assert_error, ids, reload, walk

# (viewer, owner, viewer sees owner's records)
PAIRS = [
    ("rep_a1", "rep_b1", False),   # reps of different teams
    ("rep_b1", "rep_a1", False),
    ("rep_a1", "rep_a2", False),   # reps of the same team
    ("rep_a2", "rep_a1", False),
    ("lead_a", "rep_a1", True),    # a lead and their own team's rep
    ("rep_a1", "lead_a", False),   # ... but not the other way round
    ("lead_a", "rep_b1", False),   # a lead and another team's rep
    ("lead_b", "rep_a2", False),
    ("lead_a", "lead_b", False),
    ("manager", "rep_b1", True),   # the manager sees all
    ("admin", "rep_a1", True),
    ("finance", "rep_a1", False),  # finance and cashier own no customers of others
    ("cashier", "rep_b1", False),
]


def _records(owner):
    """A customer with a contact, a logged visit and an open follow-up, all ``owner``'s."""
    customer = factories.make_customer(owner, name="Scoped Co", city="Xiamen",
                                       phone="13700137000")
    contact = factories.make_contact(owner, customer, name="Scoped Person")
    visit = factories.make_activity(owner, customer, kind="visit", notes="scoped visit")
    followup = factories.make_followup(
        owner, customer, due_at=datetime.now(timezone.utc) + timedelta(hours=1))
    return customer, contact, visit, followup


@pytest.mark.parametrize("viewer_name,owner_name,visible", PAIRS,
                         ids=[f"{v}-{o}" for v, o, _ in PAIRS])
def test_scope_matrix(world, client_for, viewer_name, owner_name, visible):
    owner, viewer = getattr(world, owner_name), getattr(world, viewer_name)
    customer, contact, visit, followup = _records(owner)
    client = client_for(viewer)
    urls = {
        "customer": (Customer, customer.id, f"{API}/customers/{customer.id}", {"city": "Moved"}),
        "contact": (Contact, contact.id, f"{API}/contacts/{contact.id}", {"title": "Moved"}),
        "visit": (Activity, visit.id, f"{API}/activities/{visit.id}", {"notes": "Moved"}),
        "followup": (Activity, followup.id, f"{API}/activities/{followup.id}",
                     {"due_at": "2030-01-01T00:00:00+00:00"}),
    }
    lists = {
        "customer": [f"{API}/customers", f"{API}/customers?q=scoped",
                     f"{API}/customers?q=13700137000"],
        "contact": [f"{API}/contacts", f"{API}/contacts?customer_id={customer.id}",
                    f"{API}/contacts?q=scoped"],
        "visit": [f"{API}/activities", f"{API}/activities?customer_id={customer.id}",
                  f"{API}/activities?owner_id={owner.id}", f"{API}/activities?kind=visit"],
        "followup": [f"{API}/activities?open=true", f"{API}/activities?owner_id={owner.id}"],
    }
    listed = {name: [set(ids(walk(client, url, 2)[0])) for url in urls_]
              for name, urls_ in lists.items()}

    if visible:
        for name, (_, record_id, url, change) in urls.items():
            assert client.get(url).status_code == 200, name
            assert all(str(record_id) in found for found in listed[name]), name
            assert client.patch(url, json=change).status_code == 200, name
        detail = client.get(urls["customer"][2]).json
        assert ids(detail["contacts"]) == [str(contact.id)]
        assert ids(detail["timeline"]) == [str(visit.id)]
        assert ids(detail["followups"]) == [str(followup.id)]
        assert client.delete(urls["visit"][2]).status_code == 204
        assert client.delete(urls["customer"][2]).status_code == 204
        return

    missing = {name: client.get(url.rsplit("/", 1)[0] + f"/{uuid.uuid4()}").json
               for name, (_, _, url, _) in urls.items()}
    for name, (model, record_id, url, change) in urls.items():
        hidden = client.get(url)
        assert_error(hidden, 404)
        assert hidden.json == missing[name], name  # indistinguishable from a missing one
        assert not any(str(record_id) in found for found in listed[name]), name
        assert_error(client.patch(url, json=change), 404)
        assert_error(client.delete(url), 404)
        stored = reload(model, record_id)
        assert stored.version == 1 and stored.deleted_at is None, name
    # nothing can be hung on the hidden customer either, and that looks like a missing one
    for path, body in [("contacts", {"name": "Spy"}), ("activities", {"kind": "call"})]:
        hidden = client.post(f"{API}/{path}", json={**body, "customer_id": str(customer.id)})
        absent = client.post(f"{API}/{path}", json={**body, "customer_id": str(uuid.uuid4())})
        assert_error(hidden, 422, ["customer_id"])
        assert hidden.json == absent.json
    assert_error(client.post(f"{API}/activities", json={"kind": "call",
                                                        "completes_id": str(followup.id)}),
                 422, ["completes_id"])
    assert reload(Activity, followup.id).done_at is None
    # and the viewer's agenda neither shows nor counts it
    agenda = client.get(f"{API}/agenda").json
    assert agenda["counts"] == {"overdue": 0, "today": 0, "upcoming": 0}
    assert reload(Customer, customer.id).name == "Scoped Co"


def test_lead_sees_team_records_but_not_after_the_rep_leaves_the_team(world, client_for):
    customer, contact, visit, _ = _records(world.rep_a1)
    lead = client_for(world.lead_a)
    assert lead.get(f"{API}/customers/{customer.id}").status_code == 200
    admin = client_for(world.admin)
    assert admin.patch(f"{API}/users/{world.rep_a1.id}",
                       json={"team_id": str(world.team_b.id)}).status_code == 200
    for url in (f"{API}/customers/{customer.id}", f"{API}/contacts/{contact.id}",
                f"{API}/activities/{visit.id}"):
        assert_error(lead.get(url), 404)
    assert client_for(world.lead_b).get(f"{API}/customers/{customer.id}").status_code == 200


def test_activities_by_others_on_my_customer_show_on_my_card(world, client_for):
    customer = factories.make_customer(world.rep_a1, name="Shared history")
    lead_visit = factories.make_activity(world.lead_a, customer, kind="visit")
    rep = client_for(world.rep_a1)
    assert rep.get(f"{API}/activities/{lead_visit.id}").status_code == 200
    card = rep.get(f"{API}/customers/{customer.id}").json
    assert ids(card["timeline"]) == [str(lead_visit.id)]
    # but the other team's lead sees neither
    other = client_for(world.lead_b)
    assert_error(other.get(f"{API}/activities/{lead_visit.id}"), 404)


def test_reassigned_customer_leaves_the_old_owners_lists(world, client_for):
    customer, contact, _, _ = _records(world.rep_a1)
    client_for(world.manager).patch(f"{API}/customers/{customer.id}",
                                    json={"owner_id": str(world.rep_b1.id)})
    old = client_for(world.rep_a1)
    assert old.get(f"{API}/customers").json["items"] == []
    assert old.get(f"{API}/contacts").json["items"] == []
    assert_error(old.get(f"{API}/contacts/{contact.id}"), 404)
    new = client_for(world.rep_b1)
    assert ids(new.get(f"{API}/contacts").json["items"]) == [str(contact.id)]
