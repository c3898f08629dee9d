"""What the administrator's Company screen relies on, beyond test_settings.py and
test_deals.py: stage changes are refused to everyone else and leave the stage as it was,
bad probabilities and stale versions change nothing, and the field errors the screen shows
next to its fields come back in the admin's language."""
import pytest

from app.models import AuditEntry, Setting, Stage
from tests import factories
from tests.api.helpers import API, assert_error, count, reload, stages_by_name

ZH = {"Accept-Language": "zh-CN"}


@pytest.mark.parametrize("role", ["rep", "lead", "manager", "finance", "cashier"])
def test_only_admins_change_a_stage(world, client_for, role):
    user = {"rep": world.rep_a1, "lead": world.lead_a, "manager": world.manager,
            "finance": world.finance, "cashier": world.cashier}[role]
    client = client_for(user)
    proposal = stages_by_name(client)["Proposal"]
    assert_error(client.patch(f"{API}/stages/{proposal['id']}",
                              json={"name": "Quote", "probability": 60}), 403)
    stored = reload(Stage, proposal["id"])
    assert (stored.name, stored.probability, stored.version) == ("Proposal", 50, 1)
    assert count(AuditEntry, AuditEntry.entity == "stage") == 0


@pytest.mark.parametrize("probability", [150, -1, "50", 12.5, None])
def test_a_bad_probability_is_422_and_changes_nothing(world, client_for, probability):
    admin = client_for(world.admin)
    proposal = stages_by_name(admin)["Proposal"]
    assert_error(admin.patch(f"{API}/stages/{proposal['id']}",
                             json={"name": "Quote", "probability": probability}), 422,
                 ["probability"])
    stored = reload(Stage, proposal["id"])
    assert (stored.name, stored.probability, stored.version) == ("Proposal", 50, 1)


def test_a_stale_version_is_412_and_changes_nothing(world, client_for):
    admin = client_for(world.admin)
    proposal = stages_by_name(admin)["Proposal"]
    first = admin.patch(f"{API}/stages/{proposal['id']}", json={"probability": 55},
                        headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.json["version"] == 2
    assert_error(admin.patch(f"{API}/stages/{proposal['id']}", json={"probability": 60},
                             headers={"If-Match": '"1"'}), 412)
    assert reload(Stage, proposal["id"]).probability == 55


def test_won_and_lost_may_be_renamed_but_not_reweighted(world, client_for):
    admin = client_for(world.admin)
    won = stages_by_name(admin)["Won"]
    assert_error(admin.patch(f"{API}/stages/{won['id']}", json={"probability": 100}), 422,
                 ["probability"])
    renamed = admin.patch(f"{API}/stages/{won['id']}", json={"name": "Signed"})
    assert renamed.status_code == 200 and renamed.json["kind"] == "won"
    assert renamed.json["probability"] == 100


def test_a_new_stage_goes_before_won_and_lost(world, client_for):
    admin = client_for(world.admin)
    created = admin.post(f"{API}/stages", json={"name": "Trial", "probability": 60})
    assert created.status_code == 201, created.json
    names = [s["name"] for s in admin.get(f"{API}/stages?limit=200").json["items"]]
    assert names[-3:] == ["Trial", "Won", "Lost"]


@pytest.mark.parametrize("body,field", [
    ({"lead_cap": 0}, "lead_cap"),
    ({"lead_recycle_days": 400}, "lead_recycle_days"),
    ({"currency": "yuan"}, "currency"),
    ({"expense_manager_threshold": "abc"}, "expense_manager_threshold"),
    ({"lose_reasons": ["Price", "price"]}, "lose_reasons"),
    ({"lose_reasons": ["x" * 81]}, "lose_reasons"),
    ({"expense_limits": {"meals": {"amount": "abc", "per": "day"}}}, "expense_limits"),
])
def test_field_errors_speak_the_admins_language(world, client_for, body, field):
    admin_zh = factories.make_user("admin", world.team_a, locale="zh-CN")
    answer = assert_error(client_for(admin_zh).patch(f"{API}/settings", json=body, headers=ZH),
                          422, [field])
    text = str(answer["errors"]["json"][field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert count(Setting) == 0


def test_a_bad_currency_says_what_is_wrong(world, client_for):
    answer = assert_error(client_for(world.admin).patch(f"{API}/settings",
                                                        json={"currency": "yuan"}), 422)
    assert answer["errors"]["json"]["currency"] == ["Not a currency code."]


def test_a_stage_error_speaks_the_admins_language(world, client_for):
    admin_zh = client_for(factories.make_user("admin", world.team_a, locale="zh-CN"))
    proposal = stages_by_name(admin_zh)["Proposal"]
    answer = assert_error(admin_zh.patch(f"{API}/stages/{proposal['id']}",
                                         json={"probability": 150}, headers=ZH),
                          422, ["probability"])
    assert "100" in answer["errors"]["json"]["probability"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer["errors"]["json"]["probability"][0])
