"""/api/v1/push: the VAPID key and each user's own devices."""
import base64
import os

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, PushSubscription
from tests.api.helpers import API, assert_error, count

PUSH = f"{API}/push"


def fake_subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc123", p256dh=None,
                      auth=None):
    key = p256dh or base64.urlsafe_b64encode(b"\x04" + os.urandom(64)).decode().rstrip("=")
    secret = auth or base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": key, "auth": secret}}


def test_the_public_key_needs_no_sign_in(app, anon):
    response = anon.get(f"{PUSH}/public-key")
    assert response.status_code == 200
    key = base64.urlsafe_b64decode(response.json["public_key"] + "==")
    assert len(key) == 65 and key[0] == 4
    assert response.json["public_key"] == app.config["VAPID_PUBLIC_KEY"]


def test_without_vapid_keys_push_says_it_is_off(app, world, client_for, anon, monkeypatch):
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", None)
    assert_error(anon.get(f"{PUSH}/public-key"), 503)
    assert_error(client_for(world.rep_a1).post(f"{PUSH}/subscriptions",
                                               json=fake_subscription()), 503)
    assert count(PushSubscription) == 0


def test_subscribe_then_again_then_unsubscribe(world, client_for):
    rep = client_for(world.rep_a1)
    sub = fake_subscription()
    first = rep.post(f"{PUSH}/subscriptions", json=sub, headers={"User-Agent": "Pixel 7"})
    assert first.status_code == 201, first.json
    assert first.json["push_service"] == "fcm.googleapis.com"
    assert first.json["user_agent"] == "Pixel 7"
    # The browser renewed its keys: same endpoint, updated in place.
    renewed = fake_subscription()
    again = rep.post(f"{PUSH}/subscriptions", json=renewed)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    stored = db.session.scalars(select(PushSubscription)).one()
    assert stored.p256dh == renewed["keys"]["p256dh"]
    # A second device.
    assert rep.post(f"{PUSH}/subscriptions", json=fake_subscription(
        "https://updates.push.services.mozilla.com/wpush/v2/xyz")).status_code == 201
    devices = rep.get(f"{PUSH}/subscriptions").json
    assert len(devices["items"]) == 2 and devices["next_cursor"] is None
    assert rep.delete(f"{PUSH}/subscriptions", json=sub).status_code == 204
    assert count(PushSubscription) == 1
    assert_error(rep.delete(f"{PUSH}/subscriptions", json={"endpoint": sub["endpoint"]}), 404)


def test_a_browser_follows_whoever_signs_in_on_it(world, client_for):
    sub = fake_subscription()
    client_for(world.rep_a1).post(f"{PUSH}/subscriptions", json=sub)
    assert client_for(world.rep_a2).post(f"{PUSH}/subscriptions", json=sub).status_code == 200
    stored = db.session.scalars(select(PushSubscription)).one()
    assert stored.user_id == world.rep_a2.id


def test_devices_are_private(world, client_for):
    mine = client_for(world.rep_a1).post(f"{PUSH}/subscriptions", json=fake_subscription()).json
    other = client_for(world.rep_b1)
    assert other.get(f"{PUSH}/subscriptions").json["items"] == []
    assert_error(other.delete(f"{PUSH}/subscriptions/{mine['id']}"), 404)
    assert_error(other.delete(f"{PUSH}/subscriptions",
                              json={"endpoint": "https://fcm.googleapis.com/fcm/send/abc123"}),
                 404)
    # Even an admin does not see or remove someone's phone through these.
    assert client_for(world.admin).get(f"{PUSH}/subscriptions").json["items"] == []
    assert count(PushSubscription) == 1
    assert client_for(world.rep_a1).delete(
        f"{PUSH}/subscriptions/{mine['id']}").status_code == 204
    assert count(PushSubscription) == 0


@pytest.mark.parametrize("endpoint", [
    "http://fcm.googleapis.com/fcm/send/x",          # not https
    "https://evil.example.com/push",                 # not a push service
    "https://fcm.googleapis.com.evil.com/x",         # suffix trick
    "https://127.0.0.1/push",                        # an address, not a service
    "https://169.254.169.254/latest/meta-data",
    "ftp://fcm.googleapis.com/x",
    "not a url at all",
])
def test_only_push_service_endpoints(world, client_for, endpoint):
    response = client_for(world.rep_a1).post(f"{PUSH}/subscriptions",
                                             json=fake_subscription(endpoint))
    assert_error(response, 422, ["endpoint"])
    assert count(PushSubscription) == 0


def test_keys_must_have_the_right_shape(world, client_for):
    rep = client_for(world.rep_a1)
    short = base64.urlsafe_b64encode(b"\x04" + os.urandom(30)).decode()
    body = assert_error(rep.post(f"{PUSH}/subscriptions", json=fake_subscription(
        p256dh=short, auth="!!!")), 422, ["keys"])
    assert set(body["errors"]["json"]["keys"]) == {"p256dh", "auth"}
    assert_error(rep.post(f"{PUSH}/subscriptions", json={"endpoint": "https://fcm.googleapis.com/x"}),
                 422, ["keys"])
    assert_error(rep.post(f"{PUSH}/subscriptions", json={**fake_subscription(), "extra": 1}),
                 422, ["extra"])
    assert count(PushSubscription) == 0


def test_signed_out_and_csrf(world, client_for, anon):
    assert_error(anon.post(f"{PUSH}/subscriptions", json=fake_subscription()), 401)
    assert_error(anon.get(f"{PUSH}/subscriptions"), 401)
    rep = client_for(world.rep_a1)
    assert_error(rep.post(f"{PUSH}/subscriptions", json=fake_subscription(),
                          headers={"X-CSRF-Token": "wrong"}), 403)


def test_the_test_push_needs_a_device_and_comes_once_a_minute(world, client_for):
    rep = client_for(world.rep_a1)
    assert_error(rep.post(f"{PUSH}/test"), 409)
    rep.post(f"{PUSH}/subscriptions", json=fake_subscription())
    assert rep.post(f"{PUSH}/test").json == {"devices": 1}
    assert rep.post(f"{PUSH}/test").status_code == 202
    notices = db.session.scalars(select(Notification).where(Notification.kind == "test")).all()
    assert len(notices) == 1 and notices[0].user_id == world.rep_a1.id


def test_device_list_costs_constant_queries(world, client_for, count_queries):
    rep = client_for(world.rep_a1)
    rep.post(f"{PUSH}/subscriptions", json=fake_subscription())
    with count_queries() as one:
        rep.get(f"{PUSH}/subscriptions")
    for n in range(5):
        rep.post(f"{PUSH}/subscriptions",
                 json=fake_subscription(f"https://fcm.googleapis.com/fcm/send/{n}"))
    with count_queries() as six:
        rep.get(f"{PUSH}/subscriptions")
    assert six.n == one.n
