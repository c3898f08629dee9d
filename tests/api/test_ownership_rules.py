"""Rules about who owns what after the fact: reassignment, deletion, others' activities."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, AuditEntry, Contact
from tests.factories import make_activity, make_contact, make_customer, make_followup

API = "/api/v1"


def _agenda_ids(agenda):
    return {i["id"] for section in ("overdue", "today", "upcoming") for i in agenda[section]}


def test_reassigning_a_customer_hands_its_open_followups_to_the_new_owner(world, client_for):
    customer = make_customer(world.rep_a1)
    soon = datetime.now(timezone.utc) + timedelta(days=1)
    open_one = make_followup(world.rep_a1, customer, due_at=soon)
    done_one = make_followup(world.rep_a1, customer, due_at=soon)
    client_for(world.rep_a1).patch(f"{API}/activities/{done_one.id}",
                                   json={"done_at": soon.isoformat()})
    response = client_for(world.lead_a).patch(f"{API}/customers/{customer.id}",
                                              json={"owner_id": str(world.rep_a2.id)})
    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert db.session.get(Activity, open_one.id).owner_id == world.rep_a2.id
    assert db.session.get(Activity, done_one.id).owner_id == world.rep_a1.id  # history stays
    new_agenda = client_for(world.rep_a2).get(f"{API}/agenda?limit=100").json
    old_agenda = client_for(world.rep_a1).get(f"{API}/agenda?limit=100").json
    assert str(open_one.id) in _agenda_ids(new_agenda)
    assert str(open_one.id) not in _agenda_ids(old_agenda)
    audit = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_id == customer.id, AuditEntry.action == "owner_changed")).one()
    assert audit.changes["owner_id"] == [str(world.rep_a1.id), str(world.rep_a2.id)]
    assert audit.changes["open_followups_moved"] == [None, 1]


def test_a_deleted_customers_followups_leave_the_agenda(world, client_for):
    customer = make_customer(world.rep_a1)
    followup = make_followup(world.rep_a1, customer,
                             due_at=datetime.now(timezone.utc) + timedelta(hours=1))
    rep = client_for(world.rep_a1)
    assert str(followup.id) in _agenda_ids(rep.get(f"{API}/agenda").json)
    assert rep.delete(f"{API}/customers/{customer.id}").status_code == 204
    after = rep.get(f"{API}/agenda").json
    assert str(followup.id) not in _agenda_ids(after)
    assert sum(after["counts"].values()) == 0


def test_others_activities_on_my_customer_are_readable_not_writable(world, client_for):
    customer = make_customer(world.rep_a1)
    by_manager = make_activity(world.manager, customer, kind="visit", notes="manager visit")
    rep = client_for(world.rep_a1)
    assert rep.get(f"{API}/activities/{by_manager.id}").status_code == 200
    patched = rep.patch(f"{API}/activities/{by_manager.id}", json={"notes": "rewritten"})
    assert patched.status_code == 403
    assert rep.delete(f"{API}/activities/{by_manager.id}").status_code == 403
    db.session.expire_all()
    stored = db.session.get(Activity, by_manager.id)
    assert stored.notes == "manager visit" and stored.deleted_at is None
    # The rep's lead may change the rep's activities.
    mine = make_activity(world.rep_a1, customer, kind="call", notes="mine")
    assert client_for(world.lead_a).patch(f"{API}/activities/{mine.id}",
                                          json={"notes": "fixed"}).status_code == 200


def test_contacts_cannot_report_in_a_loop(world, client_for):
    customer = make_customer(world.rep_a1)
    a = make_contact(world.rep_a1, customer, name="A")
    b = make_contact(world.rep_a1, customer, name="B", reports_to_id=a.id)
    c = make_contact(world.rep_a1, customer, name="C", reports_to_id=b.id)
    response = client_for(world.rep_a1).patch(f"{API}/contacts/{a.id}",
                                              json={"reports_to_id": str(c.id)})
    assert response.status_code == 422
    assert "reports_to_id" in response.json["errors"]["json"]
    db.session.expire_all()
    assert db.session.get(Contact, a.id).reports_to_id is None


def test_only_admins_search_colleagues_by_email(world, client_for):
    local_part = world.rep_b1.email.split("@")[0]  # e.g. "rep17", not in anyone's name
    rep_hits = client_for(world.rep_a1).get(f"{API}/users?q={local_part}").json["items"]
    admin_hits = client_for(world.admin).get(f"{API}/users?q={local_part}").json["items"]
    assert all(local_part in u["name"] for u in rep_hits)
    assert str(world.rep_b1.id) in [u["id"] for u in admin_hits]


def test_digits_in_a_name_search_do_not_match_phone_numbers(world, client_for):
    make_customer(world.rep_a1, name="Jiahe Textile", phone="+86 512 1238 5555")
    harbour = make_customer(world.rep_a1, name="Harbour Logistics 1a2b38")
    rep = client_for(world.rep_a1)
    by_name = rep.get(f"{API}/customers?q=Harbour Logistics 1a2b38").json["items"]
    assert [c["id"] for c in by_name] == [str(harbour.id)]
    by_phone = rep.get(f"{API}/customers?q=1238 5555").json["items"]
    assert [c["name"] for c in by_phone] == ["Jiahe Textile"]
