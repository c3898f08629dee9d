"""Leads: create, duplicates, pool, claim race, cap, release/assign, recycle, score."""
import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Lead, Notification
from app.models.base import utcnow
from app.jobs.leads import recycle_stale_leads
from app.jobs.worker import run_once
from app.services import settings as settings_service
from tests import factories
from tests.api.helpers import API, assert_error, count, ids, reload


def test_create_own_and_pool_leads_and_lists(world, client_for):
    rep = client_for(world.rep_a1)
    mine = rep.post(f"{API}/leads", json={"name": "Li Na", "company": "Acme Co., Ltd.",
                                          "phone": "138 0013 8000", "source": "referral"})
    assert mine.status_code == 201, mine.json
    assert mine.json["owner_id"] == str(world.rep_a1.id)
    assert mine.json["owner_name"] == "王伟"
    assert mine.json["phone_e164"] == "+8613800138000"
    pooled = rep.post(f"{API}/leads", json={"name": "Zhao", "pool": True})
    assert pooled.status_code == 201 and pooled.json["owner_id"] is None
    again = rep.post(f"{API}/leads", json={"id": mine.json["id"], "name": "Li Na"})
    assert again.status_code == 200 and again.json["id"] == mine.json["id"]
    assert ids(rep.get(f"{API}/leads").json["items"]) == [mine.json["id"]]
    assert ids(rep.get(f"{API}/leads?pool=true").json["items"]) == [pooled.json["id"]]
    other = client_for(world.rep_b1)
    assert other.get(f"{API}/leads").json["items"] == []
    assert ids(other.get(f"{API}/leads?pool=true").json["items"]) == [pooled.json["id"]]
    assert_error(other.get(f"{API}/leads/{mine.json['id']}"), 404)
    assert_error(other.patch(f"{API}/leads/{mine.json['id']}", json={"name": "x"}), 404)
    assert_error(other.post(f"{API}/leads/{mine.json['id']}/release"), 404)
    # the lead of the team sees the rep's lead
    assert ids(client_for(world.lead_a).get(f"{API}/leads").json["items"]) == [mine.json["id"]]
    assert client_for(world.lead_b).get(f"{API}/leads").json["items"] == []


def test_bad_input_is_422_and_nothing_is_stored(world, client_for):
    rep = client_for(world.rep_a1)
    assert_error(rep.post(f"{API}/leads", json={"name": "", "email": "nope",
                                                "source": "tv"}), 422,
                 ["name", "email", "source"])
    assert_error(rep.post(f"{API}/leads", json={"name": "x", "phone": "abc"}), 422, ["phone"])
    assert count(Lead) == 0


def test_duplicates_span_customers_and_open_leads_with_owner(world, client_for):
    factories.make_customer(world.rep_b1, name="ACME co ltd")
    factories.make_lead(world.rep_a2, name="Wei", company="Other", email="Wei+crm@Acme.cn")
    rep = client_for(world.rep_a1)
    found = rep.get(f"{API}/leads/duplicates?company=Acme%20Co.,%20Ltd.&email=wei@acme.cn")
    assert found.status_code == 200
    kinds = {(item["kind"], item["owner_name"]) for item in found.json["items"]}
    assert ("customer", world.rep_b1.name) in kinds
    assert ("lead", world.rep_a2.name) in kinds


def test_claim_release_assign_with_audit(world, client_for):
    lead = factories.make_lead(None, name="Pool lead")
    rep = client_for(world.rep_a1)
    claimed = rep.post(f"{API}/leads/{lead.id}/claim")
    assert claimed.status_code == 200 and claimed.json["owner_id"] == str(world.rep_a1.id)
    # a lead taken from the pool: the late claimer hears 409, not "never existed"
    assert_error(client_for(world.rep_b1).post(f"{API}/leads/{lead.id}/claim"), 409)
    released = rep.post(f"{API}/leads/{lead.id}/release")
    assert released.status_code == 200 and released.json["owner_id"] is None
    assert_error(rep.post(f"{API}/leads/{lead.id}/assign",
                          json={"owner_id": str(world.rep_a2.id)}), 403)
    lead_client = client_for(world.lead_a)
    assert_error(lead_client.post(f"{API}/leads/{lead.id}/assign",
                                  json={"owner_id": str(world.rep_b1.id)}), 403)
    assigned = lead_client.post(f"{API}/leads/{lead.id}/assign",
                                json={"owner_id": str(world.rep_a2.id)})
    assert assigned.status_code == 200 and assigned.json["owner_id"] == str(world.rep_a2.id)
    assert_error(lead_client.post(f"{API}/leads/{lead.id}/assign", json={}), 422, ["owner_id"])
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_id == lead.id).order_by(AuditEntry.created_at)).all()
    assert [a for a in actions if a != "created"] == ["claimed", "released", "assigned"]


def test_claim_race_exactly_one_wins(app, world, client_for):
    """Real concurrent requests (threads, each its own connection) on both databases."""
    reps = [world.rep_a1, world.rep_a2, world.rep_b1, world.lead_a]
    clients = [client_for(user) for user in reps]
    for round_no in range(3):
        lead = factories.make_lead(None, name=f"Hot lead {round_no}")
        barrier = threading.Barrier(len(clients))
        statuses = [None] * len(clients)
        url = f"{API}/leads/{lead.id}/claim"

        def claim(i, url=url, barrier=barrier, statuses=statuses):
            barrier.wait()
            statuses[i] = clients[i].post(url).status_code

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200, 409, 409, 409], statuses
        winner = reps[statuses.index(200)]
        assert reload(Lead, lead.id).owner_id == winner.id
        assert count(AuditEntry, AuditEntry.entity_id == lead.id,
                     AuditEntry.action == "claimed") == 1


def test_cap_is_409_naming_the_cap(world, client_for):
    settings_service.update_settings(world.admin, {"lead_cap": 2})
    db.session.commit()
    for _ in range(2):
        factories.make_lead(world.rep_a1)
    extra = factories.make_lead(None)
    body = assert_error(client_for(world.rep_a1).post(f"{API}/leads/{extra.id}/claim"), 409)
    assert "2 open leads" in body["message"]
    assert reload(Lead, extra.id).owner_id is None
    zh = client_for(world.rep_a1)
    zh.patch(f"{API}/users/{world.rep_a1.id}", json={"locale": "zh-CN"})
    assert "2 条" in zh.post(f"{API}/leads/{extra.id}/claim").json["message"]


def test_assigning_over_the_cap_is_409_naming_the_rep_and_the_cap(world, client_for):
    settings_service.update_settings(world.admin, {"lead_cap": 2})
    db.session.commit()
    for _ in range(2):
        factories.make_lead(world.rep_a2)
    extra = factories.make_lead(None)
    lead = client_for(world.lead_a)
    body = assert_error(lead.post(f"{API}/leads/{extra.id}/assign",
                                  json={"owner_id": str(world.rep_a2.id)}), 409)
    assert body["message"] == f"{world.rep_a2.name} already holds 2 open leads, the most allowed."
    assert reload(Lead, extra.id).owner_id is None
    lead.patch(f"{API}/users/{world.lead_a.id}", json={"locale": "zh-CN"})
    zh = lead.post(f"{API}/leads/{extra.id}/assign", json={"owner_id": str(world.rep_a2.id)})
    assert zh.json["message"] == f"{world.rep_a2.name} 已持有 2 条未结线索，已达上限。"
    # Someone under the cap can take it.
    assert lead.post(f"{API}/leads/{extra.id}/assign",
                     json={"owner_id": str(world.rep_a1.id)}).status_code == 200


def test_converted_and_unclaimed_leads_are_not_editable(world, client_for):
    pooled = factories.make_lead(None)
    assert_error(client_for(world.rep_a1).patch(f"{API}/leads/{pooled.id}",
                                                json={"name": "x"}), 403)
    mine = factories.make_lead(world.rep_a1)
    db.session.execute(Lead.__table__.update().where(Lead.id == mine.id)
                       .values(status="converted"))
    db.session.commit()
    assert_error(client_for(world.rep_a1).patch(f"{API}/leads/{mine.id}",
                                                json={"name": "x"}), 409)


def test_stale_if_match_is_412(world, client_for):
    lead = factories.make_lead(world.rep_a1)
    rep = client_for(world.rep_a1)
    assert rep.patch(f"{API}/leads/{lead.id}", json={"city": "Suzhou"}).status_code == 200
    assert_error(rep.patch(f"{API}/leads/{lead.id}", json={"city": "x"},
                           headers={"If-Match": '"1"'}), 412)


def _age(lead_id, days):
    then = utcnow() - timedelta(days=days)
    db.session.execute(Lead.__table__.update().where(Lead.id == lead_id)
                       .values(owned_since=then))
    db.session.commit()


def test_recycle_once_with_audit_and_notice(app, world, client_for):
    stale = factories.make_lead(world.rep_a1, name="Stale")
    fresh = factories.make_lead(world.rep_a1, name="Fresh")
    worked = factories.make_lead(world.rep_a1, name="Worked")
    _age(stale.id, 8)
    _age(worked.id, 8)
    client_for(world.rep_a1).post(f"{API}/activities", json={
        "kind": "call", "lead_id": str(worked.id),
        "occurred_at": (utcnow() - timedelta(days=1)).isoformat()})
    # the worker forgets the session after each job: keep plain ids
    stale_id, fresh_id, worked_id, rep_id = stale.id, fresh.id, worked.id, world.rep_a1.id
    assert run_once(app)["recycle_stale_leads"] == 1
    assert run_once(app)["recycle_stale_leads"] == 0
    assert reload(Lead, stale_id).owner_id is None
    assert reload(Lead, fresh_id).owner_id == rep_id
    assert reload(Lead, worked_id).owner_id == rep_id
    notices = db.session.scalars(select(Notification).where(
        Notification.kind == "lead_recycled")).all()
    assert [(n.user_id, n.params["lead"]) for n in notices] == [(rep_id, "Stale")]
    assert count(AuditEntry, AuditEntry.entity_id == stale_id,
                 AuditEntry.action == "recycled") == 1


def test_recycle_in_parallel_workers_recycles_once(app, world):
    leads = [factories.make_lead(world.rep_a1) for _ in range(5)]
    for lead in leads:
        _age(lead.id, 30)
    results = []

    def work():
        with app.app_context():
            results.append(recycle_stale_leads(app))
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 5
    assert count(Notification, Notification.kind == "lead_recycled") == 5
    assert count(AuditEntry, AuditEntry.action == "recycled") == 5


def test_score_has_an_explainable_breakdown(world, client_for):
    lead = factories.make_lead(world.rep_a1, source="referral", phone="13800138000",
                               email="a@b.cn")
    rep = client_for(world.rep_a1)
    body = rep.get(f"{API}/leads/{lead.id}").json
    points = {item["factor"]: item["points"] for item in body["score_breakdown"]}
    assert points == {"source": 30, "phone": 10, "email": 10, "company": 0, "recency": 0,
                      "activities": 0}
    assert body["score"] == 50
    for _ in range(2):
        assert rep.post(f"{API}/activities", json={"kind": "call",
                                                   "lead_id": str(lead.id)}).status_code == 201
    body = rep.get(f"{API}/leads/{lead.id}").json
    assert body["activity_count"] == 2
    assert body["score"] == 50 + 20 + 10
    assert sum(i["max"] for i in body["score_breakdown"]) == 100


def test_activity_on_someone_elses_lead_is_refused(world, client_for):
    lead = factories.make_lead(world.rep_b1)
    pooled = factories.make_lead(None)
    rep = client_for(world.rep_a1)
    assert_error(rep.post(f"{API}/activities", json={"kind": "call",
                                                     "lead_id": str(lead.id)}), 422, ["lead_id"])
    assert_error(rep.post(f"{API}/activities", json={"kind": "call", "lead_id": str(pooled.id)}),
                 422, ["lead_id"])
    assert_error(rep.get(f"{API}/leads/{uuid.uuid4()}"), 404)


def test_lead_lists_run_constant_statements(world, client_for, count_queries):
    client = client_for(world.lead_a)
    factories.make_lead(world.rep_a1)
    factories.make_lead(None)
    with count_queries() as small:
        assert client.get(f"{API}/leads").status_code == 200
    with count_queries() as small_pool:
        assert client.get(f"{API}/leads?pool=true").status_code == 200
    for i in range(30):
        factories.make_lead(world.rep_a1 if i % 2 else world.rep_a2, source="website")
        factories.make_lead(None)
    with count_queries() as big:
        assert len(client.get(f"{API}/leads?limit=50").json["items"]) == 31
    with count_queries() as big_pool:
        assert len(client.get(f"{API}/leads?pool=true&limit=50").json["items"]) == 31
    assert small.n == big.n == 2  # the session, the page with its owners' names
    assert small_pool.n == big_pool.n == 2


def test_lead_detail_is_not_kept_by_the_browser(world, client_for):
    """The ETag is the version, which a logged call leaves alone while the score moves: a
    browser that kept the detail would revalidate it into a stale copy (304)."""
    lead = factories.make_lead(world.rep_a1, notes="x" * 600)
    response = client_for(world.rep_a1).get(f"{API}/leads/{lead.id}",
                                            headers={"Accept-Encoding": "gzip"})
    assert response.headers["ETag"].startswith('"1')
    assert "no-store" in response.headers["Cache-Control"]
