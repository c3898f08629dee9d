"""The agenda at a real company's size (issue 11): its one statement reads the rep's open
follow-ups from ix_activities_open_followups, a bounded number of rows per section, and
never scans activities, customers or contacts; counts stop at a cap and say so."""
import re
from datetime import datetime, timedelta, timezone


from app.extensions import db
from app.services import activities as activity_service
from tests.plans import captured_statements, plan_lines
from tests import factories
from tests.api.helpers import API

DAY = "2026-11-22"
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
TABLES = ("activities", "customers", "contacts")


def _busy_rep(world):
    rep = world.rep_a1
    customer = factories.make_customer(rep, name="Plan Co")
    gone = factories.make_customer(rep, name="Gone Co")
    contact = factories.make_contact(rep, customer, name="Zhang")
    for days in (-400, -30, -2, -1, -1):
        factories.make_followup(rep, customer, due_at=NOON + timedelta(days=days))
    factories.make_followup(rep, gone, due_at=NOON - timedelta(days=3))
    gone.deleted_at = NOON - timedelta(days=1)  # its follow-up leaves the agenda with it
    factories.make_followup(rep, customer, due_at=NOON, contact_id=contact.id)
    factories.make_followup(rep, customer, due_at=NOON + timedelta(days=3))
    factories.make_followup(rep, customer, due_at=NOON + timedelta(days=30))  # past the week
    factories.make_followup(world.rep_a2, None, due_at=NOON)  # someone else's
    db.session.commit()
    return rep


def _agenda_statement(client, url):
    """The SQL and parameters the agenda request ran, as the driver received them."""
    with captured_statements(lambda s: "ix_" not in s and "activities" in s) as seen:
        assert client.get(url).status_code == 200
    assert len(seen) == 1, [s for s, _ in seen]
    return seen[0]


def test_counts_stop_at_the_cap_and_say_so(world, client_for, monkeypatch, count_queries):
    client = client_for(_busy_rep(world))
    body = client.get(f"{API}/agenda?date={DAY}").json
    assert body["counts"] == {"overdue": 5, "today": 1, "upcoming": 1}
    assert body["counts_capped"] is False
    monkeypatch.setattr(activity_service, "AGENDA_COUNT_CAP", 3)
    with count_queries() as counted:
        capped = client.get(f"{API}/agenda?date={DAY}&limit=2").json
    assert counted.n == 2  # the session, the agenda
    assert capped["counts"] == {"overdue": 3, "today": 1, "upcoming": 1}
    assert capped["counts_capped"] is True
    assert [i["due_at"] for i in capped["overdue"]] == [
        (NOON + timedelta(days=d)).isoformat() for d in (-400, -30)]  # soonest first


def test_empty_agenda_counts_zero(world, client_for):
    body = client_for(world.rep_b1).get(f"{API}/agenda?date={DAY}").json
    assert body["counts"] == {"overdue": 0, "today": 0, "upcoming": 0}
    assert body["counts_capped"] is False
    assert body["overdue"] == body["today"] == body["upcoming"] == []


def test_the_plan_reads_the_open_followups_index_and_scans_no_table(world, client_for):
    client = client_for(_busy_rep(world))
    statement, parameters = _agenda_statement(client, f"{API}/agenda?date={DAY}")
    plan = plan_lines(statement, parameters)
    if db.engine.dialect.name == "sqlite":
        scans = [line for line in plan if re.match(rf"SCAN ({'|'.join(TABLES)})\b", line)]
        reads = [line for line in plan if line.startswith("SEARCH activities")]
        by_id = "sqlite_autoindex_activities_1 (id=?)"
    else:
        scans = [line for line in plan if "Seq Scan" in line]
        reads = [line for line in plan if re.search(r"Index (Only )?Scan .* on activities", line)]
        by_id = "activities_pkey"
    db.session.rollback()
    assert scans == [], plan
    # Items (three sections) and counts (three): the open follow-ups index; the rows
    # themselves: by primary key. No other of the rep's indexes (their whole history).
    followup_reads = [line for line in reads if "ix_activities_open_followups" in line]
    assert len(followup_reads) == 6, plan
    assert all(line in followup_reads or by_id in line for line in reads), plan
