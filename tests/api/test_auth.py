"""Signing in and out, sessions, CSRF, integration tokens and login throttling."""
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, Customer, UserSession
from tests import factories
from tests.conftest import ApiClient
from tests.factories import PASSWORD
from tests.api.helpers import API, assert_error, count
from tests.ports import free_port

COOKIE = "fieldline_session"


def _login(client, email, password=PASSWORD, addr=None, **kw):
    if addr:
        kw["environ_base"] = {"REMOTE_ADDR": addr}
    return client.post(f"{API}/auth/login", json={"email": email, "password": password}, **kw)


def _cookie(client):
    cookie = client.client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def _client_with_cookie(app, token):
    client = ApiClient(app)
    client.client.set_cookie(COOKIE, token)
    return client


# Sign in ------------------------------------------------------------------------------------

def test_login_sets_httponly_lax_cookie_and_returns_user_and_csrf(world, anon):
    response = _login(anon, world.rep_a1.email)
    assert response.status_code == 200
    body = response.json
    assert body["user"]["id"] == str(world.rep_a1.id)
    assert body["user"]["role"] == "rep"
    assert "password" not in body["user"] and "password_hash" not in body["user"]
    assert len(body["csrf_token"]) >= 32
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie
    assert "Path=/" in set_cookie
    token = _cookie(anon)
    # only a hash of the token is stored
    assert count(UserSession, UserSession.user_id == world.rep_a1.id) == 1
    assert db.session.scalar(select(UserSession.token_hash)) != token


def test_login_email_is_case_insensitive(world, anon):
    assert _login(anon, "  " + world.rep_a1.email.upper()).status_code == 200


@pytest.mark.parametrize("email,password", [
    ("rep_a1", "wrong-password"),
    ("nobody@test.fieldline", PASSWORD),
])
def test_login_wrong_credentials_is_401_and_sets_no_cookie(world, anon, email, password):
    email = world.rep_a1.email if email == "rep_a1" else email
    response = _login(anon, email, password)
    body = assert_error(response, 401)
    assert "Set-Cookie" not in response.headers
    assert _cookie(anon) is None
    # unknown email and wrong password look the same
    assert body["message"] == "Wrong email or password."


def test_login_of_deactivated_user_is_401(world, client_for, anon):
    admin = client_for(world.admin)
    assert admin.patch(f"{API}/users/{world.rep_a1.id}", json={"active": False}).status_code == 200
    assert_error(_login(anon, world.rep_a1.email), 401)


def test_login_invalid_body_is_422(world, anon):
    for body in ({}, {"email": "a@b.c"}, {"password": "x"}, {"email": "", "password": ""},
                 {"email": "a@b.c", "password": "x", "remember": True}):
        response = anon.post(f"{API}/auth/login", json=body)
        assert_error(response, 422)
        assert "errors" in response.json


def test_login_malformed_json_is_400(anon):
    response = anon.post(f"{API}/auth/login", data="{not json",
                         content_type="application/json")
    assert_error(response, 400)


def test_signing_in_again_rotates_the_session(app, world, client_for):
    client = client_for(world.rep_a1)
    first = _cookie(client)
    response = _login(client, world.rep_a1.email)
    assert response.status_code == 200
    second = _cookie(client)
    assert second and second != first
    assert response.json["csrf_token"] != client.csrf
    # the old session id is dead, the new one works
    assert_error(_client_with_cookie(app, first).get(f"{API}/me"), 401)
    assert _client_with_cookie(app, second).get(f"{API}/me").status_code == 200
    assert count(UserSession, UserSession.user_id == world.rep_a1.id) == 1


def test_two_browsers_have_independent_sessions(world, client_for):
    phone, laptop = client_for(world.rep_a1), client_for(world.rep_a1)
    assert _cookie(phone) != _cookie(laptop)
    assert phone.post(f"{API}/auth/logout").status_code == 204
    assert_error(phone.get(f"{API}/me"), 401)
    assert laptop.get(f"{API}/me").status_code == 200


def test_logout_ends_the_session(app, world, client_for):
    client = client_for(world.rep_a1)
    token = _cookie(client)
    response = client.post(f"{API}/auth/logout")
    assert response.status_code == 204
    assert f"{COOKIE}=;" in response.headers["Set-Cookie"]
    assert _cookie(client) is None
    assert count(UserSession, UserSession.user_id == world.rep_a1.id) == 0
    # replaying the old cookie does not work either
    assert_error(_client_with_cookie(app, token).get(f"{API}/me"), 401)


def test_logout_needs_csrf_and_a_session(world, client_for, anon):
    assert_error(anon.post(f"{API}/auth/logout"), 401)
    client = client_for(world.rep_a1)
    assert_error(client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": ""}), 403)
    assert client.get(f"{API}/me").status_code == 200


def test_me_returns_profile_and_csrf(world, client_for):
    client = client_for(world.rep_a1)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    body = response.json
    assert body["id"] == str(world.rep_a1.id)
    assert body["role"] == "rep"
    assert body["team_id"] == str(world.team_a.id)
    assert body["locale"] == "en"
    assert body["timezone"] == "Asia/Shanghai"
    assert body["email"] == world.rep_a1.email
    assert body["csrf_token"] == client.csrf
    assert "password" not in body and "password_hash" not in body


def test_me_without_session_is_401(anon, app):
    assert_error(anon.get(f"{API}/me"), 401)
    assert_error(_client_with_cookie(app, "forged-session-token").get(f"{API}/me"), 401)


def test_expired_session_is_401(world, client_for):
    from datetime import timedelta

    from app.models.base import utcnow
    client = client_for(world.rep_a1)
    db.session.rollback()
    for session in db.session.scalars(select(UserSession)):
        session.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error(client.get(f"{API}/me"), 401)


# CSRF ---------------------------------------------------------------------------------------

def test_cookie_write_without_right_csrf_token_is_403(world, client_for):
    client = client_for(world.rep_a1)
    client.csrf = None  # stop the client from adding the real one
    for header in (None, "", "0" * 64, "wrong"):
        headers = {} if header is None else {"X-CSRF-Token": header}
        response = client.post(f"{API}/customers", json={"name": "Acme"}, headers=headers)
        assert_error(response, 403)
        customer = factories.make_customer(world.rep_a1)
        assert_error(client.patch(f"{API}/customers/{customer.id}", json={"name": "x"},
                                  headers=headers), 403)
        assert_error(client.delete(f"{API}/customers/{customer.id}", headers=headers), 403)
    assert count(Customer, Customer.name == "Acme") == 0
    assert count(Customer, Customer.deleted_at.is_(None), Customer.name != "x") == 4


def test_csrf_token_is_bound_to_its_session(world, client_for):
    one, two = client_for(world.rep_a1), client_for(world.rep_a1)
    assert one.csrf != two.csrf
    response = one.post(f"{API}/customers", json={"name": "Acme"},
                        headers={"X-CSRF-Token": two.csrf})
    assert_error(response, 403)


def test_cookie_reads_need_no_csrf(world, client_for):
    client = client_for(world.rep_a1)
    client.csrf = None
    assert client.get(f"{API}/customers").status_code == 200


# Integration tokens -------------------------------------------------------------------------

def test_token_lifecycle(app, world, client_for):
    client = client_for(world.rep_a1)
    created = client.post(f"{API}/auth/tokens", json={"name": "ERP sync"})
    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("fl_") and len(secret) > 30
    assert created.json["name"] == "ERP sync"
    token_id = created.json["id"]
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != secret and secret not in stored.token_hash

    # the secret is shown once: the list never has it
    listed = client.get(f"{API}/auth/tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json] == [token_id]
    assert "token" not in listed.json[0]

    # bearer auth works and needs no CSRF header, no cookie
    bearer = ApiClient(app)
    auth = {"Authorization": f"Bearer {secret}"}
    me = bearer.get(f"{API}/me", headers=auth)
    assert me.status_code == 200
    assert me.json["id"] == str(world.rep_a1.id)
    assert me.json.get("csrf_token") is None
    write = bearer.post(f"{API}/customers", json={"name": "Via ERP"}, headers=auth)
    assert write.status_code == 201
    assert write.json["owner_id"] == str(world.rep_a1.id)
    db.session.rollback()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None

    # revoke: 204, then the token is dead and gone from the list
    assert client.delete(f"{API}/auth/tokens/{token_id}").status_code == 204
    assert_error(bearer.get(f"{API}/me", headers=auth), 401)
    assert_error(bearer.post(f"{API}/customers", json={"name": "x"}, headers=auth), 401)
    assert client.get(f"{API}/auth/tokens").json == []
    assert_error(client.delete(f"{API}/auth/tokens/{token_id}"), 404)


def test_token_of_another_user_cannot_be_revoked(world, client_for):
    mine = client_for(world.rep_a1).post(f"{API}/auth/tokens", json={"name": "mine"}).json
    other = client_for(world.rep_b1)
    assert_error(other.delete(f"{API}/auth/tokens/{mine['id']}"), 404)
    assert other.get(f"{API}/auth/tokens").json == []
    assert db.session.scalar(select(ApiToken)).revoked_at is None


def test_bad_bearer_token_is_401(world, anon):
    for header in ("Bearer nope", "Bearer ", "Bearer fl_" + "x" * 43, "Basic abc"):
        assert_error(anon.get(f"{API}/me", headers={"Authorization": header}), 401)


def test_bearer_of_deactivated_user_is_401(app, world, client_for):
    secret = client_for(world.rep_a1).post(f"{API}/auth/tokens", json={"name": "t"}).json["token"]
    client_for(world.admin).patch(f"{API}/users/{world.rep_a1.id}", json={"active": False})
    assert_error(ApiClient(app).get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}),
                 401)


def test_token_endpoints_need_auth_and_valid_input(world, client_for, anon, new_id):
    assert_error(anon.get(f"{API}/auth/tokens"), 401)
    assert_error(anon.post(f"{API}/auth/tokens", json={"name": "x"}), 401)
    assert_error(anon.delete(f"{API}/auth/tokens/{new_id()}"), 401)
    client = client_for(world.rep_a1)
    assert_error(client.post(f"{API}/auth/tokens", json={}), 422, ["name"])
    assert_error(client.post(f"{API}/auth/tokens", json={"name": ""}), 422, ["name"])
    assert_error(client.post(f"{API}/auth/tokens", json={"name": "x" * 121}), 422, ["name"])
    assert_error(client.delete(f"{API}/auth/tokens/{new_id()}"), 404)
    assert count(ApiToken) == 0


# Throttling ---------------------------------------------------------------------------------

def test_failed_logins_are_throttled_per_account(app, world, anon):
    assert app.config["LOGIN_FAILURES_PER_ACCOUNT"] == "5 per 15 minutes"
    email = world.rep_a1.email
    for i in range(5):
        assert _login(anon, email, "wrong", addr=f"10.0.0.{i + 1}").status_code == 401
    # the account is locked whatever the address, the case, or the password
    locked = _login(anon, email, "wrong", addr="10.0.1.1")
    body = assert_error(locked, 429)
    assert "account" in body["message"]
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert _login(anon, email.upper(), "wrong", addr="10.0.1.2").status_code == 429
    assert _login(anon, email, PASSWORD, addr="10.0.1.3").status_code == 429
    # another account from the same address is not affected
    assert _login(anon, world.rep_a2.email, PASSWORD, addr="10.0.0.1").status_code == 200


def test_failed_logins_are_throttled_per_address(app, world, anon, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", "3 per 15 minutes")
    accounts = [world.rep_a1, world.rep_a2, world.rep_b1]
    for user in accounts:  # one failure per account: no account limit is reached
        assert _login(anon, user.email, "wrong", addr="10.9.9.9").status_code == 401
    body = assert_error(_login(anon, world.lead_a.email, "wrong", addr="10.9.9.9"), 429)
    assert "address" in body["message"]
    # other addresses still work, for failures and successes alike
    assert _login(anon, world.lead_a.email, "wrong", addr="10.9.9.10").status_code == 401
    assert _login(anon, world.lead_a.email, PASSWORD, addr="10.9.9.10").status_code == 200


def test_successful_logins_never_count(world, anon):
    """A whole office behind one address signing in at 9:00 is never blocked."""
    users = [world.rep_a1, world.rep_a2, world.rep_b1, world.lead_a, world.lead_b,
             world.manager, world.finance, world.cashier]
    for i in range(40):
        response = _login(anon, users[i % len(users)].email, addr="192.0.2.1")
        assert response.status_code == 200, i
    for i in range(40):
        assert _login(anon, world.rep_a1.email, addr="192.0.2.1").status_code == 200, i


def test_successes_between_failures_do_not_reset_or_count(world, anon):
    email = world.rep_a1.email
    for _ in range(4):
        assert _login(anon, email, "wrong").status_code == 401
    for _ in range(10):
        assert _login(anon, email).status_code == 200
    assert _login(anon, email, "wrong").status_code == 401  # fifth failure
    assert _login(anon, email, "wrong").status_code == 429  # sixth


def test_invalid_login_bodies_do_not_count_as_failures(world, anon):
    for _ in range(8):
        assert anon.post(f"{API}/auth/login", json={"email": world.rep_a1.email}).status_code == 422
    assert _login(anon, world.rep_a1.email).status_code == 200


RATE_STORE_DOWN = """
import sys
from app import create_app
from app.extensions import db
from tests import factories

app = create_app({"TESTING": True, "SECRET_KEY": "x", "SERVER_NAME": "localhost",
                  "SQLALCHEMY_DATABASE_URI": sys.argv[1], "RATELIMIT_STORAGE_URI": sys.argv[2]})
with app.app_context():
    db.create_all()
    email = factories.make_user().email
    db.session.commit()
client = app.test_client()
codes = [client.post("/api/v1/auth/login", json={"email": email, "password": password}
                     ).status_code for password in [factories.PASSWORD] + ["wrong"] * 6]
print(" ".join(map(str, codes)))
"""


def test_sign_in_works_while_the_rate_limit_store_is_down(tmp_path):
    """RATELIMIT_STORAGE_URI names a Redis nobody answers on: sign-in still works and
    failures are still throttled, counted in the process meanwhile (it answered 500).
    Its own process: the limiter is one object per process, shared by the apps in it."""
    database = f"sqlite:///{tmp_path / 'down.db'}"
    store = f"redis://127.0.0.1:{free_port()}/0"
    done = subprocess.run([sys.executable, "-c", RATE_STORE_DOWN, database, store],
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "401", "401", "401", "401", "401", "429"], done.stderr
