"""The agenda: my open follow-ups split into overdue / today / upcoming in MY timezone."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.api.helpers import API, assert_error, ids

UTC = timezone.utc


def _utc(text):
    return datetime.fromisoformat(text).astimezone(UTC)


def _agenda(client, day=None):
    response = client.get(f"{API}/agenda" + (f"?date={day}" if day else ""))
    assert response.status_code == 200, response.json
    return response.json


def _sections(body):
    return {name: ids(body[name]) for name in ("overdue", "today", "upcoming")}


@pytest.fixture
def new_yorker(world):
    return factories.make_user("rep", world.team_a, name="NY rep",
                               timezone_name="America/New_York")


def test_sections_in_shanghai_with_boundaries_and_exclusions(world, client_for):
    rep = world.rep_a1  # Asia/Shanghai
    acme = factories.make_customer(rep, name="Acme", phone="+86 138-0013-8000",
                                   email="wei@acme.cn", city="Shanghai")
    zhang = factories.make_contact(rep, acme, name="Zhang", mobile="13900139000")

    def due(text, **extra):
        return factories.make_followup(rep, acme, due_at=_utc(text), **extra)

    long_ago = due("2026-11-01T10:00:00+08:00")
    last_second = due("2026-11-21T23:59:59+08:00")
    midnight = due("2026-11-22T00:00:00+08:00", contact_id=zhang.id)
    late = due("2026-11-22T23:59:59+08:00")
    tomorrow = due("2026-11-23T00:00:00+08:00")
    week_end = due("2026-11-29T23:59:59+08:00")
    due("2026-11-30T00:00:00+08:00")  # beyond the 7 days
    done = due("2026-11-22T12:00:00+08:00")
    deleted = due("2026-11-22T13:00:00+08:00")
    factories.make_activity(rep, acme, kind="call")  # not a follow-up
    factories.make_followup(world.rep_a2, factories.make_customer(world.rep_a2),
                            due_at=_utc("2026-11-22T12:00:00+08:00"))
    client = client_for(rep)
    client.patch(f"{API}/activities/{done.id}", json={"done_at": "2026-11-22T12:05:00+08:00"})
    client.delete(f"{API}/activities/{deleted.id}")

    body = _agenda(client, "2026-11-22")
    assert body["date"] == "2026-11-22" and body["timezone"] == "Asia/Shanghai"
    assert _sections(body) == {
        "overdue": [str(long_ago.id), str(last_second.id)],
        "today": [str(midnight.id), str(late.id)],
        "upcoming": [str(tomorrow.id), str(week_end.id)],
    }
    assert body["counts"] == {"overdue": 2, "today": 2, "upcoming": 2}
    # one-tap actions: the customer's (and contact's) phone and email ride along
    item = body["today"][0]
    assert item["customer"]["name"] == "Acme"
    assert item["customer"]["phone_e164"] == "+8613800138000"
    assert item["customer"]["email"] == "wei@acme.cn"
    assert item["contact"]["name"] == "Zhang"
    assert item["contact"]["mobile_e164"] == "+8613900139000"
    assert item["action"] == "call" and item["due_at"] == "2026-11-21T16:00:00+00:00"
    assert body["today"][1]["contact"] is None


def test_the_same_instants_fall_on_different_days_in_new_york(world, client_for, new_yorker):
    instants = ["2026-11-22T04:59:59+00:00", "2026-11-22T05:00:00+00:00",
                "2026-11-23T04:59:59+00:00", "2026-11-23T05:00:00+00:00"]
    mine = [factories.make_followup(new_yorker, due_at=_utc(t)) for t in instants]
    theirs = [factories.make_followup(world.rep_a1, due_at=_utc(t)) for t in instants]

    ny = _agenda(client_for(new_yorker), "2026-11-22")
    assert ny["timezone"] == "America/New_York"
    assert _sections(ny) == {"overdue": [str(mine[0].id)],
                             "today": [str(mine[1].id), str(mine[2].id)],
                             "upcoming": [str(mine[3].id)]}
    shanghai = _agenda(client_for(world.rep_a1), "2026-11-22")
    assert _sections(shanghai) == {"overdue": [],
                                   "today": [str(theirs[0].id), str(theirs[1].id)],
                                   "upcoming": [str(theirs[2].id), str(theirs[3].id)]}


def test_dst_end_day_is_25_hours_in_new_york(world, client_for, new_yorker):
    # 2026-11-01: clocks go back at 02:00 EDT; the local day runs 04:00Z .. 05:00Z next day
    times = {
        "overdue": ["2026-11-01T03:59:59+00:00"],
        "today": ["2026-11-01T04:00:00+00:00", "2026-11-01T06:30:00+00:00",
                  "2026-11-02T04:30:00+00:00"],
        "upcoming": ["2026-11-02T05:00:00+00:00"],
    }
    made = {k: [str(factories.make_followup(new_yorker, due_at=_utc(t)).id) for t in v]
            for k, v in times.items()}
    assert _sections(_agenda(client_for(new_yorker), "2026-11-01")) == made
    # in Shanghai (no DST) 2026-11-02T04:30Z is already the 2nd, the upcoming section
    rep = world.rep_a1
    same = factories.make_followup(rep, due_at=_utc("2026-11-02T04:30:00+00:00"))
    assert _sections(_agenda(client_for(rep), "2026-11-01"))["upcoming"] == [str(same.id)]


def test_dst_start_day_is_23_hours_and_horizon_crosses_dst(world, client_for, new_yorker):
    # 2026-03-08: clocks go forward; the local day runs 05:00Z .. 04:00Z next day
    today = factories.make_followup(new_yorker, due_at=_utc("2026-03-09T03:59:00+00:00"))
    tomorrow = factories.make_followup(new_yorker, due_at=_utc("2026-03-09T04:30:00+00:00"))
    body = _agenda(client_for(new_yorker), "2026-03-08")
    assert ids(body["today"]) == [str(today.id)]
    assert ids(body["upcoming"]) == [str(tomorrow.id)]
    # seven days on from 2026-10-28 (EDT) ends at 2026-11-04 24:00 EST = 2026-11-05T05:00Z
    inside = factories.make_followup(new_yorker, due_at=_utc("2026-11-05T04:30:00+00:00"))
    factories.make_followup(new_yorker, due_at=_utc("2026-11-05T05:00:00+00:00"))
    body = _agenda(client_for(new_yorker), "2026-10-28")
    assert ids(body["upcoming"])[-1] == str(inside.id)
    assert str(inside.id) in ids(body["upcoming"]) and body["counts"]["upcoming"] == 1


def test_default_date_is_today_in_the_users_timezone(world, client_for, new_yorker):
    for user in (world.rep_a1, new_yorker):
        tz = ZoneInfo(user.timezone)
        local_today = datetime.now(tz).date()
        start = datetime.combine(local_today, time(0, 0, 1), tz).astimezone(UTC)
        item = factories.make_followup(user, due_at=start)
        body = _agenda(client_for(user))
        assert body["date"] == local_today.isoformat()
        assert ids(body["today"]) == [str(item.id)]


def test_agenda_never_shows_other_peoples_followups(world, client_for):
    customer = factories.make_customer(world.rep_a1)
    due_today = _utc("2026-11-22T10:00:00+08:00")
    factories.make_followup(world.rep_a1, customer, due_at=due_today)
    factories.make_followup(world.rep_b1, due_at=due_today)
    own = factories.make_followup(world.lead_a, customer, due_at=due_today)
    lead = _agenda(client_for(world.lead_a), "2026-11-22")
    assert ids(lead["today"]) == [str(own.id)]
    assert lead["counts"] == {"overdue": 0, "today": 1, "upcoming": 0}
    for user in (world.manager, world.admin, world.rep_a2, world.finance):
        body = _agenda(client_for(user), "2026-11-22")
        assert _sections(body) == {"overdue": [], "today": [], "upcoming": []}
        assert body["counts"] == {"overdue": 0, "today": 0, "upcoming": 0}


def test_sections_are_capped_but_counts_are_complete(world, client_for):
    rep = world.rep_a1
    base = _utc("2026-11-20T09:00:00+08:00")
    for i in range(53):
        factories.make_followup(rep, due_at=base - timedelta(minutes=i))
    factories.make_followup(rep, due_at=_utc("2026-11-22T09:00:00+08:00"))
    client = client_for(rep)
    body = _agenda(client, "2026-11-22")
    assert len(body["overdue"]) == 20  # the default cap per section
    assert body["counts"] == {"overdue": 53, "today": 1, "upcoming": 0}
    due = [item["due_at"] for item in body["overdue"]]
    assert due == sorted(due)  # the oldest first
    more = client.get(f"{API}/agenda?date=2026-11-22&limit=50").json
    assert len(more["overdue"]) == 50 and more["counts"] == body["counts"]
    assert [i["due_at"] for i in more["overdue"]][:20] == due
    assert client.get(f"{API}/agenda?limit=101").status_code == 422


def test_bad_date_is_422(world, client_for):
    client = client_for(world.rep_a1)
    for day in ("2026-13-45", "2026-02-30", "tomorrow", "22/11/2026", "", "9999-12-31",
                "0001-01-01", "2026-11-22T00:00:00"):
        response = client.get(f"{API}/agenda?date={day}")
        assert_error(response, 422, ["date"], location="query")
