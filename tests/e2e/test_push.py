"""Reminders in the real browser: turning them on from Settings, the prompt after the
first follow-up, a push delivered through the DevTools protocol shown by the real service
worker with its actions, and Done on the notification completing the follow-up on the
server."""
import json
import time
import uuid
from pathlib import Path
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.conftest import api, sign_in, wait_for_worker
from tests.waiting import wait_until as poll

pytestmark = pytest.mark.e2e

REP = "rep4@demo.fieldline.app"  # Kevin Zhang; other tests use rep1

FAKE_PUSH = (Path(__file__).parent / "fake_push.js").read_text()


def _turn_on_in_settings(page, context, server):
    context.grant_permissions(["notifications"], origin=server)
    page.click(".tabs a[data-tab=settings]")
    page.click("[data-push-on]")
    page.wait_for_selector("[data-push-status=on]")


def test_turn_on_reminders_in_settings_then_sign_out_removes_the_device(page, context, server,
                                                                        shots):
    page.add_init_script(FAKE_PUSH)
    sign_in(page, REP)
    wait_for_worker(page)
    # Headless Chromium answers "denied" until granted; a phone would say "default".
    context.grant_permissions(["notifications"], origin=server)
    page.click(".tabs a[data-tab=settings]")
    page.wait_for_selector("[data-push-status=off]")
    page.screenshot(path=str(shots / "push-settings-off.png"), full_page=True)
    _turn_on_in_settings(page, context, server)
    options = page.evaluate("() => window.__subscribeOptions")
    assert options == {"userVisibleOnly": True, "keyLength": 65}
    devices = api(page, "/push/subscriptions")["body"]["items"]
    assert len(devices) == 1 and devices[0]["push_service"] == "fcm.googleapis.com"
    page.locator("[data-reminders]").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "push-settings-on.png"), full_page=True)
    page.click("[data-push-test]")
    page.wait_for_selector("#toast.show:text('Test sent')")

    # Lead time goes to the server (through the outbox).
    page.select_option("select[name=lead]", "30")
    assert poll(lambda: api(page, "/me")["body"]["reminder_lead_minutes"] == 30)
    api(page, f"/users/{api(page, '/me')['body']['id']}", "PATCH", {"reminder_lead_minutes": 15})

    page.click("[data-signout]")
    page.locator("dialog[open] button[value=yes]").click()
    page.wait_for_selector(".signin form")
    sign_in(page, REP)
    assert api(page, "/push/subscriptions")["body"]["items"] == []


def test_denied_permission_is_explained_not_an_error(page, shots):
    page.add_init_script(
        "Object.defineProperty(Notification, 'permission', {get: () => 'denied'});")
    sign_in(page, REP)
    wait_for_worker(page)
    page.click(".tabs a[data-tab=settings]")
    box = page.wait_for_selector("[data-push-status=denied] .notice-box")
    assert "blocked" in box.inner_text()
    assert page.locator("[data-push-on]").count() == 0
    page.locator("[data-reminders]").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "push-settings-denied.png"))


def test_iphone_safari_outside_the_home_screen_is_told_to_install(browser, pw, server, shots):
    iphone = dict(pw.devices["iPhone 13"])
    iphone.pop("default_browser_type", None)
    ctx = browser.new_context(**iphone, base_url=server)
    try:
        page = ctx.new_page()
        sign_in(page, REP)
        page.click(".tabs a[data-tab=settings]")
        box = page.wait_for_selector("[data-push-status=ios-install] .notice-box")
        assert "Add to Home Screen" in box.inner_text()
        page.locator("[data-reminders]").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "push-settings-iphone.png"))
    finally:
        ctx.close()


def test_prompt_after_the_first_follow_up_not_on_first_load(page, context, server, shots):
    page.add_init_script(FAKE_PUSH)
    context.grant_permissions(["notifications"], origin=server)
    sign_in(page, REP)
    wait_for_worker(page)
    assert page.locator(".push-offer").count() == 0  # never on load
    page.locator("li.fu button[data-do='log']").first.click()
    page.locator("dialog[open] .chip", has_text="Tomorrow").first.click()
    page.locator("dialog[open] button[type=submit]").click()
    offer = page.wait_for_selector("dialog[open] .push-offer")
    page.screenshot(path=str(shots / "push-offer.png"))
    assert "remind you" in offer.inner_text()
    page.click("dialog[open] [data-on]")
    page.wait_for_selector("dialog[open] .push-offer", state="detached")
    assert len(api(page, "/push/subscriptions")["body"]["items"]) == 1
    # Asked once: the next follow-up does not ask again.
    page.locator("li.fu button[data-do='log']").first.click()
    page.locator("dialog[open] .chip", has_text="Tomorrow").first.click()
    page.locator("dialog[open] button[type=submit]").click()
    time.sleep(1)
    assert page.locator(".push-offer").count() == 0
    api(page, "/push/subscriptions", "DELETE",
        {"endpoint": page.evaluate("async () => (await (await navigator.serviceWorker.ready)"
                                   ".pushManager.getSubscription()).endpoint")})


def _reminder_payload(seeded_env, followup_id):
    """The payload exactly as the worker would send it for this follow-up."""
    from app import create_app
    from app.extensions import db
    from app.models import Activity, Contact, Customer, Notification, User
    from app.push.dispatch import reminder_payload

    app = create_app({"SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": seeded_env["DATABASE_URL"]})
    with app.app_context():
        followup = db.session.get(Activity, uuid.UUID(followup_id))
        user = db.session.get(User, followup.owner_id)
        customer = db.session.get(Customer, followup.customer_id)
        contact = db.session.get(Contact, followup.contact_id) if followup.contact_id else None
        payload = reminder_payload(Notification(kind="reminder"), user, followup, customer,
                                   contact, datetime.now(timezone.utc))
        db.session.remove()
        db.engine.dispose()
    return payload


def _new_followup(page, note, in_minutes=180):
    due = (datetime.now(timezone.utc) + timedelta(minutes=in_minutes)).replace(microsecond=0)
    customer = api(page, "/customers?limit=1")["body"]["items"][0]
    created = api(page, "/activities", "POST", {
        "kind": "task", "action": "call", "customer_id": customer["id"],
        "due_at": due.isoformat(), "notes": note})
    assert created["status"] == 201, created
    return customer, created["body"]


def _deliver_push(context, page, server, payload):
    """Deliver a push message to the page's service worker through the DevTools protocol."""
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    poll(lambda: page.wait_for_timeout(100) or registrations, timeout=10)
    registration_id = next(r["registrationId"] for r in registrations
                           if r["scopeURL"].rstrip("/") == server)
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": server, "registrationId": registration_id, "data": json.dumps(payload)})
    shown = []
    poll(lambda: page.wait_for_timeout(100) or shown.extend(page.evaluate("""async () => {
            const list = await (await navigator.serviceWorker.ready).getNotifications();
            return list.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                actions: n.actions.map((a) => a.action), data: n.data}));
        }""")) or shown)
    return shown


def _tap_action(context, action):
    [worker] = [w for w in context.service_workers if w.url.endswith("/sw.js")]
    worker.evaluate("""async (action) => {
        const [n] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent('notificationclick', {notification: n, action}));
    }""", action)


def test_a_pushed_reminder_shows_with_actions_and_done_completes_it(page, context, server,
                                                                     seeded_env, shots):
    context.grant_permissions(["notifications"], origin=server)
    sign_in(page, REP)
    wait_for_worker(page)
    customer, followup = _new_followup(page, "Bring the signed quote")
    payload = _reminder_payload(seeded_env, followup["id"])
    [notification] = _deliver_push(context, page, server, payload)
    assert notification["title"] == payload["title"]
    assert customer["name"] in notification["title"]
    assert notification["body"] == "Bring the signed quote"
    # Chromium shows two buttons: Done and Snooze; the tap opens the customer to call.
    assert notification["actions"] == ["done", "snooze"]
    assert notification["data"]["url"] == f"/customers/{customer['id']}?call=1"

    # Tap Done on the notification: the real service worker's handler runs.
    _tap_action(context, "done")
    assert poll(lambda: api(page, f"/activities/{followup['id']}")["body"].get("done_at"))
    assert page.evaluate("async () => (await (await navigator.serviceWorker.ready)"
                         ".getNotifications()).length") == 0


def test_snooze_tapped_offline_waits_in_the_outbox_then_moves_the_followup(page, context, server,
                                                                           seeded_env):
    context.grant_permissions(["notifications"], origin=server)
    sign_in(page, REP)
    wait_for_worker(page)
    _, followup = _new_followup(page, "Snooze me", in_minutes=15)
    _deliver_push(context, page, server, _reminder_payload(seeded_env, followup["id"]))
    context.set_offline(True)
    tapped = datetime.now(timezone.utc)
    _tap_action(context, "snooze")
    page.wait_for_selector("#status a[href='/pending']", timeout=15000)
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    # Reminded again an hour after the tap: due an hour and the lead time (15 min) later.
    expected = tapped + timedelta(minutes=75)
    assert poll(lambda: abs(datetime.fromisoformat(
        api(page, f"/activities/{followup['id']}")["body"]["due_at"]) - expected)
        < timedelta(seconds=30))
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)


def test_pushsubscriptionchange_moves_the_device_to_the_new_endpoint(page, context, server):
    """The push service replaced the subscription: the service worker tells the server the
    new one and drops the old, with the user's session and CSRF token."""
    page.add_init_script(FAKE_PUSH)
    sign_in(page, REP)
    wait_for_worker(page)
    _turn_on_in_settings(page, context, server)
    [old] = api(page, "/push/subscriptions")["body"]["items"]
    old_endpoint = page.evaluate("async () => (await (await navigator.serviceWorker.ready)"
                                 ".pushManager.getSubscription()).endpoint")
    [worker] = [w for w in context.service_workers if w.url.endswith("/sw.js")]
    worker.evaluate("""(old) => {
        const key = new Uint8Array(65); key[0] = 4; crypto.getRandomValues(key.subarray(1));
        const b64 = (b) => btoa(String.fromCharCode(...b)).replace(/\\+/g, '-')
            .replace(/\\//g, '_').replace(/=+$/, '');
        const endpoint = 'https://fcm.googleapis.com/fcm/send/renewed';
        const event = new Event('pushsubscriptionchange');
        event.oldSubscription = { endpoint: old };
        event.newSubscription = { endpoint, toJSON: () => ({ endpoint, expirationTime: null,
            keys: { p256dh: b64(key), auth: b64(crypto.getRandomValues(new Uint8Array(16))) } }) };
        self.dispatchEvent(event);
    }""", old_endpoint)
    assert poll(lambda: len(ids := [d["id"] for d in api(
        page, "/push/subscriptions")["body"]["items"]]) == 1 and ids != [old["id"]])
    [renewed] = api(page, "/push/subscriptions")["body"]["items"]
    assert renewed["id"] != old["id"] and renewed["push_service"] == "fcm.googleapis.com"
    api(page, f"/push/subscriptions/{renewed['id']}", "DELETE")
