"""Contacts: the people at a customer, their roles and who reports to whom."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Contact
from app.models.customers import CONTACT_ROLES
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload, walk


@pytest.fixture
def acme(world):
    return factories.make_customer(world.rep_a1, name="Acme")


def test_create_contact_with_every_field(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    contact_id = new_id()
    body = {"id": contact_id, "customer_id": str(acme.id), "name": "Zhang San",
            "title": "Purchasing manager", "phone": "021-6888-8888", "mobile": "138 0013 8000",
            "email": "Zhang@Acme.cn", "role": "decision_maker", "notes": "Prefers WeChat"}
    response = client.post(f"{API}/contacts", json=body)
    assert response.status_code == 201
    created = response.json
    for field in ("id", "customer_id", "name", "title", "phone", "mobile", "email", "role",
                  "notes"):
        assert created[field] == body[field], field
    assert created["phone_e164"] == "+862168888888"
    assert created["mobile_e164"] == "+8613800138000"
    assert created["reports_to_id"] is None
    assert created["version"] == 1 and response.headers["ETag"] == '"1"'
    assert reload(Contact, contact_id).email_norm == "zhang@acme.cn"
    # replay: 200, the stored one, nothing new
    again = client.post(f"{API}/contacts", json={**body, "name": "Changed"})
    assert again.status_code == 200 and again.json["name"] == "Zhang San"
    assert count(Contact) == 1


def test_every_contact_role_is_accepted_and_others_are_not(world, client_for, acme):
    client = client_for(world.rep_a1)
    for role in CONTACT_ROLES:
        response = client.post(f"{API}/contacts",
                               json={"customer_id": str(acme.id), "name": role, "role": role})
        assert response.status_code == 201 and response.json["role"] == role
    assert client.post(f"{API}/contacts", json={"customer_id": str(acme.id), "name": "none",
                                                "role": None}).status_code == 201
    for bad in ("boss", "CHAMPION", "", 1):
        response = client.post(f"{API}/contacts",
                               json={"customer_id": str(acme.id), "name": "x", "role": bad})
        assert_error(response, 422, ["role"])
    assert count(Contact) == len(CONTACT_ROLES) + 1


def test_invalid_contacts_are_422(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    base = {"customer_id": str(acme.id), "name": "Valid"}
    cases = [
        ({"name": ""}, "name"), ({"name": None}, "name"), ({"customer_id": None}, "customer_id"),
        ({"customer_id": "x"}, "customer_id"), ({"customer_id": new_id()}, "customer_id"),
        ({"phone": "abc"}, "phone"), ({"mobile": "12"}, "mobile"), ({"email": "no"}, "email"),
        ({"title": "t" * 121}, "title"), ({"reports_to_id": "x"}, "reports_to_id"),
        ({"reports_to_id": new_id()}, "reports_to_id"), ({"mobile_e164": "+1"}, "mobile_e164"),
        ({"age": 40}, "age"),
    ]
    for change, field in cases:
        assert_error(client.post(f"{API}/contacts", json={**base, **change}), 422, [field])
    for missing in ("customer_id", "name"):
        body = dict(base)
        del body[missing]
        assert_error(client.post(f"{API}/contacts", json=body), 422, [missing])
    assert count(Contact) == 0


def test_reports_to_must_be_same_customer_and_not_self(world, client_for, acme, new_id):
    client = client_for(world.rep_a1)
    other_customer = factories.make_customer(world.rep_a1, name="Other")
    boss = factories.make_contact(world.rep_a1, acme, name="Boss")
    stranger = factories.make_contact(world.rep_a1, other_customer, name="Stranger")
    ok = client.post(f"{API}/contacts", json={"customer_id": str(acme.id), "name": "Report",
                                              "reports_to_id": str(boss.id)})
    assert ok.status_code == 201 and ok.json["reports_to_id"] == str(boss.id)
    report_id = ok.json["id"]

    wrong = client.post(f"{API}/contacts", json={"customer_id": str(acme.id), "name": "X",
                                                 "reports_to_id": str(stranger.id)})
    assert_error(wrong, 422, ["reports_to_id"])
    self_id = new_id()
    itself = client.post(f"{API}/contacts", json={"id": self_id, "customer_id": str(acme.id),
                                                  "name": "Me", "reports_to_id": self_id})
    assert_error(itself, 422, ["reports_to_id"])

    url = f"{API}/contacts/{report_id}"
    assert_error(client.patch(url, json={"reports_to_id": report_id}), 422, ["reports_to_id"])
    assert_error(client.patch(url, json={"reports_to_id": str(stranger.id)}), 422,
                 ["reports_to_id"])
    assert reload(Contact, report_id).reports_to_id == boss.id
    # a deleted boss is no boss
    assert client.delete(f"{API}/contacts/{boss.id}").status_code == 204
    other_boss = factories.make_contact(world.rep_a1, acme, name="New boss")
    assert_error(client.post(f"{API}/contacts", json={"customer_id": str(acme.id), "name": "Y",
                                                      "reports_to_id": str(boss.id)}),
                 422, ["reports_to_id"])
    moved = client.patch(url, json={"reports_to_id": str(other_boss.id)})
    assert moved.status_code == 200 and moved.json["reports_to_id"] == str(other_boss.id)
    cleared = client.patch(url, json={"reports_to_id": None})
    assert cleared.status_code == 200 and cleared.json["reports_to_id"] is None
    assert count(Contact) == 4


def test_contact_on_a_customer_you_cannot_see_is_422_like_a_missing_one(world, client_for,
                                                                       new_id):
    theirs = factories.make_customer(world.rep_b1, name="Theirs")
    client = client_for(world.rep_a1)
    hidden = client.post(f"{API}/contacts", json={"customer_id": str(theirs.id), "name": "x"})
    missing = client.post(f"{API}/contacts", json={"customer_id": new_id(), "name": "x"})
    assert_error(hidden, 422, ["customer_id"])
    assert hidden.json == missing.json
    assert count(Contact) == 0


def test_same_contact_id_from_another_owner_is_409(world, client_for, acme, new_id):
    contact_id = new_id()
    client_for(world.rep_a1).post(f"{API}/contacts", json={"id": contact_id, "name": "Mine",
                                                           "customer_id": str(acme.id)})
    theirs = factories.make_customer(world.rep_b1, name="Theirs")
    response = client_for(world.rep_b1).post(
        f"{API}/contacts", json={"id": contact_id, "name": "Hijack", "customer_id": str(theirs.id)})
    assert_error(response, 409)
    stored = reload(Contact, contact_id)
    assert (stored.name, stored.customer_id) == ("Mine", acme.id)


def test_get_patch_delete_contact(world, client_for, acme):
    contact = factories.make_contact(world.rep_a1, acme, name="Li Si", phone="13800138000")
    client = client_for(world.rep_a1)
    url = f"{API}/contacts/{contact.id}"
    got = client.get(url)
    assert got.status_code == 200 and got.json["name"] == "Li Si"
    assert got.headers["ETag"] == '"1"'
    changed = client.patch(url, json={"title": "CEO", "mobile": "+1 212 555 0100",
                                      "role": "champion"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json["mobile_e164"] == "+12125550100"
    assert changed.json["version"] == 2 and changed.headers["ETag"] == '"2"'
    assert_error(client.patch(url, json={"title": "Stale"}, headers={"If-Match": '"1"'}), 412)
    assert_error(client.patch(url, json={"customer_id": str(acme.id)}), 422, ["customer_id"])
    assert_error(client.patch(url, json={"phone": "nope"}), 422, ["phone"])
    assert_error(client.patch(url, json={"name": None}), 422, ["name"])
    stored = reload(Contact, contact.id)
    assert (stored.title, stored.phone, stored.version) == ("CEO", "13800138000", 2)

    assert_error(client.delete(url, headers={"If-Match": '"1"'}), 412)
    assert reload(Contact, contact.id).deleted_at is None
    assert client.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert_error(client.get(url), 404)
    assert_error(client.patch(url, json={"title": "x"}), 404)
    assert_error(client.delete(url), 404)
    assert reload(Contact, contact.id).deleted_at is not None
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == contact.id))
    assert (entry.entity, entry.action, entry.actor_id) == ("contact", "deleted", world.rep_a1.id)
    assert client.get(f"{API}/contacts?customer_id={acme.id}").json["items"] == []


def test_list_contacts_by_customer_and_search_with_paging(world, client_for, acme):
    other = factories.make_customer(world.rep_a1, name="Other")
    names = [f"Person {i:02d}" for i in range(12)]
    for name in names:
        factories.make_contact(world.rep_a1, acme, name=name)
    elsewhere = factories.make_contact(world.rep_a1, other, name="Person elsewhere")
    factories.make_contact(world.rep_b1, factories.make_customer(world.rep_b1), name="Person B")
    client = client_for(world.rep_a1)
    items, pages = walk(client, f"{API}/contacts?customer_id={acme.id}", 5)
    assert [i["name"] for i in items] == names and pages == 3
    everything, _ = walk(client, f"{API}/contacts", 4)
    assert len(everything) == 13 and str(elsewhere.id) in ids(everything)
    found = client.get(f"{API}/contacts?q=ELSEWHERE").json["items"]
    assert ids(found) == [str(elsewhere.id)]
    assert client.get(f"{API}/contacts?q=%25").json["items"] == []
    assert_error(client.get(f"{API}/contacts?customer_id=not-a-uuid"), 422, ["customer_id"],
                 location="query")


def test_contacts_need_sign_in(world, anon, acme, new_id):
    contact = factories.make_contact(world.rep_a1, acme)
    assert_error(anon.get(f"{API}/contacts"), 401)
    assert_error(anon.post(f"{API}/contacts", json={"customer_id": str(acme.id), "name": "x"}),
                 401)
    assert_error(anon.get(f"{API}/contacts/{contact.id}"), 401)
    assert_error(anon.patch(f"{API}/contacts/{contact.id}", json={"name": "x"}), 401)
    assert_error(anon.delete(f"{API}/contacts/{contact.id}"), 401)
    assert count(Contact) == 1 and reload(Contact, contact.id).name != "x"


def test_missing_contact_is_404(world, client_for, new_id):
    client = client_for(world.manager)
    missing = new_id()
    assert_error(client.get(f"{API}/contacts/{missing}"), 404)
    assert_error(client.patch(f"{API}/contacts/{missing}", json={"name": "x"}), 404)
    assert_error(client.delete(f"{API}/contacts/{missing}"), 404)
    assert_error(client.get(f"{API}/contacts/not-a-uuid"), 404)
