"""Team activity and the leaderboard: the numbers, who is counted for whom (a rep sees
themself, a team lead their teams, a manager everyone), bad arguments, statement counts."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Activity
from tests import factories
from tests.api.helpers import API, assert_error

NOW = datetime.now(timezone.utc)


def _log(owner, kind, days_ago=1, **extra):
    factories.make_activity(owner, kind=kind, occurred_at=NOW - timedelta(days=days_ago),
                            **extra)


def _won(owner, amount, days_ago=1, currency="CNY"):
    factories.win_deal(owner, amount=Decimal(amount), currency=currency,
                       closed_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def busy(world):
    for kind in ("call", "call", "visit", "note"):
        _log(world.rep_a1, kind)
    _log(world.rep_a1, "call", days_ago=200)                # before the period
    _log(world.rep_a2, "visit")
    _log(world.rep_b1, "meeting")
    done = factories.make_followup(world.rep_a1, due_at=NOW - timedelta(days=2))
    db.session.get(Activity, done.id).done_at = NOW - timedelta(days=1)
    factories.make_followup(world.rep_a1, due_at=NOW + timedelta(days=1))  # still open
    db.session.commit()
    _won(world.rep_a1, "100.00")
    _won(world.rep_a2, "300.00")
    _won(world.rep_a2, "50.00", days_ago=200)              # before the period
    _won(world.rep_b1, "300.00")
    _won(world.rep_b1, "7.00", currency="USD")
    return world


def _people(client, report, query=""):
    response = client.get(f"{API}/reports/{report}{query}")
    assert response.status_code == 200, response.json
    return response.json["people"]


def test_activity_counts_by_kind_and_followups_done(busy, client_for):
    rows = {r["owner_name"]: r for r in _people(client_for(busy.manager), "activity")}
    a1 = rows[busy.rep_a1.name]
    assert a1["by_kind"] == {"call": 2, "visit": 1, "note": 1}
    assert (a1["total"], a1["followups_done"]) == (4, 1)
    assert rows[busy.rep_a2.name]["by_kind"] == {"visit": 1}
    assert list(rows)[0] == busy.rep_a1.name  # busiest first


def test_leaderboard_ranks_within_each_currency(busy, client_for):
    people = _people(client_for(busy.manager), "leaderboard")
    cny = {p["owner_name"]: (p["rank"], p["amount"], p["deals"])
           for p in people if p["currency"] == "CNY"}
    # A tie shares the rank; the 50.00 won before the period does not count.
    assert cny == {busy.rep_b1.name: (1, "300.00", 1), busy.rep_a2.name: (1, "300.00", 1),
                   busy.rep_a1.name: (3, "100.00", 1)}
    assert [p["rank"] for p in people if p["currency"] == "CNY"] == [1, 1, 3]
    usd = [(p["rank"], p["owner_name"], p["deals"]) for p in people if p["currency"] == "USD"]
    assert usd == [(1, busy.rep_b1.name, 1)]


@pytest.mark.parametrize("report", ["activity", "leaderboard"])
def test_each_sees_only_their_scope(busy, client_for, report):
    def names(user, query=""):
        return {p["owner_name"] for p in _people(client_for(user), report, query)}

    a1, a2, b1 = busy.rep_a1.name, busy.rep_a2.name, busy.rep_b1.name
    assert names(busy.rep_a1) == {a1}
    assert names(busy.rep_a1, f"?owner_id={busy.rep_b1.id}") == set()  # no leak
    assert names(busy.lead_a) == {a1, a2}
    assert names(busy.lead_b) == {b1}
    assert names(busy.manager, f"?team_id={busy.team_b.id}") == {b1}
    assert names(busy.cashier) == set()


@pytest.mark.parametrize("report", ["activity", "leaderboard"])
def test_bad_arguments_are_422(world, client_for, anon, report):
    rep = client_for(world.rep_a1)
    assert_error(rep.get(f"{API}/reports/{report}?from=2026-12-01&to=2026-01-01"), 422)
    assert_error(rep.get(f"{API}/reports/{report}?from=0001-01-01"), 422, location="query")
    assert_error(rep.get(f"{API}/reports/{report}?owner_id=x"), 422, ["owner_id"],
                 location="query")
    assert_error(anon.get(f"{API}/reports/{report}"), 401)


def test_statements_do_not_grow_with_the_data(world, client_for, count_queries):
    manager = client_for(world.manager)
    with count_queries() as empty_activity:
        manager.get(f"{API}/reports/activity")
    with count_queries() as empty_board:
        manager.get(f"{API}/reports/leaderboard")
    for rep in (world.rep_a1, world.rep_a2, world.rep_b1):
        for kind in ("call", "visit"):
            _log(rep, kind)
        _won(rep, "10.00")
    with count_queries() as activity:
        manager.get(f"{API}/reports/activity")
    with count_queries() as board:
        manager.get(f"{API}/reports/leaderboard")
    assert activity.n == empty_activity.n and board.n == empty_board.n
