"""Targets: setting them (who may, for whom), reading them (scoped: 404 for others'), the
locked closed months (409), and bad input (422, never a 500); and the company settings
attainment reads."""
import uuid
from datetime import timedelta

import pytest

from app.models import Target
from app.services.targets import current_month
from tests.api.helpers import API, assert_error, count, walk

THIS_MONTH = current_month("Asia/Shanghai")
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


def _month(day) -> str:
    return day.strftime("%Y-%m")


def _target(client, **fields):
    body = {"metric": "won_amount", "period": _month(THIS_MONTH), "value": "100000.00",
            **fields}
    return client.post(f"{API}/targets", json=body)


def test_a_manager_sets_a_reps_money_target_in_the_company_currency(world, client_for):
    manager = client_for(world.manager)
    answer = _target(manager, owner_id=str(world.rep_a1.id), stretch="120000")
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["metric"] == "won_amount" and body["period"] == _month(THIS_MONTH)
    assert body["value"] == "100000.00" and body["stretch"] == "120000.00"
    assert body["currency"] == "CNY" and body["team_id"] is None
    assert body["owner_id"] == str(world.rep_a1.id) and body["version"] == 1
    assert answer.headers["ETag"] == '"1"'
    again = _target(manager, id=body["id"], owner_id=str(world.rep_a1.id), stretch="120000")
    assert again.status_code == 200 and again.json["id"] == body["id"]
    assert count(Target) == 1


def test_count_metrics_are_whole_numbers_without_a_currency(world, client_for):
    manager = client_for(world.manager)
    answer = _target(manager, metric="visits", value=40, stretch="45",
                     team_id=str(world.team_a.id))
    assert answer.status_code == 201, answer.json
    assert answer.json["value"] == 40 and answer.json["stretch"] == 45
    assert answer.json["currency"] is None
    assert_error(_target(manager, metric="visits", value="40.5",
                         owner_id=str(world.rep_a1.id)), 422, ["value"])
    assert_error(_target(manager, metric="visits", value=40, currency="CNY",
                         owner_id=str(world.rep_a1.id)), 422, ["currency"])


def test_one_target_per_metric_month_subject_and_currency(world, client_for):
    manager = client_for(world.manager)
    rep = str(world.rep_a1.id)
    assert _target(manager, owner_id=rep).status_code == 201
    assert_error(_target(manager, owner_id=rep, value="5"), 409)
    assert _target(manager, owner_id=rep, currency="USD").status_code == 201
    assert _target(manager, owner_id=rep, period=_month(LAST_MONTH)).status_code == 201
    assert _target(manager, team_id=str(world.team_a.id)).status_code == 201
    assert count(Target) == 4


def test_a_lead_sets_targets_for_their_teams_and_members_only(world, client_for):
    lead = client_for(world.lead_a)
    assert _target(lead, owner_id=str(world.rep_a1.id)).status_code == 201
    assert _target(lead, team_id=str(world.team_a.id)).status_code == 201
    assert _target(lead, owner_id=str(world.lead_a.id)).status_code == 201
    assert_error(_target(lead, owner_id=str(world.rep_b1.id)), 403)
    assert_error(_target(lead, team_id=str(world.team_b.id)), 403)
    assert_error(_target(lead, owner_id=str(uuid.uuid4())), 422, ["owner_id"])
    assert_error(_target(lead, team_id=str(uuid.uuid4())), 422, ["team_id"])


def test_a_rep_reads_only_their_own_targets_and_writes_none(world, client_for):
    manager = client_for(world.manager)
    own = _target(manager, owner_id=str(world.rep_a1.id)).json
    other = _target(manager, owner_id=str(world.rep_a2.id)).json
    team = _target(manager, team_id=str(world.team_a.id)).json
    rep = client_for(world.rep_a1)
    assert rep.get(f"{API}/targets/{own['id']}").status_code == 200
    assert [t["id"] for t in rep.get(f"{API}/targets").json["items"]] == [own["id"]]
    for target in (other, team):
        assert_error(rep.get(f"{API}/targets/{target['id']}"), 404)
        assert_error(rep.patch(f"{API}/targets/{target['id']}", json={"value": "1"}), 404)
        assert_error(rep.delete(f"{API}/targets/{target['id']}"), 404)
    assert_error(rep.patch(f"{API}/targets/{own['id']}", json={"value": "1"}), 403)
    assert_error(rep.delete(f"{API}/targets/{own['id']}"), 403)
    assert_error(_target(rep, owner_id=str(world.rep_a1.id)), 403)
    assert count(Target) == 3


def test_a_lead_lists_their_teams_and_members_targets(world, client_for):
    manager = client_for(world.manager)
    mine = {_target(manager, owner_id=str(world.rep_a1.id)).json["id"],
            _target(manager, owner_id=str(world.lead_a.id)).json["id"],
            _target(manager, team_id=str(world.team_a.id)).json["id"]}
    theirs = {_target(manager, owner_id=str(world.rep_b1.id)).json["id"],
              _target(manager, team_id=str(world.team_b.id)).json["id"]}
    lead = client_for(world.lead_a)
    assert {t["id"] for t in lead.get(f"{API}/targets").json["items"]} == mine
    for target_id in theirs:
        assert_error(lead.get(f"{API}/targets/{target_id}"), 404)
    everyone = {t["id"] for t in manager.get(f"{API}/targets").json["items"]}
    assert everyone == mine | theirs


def test_the_list_filters_and_pages(world, client_for, count_queries):
    manager = client_for(world.manager)
    rep = str(world.rep_a1.id)
    for month in range(1, 13):
        assert _target(manager, owner_id=rep, period=f"2026-{month:02d}",
                       metric="visits", value=month).status_code == 201
    _target(manager, owner_id=str(world.rep_b1.id), period="2026-05", metric="visits", value=5)
    _target(manager, team_id=str(world.team_a.id), period="2026-05", value="9")

    def periods(query):
        return [t["period"] for t in manager.get(f"{API}/targets?{query}").json["items"]]

    assert periods(f"owner_id={rep}&period=2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    assert len(periods("period=2026-05")) == 3
    assert periods(f"team_id={world.team_a.id}") == ["2026-05"]
    assert periods("metric=won_amount") == ["2026-05"]
    assert len(periods("period=2026")) == 14
    items, pages = walk(manager, f"{API}/targets?owner_id={rep}", 5)
    assert [t["value"] for t in items] == list(range(1, 13)) and pages == 3
    with count_queries() as small:
        manager.get(f"{API}/targets?limit=2")
    with count_queries() as big:
        manager.get(f"{API}/targets?limit=200")
    assert small.n == big.n
    for query in ("period=2026-13", "period=26-01", "metric=sales", "owner_id=x"):
        assert_error(manager.get(f"{API}/targets?{query}"), 422)


def test_change_and_remove_with_if_match(world, client_for):
    manager = client_for(world.manager)
    target = _target(manager, owner_id=str(world.rep_a1.id), stretch="150000").json
    url = f"{API}/targets/{target['id']}"
    assert_error(manager.patch(url, json={"value": "5"}, headers={"If-Match": '"7"'}), 412)
    changed = manager.patch(url, json={"value": "90000", "stretch": None},
                            headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.json
    assert changed.json["value"] == "90000.00" and changed.json["stretch"] is None
    assert changed.json["version"] == 2 and changed.headers["ETag"] == '"2"'
    assert_error(manager.patch(url, json={"stretch": "80000"}), 422, ["stretch"])
    assert_error(manager.patch(url, json={"metric": "visits"}), 422, ["metric"])
    assert_error(manager.delete(url, headers={"If-Match": '"1"'}), 412)
    assert manager.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert_error(manager.get(url), 404)


@pytest.mark.parametrize("body, field", [
    ({"metric": "sales"}, "metric"),
    ({"period": "2026-13"}, "period"),
    ({"period": "2026-Q4"}, "period"),
    ({"period": "2026-1"}, "period"),
    ({"period": 202612}, "period"),
    ({"value": "-1"}, "value"),
    ({"value": 1.5}, "value"),
    ({"value": "1.234"}, "value"),
    ({"value": None}, "value"),
    ({"stretch": "99999.99"}, "stretch"),
    ({"team_id": "TEAM"}, "owner_id"),
    ({"owner_id": None}, "owner_id"),
    ({"currency": "cny"}, "currency"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_is_422(world, client_for, body, field):
    body = {"owner_id": str(world.rep_a1.id), **body}
    if body.get("team_id") == "TEAM":
        body["team_id"] = str(world.team_a.id)
    answer = _target(client_for(world.manager), **body)
    assert_error(answer, 422, [field])
    assert count(Target) == 0


def _lock(client_for, world, on=True):
    answer = client_for(world.admin).patch(f"{API}/settings", json={"lock_closed_months": on})
    assert answer.status_code == 200, answer.json


def test_a_locked_closed_month_refuses_every_write(world, client_for):
    manager = client_for(world.manager)
    closed = _target(manager, owner_id=str(world.rep_a1.id), period=_month(LAST_MONTH)).json
    _lock(client_for, world)
    url = f"{API}/targets/{closed['id']}"
    body = assert_error(manager.patch(url, json={"value": "1"}), 409)
    assert _month(LAST_MONTH) in body["message"]
    assert_error(manager.delete(url), 409)
    assert_error(_target(manager, owner_id=str(world.rep_a2.id), period=_month(LAST_MONTH)), 409)
    assert _target(manager, owner_id=str(world.rep_a2.id)).status_code == 201  # this month
    assert manager.patch(f"{API}/users/{world.manager.id}",
                         json={"locale": "zh-CN"}).status_code == 200
    assert "已关账" in assert_error(manager.patch(url, json={"value": "1"}), 409)["message"]
    _lock(client_for, world, on=False)
    assert manager.patch(url, json={"value": "1"}).status_code == 200


def test_the_attainment_settings_are_validated(world, client_for):
    admin = client_for(world.admin)
    good = {"working_weekdays": [1, 2, 3, 4, 5, 6], "holidays": ["2027-01-01", "2027-02-17"],
            "lock_closed_months": True, "timezone": "Europe/Berlin"}
    answer = admin.patch(f"{API}/settings", json=good)
    assert answer.status_code == 200, answer.json
    assert {key: answer.json[key] for key in good} == good
    assert {key: admin.get(f"{API}/settings").json[key] for key in good} == good
    for bad in ({"working_weekdays": [0]}, {"working_weekdays": [8]},
                {"working_weekdays": []}, {"working_weekdays": [1, 1]},
                {"working_weekdays": ["mon"]}, {"holidays": ["2027-02-30"]},
                {"holidays": ["soon"]}, {"holidays": ["2027-01-01", "2027-01-01"]},
                {"holidays": "2027-01-01"}, {"lock_closed_months": "maybe"},
                {"timezone": "Mars/Olympus"}, {"timezone": ""}):
        assert_error(admin.patch(f"{API}/settings", json=bad), 422, list(bad))
    assert_error(client_for(world.manager).patch(f"{API}/settings",
                                                 json={"lock_closed_months": False}), 403)


def test_defaults_of_the_attainment_settings(world, client_for):
    settings = client_for(world.rep_a1).get(f"{API}/settings").json
    assert settings["working_weekdays"] == [1, 2, 3, 4, 5]
    assert settings["holidays"] == [] and settings["lock_closed_months"] is False
    assert settings["timezone"] == "Asia/Shanghai"
