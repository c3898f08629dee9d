"""The PWA in a real Chromium against a live server: install, one-tap links,
offline logging and replay, offline launch, refused replays, language."""
import re
import uuid

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, REP, api, sign_in, wait_for_worker

pytestmark = pytest.mark.e2e


def tel(number):
    cleaned = re.sub(r"[^\d+*#,;]", "", number.strip())
    plus = "+" if cleaned.startswith("+") else ""
    return "tel:" + plus + cleaned.replace("+", "")


def expected_links(item):
    """The tel:/mailto: targets the agenda item should offer, or None."""
    customer, contact = item["customer"] or {}, item["contact"] or {}
    phone = next((v for v in (contact.get("mobile_e164"), contact.get("mobile"),
                              contact.get("phone_e164"), contact.get("phone"),
                              customer.get("phone_e164"), customer.get("phone")) if v), None)
    email = contact.get("email") or customer.get("email")
    return (tel(phone) if phone else None), ("mailto:" + email.strip() if email else None)


def agenda_items(agenda):
    return [(name, item) for name in ("overdue", "today", "upcoming") for item in agenda[name]]


def test_installable(pw, phone, server, tmp_path, shots):
    """Chromium's own verdict: the manifest, icons and service worker make it installable."""
    context = pw.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, **phone,
    )
    try:
        page = context.new_page()
        response = page.goto(server + "/")
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_selector(".signin form")
        page.screenshot(path=str(shots / "signin.png"))
        wait_for_worker(page)
        cdp = context.new_cdp_session(page)
        errors = None
        for _ in range(40):
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            if not errors:
                break
            page.wait_for_timeout(250)
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest.get("errors")
    finally:
        context.close()


def test_today_shows_the_agenda_with_one_tap_links(page, shots):
    sign_in(page)
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "today.png"))
    date = page.evaluate("new URL(performance.getEntriesByType('resource').map(e => e.name)"
                         ".find(n => n.includes('/api/v1/agenda'))).searchParams.get('date')")
    agenda = api(page, f"/agenda?date={date}")["body"]
    items = agenda_items(agenda)
    assert items, "the demo rep has follow-ups"
    for name in ("overdue", "today", "upcoming"):
        cards = page.locator(f".s-{name} li.fu")
        assert cards.count() == len(agenda[name]), name
    with_phone = with_email = 0
    for name, item in items:
        card = page.locator(f'.s-{name} li.fu[data-id="{item["id"]}"]')
        assert card.count() == 1
        if item["customer"]:
            assert item["customer"]["name"] in card.inner_text()
        want_tel, want_mail = expected_links(item)
        calls = card.locator('a[href^="tel:"]')
        mails = card.locator('a[href^="mailto:"]')
        if want_tel:
            with_phone += 1
            assert calls.get_attribute("href") == want_tel
        else:
            assert calls.count() == 0, "no phone, no Call button"
        if want_mail:
            with_email += 1
            assert mails.get_attribute("href") == want_mail
        else:
            assert mails.count() == 0
    assert with_phone and with_email


def test_log_a_visit_with_follow_up_offline_then_sync_once(page, context, shots):
    sign_in(page)
    wait_for_worker(page)
    card = page.locator("li.fu").first
    followup_id = card.get_attribute("data-id")
    customer_name = card.locator(".fu-customer").inner_text()
    token = f"offline visit {uuid.uuid4().hex[:8]}"
    next_token = f"bring samples {uuid.uuid4().hex[:8]}"

    context.set_offline(True)
    page.wait_for_selector(".pill-offline")
    card.locator('button[data-do="log"]').click()
    sheet = page.locator("dialog[open]")
    sheet.locator("label.chip:has(input[name=kind][value=visit])").click()
    sheet.locator("label.chip:has(input[name=outcome][value=interested])").click()
    sheet.locator("textarea[name=notes]").fill(token)
    sheet.locator(".loc-ok").wait_for()
    sheet.locator("label.chip:has(input[name=pick][value=in3days])").click()
    sheet.locator("label.chip:has(input[name=next_action][value=visit])").click()
    sheet.locator("input[name=next_note]").fill(next_token)
    page.screenshot(path=str(shots / "log-sheet.png"))
    sheet.locator("button[type=submit]").click()

    # At once, offline: the follow-up it completed is gone, the new one is there.
    page.wait_for_selector(f'li.fu:has-text("{next_token}")')
    assert page.locator(f'li.fu[data-id="{followup_id}"]').count() == 0
    assert "Pending changes (1)" in page.locator("#status").inner_text()
    page.click(f'li.fu:has-text("{next_token}") .fu-customer')
    page.wait_for_selector(f'.timeline li:has-text("{token}")')
    assert customer_name in page.locator("h1").inner_text()

    context.set_offline(False)
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)
    customer_id = page.url.rsplit("/", 1)[1]
    logged = api(page, f"/activities?customer_id={customer_id}&limit=200")["body"]["items"]
    visits = [a for a in logged if a["notes"] == token]
    assert len(visits) == 1
    visit = visits[0]
    assert visit["kind"] == "visit" and visit["outcome"] == "interested"
    assert visit["location"]["lat"] == pytest.approx(31.2304)
    followups = [a for a in logged if a["notes"] == next_token]
    assert len(followups) == 1
    assert followups[0]["action"] == "visit" and followups[0]["done_at"] is None
    assert api(page, f"/activities/{followup_id}")["body"]["done_at"] is not None
    # The customer page now shows the server's copy, not the queued one.
    page.wait_for_selector(f'.timeline li:has-text("{token}"):not(.queued)')


def test_reload_offline_opens_with_cached_data(page, context, shots):
    sign_in(page)
    wait_for_worker(page)
    page.reload()  # now under the worker: the API answers are kept as they pass
    page.wait_for_selector(".agenda-section")
    page.wait_for_timeout(300)
    cards = page.locator("li.fu").count()

    context.set_offline(True)
    response = page.reload()
    assert response is None or response.from_service_worker
    page.wait_for_selector(".agenda-section")
    assert re.search(r"Offline, as of \d", page.locator(".stale").inner_text())
    assert page.locator(".pill-offline").is_visible()
    assert page.locator("li.fu").count() == cards
    page.screenshot(path=str(shots / "today-offline.png"))
    context.set_offline(False)


def test_refused_replay_stays_in_pending_changes_with_the_text(page, context, shots):
    sign_in(page)
    wait_for_worker(page)
    name = f"Harbour Logistics {uuid.uuid4().hex[:6]}"
    page.click(".tabs a[data-tab=customers]")
    page.click('a[href="/customers/new"]')
    context.set_offline(True)
    page.fill("input[name=name]", name)
    page.fill("input[name=phone]", "call me maybe")
    page.fill("input[name=city]", "Ningbo")
    page.click("form button[type=submit]")
    page.wait_for_url("**/customers/*-*")
    context.set_offline(False)

    # The server refuses the phone number: the change is kept, with its text.
    page.wait_for_selector("#status .pill-alert", timeout=15000)
    page.click("#status a[href='/pending']")
    item = page.locator(".pending-item.failed")
    item.wait_for()
    text = item.inner_text()
    assert name in text and "call me maybe" in text and "Ningbo" in text
    assert "phone" in text
    page.screenshot(path=str(shots / "pending.png"))
    assert api(page, f"/customers?q={name}")["body"]["items"] == []

    item.locator("[data-editbtn]").click()
    page.fill(".edit input[name=phone]", "+86 574 8765 4321")
    page.click(".edit button[type=submit]")
    page.wait_for_selector(".pending-item", state="detached", timeout=15000)
    found = api(page, f"/customers?q={name}")["body"]["items"]
    assert [c["name"] for c in found] == [name]


def test_stale_reschedule_is_shown_not_dropped(page, context, pw, server):
    sign_in(page)
    card = page.locator("li.fu").first
    followup_id = card.get_attribute("data-id")
    due_before = api(page, f"/activities/{followup_id}")["body"]["due_at"]
    context.set_offline(True)
    card.locator('button[data-do="later"]').click()
    page.locator("dialog[open] .pick-big").first.click()

    # Meanwhile the same follow-up changes elsewhere (another device of the rep).
    other = pw.request.new_context(base_url=server)
    login = other.post("/api/v1/auth/login", data={"email": REP, "password": "fieldline"}).json()
    changed = other.patch(f"/api/v1/activities/{followup_id}", data={"notes": "changed elsewhere"},
                          headers={"X-CSRF-Token": login["csrf_token"]})
    assert changed.ok
    other.dispose()

    context.set_offline(False)
    page.wait_for_selector("#status .pill-alert", timeout=15000)
    page.goto("/pending")
    item = page.locator(".pending-item.failed")
    assert "changed this in the meantime" in item.inner_text()
    item.locator("[data-retry]").click()  # "Save mine anyway"
    page.wait_for_selector(".pending-item", state="detached", timeout=15000)
    after = api(page, f"/activities/{followup_id}")["body"]
    assert after["notes"] == "changed elsewhere"
    assert after["due_at"] != due_before


def test_call_then_log(page, shots):
    sign_in(page)
    card = page.locator("li.fu:has(a[href^='tel:'])").first
    followup_id = card.get_attribute("data-id")
    # Headless Chromium has no dialer: keep the tel: link from navigating.
    page.evaluate("""window.addEventListener('click', (e) => {
        if (e.target.closest('a[href^="tel:"]')) e.preventDefault(); })""")
    card.locator("a[href^='tel:']").click()
    away = page.evaluate("JSON.parse(localStorage.getItem('fieldline.away'))")
    assert away["completes_id"] == followup_id and away["kind"] == "call"
    # As if the dialer had the screen for 95 seconds:
    page.evaluate("""() => {
        const a = JSON.parse(localStorage.getItem('fieldline.away'));
        const back = {...a, started_at: Date.now() - 95000, left: true};
        localStorage.setItem('fieldline.away', JSON.stringify(back));
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    sheet = page.locator("dialog[open] .after")
    sheet.wait_for()
    assert "How did the call with" in sheet.inner_text()
    sheet.locator("label.chip:has(input[name=outcome][value=interested])").click()
    page.screenshot(path=str(shots / "call-then-log.png"))
    sheet.locator("button[type=submit]").click()
    page.wait_for_selector(f'li.fu[data-id="{followup_id}"]', state="detached")
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)
    done = api(page, f"/activities/{followup_id}")["body"]
    assert done["done_at"] is not None
    calls = api(page, f"/activities?customer_id={done['customer_id']}&kind=call")["body"]["items"]
    call = next(a for a in calls if a["outcome"] == "interested" and a["duration_seconds"])
    assert 90 <= call["duration_seconds"] <= 120


def test_screens(page, shots):
    """The remaining screens at phone size, for a human to look at."""
    sign_in(page)
    page.click(".tabs a[data-tab=customers]")
    page.wait_for_selector(".list .row-link")
    page.screenshot(path=str(shots / "customers.png"))
    page.click(".list .row-link >> nth=0")
    page.wait_for_selector(".big-actions")
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "customer.png"))
    page.click(".tabs a[data-tab=settings]")
    page.wait_for_selector(".segmented")
    page.screenshot(path=str(shots / "settings.png"))


def test_language_switch_to_chinese(page, shots):
    sign_in(page)
    page.click(".tabs a[data-tab=settings]")
    page.click("label.seg:has(input[value='zh-CN'])")
    page.wait_for_selector(".tabs a[data-tab=today]:has-text('今天')")
    assert page.locator("h1").inner_text() == "设置"
    assert page.locator(".tabs").inner_text().split() == ["今天", "客户", "线索", "商机", "设置"]
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.screenshot(path=str(shots / "settings-zh.png"))
    page.click(".tabs a[data-tab=today]")
    page.wait_for_selector(".agenda-section")
    body = page.locator("#app").inner_text()
    for english in ("Today", "Overdue", "Call", "Email", "Done", "Later", "Customers", "Settings"):
        assert not re.search(rf"\b{english}\b", body), f"English left in Chinese mode: {english}"
    page.screenshot(path=str(shots / "today-zh.png"))
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)
    assert api(page, "/me")["body"]["locale"] == "zh-CN"
    # Back to English for the other tests' user.
    page.click(".tabs a[data-tab=settings]")
    page.click("label.seg:has(input[value='en'])")
    page.wait_for_selector(".tabs a[data-tab=today]:has-text('Today')")
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)


def test_sign_out_warns_about_unsent_changes_and_leaves_nothing(page, context):
    sign_in(page)
    wait_for_worker(page)
    page.reload()
    page.wait_for_selector(".agenda-section")
    context.set_offline(True)
    page.locator("li.fu button[data-do='done']").first.click()
    page.wait_for_selector("#status a[href='/pending']")
    page.click(".tabs a[data-tab=settings]")
    page.click("[data-signout]")
    dialog = page.locator("dialog[open]")
    assert "1 change isn't sent yet" in dialog.inner_text()
    dialog.locator("button[value=no]").click()
    context.set_offline(False)
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)

    page.click("[data-signout]")
    page.locator("dialog[open] button[value=yes]").click()
    page.wait_for_selector(".signin form")
    kept = page.evaluate("async () => (await caches.keys())"
                         ".filter((k) => !k.startsWith('fieldline-shell-'))")
    assert kept == []
    left = page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('fieldline');
        req.onsuccess = () => {
            const tx = req.result.transaction(['kv', 'customers', 'outbox']);
            const counts = {};
            for (const name of ['kv', 'customers', 'outbox']) {
                tx.objectStore(name).count().onsuccess = (e) => { counts[name] = e.target.result; };
            }
            tx.oncomplete = () => resolve(counts);
        };
    })""")
    assert left == {"kv": 0, "customers": 0, "outbox": 0}
    assert api(page, "/me")["status"] == 401
    page.reload()
    page.wait_for_selector(".signin form")


def test_home_screen_shortcut_opens_the_log_sheet(page, shots):
    """The manifest's "Log a visit" shortcut: one tap from the home screen to the sheet."""
    sign_in(page)
    manifest = page.evaluate("fetch('/manifest.webmanifest').then((r) => r.json())")
    url = next(s["url"] for s in manifest["shortcuts"] if s["name"] == "Log a visit")
    page.goto(url)
    sheet = page.locator("dialog[open] form.log-form")
    sheet.wait_for()
    assert sheet.locator("input[name=kind][value=visit]").is_checked()
    assert "log=" not in page.url  # a reload does not open it again
    page.screenshot(path=str(shots / "shortcut-log.png"))
