"""The activity report over the daily rollup: every write through the API moves the rollup
in the same transaction (create, edit to another day, complete and un-complete, delete, a
customer handed over with its follow-ups), the report stays scoped, costs the same whatever
the data, and its plan reads the rollup's indexes, never the activities."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import ActivityDaily
from app.services import reports
from tests.plans import captured_statements, plan_text
from tests import factories
from tests.api.helpers import API
from tests.rollups import oracle, rollup

# 10:00 in Shanghai on a fixed day, well inside any period the tests ask for
MORNING = datetime(2026, 10, 14, 2, 0, tzinfo=timezone.utc)
DAY = date(2026, 10, 14)
PERIOD = "from=2026-10-01&to=2026-10-31"


def _post(client, **body):
    response = client.post(f"{API}/activities", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _patch(client, activity_id, **body):
    response = client.patch(f"{API}/activities/{activity_id}", json=body)
    assert response.status_code == 200, response.json
    return response.json


def _activity_report(client, query=PERIOD):
    response = client.get(f"{API}/reports/activity?{query}")
    assert response.status_code == 200, response.json
    return {p["owner_name"]: (p["by_kind"], p["followups_done"]) for p in response.json["people"]}


def test_a_logged_visit_counts_on_its_day_and_moves_with_its_time(world, client_for):
    rep = client_for(world.rep_a1)
    visit = _post(rep, kind="visit", occurred_at=MORNING.isoformat())
    _post(rep, kind="call", occurred_at=MORNING.isoformat())
    assert rollup() == {(world.rep_a1.id, DAY): {"visit": 1, "call": 1}}
    # 23:30 in Shanghai on the 15th is still the 15th there (15:30 UTC)
    late = datetime(2026, 10, 15, 15, 30, tzinfo=timezone.utc)
    _patch(rep, visit["id"], occurred_at=late.isoformat())
    assert rollup() == {(world.rep_a1.id, DAY): {"call": 1},
                        (world.rep_a1.id, date(2026, 10, 15)): {"visit": 1}}
    assert _activity_report(rep, "from=2026-10-15&to=2026-10-15") == {
        world.rep_a1.name: ({"visit": 1}, 0)}
    assert rollup() == oracle()


def test_completing_and_uncompleting_a_followup(world, client_for):
    rep = client_for(world.rep_a1)
    logged = _post(rep, kind="call", occurred_at=MORNING.isoformat(),
                   next={"kind": "visit", "due_at": (MORNING + timedelta(days=2)).isoformat()})
    followup_id = logged["followup"]["id"]
    assert rollup() == {(world.rep_a1.id, DAY): {"call": 1}}  # an open follow-up: nothing
    done_at = MORNING + timedelta(days=1)
    _patch(rep, followup_id, done_at=done_at.isoformat())
    assert rollup() == {(world.rep_a1.id, DAY): {"call": 1},
                        (world.rep_a1.id, DAY + timedelta(days=1)): {"followups_done": 1}}
    assert _activity_report(rep) == {world.rep_a1.name: ({"call": 1}, 1)}
    _patch(rep, followup_id, done_at=None)
    assert rollup() == {(world.rep_a1.id, DAY): {"call": 1}}
    assert _activity_report(rep) == {world.rep_a1.name: ({"call": 1}, 0)}


def test_logging_a_visit_that_completes_a_followup(world, client_for):
    """One request, two activities: the visit and the follow-up it completes, both counted
    (one upsert, the same owner and day)."""
    rep = client_for(world.rep_a1)
    followup = factories.make_followup(world.rep_a1, due_at=MORNING + timedelta(hours=1))
    _post(rep, kind="visit", occurred_at=MORNING.isoformat(), completes_id=str(followup.id))
    assert rollup() == {(world.rep_a1.id, DAY): {"visit": 1, "followups_done": 1}}
    assert rollup() == oracle()


def test_a_deleted_activity_no_longer_counts(world, client_for):
    rep = client_for(world.rep_a1)
    kept = _post(rep, kind="meeting", occurred_at=MORNING.isoformat())
    gone = _post(rep, kind="meeting", occurred_at=MORNING.isoformat())
    assert rep.delete(f"{API}/activities/{gone['id']}").status_code == 204
    assert rollup() == {(world.rep_a1.id, DAY): {"meeting": 1}}
    assert rep.delete(f"{API}/activities/{kept['id']}").status_code == 204
    assert rollup() == {}
    # the row left with zeros is not a person in the report
    assert _activity_report(client_for(world.manager)) == {}


def test_a_customer_handed_over_takes_its_counted_followups_along(world, client_for):
    """A call logged with a due time counts when it happened and stays an open follow-up;
    when the lead gives the customer to another rep, the follow-up (and its count) moves to
    them in the same transaction."""
    rep = client_for(world.rep_a1)
    customer = factories.make_customer(world.rep_a1)
    _post(rep, kind="call", customer_id=str(customer.id), occurred_at=MORNING.isoformat(),
          due_at=(MORNING + timedelta(days=3)).isoformat())
    _post(rep, kind="visit", customer_id=str(customer.id), occurred_at=MORNING.isoformat())
    moved = client_for(world.lead_a).patch(f"{API}/customers/{customer.id}",
                                           json={"owner_id": str(world.rep_a2.id)})
    assert moved.status_code == 200, moved.json
    assert rollup() == {(world.rep_a1.id, DAY): {"visit": 1},
                        (world.rep_a2.id, DAY): {"call": 1}}
    assert rollup() == oracle()


def test_days_are_the_owners_and_the_reader_sees_them_as_such(world, client_for):
    """A visit at 07:00 on 1 October in Shanghai (23:00 on 30 September UTC) is a 1 October
    visit for its owner, so for every reader: a New York manager finds it in October."""
    early = datetime(2026, 9, 30, 23, 0, tzinfo=timezone.utc)
    factories.make_activity(world.rep_a1, kind="visit", occurred_at=early)
    new_york = factories.make_user("manager", timezone_name="America/New_York")
    reader = client_for(new_york)
    assert _activity_report(reader, "from=2026-10-01&to=2026-10-01") == {
        world.rep_a1.name: ({"visit": 1}, 0)}
    assert _activity_report(reader, "from=2026-09-30&to=2026-09-30") == {}


def test_a_new_timezone_moves_the_owners_days(world, client_for):
    """The rollup keeps the owner's local day; when the owner's timezone changes their rows
    are counted again in the same transaction."""
    early = datetime(2026, 9, 30, 23, 0, tzinfo=timezone.utc)  # 1 Oct in Shanghai
    factories.make_activity(world.rep_a1, kind="visit", occurred_at=early)
    response = client_for(world.admin).patch(f"{API}/users/{world.rep_a1.id}",
                                             json={"timezone": "Europe/London"})
    assert response.status_code == 200, response.json
    assert rollup() == {(world.rep_a1.id, date(2026, 10, 1)): {"visit": 1}}  # 00:00 BST
    client_for(world.admin).patch(f"{API}/users/{world.rep_a1.id}",
                                  json={"timezone": "America/New_York"})
    assert rollup() == {(world.rep_a1.id, date(2026, 9, 30)): {"visit": 1}}
    assert rollup() == oracle()


# Scope --------------------------------------------------------------------------------------

@pytest.fixture
def everyone_busy(world):
    for user, kind in ((world.rep_a1, "call"), (world.rep_a2, "visit"),
                       (world.rep_b1, "email"), (world.lead_a, "note")):
        factories.make_activity(user, kind=kind, occurred_at=MORNING)
    return world


def test_each_reader_counts_only_their_scope(everyone_busy, client_for):
    w = everyone_busy

    def names(user, query=PERIOD):
        return set(_activity_report(client_for(user), query))

    a1, a2, b1, lead = w.rep_a1.name, w.rep_a2.name, w.rep_b1.name, w.lead_a.name
    assert names(w.rep_a1) == {a1}
    assert names(w.rep_a1, f"{PERIOD}&owner_id={w.rep_b1.id}") == set()
    assert names(w.rep_a1, f"{PERIOD}&team_id={w.team_b.id}") == set()
    assert names(w.lead_a) == {lead, a1, a2}
    assert names(w.lead_a, f"{PERIOD}&owner_id={w.rep_b1.id}") == set()
    assert names(w.lead_b) == {b1}
    assert names(w.manager) == {lead, a1, a2, b1}
    assert names(w.manager, f"{PERIOD}&team_id={w.team_b.id}") == {b1}
    assert names(w.manager, f"{PERIOD}&owner_id={w.rep_a2.id}") == {a2}
    assert names(w.cashier) == set() and names(w.finance) == set()
    rows = _activity_report(client_for(w.lead_a))
    assert rows[a1] == ({"call": 1}, 0) and rows[a2] == ({"visit": 1}, 0)


@pytest.mark.parametrize("reader", ["rep_a1", "lead_a", "manager"])
def test_statements_are_constant(world, client_for, count_queries, reader):
    client = client_for(getattr(world, reader))
    with count_queries() as empty:
        _activity_report(client)
    for rep in (world.rep_a1, world.rep_a2, world.rep_b1):
        for days in range(5):
            for kind in ("call", "visit", "note"):
                factories.make_activity(rep, kind=kind, occurred_at=MORNING + timedelta(days))
    with count_queries() as full:
        _activity_report(client)
    assert empty.n == full.n == 2  # the session, then one statement over the rollup
    assert not any("activities" in s for s in full.statements), full.statements


# Plans --------------------------------------------------------------------------------------

def _report_statement(actor, **filters):
    """The SQL and parameters the activity report runs for ``actor``."""
    with captured_statements(lambda statement: "activity_daily" in statement) as seen:
        reports.activity(actor, date(2026, 7, 1), date(2026, 9, 30), **filters)
    assert len(seen) == 1, seen
    return seen[0]


@pytest.mark.parametrize("reader, filters", [
    ("manager", {}), ("manager", {"team_id": "team_a"}), ("lead_a", {}), ("rep_a1", {}),
    ("manager", {"owner_id": "rep_a2"})])
def test_the_report_plan_reads_the_rollups_index_never_the_activities(
        world, reader, filters):
    # a year of days for everyone, so the plan is one a big company gets
    rows = [{"owner_id": user.id, "day": date(2026, 1, 1) + timedelta(days=d), "call": 1,
             "email": 0, "visit": 0, "meeting": 0, "note": 0, "followups_done": 0}
            for user in (world.rep_a1, world.rep_a2, world.rep_b1, world.lead_a)
            for d in range(365)]
    db.session.execute(ActivityDaily.__table__.insert(), rows)
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    filters = {k: getattr(world, v).id for k, v in filters.items()}
    plan = plan_text(*_report_statement(getattr(world, reader), **filters))
    assert "activities" not in plan, plan
    if db.engine.dialect.name == "sqlite":
        # a range of the period's days in an index (the primary key or the day index)
        assert re.search(r"SEARCH activity_daily USING (COVERING )?INDEX "
                         r"(ix_activity_daily_day_counts|sqlite_autoindex_activity_daily_1) "
                         r"\(.*day>\? AND day<\?\)", plan), plan
        assert "SCAN activity_daily" not in plan, plan
        if "ix_activity_daily_day_counts" in plan:  # the counters come from the index
            assert "USING COVERING INDEX ix_activity_daily_day_counts" in plan, plan
    else:
        assert re.search(r"Index (Only )?Scan (on|using) "
                         r"(ix_activity_daily_day_counts|activity_daily_pkey)", plan), plan
        assert "Seq Scan on activity_daily" not in plan, plan
