"""Users and teams: admins write, everyone reads colleagues' names."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Team, User
from tests.api.helpers import API, assert_error, count, reload, walk
from tests.factories import PASSWORD

COLLEAGUE_FIELDS = {"id", "name", "role", "team_id", "active"}
FULL_FIELDS = {"id", "email", "name", "role", "team_id", "timezone", "locale", "active",
               "reminder_lead_minutes", "quiet_hours_start", "quiet_hours_end",
               "created_at", "updated_at", "version"}


def _new_user(**extra):
    return {"email": "new.rep@test.fieldline", "name": "New Rep", "password": "long-enough-pw",
            **extra}


# Reading users ------------------------------------------------------------------------------

def test_users_need_sign_in(world, anon):
    assert_error(anon.get(f"{API}/users"), 401)
    assert_error(anon.get(f"{API}/users/{world.rep_a1.id}"), 401)
    assert_error(anon.post(f"{API}/users", json=_new_user()), 401)
    assert_error(anon.patch(f"{API}/users/{world.rep_a1.id}", json={"name": "x"}), 401)


def test_non_admin_sees_only_colleague_fields(world, client_for):
    client = client_for(world.rep_a1)
    items, _ = walk(client, f"{API}/users", 3)
    assert len(items) == 9
    for item in items:
        if item["id"] == str(world.rep_a1.id):
            assert set(item) == FULL_FIELDS  # yourself: everything
        else:
            assert set(item) == COLLEAGUE_FIELDS, item
    other = client.get(f"{API}/users/{world.rep_b1.id}")
    assert other.status_code == 200
    assert set(other.json) == COLLEAGUE_FIELDS
    assert other.json["team_id"] == str(world.team_b.id)
    me = client.get(f"{API}/users/{world.rep_a1.id}")
    assert me.json["email"] == world.rep_a1.email
    assert me.headers["ETag"] == '"1"'


def test_admin_sees_every_field_in_list_and_record(world, client_for):
    client = client_for(world.admin)
    items, _ = walk(client, f"{API}/users", 50)
    assert {i["email"] for i in items} == {u.email for u in db.session.scalars(select(User))}
    for item in items:
        assert set(item) == FULL_FIELDS
        assert "password" not in item and "password_hash" not in item
    one = client.get(f"{API}/users/{world.rep_b1.id}").json
    assert one["email"] == world.rep_b1.email and one["timezone"] == "Asia/Shanghai"


def test_user_list_filters_by_team_and_search(world, client_for):
    client = client_for(world.rep_a1)
    team = client.get(f"{API}/users?team_id={world.team_a.id}").json["items"]
    assert {i["id"] for i in team} == {str(u.id) for u in (world.lead_a, world.rep_a1,
                                                           world.rep_a2)}
    found = client.get(f"{API}/users?q=lead").json["items"]
    assert {i["name"] for i in found} == {"Lead East", "Lead West"}
    assert client.get(f"{API}/users?q=王").json["items"][0]["id"] == str(world.rep_a1.id)
    assert client.get(f"{API}/users?q=%25").json["items"] == []  # a LIKE wildcard is literal


def test_unknown_user_is_404(world, client_for, new_id):
    assert_error(client_for(world.rep_a1).get(f"{API}/users/{new_id()}"), 404)
    assert_error(client_for(world.admin).patch(f"{API}/users/{new_id()}", json={"name": "x"}),
                 404)


# Creating users -----------------------------------------------------------------------------

def test_admin_creates_user(world, client_for, anon, new_id):
    client = client_for(world.admin)
    user_id = new_id()
    body = _new_user(id=user_id, role="lead", team_id=str(world.team_b.id),
                     timezone="America/New_York", locale="zh-CN")
    response = client.post(f"{API}/users", json=body)
    assert response.status_code == 201
    created = response.json
    assert created["id"] == user_id
    assert (created["role"], created["team_id"], created["timezone"], created["locale"]) == \
        ("lead", str(world.team_b.id), "America/New_York", "zh-CN")
    assert created["active"] is True and created["version"] == 1
    assert "password" not in created
    # replay of the same create: 200, nothing new
    again = client.post(f"{API}/users", json=body)
    assert again.status_code == 200 and again.json["id"] == user_id
    assert count(User, User.email == "new.rep@test.fieldline") == 1
    # the new user can sign in
    login = anon.post(f"{API}/auth/login", json={"email": "NEW.rep@test.fieldline",
                                                 "password": "long-enough-pw"})
    assert login.status_code == 200
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == reload(
        User, user_id).id))
    assert audit.action == "created" and audit.actor_id == world.admin.id


def test_user_defaults(world, client_for):
    created = client_for(world.admin).post(f"{API}/users", json=_new_user()).json
    assert (created["role"], created["locale"], created["timezone"], created["team_id"]) == \
        ("rep", "en", "Asia/Shanghai", None)


def test_duplicate_user_email_is_409(world, client_for):
    client = client_for(world.admin)
    for taken in (world.rep_a1.email, world.rep_a1.email.upper()):
        assert_error(client.post(f"{API}/users", json=_new_user(email=taken)), 409)
    assert count(User) == 9


INVALID_USER_FIELDS = [
    ("email", "not-an-email"), ("email", None), ("name", ""), ("name", "x" * 121),
    ("role", "emperor"), ("locale", "fr"), ("timezone", "Mars/Olympus"),
    ("timezone", "../../etc/passwd"), ("timezone", ""), ("password", "short"),
    ("team_id", "not-a-uuid"), ("team_id", "00000000-0000-0000-0000-000000000000"),
    ("active", "maybe"), ("password_hash", "x"), ("version", 7),
]


def test_invalid_user_is_422(world, client_for):
    client = client_for(world.admin)
    for field, value in INVALID_USER_FIELDS:
        response = client.post(f"{API}/users", json=_new_user(**{field: value}))
        assert_error(response, 422, [field])
    assert count(User) == 9


def test_user_missing_required_field_is_422(world, client_for):
    client = client_for(world.admin)
    for missing in ("email", "name", "password"):
        body = _new_user()
        del body[missing]
        assert_error(client.post(f"{API}/users", json=body), 422, [missing])


def test_only_admin_writes_users(world, client_for):
    for actor in (world.rep_a1, world.lead_a, world.manager, world.finance, world.cashier):
        client = client_for(actor)
        assert_error(client.post(f"{API}/users", json=_new_user()), 403)
        response = client.patch(f"{API}/users/{world.rep_b1.id}", json={"name": "Renamed"})
        assert_error(response, 403)
    assert count(User) == 9
    assert reload(User, world.rep_b1.id).name != "Renamed"


# Changing users -----------------------------------------------------------------------------

def test_self_may_change_name_locale_timezone(world, client_for):
    client = client_for(world.rep_a1)
    response = client.patch(f"{API}/users/{world.rep_a1.id}",
                            json={"name": "Wei Wang", "locale": "zh-CN",
                                  "timezone": "Europe/Berlin"})
    assert response.status_code == 200
    assert (response.json["name"], response.json["locale"], response.json["timezone"]) == \
        ("Wei Wang", "zh-CN", "Europe/Berlin")
    assert response.json["version"] == 2
    assert response.headers["ETag"] == '"2"'
    assert client.get(f"{API}/me").json["timezone"] == "Europe/Berlin"


def test_self_may_change_reminder_settings(world, client_for):
    client = client_for(world.rep_a1)
    me = client.get(f"{API}/me").json
    assert (me["reminder_lead_minutes"], me["quiet_hours_start"], me["quiet_hours_end"]) == \
        (15, "21:00:00", "08:00:00")
    response = client.patch(f"{API}/users/{world.rep_a1.id}", json={
        "reminder_lead_minutes": 30, "quiet_hours_start": "22:30", "quiet_hours_end": "07:00"})
    assert response.status_code == 200, response.json
    assert (response.json["reminder_lead_minutes"], response.json["quiet_hours_start"],
            response.json["quiet_hours_end"]) == (30, "22:30:00", "07:00:00")


@pytest.mark.parametrize("change", [
    {"reminder_lead_minutes": -1}, {"reminder_lead_minutes": 1441},
    {"reminder_lead_minutes": "15"}, {"reminder_lead_minutes": 1.5},
    {"quiet_hours_start": "25:00"}, {"quiet_hours_end": "8am"}, {"quiet_hours_end": None},
])
def test_bad_reminder_settings_are_422_and_change_nothing(world, client_for, change):
    client = client_for(world.rep_a1)
    assert_error(client.patch(f"{API}/users/{world.rep_a1.id}", json=change), 422, list(change))
    assert reload(User, world.rep_a1.id).version == 1


SELF_FORBIDDEN = [
    {"role": "admin"}, {"team_id": None}, {"active": False}, {"email": "me@else.where"},
    {"password": "new-password-1"}, {"name": "ok", "role": "manager"},
]


def test_self_may_change_nothing_else(world, client_for):
    client = client_for(world.rep_a1)
    for change in SELF_FORBIDDEN:
        assert_error(client.patch(f"{API}/users/{world.rep_a1.id}", json=change), 403)
    user = reload(User, world.rep_a1.id)
    assert (user.role, user.team_id, user.active, user.name, user.version) == \
        ("rep", world.team_a.id, True, "王伟", 1)


def test_self_bad_timezone_is_422(world, client_for):
    client = client_for(world.rep_a1)
    for timezone in ("Mars/Olympus", "America", "Asia/", "/etc/localtime", "zone.tab",
                     "x" * 65, 42, None):
        response = client.patch(f"{API}/users/{world.rep_a1.id}", json={"timezone": timezone})
        assert_error(response, 422, ["timezone"])
    assert reload(User, world.rep_a1.id).timezone == "Asia/Shanghai"


def test_admin_changes_role_and_team_with_audit(world, client_for):
    client = client_for(world.admin)
    response = client.patch(f"{API}/users/{world.rep_a2.id}",
                            json={"role": "lead", "team_id": str(world.team_b.id)})
    assert response.status_code == 200
    assert response.json["role"] == "lead" and response.json["team_id"] == str(world.team_b.id)
    db.session.rollback()
    actions = {a.action: a for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == world.rep_a2.id))}
    assert actions["role_changed"].changes == {"role": ["rep", "lead"]}
    assert actions["role_changed"].actor_id == world.admin.id
    assert actions["team_id_changed"].changes == {
        "team_id": [str(world.team_a.id), str(world.team_b.id)]}


def test_deactivating_a_user_ends_their_sessions(world, client_for):
    rep = client_for(world.rep_a1)
    admin = client_for(world.admin)
    assert admin.patch(f"{API}/users/{world.rep_a1.id}", json={"active": False}).status_code == 200
    assert_error(rep.get(f"{API}/me"), 401)
    assert reload(User, world.rep_a1.id).active is False


def test_admin_password_change_ends_sessions_and_new_password_works(world, client_for, anon):
    rep = client_for(world.rep_a1)
    admin = client_for(world.admin)
    response = admin.patch(f"{API}/users/{world.rep_a1.id}", json={"password": "brand-new-pw"})
    assert response.status_code == 200
    assert_error(rep.get(f"{API}/me"), 401)
    old = anon.post(f"{API}/auth/login", json={"email": world.rep_a1.email, "password": PASSWORD})
    assert_error(old, 401)
    new = anon.post(f"{API}/auth/login",
                    json={"email": world.rep_a1.email, "password": "brand-new-pw"})
    assert new.status_code == 200


def test_admin_patch_email_conflict_and_normalisation(world, client_for):
    client = client_for(world.admin)
    assert_error(client.patch(f"{API}/users/{world.rep_a2.id}",
                              json={"email": world.rep_a1.email.upper()}), 409)
    ok = client.patch(f"{API}/users/{world.rep_a2.id}", json={"email": "Someone@Test.Fieldline"})
    assert ok.status_code == 200 and ok.json["email"] == "someone@test.fieldline"
    # keeping your own email is not a conflict
    same = client.patch(f"{API}/users/{world.rep_a2.id}", json={"email": "someone@test.fieldline"})
    assert same.status_code == 200


def test_user_patch_if_match(world, client_for):
    client = client_for(world.admin)
    url = f"{API}/users/{world.rep_a2.id}"
    assert_error(client.patch(url, json={"name": "Stale"}, headers={"If-Match": '"7"'}), 412)
    assert reload(User, world.rep_a2.id).name != "Stale"
    fresh = client.patch(url, json={"name": "Fresh"}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200 and fresh.json["version"] == 2
    assert_error(client.patch(url, json={"name": "Late"}, headers={"If-Match": '"1"'}), 412)
    assert reload(User, world.rep_a2.id).name == "Fresh"


def test_admin_invalid_user_patch_is_422(world, client_for):
    client = client_for(world.admin)
    for change in ({"role": "god"}, {"unknown": 1}, {"team_id": "nope"}, {"name": None},
                   {"locale": "xx"}):
        response = client.patch(f"{API}/users/{world.rep_a2.id}", json=change)
        assert_error(response, 422, list(change))
    assert reload(User, world.rep_a2.id).version == 1


# Teams --------------------------------------------------------------------------------------

def test_teams_list_and_get(world, client_for, anon, new_id):
    client = client_for(world.rep_b1)
    items, pages = walk(client, f"{API}/teams", 1)
    assert [t["name"] for t in items] == ["East", "West"]
    assert pages == 2
    assert items[0]["lead_id"] == str(world.lead_a.id)
    one = client.get(f"{API}/teams/{world.team_a.id}")
    assert one.status_code == 200 and one.json["name"] == "East"
    assert one.headers["ETag"] == f'"{one.json["version"]}"'
    assert_error(client.get(f"{API}/teams/{new_id()}"), 404)
    assert_error(anon.get(f"{API}/teams"), 401)
    assert_error(anon.get(f"{API}/teams/{world.team_a.id}"), 401)


def test_admin_creates_team(world, client_for, new_id):
    client = client_for(world.admin)
    team_id = new_id()
    body = {"id": team_id, "name": "North", "lead_id": str(world.lead_b.id),
            "parent_id": str(world.team_b.id)}
    response = client.post(f"{API}/teams", json=body)
    assert response.status_code == 201
    assert response.json["parent_id"] == str(world.team_b.id)
    again = client.post(f"{API}/teams", json=body)
    assert again.status_code == 200 and again.json["id"] == team_id
    assert count(Team) == 3


def test_duplicate_team_name_is_409(world, client_for):
    client = client_for(world.admin)
    assert_error(client.post(f"{API}/teams", json={"name": "East"}), 409)
    assert_error(client.patch(f"{API}/teams/{world.team_b.id}", json={"name": "East"}), 409)
    assert count(Team) == 2
    assert reload(Team, world.team_b.id).name == "West"


def test_invalid_team_is_422(world, client_for):
    client = client_for(world.admin)
    missing_user = "00000000-0000-0000-0000-000000000001"
    for body, field in [
        ({"name": ""}, "name"), ({}, "name"), ({"name": "N", "lead_id": "x"}, "lead_id"),
        ({"name": "N", "lead_id": missing_user}, "lead_id"),
        ({"name": "N", "parent_id": missing_user}, "parent_id"),
        ({"name": "N", "colour": "red"}, "colour"),
    ]:
        assert_error(client.post(f"{API}/teams", json=body), 422, [field])
    assert count(Team) == 2


def test_team_cannot_be_inside_itself(world, client_for):
    client = client_for(world.admin)
    child = client.post(f"{API}/teams", json={"name": "Child",
                                              "parent_id": str(world.team_a.id)}).json
    response = client.patch(f"{API}/teams/{world.team_a.id}", json={"parent_id": child["id"]})
    assert_error(response, 422, ["parent_id"])
    assert_error(client.patch(f"{API}/teams/{world.team_a.id}",
                              json={"parent_id": str(world.team_a.id)}), 422, ["parent_id"])
    assert reload(Team, world.team_a.id).parent_id is None


def test_team_patch_changes_lead_with_audit_and_if_match(world, client_for):
    client = client_for(world.admin)
    url = f"{API}/teams/{world.team_a.id}"
    version = client.get(url).json["version"]
    assert_error(client.patch(url, json={"lead_id": None},
                              headers={"If-Match": f'"{version + 5}"'}), 412)
    assert reload(Team, world.team_a.id).lead_id == world.lead_a.id
    response = client.patch(url, json={"lead_id": str(world.lead_b.id)},
                            headers={"If-Match": f'"{version}"'})
    assert response.status_code == 200 and response.json["version"] == version + 1
    db.session.rollback()
    changes = db.session.scalars(select(AuditEntry.changes).where(
        AuditEntry.action == "lead_changed", AuditEntry.entity_id == world.team_a.id)).all()
    assert {"lead_id": [str(world.lead_a.id), str(world.lead_b.id)]} in changes
    assert_error(client.patch(url, json={"name": "x"}, headers={"If-Match": "garbage"}), 400)


def test_only_admin_writes_teams(world, client_for):
    for actor in (world.rep_a1, world.lead_a, world.manager):
        client = client_for(actor)
        assert_error(client.post(f"{API}/teams", json={"name": "Mine"}), 403)
        assert_error(client.patch(f"{API}/teams/{world.team_a.id}", json={"name": "Mine"}), 403)
    assert count(Team) == 2
    assert reload(Team, world.team_a.id).name == "East"
