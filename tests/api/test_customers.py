"""Customers: create (idempotent), read with contacts and timeline, change, delete, list,
search and company-wide duplicates."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Customer
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload, walk

FULL = {
    "name": "Acme Co., Ltd.", "phone": "+86 138-0013-8000", "email": "Wei+crm@Acme.cn",
    "address": "1 Century Avenue, Pudong", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737,
    "industry": "Manufacturing", "source": "trade show", "status": "active",
    "tags": ["vip", "machinery"],
}


def _audit(entity_id, action):
    db.session.rollback()
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_id == entity_id, AuditEntry.action == action)).all()


# Create -------------------------------------------------------------------------------------

def test_create_customer_with_every_field(world, client_for):
    client = client_for(world.rep_a1)
    response = client.post(f"{API}/customers", json=FULL)
    assert response.status_code == 201
    body = response.json
    for field, value in FULL.items():
        assert body[field] == value, field
    assert body["phone_e164"] == "+8613800138000"
    assert body["owner_id"] == str(world.rep_a1.id)
    assert body["owner_name"] == "王伟"
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert body["created_at"].endswith("+00:00")
    stored = reload(Customer, body["id"])
    assert stored.name_norm == "acme" and stored.email_norm == "wei@acme.cn"


def test_create_customer_defaults(world, client_for):
    body = client_for(world.rep_a1).post(f"{API}/customers", json={"name": "Bare"}).json
    assert body["status"] == "prospect"
    assert body["tags"] == []
    assert body["phone"] is None and body["phone_e164"] is None and body["lat"] is None


def test_create_replay_with_same_id_returns_stored_record(world, client_for, new_id):
    client = client_for(world.rep_a1)
    customer_id = new_id()
    first = client.post(f"{API}/customers", json={**FULL, "id": customer_id})
    assert first.status_code == 201
    again = client.post(f"{API}/customers", json={**FULL, "id": customer_id})
    assert again.status_code == 200
    assert again.json == first.json
    # even with a different body, the stored record is what you get back, unchanged
    changed = client.post(f"{API}/customers", json={"id": customer_id, "name": "Other"})
    assert changed.status_code == 200 and changed.json["name"] == FULL["name"]
    assert count(Customer) == 1
    assert reload(Customer, customer_id).version == 1


def test_same_id_from_another_owner_is_409(world, client_for, new_id):
    customer_id = new_id()
    client_for(world.rep_a1).post(f"{API}/customers", json={**FULL, "id": customer_id})
    for other in (world.rep_a2, world.rep_b1, world.manager, world.admin):
        response = client_for(other).post(f"{API}/customers",
                                          json={"id": customer_id, "name": "Hijack"})
        assert_error(response, 409)
    stored = reload(Customer, customer_id)
    assert (stored.name, stored.owner_id, stored.version) == (FULL["name"], world.rep_a1.id, 1)
    assert count(Customer) == 1


def test_rep_cannot_give_a_new_customer_to_another_rep(world, client_for):
    client = client_for(world.rep_a1)
    for other in (world.rep_a2, world.rep_b1, world.lead_a):
        response = client.post(f"{API}/customers",
                               json={"name": "Gift", "owner_id": str(other.id)})
        assert_error(response, 403)
    assert count(Customer) == 0
    mine = client.post(f"{API}/customers", json={"name": "Mine",
                                                 "owner_id": str(world.rep_a1.id)})
    assert mine.status_code == 201


def test_lead_assigns_within_their_team_only(world, client_for):
    lead = client_for(world.lead_a)
    ok = lead.post(f"{API}/customers", json={"name": "For A1", "owner_id": str(world.rep_a1.id)})
    assert ok.status_code == 201
    assert ok.json["owner_id"] == str(world.rep_a1.id) and ok.json["owner_name"] == "王伟"
    assert_error(lead.post(f"{API}/customers",
                           json={"name": "For B1", "owner_id": str(world.rep_b1.id)}), 403)
    assert count(Customer) == 1


def test_lead_can_replay_a_create_given_to_their_rep(world, client_for, new_id):
    """An offline replay by the same sender is safe even when the record went to a rep."""
    lead = client_for(world.lead_a)
    body = {"id": new_id(), "name": "For A1", "owner_id": str(world.rep_a1.id)}
    assert lead.post(f"{API}/customers", json=body).status_code == 201
    again = lead.post(f"{API}/customers", json=body)
    assert again.status_code == 200 and again.json["id"] == body["id"]
    assert count(Customer) == 1


def test_manager_assigns_to_anyone_active(world, client_for, new_id):
    manager = client_for(world.manager)
    ok = manager.post(f"{API}/customers", json={"name": "B", "owner_id": str(world.rep_b1.id)})
    assert ok.status_code == 201
    assert_error(manager.post(f"{API}/customers", json={"name": "X", "owner_id": new_id()}),
                 422, ["owner_id"])
    client_for(world.admin).patch(f"{API}/users/{world.rep_a2.id}", json={"active": False})
    assert_error(manager.post(f"{API}/customers",
                              json={"name": "X", "owner_id": str(world.rep_a2.id)}),
                 422, ["owner_id"])
    assert count(Customer) == 1


INVALID_CUSTOMERS = [
    ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"name": None}, "name"),
    ({"name": 42}, "name"), ({"lat": 90.5}, "lat"), ({"lat": -91}, "lat"),
    ({"lat": "north"}, "lat"), ({"lng": 180.01}, "lng"), ({"lng": -200}, "lng"),
    ({"phone": "not a phone"}, "phone"), ({"phone": "12"}, "phone"),
    ({"phone": "+86 1"}, "phone"), ({"phone": "1" * 41}, "phone"),
    ({"email": "nope"}, "email"), ({"email": "a@"}, "email"), ({"status": "dead"}, "status"),
    ({"tags": "vip"}, "tags"), ({"tags": [""]}, "tags"), ({"tags": ["t"] * 21}, "tags"),
    ({"tags": ["x" * 41]}, "tags"), ({"owner_id": "me"}, "owner_id"), ({"id": "123"}, "id"),
    ({"colour": "red"}, "colour"), ({"phone_e164": "+1"}, "phone_e164"),
    ({"version": 3}, "version"), ({"owner_name": "x"}, "owner_name"),
    ({"city": "c" * 101}, "city"), ({"address": "a" * 301}, "address"),
]


def test_invalid_customers_are_422_with_field_errors(world, client_for):
    client = client_for(world.rep_a1)
    for change, field in INVALID_CUSTOMERS:
        body = {"name": "Valid", **change}
        assert_error(client.post(f"{API}/customers", json=body), 422, [field])
    missing = client.post(f"{API}/customers", json={"city": "Shanghai"})
    assert_error(missing, 422, ["name"])
    assert count(Customer) == 0


def test_malformed_json_is_400(world, client_for):
    client = client_for(world.rep_a1)
    for raw in ("{", '{"name": "x",}', "nul", "\xff\xfe", '{"name": "x"} x', "{'name': 'x'}"):
        response = client.post(f"{API}/customers", data=raw, content_type="application/json")
        assert_error(response, 400)
    assert count(Customer) == 0


def test_json_that_is_not_an_object_is_refused(world, client_for):
    client = client_for(world.rep_a1)
    for raw in ("[]", '"Acme"', "42", "null", "true"):
        response = client.post(f"{API}/customers", data=raw, content_type="application/json")
        assert response.status_code in (400, 422), raw
        assert_error(response, response.status_code)
    assert count(Customer) == 0


def test_customers_need_sign_in(world, anon, new_id):
    customer = factories.make_customer(world.rep_a1)
    assert_error(anon.get(f"{API}/customers"), 401)
    assert_error(anon.post(f"{API}/customers", json={"name": "x"}), 401)
    assert_error(anon.get(f"{API}/customers/{customer.id}"), 401)
    assert_error(anon.get(f"{API}/customers/{new_id()}"), 401)
    assert_error(anon.patch(f"{API}/customers/{customer.id}", json={"name": "x"}), 401)
    assert_error(anon.delete(f"{API}/customers/{customer.id}"), 401)
    assert_error(anon.get(f"{API}/customers/duplicates?name=x"), 401)
    assert count(Customer, Customer.deleted_at.is_(None)) == 1


# Read ---------------------------------------------------------------------------------------

def test_customer_detail_has_contacts_followups_and_timeline(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, **FULL)
    zhang = factories.make_contact(rep, customer, name="Zhang San", role="decision_maker")
    factories.make_contact(rep, customer, name="Li Si", role="user")
    gone = factories.make_contact(rep, customer, name="Gone")
    client = client_for(rep)
    assert client.delete(f"{API}/contacts/{gone.id}").status_code == 204
    now = datetime.now(timezone.utc)
    visit = factories.make_activity(rep, customer, kind="visit", notes="Met the buyer",
                                    occurred_at=now - timedelta(days=2))
    call = factories.make_activity(rep, customer, kind="call", occurred_at=now - timedelta(days=1))
    later = factories.make_followup(rep, customer, due_at=now + timedelta(days=3))
    sooner = factories.make_followup(rep, customer, due_at=now + timedelta(days=1),
                                     contact_id=zhang.id)
    done = factories.make_followup(rep, customer, due_at=now - timedelta(hours=5))
    client.patch(f"{API}/activities/{done.id}", json={"done_at": now.isoformat()})
    deleted = factories.make_activity(rep, customer, kind="note")
    client.delete(f"{API}/activities/{deleted.id}")
    other_customer = factories.make_customer(rep, name="Other")
    factories.make_activity(rep, other_customer, kind="call")

    response = client.get(f"{API}/customers/{customer.id}")
    assert response.status_code == 200
    body = response.json
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["name"] == FULL["name"] and body["owner_name"] == "王伟"
    assert [c["name"] for c in body["contacts"]] == ["Li Si", "Zhang San"]
    assert body["contacts"][1]["role"] == "decision_maker"
    assert ids(body["followups"]) == [str(sooner.id), str(later.id)]
    assert body["followups"][0]["contact_id"] == str(zhang.id)
    assert ids(body["timeline"]) == [str(done.id), str(call.id), str(visit.id)]
    assert body["timeline"][2]["notes"] == "Met the buyer"
    assert body["last_activity_at"] is not None


def test_customer_path_that_is_not_a_uuid_is_404(world, client_for):
    client = client_for(world.rep_a1)
    for bad in ("not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g"):
        assert_error(client.get(f"{API}/customers/{bad}"), 404)
        assert_error(client.patch(f"{API}/customers/{bad}", json={"name": "x"}), 404)
        assert_error(client.delete(f"{API}/customers/{bad}"), 404)


def test_missing_customer_is_404(world, client_for, new_id):
    client = client_for(world.manager)
    missing = new_id()
    assert_error(client.get(f"{API}/customers/{missing}"), 404)
    assert_error(client.patch(f"{API}/customers/{missing}", json={"name": "x"}), 404)
    assert_error(client.delete(f"{API}/customers/{missing}"), 404)
    assert count(Customer) == 0


# Update -------------------------------------------------------------------------------------

def test_patch_customer_changes_fields_and_version(world, client_for):
    customer = factories.make_customer(world.rep_a1, **FULL)
    client = client_for(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    response = client.patch(url, json={"name": "Globex Trading", "phone": "021 6888 8888",
                                       "tags": ["key"], "lat": None})
    assert response.status_code == 200
    body = response.json
    assert body["name"] == "Globex Trading" and body["phone_e164"] == "+862168888888"
    assert body["tags"] == ["key"] and body["lat"] is None
    assert body["version"] == 2 and response.headers["ETag"] == '"2"'
    assert body["city"] == "Shanghai"  # untouched fields stay
    stored = reload(Customer, customer.id)
    assert stored.name_norm == "globextrading" and stored.version == 2
    # the search uses the new name
    found = client.get(f"{API}/customers?q=globex").json["items"]
    assert ids(found) == [str(customer.id)]
    # clearing the phone clears its normal form
    cleared = client.patch(url, json={"phone": None}).json
    assert cleared["phone"] is None and cleared["phone_e164"] is None


def test_patch_without_changes_keeps_the_version(world, client_for):
    customer = factories.make_customer(world.rep_a1, name="Same")
    response = client_for(world.rep_a1).patch(f"{API}/customers/{customer.id}",
                                              json={"name": "Same"})
    assert response.status_code == 200 and response.json["version"] == 1


def test_patch_with_stale_if_match_is_412_and_changes_nothing(world, client_for):
    customer = factories.make_customer(world.rep_a1, **FULL)
    client = client_for(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    assert client.patch(url, json={"city": "Suzhou"}, headers={"If-Match": '"1"'}).status_code \
        == 200
    stale = client.patch(url, json={"city": "Hangzhou", "name": "Stale"},
                         headers={"If-Match": '"1"'})
    body = assert_error(stale, 412)
    assert "version 2" in body["message"]
    stored = reload(Customer, customer.id)
    assert (stored.city, stored.name, stored.version) == ("Suzhou", FULL["name"], 2)
    weak = client.patch(url, json={"city": "Ningbo"}, headers={"If-Match": 'W/"2"'})
    assert weak.status_code == 200 and weak.json["version"] == 3
    bare = client.patch(url, json={"city": "Wuxi"}, headers={"If-Match": "3"})
    assert bare.status_code == 200 and bare.json["version"] == 4
    star = client.patch(url, json={"city": "Any"}, headers={"If-Match": "*"})
    assert star.status_code == 200


def test_unparseable_if_match_is_400(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)
    for header in ("garbage", '"abc"', '"1", "2"', '"99999999999"'):
        assert_error(client.patch(f"{API}/customers/{customer.id}", json={"city": "X"},
                                  headers={"If-Match": header}), 400)
        assert_error(client.delete(f"{API}/customers/{customer.id}",
                                   headers={"If-Match": header}), 400)
    stored = reload(Customer, customer.id)
    assert stored.version == 1 and stored.deleted_at is None


def test_invalid_patch_is_422_and_changes_nothing(world, client_for):
    customer = factories.make_customer(world.rep_a1, **FULL)
    client = client_for(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    for change, field in [*INVALID_CUSTOMERS, ({"status": None}, "status"),
                          ({"tags": None}, "tags"), ({"owner_id": None}, "owner_id")]:
        if field == "id":
            change, field = {"id": "00000000-0000-0000-0000-000000000001"}, "id"
        assert_error(client.patch(url, json=change), 422, [field])
    stored = reload(Customer, customer.id)
    assert (stored.name, stored.phone, stored.version) == (FULL["name"], FULL["phone"], 1)


def test_owner_change_by_manager_is_audited(world, client_for):
    customer = factories.make_customer(world.rep_a1, **FULL)
    manager = client_for(world.manager)
    response = manager.patch(f"{API}/customers/{customer.id}",
                             json={"owner_id": str(world.rep_b1.id)})
    assert response.status_code == 200
    assert response.json["owner_id"] == str(world.rep_b1.id)
    [entry] = _audit(customer.id, "owner_changed")
    assert entry.entity == "customer"
    assert entry.actor_id == world.manager.id
    assert entry.changes == {"owner_id": [str(world.rep_a1.id), str(world.rep_b1.id)],
                             "open_followups_moved": [None, 0]}
    assert entry.created_at is not None
    # the record moved: the old owner no longer sees it, the new one does
    assert_error(client_for(world.rep_a1).get(f"{API}/customers/{customer.id}"), 404)
    assert client_for(world.rep_b1).get(f"{API}/customers/{customer.id}").status_code == 200


def test_lead_moves_customers_within_team_only(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    lead = client_for(world.lead_a)
    url = f"{API}/customers/{customer.id}"
    assert lead.patch(url, json={"owner_id": str(world.rep_a2.id)}).status_code == 200
    assert_error(lead.patch(url, json={"owner_id": str(world.rep_b1.id)}), 403)
    assert reload(Customer, customer.id).owner_id == world.rep_a2.id
    assert len(_audit(customer.id, "owner_changed")) == 1


def test_rep_cannot_give_their_customer_away(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)
    response = client.patch(f"{API}/customers/{customer.id}",
                            json={"owner_id": str(world.rep_a2.id), "name": "Renamed"})
    assert_error(response, 403)
    stored = reload(Customer, customer.id)
    assert (stored.owner_id, stored.name, stored.version) == (world.rep_a1.id, customer.name, 1)
    assert _audit(customer.id, "owner_changed") == []
    # giving it to yourself is a no-op, not an audit entry
    same = client.patch(f"{API}/customers/{customer.id}", json={"owner_id": str(world.rep_a1.id)})
    assert same.status_code == 200 and _audit(customer.id, "owner_changed") == []


# Delete -------------------------------------------------------------------------------------

def test_delete_is_soft_then_404_and_audited(world, client_for, new_id):
    customer = factories.make_customer(world.rep_a1, **FULL)
    contact = factories.make_contact(world.rep_a1, customer)
    client = client_for(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    response = client.delete(url)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(client.get(url), 404)
    assert_error(client.patch(url, json={"name": "Back"}), 404)
    assert_error(client.delete(url), 404)
    assert str(customer.id) not in ids(client.get(f"{API}/customers").json["items"])
    assert_error(client.get(f"{API}/contacts/{contact.id}"), 404)
    stored = reload(Customer, customer.id)
    assert stored.deleted_at is not None  # kept for history
    [entry] = _audit(customer.id, "deleted")
    assert entry.actor_id == world.rep_a1.id and entry.entity == "customer"
    assert entry.changes == {"name": [FULL["name"], None]}
    # a replayed create of the deleted id does not resurrect it
    assert_error(client.post(f"{API}/customers", json={"id": str(customer.id), "name": "x"}), 409)
    # nor can activities be logged on it
    assert_error(client.post(f"{API}/activities", json={"kind": "call",
                                                        "customer_id": str(customer.id)}),
                 422, ["customer_id"])


def test_delete_with_stale_if_match_is_412(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    client = client_for(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    client.patch(url, json={"city": "Suzhou"})
    assert_error(client.delete(url, headers={"If-Match": '"1"'}), 412)
    assert reload(Customer, customer.id).deleted_at is None
    assert _audit(customer.id, "deleted") == []
    assert client.delete(url, headers={"If-Match": '"2"'}).status_code == 204


# List and search ----------------------------------------------------------------------------

def test_list_walks_every_page_once_in_name_order(world, client_for):
    names = [f"Firm {i:02d}" for i in range(23)] + ["Same Name"] * 4
    made = [factories.make_customer(world.rep_a1, name=n) for n in reversed(names)]
    factories.make_customer(world.rep_b1, name="Not mine")
    client = client_for(world.rep_a1)
    for limit in (1, 5, 26, 27, 200):
        items, pages = walk(client, f"{API}/customers", limit)
        assert len(items) == 27 and len(set(ids(items))) == 27, limit
        assert set(ids(items)) == {str(c.id) for c in made}
        assert pages == -(-27 // limit)  # a full last page already says "no more"
        assert [i["name"] for i in items] == sorted(names)
    exact = client.get(f"{API}/customers?limit=27").json
    assert len(exact["items"]) == 27 and exact["next_cursor"] is None
    first = client.get(f"{API}/customers?limit=26").json
    assert first["next_cursor"] is not None
    rest = client.get(f"{API}/customers?limit=26&cursor={first['next_cursor']}").json
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_list_items_have_owner_name_and_default_limit_is_50(world, client_for):
    for i in range(52):
        factories.make_customer(world.rep_a1, name=f"C{i:03d}")
    body = client_for(world.rep_a1).get(f"{API}/customers").json
    assert len(body["items"]) == 50 and body["next_cursor"]
    assert {i["owner_name"] for i in body["items"]} == {"王伟"}


def test_search_by_name_city_phone_and_email(world, client_for):
    rep = world.rep_a1
    acme = factories.make_customer(rep, **FULL)
    globex = factories.make_customer(rep, name="Globex", city="Suzhou", phone="0512-6666-1234",
                                     email="sales@globex.com")
    initech = factories.make_customer(rep, name="Initech 有限公司", city="Hangzhou")
    factories.make_customer(world.rep_b1, name="Acme Rival", city="Shanghai",
                            phone="13800138000")
    client = client_for(rep)

    def search(q):
        response = client.get(f"{API}/customers", query_string={"q": q})
        assert response.status_code == 200, response.json
        return set(ids(response.json["items"]))

    assert search("acme") == {str(acme.id)}
    assert search("ACME co., ltd") == {str(acme.id)}
    assert search("shang") == {str(acme.id)}
    assert search("SUZHOU") == {str(globex.id)}
    assert search("138-0013-8000") == {str(acme.id)}
    assert search("+86 138 0013 8000") == {str(acme.id)}
    assert search("6666") == {str(globex.id)}
    assert search("wei@acme") == {str(acme.id)}
    assert search("globex.com") == {str(globex.id)}
    assert search("initech") == {str(initech.id)}
    assert search("zzz") == set()
    assert search("%") == set()
    assert search("_") == set()
    assert search("") == {str(acme.id), str(globex.id), str(initech.id)}
    assert search("   ") == {str(acme.id), str(globex.id), str(initech.id)}
    assert_error(client.get(f"{API}/customers", query_string={"q": "x" * 101}), 422, ["q"],
                 location="query")


def test_search_pages_too(world, client_for):
    for i in range(7):
        factories.make_customer(world.rep_a1, name=f"Match {i}", city="Ningbo")
        factories.make_customer(world.rep_a1, name=f"Other {i}", city="Wuxi")
    items, pages = walk(client_for(world.rep_a1), f"{API}/customers?q=ningbo", 3)
    assert sorted(i["name"] for i in items) == [f"Match {i}" for i in range(7)]
    assert pages == 3


# Duplicates ---------------------------------------------------------------------------------

def test_duplicates_match_normalised_name_phone_email_across_reps(world, client_for):
    acme = factories.make_customer(world.rep_a1, **FULL)
    factories.make_customer(world.rep_a1, name="Acme Tools", phone="13900139000",
                            email="tools@acme.cn")
    other = client_for(world.rep_b1)

    def dupes(**params):
        response = other.get(f"{API}/customers/duplicates", query_string=params)
        assert response.status_code == 200, response.json
        return response.json["items"]

    [by_name] = dupes(name="ACME co ltd")
    assert by_name["id"] == str(acme.id)
    assert by_name["owner_name"] == "王伟" and by_name["owner_id"] == str(world.rep_a1.id)
    assert by_name["matched_on"] == ["name"]
    assert by_name["city"] == "Shanghai"
    # nothing more than name, city and owner leaks
    assert set(by_name) == {"id", "name", "city", "owner_id", "owner_name", "matched_on"}
    [by_phone] = dupes(phone="13800138000")
    assert by_phone["id"] == str(acme.id) and by_phone["matched_on"] == ["phone"]
    assert dupes(phone="+86 (138) 0013 8000")[0]["id"] == str(acme.id)
    [by_email] = dupes(email="wei@acme.cn")
    assert by_email["matched_on"] == ["email"]
    assert dupes(email="WEI+other@ACME.CN")[0]["id"] == str(acme.id)
    [everything] = dupes(name="Acme Co Ltd", phone="13800138000", email="wei@acme.cn")
    assert everything["matched_on"] == ["name", "phone", "email"]
    # the record itself stays out of reach
    assert_error(other.get(f"{API}/customers/{acme.id}"), 404)
    raw = other.get(f"{API}/customers/duplicates",
                    query_string={"name": "acme", "phone": "13800138000"}).get_data(as_text=True)
    assert "13800138000" not in raw and "wei@acme.cn" not in raw.lower() and "Century" not in raw


def test_duplicates_via_contacts_and_excluding_deleted(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Contact Holder")
    factories.make_contact(rep, customer, name="Wang", mobile="139 0000 1111",
                           email="Wang@Holder.cn")
    gone = factories.make_customer(rep, name="Acme Co., Ltd.")
    client_for(rep).delete(f"{API}/customers/{gone.id}")
    other = client_for(world.rep_b1)
    items = other.get(f"{API}/customers/duplicates?phone=13900001111").json["items"]
    assert [(i["id"], i["matched_on"]) for i in items] == [(str(customer.id), ["contact"])]
    items = other.get(f"{API}/customers/duplicates?email=wang%40holder.cn").json["items"]
    assert ids(items) == [str(customer.id)]
    assert other.get(f"{API}/customers/duplicates?name=acme").json["items"] == []


def test_duplicates_with_nothing_useful_is_empty(world, client_for):
    factories.make_customer(world.rep_a1, **FULL)
    client = client_for(world.rep_b1)
    for query in ("", "?name=", "?phone=garbage", "?email=", "?name=zzz", "?phone=%2B",
                  "?email=%40", "?name=%25", "?unknown=1"):
        response = client.get(f"{API}/customers/duplicates{query}")
        assert response.status_code == 200, query
        assert response.json["items"] == [], query


def test_duplicates_bad_params_are_422(world, client_for):
    client = client_for(world.rep_a1)
    assert_error(client.get(f"{API}/customers/duplicates?name=" + "x" * 201), 422, ["name"],
                 location="query")
    assert_error(client.get(f"{API}/customers/duplicates?phone=" + "1" * 41), 422, ["phone"],
                 location="query")
