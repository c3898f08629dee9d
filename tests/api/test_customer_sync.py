"""GET /customers?updated_since= (issue 13, the offline book): what changed in your book since
then, and what left it (deleted, or given to someone out of your sight), oldest first in
keyset pages, with the ``as_of`` to send next time; a removal never names a customer you
could not have seen; a phone that applies every page ends up with exactly the list."""
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.jobs.worker import run_once
from app.models import Customer, CustomerRemoval
from app.services.customer_sync import REMOVALS_KEPT, SYNC_OVERLAP
from tests import factories
from tests.api.helpers import API, assert_error, ids, walk

EPOCH = "2000-01-01T00:00:00Z"


def _since(client, since, **args):
    query = "&".join([f"updated_since={quote(since)}", *(f"{k}={v}" for k, v in args.items())])
    response = client.get(f"{API}/customers?{query}")
    assert response.status_code == 200, response.json
    return response.json


def _changed_at(customer, when):
    db.session.execute(update(Customer).where(Customer.id == customer.id)
                       .values(updated_at=when).execution_options(synchronize_session=False))
    db.session.commit()


def _removed(items):
    return {item["id"] for item in items if item.get("deleted")}


def _changed(items):
    return [item["id"] for item in items if not item.get("deleted")]


def test_changes_since_oldest_first_with_the_overlap(world, client_for):
    rep = world.rep_a1
    now = datetime.now(timezone.utc)
    old, recent, just_before = (factories.make_customer(rep, name=n)
                                for n in ("Old", "Recent", "Just before"))
    _changed_at(old, now - timedelta(hours=2))
    _changed_at(recent, now - timedelta(minutes=10))
    _changed_at(just_before, now - timedelta(minutes=30) - SYNC_OVERLAP / 2)
    body = _since(client_for(rep), (now - timedelta(minutes=30)).isoformat())
    # a write flushed just before the time asked about may have committed after it
    assert _changed(body["items"]) == [str(just_before.id), str(recent.id)]
    assert body["next_cursor"] is None
    as_of = datetime.fromisoformat(body["as_of"])
    assert now <= as_of <= datetime.now(timezone.utc)
    item = body["items"][1]
    assert "deleted" not in item and item["name"] == "Recent" and item["version"] == 1
    assert datetime.fromisoformat(item["updated_at"]) == now - timedelta(minutes=10)


def test_a_deleted_customer_comes_back_as_a_removal(world, client_for):
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Gone")
    client = client_for(rep)
    before = datetime.now(timezone.utc)
    assert client.delete(f"{API}/customers/{customer.id}").status_code == 204
    items = _since(client, before.isoformat())["items"]
    assert len(items) == 1
    assert set(items[0]) == {"id", "deleted", "updated_at"}
    assert items[0]["id"] == str(customer.id) and items[0]["deleted"] is True
    assert datetime.fromisoformat(items[0]["updated_at"]) >= before
    # the team lead saw it through the rep, the manager saw everything: both drop it
    assert _removed(_since(client_for(world.lead_a), EPOCH)["items"]) == {str(customer.id)}
    assert _removed(_since(client_for(world.manager), EPOCH)["items"]) == {str(customer.id)}
    # another team never saw it
    assert _since(client_for(world.lead_b), EPOCH)["items"] == []
    assert _since(client_for(world.rep_a2), EPOCH)["items"] == []


def test_a_reassignment_is_a_removal_only_for_those_who_lose_sight(world, client_for):
    customer = factories.make_customer(world.rep_a1, name="Moving")
    manager = client_for(world.manager)
    assert manager.patch(f"{API}/customers/{customer.id}",
                         json={"owner_id": str(world.rep_b1.id)}).status_code == 200
    cid = str(customer.id)

    def seen(user):
        items = _since(client_for(user), EPOCH)["items"]
        return _changed(items), _removed(items)

    assert seen(world.rep_a1) == ([], {cid})
    assert seen(world.lead_a) == ([], {cid})
    assert seen(world.rep_b1) == ([cid], set())
    assert seen(world.lead_b) == ([cid], set())
    assert seen(world.manager) == ([cid], set())
    assert seen(world.rep_a2) == ([], set())     # never had it: not even its id


def test_a_move_inside_a_team_is_a_change_for_its_lead(world, client_for):
    customer = factories.make_customer(world.rep_a1, name="Inside")
    lead = client_for(world.lead_a)
    assert lead.patch(f"{API}/customers/{customer.id}",
                      json={"owner_id": str(world.rep_a2.id)}).status_code == 200
    items = _since(lead, EPOCH)["items"]
    assert ids(items) == [str(customer.id)] and not _removed(items)
    assert items[0]["owner_id"] == str(world.rep_a2.id)
    assert _removed(_since(client_for(world.rep_a1), EPOCH)["items"]) == {str(customer.id)}
    # and back: the first owner has it again, as a change after the removal
    assert lead.patch(f"{API}/customers/{customer.id}",
                      json={"owner_id": str(world.rep_a1.id)}).status_code == 200
    assert _since(client_for(world.rep_a1), EPOCH)["items"][-1]["id"] == str(customer.id)
    assert not _removed(_since(client_for(world.rep_a1), EPOCH)["items"])


def test_pages_walk_changes_and_removals_in_one_order(world, client_for):
    rep = world.rep_a1
    client = client_for(rep)
    made = [factories.make_customer(rep, name=f"Book {i}") for i in range(7)]
    for customer in made[:2]:
        assert client.delete(f"{API}/customers/{customer.id}").status_code == 204
    items, pages = walk(client, f"{API}/customers?updated_since={quote(EPOCH)}", 2)
    assert pages == 4
    assert set(_changed(items)) == {str(c.id) for c in made[2:]}
    assert _removed(items) == {str(c.id) for c in made[:2]}
    stamps = [item["updated_at"] for item in items]
    assert [datetime.fromisoformat(s) for s in stamps] == sorted(
        datetime.fromisoformat(s) for s in stamps)
    first = _since(client, EPOCH, limit=2)
    second = _since(client, EPOCH, limit=2, cursor=first["next_cursor"])
    assert first["as_of"] == second["as_of"]     # one walk, one as_of


def test_a_phone_applying_the_sync_ends_up_with_the_list(world, client_for):
    """The IndexedDB client in a few lines: put changed items (higher version wins), drop
    removals; sync, change things, sync from as_of again."""
    rep, manager = world.rep_a1, client_for(world.manager)
    client = client_for(rep)
    book, since = {}, EPOCH

    def sync():
        nonlocal since
        cursor, as_of = None, None
        while True:
            body = _since(client, since, limit=3, **({"cursor": cursor} if cursor else {}))
            for item in body["items"]:
                if item.get("deleted"):
                    book.pop(item["id"], None)
                elif item["version"] >= book.get(item["id"], {}).get("version", 0):
                    book[item["id"]] = item
            as_of, cursor = body["as_of"], body["next_cursor"]
            if cursor is None:
                since = as_of
                return

    made = [factories.make_customer(rep, name=f"Phone {i}") for i in range(5)]
    sync()
    assert client.patch(f"{API}/customers/{made[0].id}", json={"city": "Hangzhou"}
                        ).status_code == 200
    assert client.delete(f"{API}/customers/{made[1].id}").status_code == 204
    assert manager.patch(f"{API}/customers/{made[2].id}",
                         json={"owner_id": str(world.rep_b1.id)}).status_code == 200
    given = factories.make_customer(world.rep_b1, name="Given to the rep")
    assert manager.patch(f"{API}/customers/{given.id}",
                         json={"owner_id": str(rep.id)}).status_code == 200
    factories.make_customer(rep, name="New one")
    sync()
    listed, _ = walk(client, f"{API}/customers", 50)
    assert {i: book[i]["version"] for i in book} == {i["id"]: i["version"] for i in listed}
    assert book[str(made[0].id)]["city"] == "Hangzhou"


@pytest.mark.parametrize("query, field", [
    ("updated_since=yesterday", "updated_since"),
    ("updated_since=2026-12-01T10:00:00", "updated_since"),          # no offset
    ("updated_since=0001-01-01T00:00:00Z", "updated_since"),
    (f"updated_since={quote(EPOCH)}&q=abc", "q"),
    (f"updated_since={quote(EPOCH)}&fields=full", "fields"),
    (f"updated_since={quote(EPOCH)}&cursor=nonsense", "cursor"),
    (f"updated_since={quote(EPOCH)}&limit=201", "limit"),
])
def test_bad_sync_requests_are_422(world, client_for, query, field):
    response = client_for(world.rep_a1).get(f"{API}/customers?{query}")
    assert_error(response, 422, [field], location="query")


def test_a_cursor_of_the_name_list_is_refused(world, client_for):
    client = client_for(world.rep_a1)
    for i in range(3):
        factories.make_customer(world.rep_a1, name=f"Named {i}")
    cursor = client.get(f"{API}/customers?limit=1").json["next_cursor"]
    response = client.get(f"{API}/customers?updated_since={quote(EPOCH)}&cursor={cursor}")
    assert_error(response, 422, ["cursor"], location="query")


@pytest.mark.parametrize("who", ["rep_a1", "lead_a", "manager"])
def test_statements_do_not_grow_with_the_changes(world, client_for, count_queries, who):
    client = client_for(getattr(world, who))
    first_id = str(factories.make_customer(world.rep_a1, name="First").id)
    with count_queries() as few:
        assert ids(_since(client, EPOCH)["items"]) == [first_id]
    for i in range(40):
        customer = factories.make_customer(world.rep_a1, name=f"More {i}")
        factories.make_followup(world.rep_a1, customer)
        if i % 4 == 0:
            customer_id = customer.id
            db.session.expire_all()
            client_for(world.manager).delete(f"{API}/customers/{customer_id}")
    with count_queries() as many:
        body = _since(client, EPOCH, limit=30)
    assert len(body["items"]) == 30 and _removed(body["items"])
    # the session, the page of changes and removals, the changed customers' rows
    assert few.n == many.n == 3, many.statements
    with count_queries() as nothing:
        later = datetime.now(timezone.utc) + 2 * SYNC_OVERLAP
        assert _since(client, later.isoformat())["items"] == []
    assert nothing.n == 2


def test_a_sync_older_than_the_removals_kept_is_410_and_a_first_download_is_not(
        world, client_for):
    """A phone away for longer than removals are kept could miss one: 410, in the reader's
    language, and it downloads its book again; a first download (from 2000) is answered."""
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Kept")
    client = client_for(rep)
    stale = datetime.now(timezone.utc) - REMOVALS_KEPT - timedelta(minutes=5)
    response = client.get(f"{API}/customers?updated_since={quote(stale.isoformat())}")
    assert_error(response, 410)
    assert "90" in response.json["message"]
    zh_rep = factories.make_user("rep", world.team_a, locale="zh-CN")
    zh = client_for(zh_rep).get(f"{API}/customers?updated_since={quote(stale.isoformat())}")
    assert zh.status_code == 410 and "重新下载" in zh.json["message"]
    # just inside the time kept: answered
    recent = datetime.now(timezone.utc) - REMOVALS_KEPT + SYNC_OVERLAP + timedelta(minutes=5)
    assert _changed(_since(client, recent.isoformat())["items"]) == [str(customer.id)]
    assert _changed(_since(client, EPOCH)["items"]) == [str(customer.id)]
    assert _changed(_since(client, "1970-01-01T00:00:00Z")["items"]) == [str(customer.id)]


def test_the_worker_forgets_removals_older_than_the_time_kept(app, world, client_for):
    rep = world.rep_a1
    old, recent = (factories.make_customer(rep, name=n).id
                   for n in ("Old gone", "Recent gone"))
    client = client_for(rep)
    for customer_id in (old, recent):
        assert client.delete(f"{API}/customers/{customer_id}").status_code == 204
    db.session.execute(update(CustomerRemoval).where(CustomerRemoval.customer_id == old)
                       .values(removed_at=datetime.now(timezone.utc) - REMOVALS_KEPT
                               - timedelta(hours=1)))
    db.session.commit()
    assert run_once(app)["prune_old_removals"] == 1
    assert run_once(app)["prune_old_removals"] == 0
    assert db.session.scalars(select(CustomerRemoval.customer_id)).all() == [recent]
    assert _removed(_since(client, EPOCH)["items"]) == {str(recent)}


def test_a_rep_moving_team_makes_both_leads_download_their_book_again(world, client_for):
    """A rep's customers do not change when the rep changes team, so no change or removal
    would reach the leads: their phones' books (synced before) are refused with 410, a
    first download then has the new team's customers; the rep's own and a manager's go on."""
    customer = factories.make_customer(world.rep_a1, name="Moves with the rep")
    client_for(world.lead_a), client_for(world.lead_b)
    synced = {who: _since(client_for(getattr(world, who)), EPOCH)["as_of"]
              for who in ("lead_a", "lead_b", "rep_a1", "manager")}
    answer = client_for(world.admin).patch(f"{API}/users/{world.rep_a1.id}",
                                           json={"team_id": str(world.team_b.id)})
    assert answer.status_code == 200, answer.json
    for who in ("lead_a", "lead_b"):
        response = client_for(getattr(world, who)).get(
            f"{API}/customers?updated_since={quote(synced[who])}")
        assert_error(response, 410)
        assert "download the offline book again" in response.json["message"]
    assert str(customer.id) in ids(_since(client_for(world.lead_b), EPOCH)["items"])
    assert str(customer.id) not in ids(_since(client_for(world.lead_a), EPOCH)["items"])
    for who in ("rep_a1", "manager"):
        _since(client_for(getattr(world, who)), synced[who])  # answered (200)


def test_a_new_team_lead_downloads_the_book_again(world, client_for):
    synced = _since(client_for(world.lead_b), EPOCH)["as_of"]
    before = _since(client_for(world.lead_a), EPOCH)["as_of"]
    answer = client_for(world.admin).patch(f"{API}/teams/{world.team_a.id}",
                                           json={"lead_id": str(world.lead_b.id)})
    assert answer.status_code == 200, answer.json
    for lead, since in ((world.lead_b, synced), (world.lead_a, before)):
        assert_error(client_for(lead).get(f"{API}/customers?updated_since={quote(since)}"),
                     410)
