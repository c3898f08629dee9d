"""Company settings: everyone reads them, only administrators change them, and bad values
change nothing."""
import pytest

from app.models import AuditEntry, Setting
from app.services.settings import DEFAULTS
from tests.api.helpers import API, assert_error, count

URL = f"{API}/settings"


def test_everyone_reads_the_defaults(world, client_for):
    for user in (world.rep_a1, world.lead_a, world.finance, world.cashier):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        assert response.json["lead_cap"] == 30
        assert response.json["lead_recycle_days"] == 7
        assert response.json["expense_manager_threshold"] == "2000.00"
        assert response.json["expense_limits"]["meals"] == {"amount": "200.00", "per": "day"}
        assert "Price" in response.json["lose_reasons"]
        assert set(response.json) == set(DEFAULTS)


def test_admin_changes_settings_and_each_change_is_audited(world, client_for):
    admin = client_for(world.admin)
    response = admin.patch(URL, json={"lead_cap": 12, "expense_manager_threshold": "1500.5",
                                      "lose_reasons": ["Price", "Too far away"]})
    assert response.status_code == 200, response.json
    assert response.json["lead_cap"] == 12
    assert response.json["expense_manager_threshold"] == "1500.50"
    assert response.json["lose_reasons"] == ["Price", "Too far away"]
    assert response.json["lead_recycle_days"] == 7  # untouched: still the default
    assert client_for(world.rep_a1).get(URL).json["lead_cap"] == 12
    assert count(AuditEntry, AuditEntry.entity == "setting") == 3
    # the same values again change nothing and audit nothing
    assert admin.patch(URL, json={"lead_cap": 12}).status_code == 200
    assert count(AuditEntry, AuditEntry.entity == "setting") == 3


@pytest.mark.parametrize("role", ["rep", "lead", "manager", "finance", "cashier"])
def test_only_admins_change_settings(world, client_for, role):
    user = {"rep": world.rep_a1, "lead": world.lead_a, "manager": world.manager,
            "finance": world.finance, "cashier": world.cashier}[role]
    assert_error(client_for(user).patch(URL, json={"lead_cap": 99}), 403)
    assert count(Setting) == 0


@pytest.mark.parametrize("body,field", [
    ({"lead_cap": 0}, "lead_cap"),
    ({"lead_cap": "30"}, "lead_cap"),
    ({"lead_cap": 2.5}, "lead_cap"),
    ({"lead_recycle_days": 0}, "lead_recycle_days"),
    ({"lose_reasons": []}, "lose_reasons"),
    ({"lose_reasons": ["Price", "price "]}, "lose_reasons"),
    ({"lose_reasons": [""]}, "lose_reasons"),
    ({"expense_manager_threshold": 2000.5}, "expense_manager_threshold"),
    ({"expense_manager_threshold": "12.345"}, "expense_manager_threshold"),
    ({"expense_manager_threshold": "-1"}, "expense_manager_threshold"),
    ({"expense_manager_threshold": "lots"}, "expense_manager_threshold"),
    ({"expense_manager_threshold": "NaN"}, "expense_manager_threshold"),
    ({"expense_manager_threshold": "1e20"}, "expense_manager_threshold"),
    ({"expense_limits": {"caviar": {"amount": "1.00", "per": "day"}}}, "expense_limits"),
    ({"expense_limits": {"meals": {"amount": "1.00", "per": "week"}}}, "expense_limits"),
    ({"expense_limits": {"meals": {"amount": "1.00"}}}, "expense_limits"),
    ({"no_such_setting": 1}, "no_such_setting"),
])
def test_bad_values_are_422_and_change_nothing(world, client_for, body, field):
    assert_error(client_for(world.admin).patch(URL, json={"lead_cap": 5, **body}), 422, [field])
    assert count(Setting) == 0


def test_money_accepts_whole_numbers_and_two_places(world, client_for):
    admin = client_for(world.admin)
    assert admin.patch(URL, json={"expense_manager_threshold": 3000}).json[
        "expense_manager_threshold"] == "3000.00"
    assert admin.patch(URL, json={"expense_manager_threshold": "12.30"}).json[
        "expense_manager_threshold"] == "12.30"
    assert admin.patch(URL, json={"expense_manager_threshold": "7.100"}).json[
        "expense_manager_threshold"] == "7.10"


def test_settings_need_a_signed_in_user(anon):
    assert_error(anon.get(URL), 401)
    assert_error(anon.patch(URL, json={"lead_cap": 3}), 401)
