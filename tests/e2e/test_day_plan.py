"""Plan my day on a 390 x 844 phone (issue 13): pick stops (a fixed appointment, an
overdue visit, customers nearby), optimise, reorder by drag and by arrow, navigate to the
next stop, a visit logged there marks it done; offline the plan still shows, optimising is
off and a reorder waits in the outbox; then the team lead's view of the rep's day.

The rep is placed in Minhang, away from the demo customers, so the nearby list is this
test's customers; each run makes its own (unique names)."""
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import PASSWORD, api, sign_in, wait_for_worker
from tests.e2e.test_customer_record import chinese, shot
from tests.e2e.test_sales_offline import go_offline, go_online, queued, wait_until_sent
from tests.waiting import wait_until

SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = {"latitude": 31.1000, "longitude": 121.3000, "accuracy": 12}
LEAD = "lead.east@demo.fieldline.app"
ADMIN = "admin@demo.fieldline.app"


@pytest.fixture
def phone_390(phone):
    return {**phone, "viewport": {"width": 390, "height": 844},
            "screen": {"width": 390, "height": 844}}


def _context(browser, phone_390, server, geolocation=HERE):
    return browser.new_context(**phone_390, base_url=server, geolocation=geolocation,
                               permissions=["geolocation"])


@contextmanager
def _open(browser, phone_390, server, email):
    context = _context(browser, phone_390, server)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, email, PASSWORD)
        yield page, context
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def whole_day(browser, phone_390, server):
    """A working day from 00:00 to 23:59, so the appointment fits whenever this runs."""
    with _open(browser, phone_390, server, ADMIN) as (page, _):
        before = api(page, "/settings")["body"]
        api(page, "/settings", "PATCH", {"workday_start": "00:00", "workday_end": "23:59"})
    yield
    with _open(browser, phone_390, server, ADMIN) as (page, _):
        api(page, "/settings", "PATCH", {k: before[k] for k in ("workday_start", "workday_end")})


def _customer(page, name, north_m, east_m, **fields):
    body = {"id": str(uuid.uuid4()), "name": name, "city": "Shanghai",
            "lat": round(HERE["latitude"] + north_m / 111_195, 6),
            "lng": round(HERE["longitude"] + east_m / 95_300, 6), **fields}
    res = api(page, "/customers", "POST", body)
    assert res["status"] == 201, res
    return res["body"]


def _names(page):
    return page.locator("[data-stops] .stop-name").all_inner_texts()


def _server_names(page, date):
    return [s["customer"]["name"] for s in api(page, f"/plans/{date}")["body"]["stops"]]


def _drag(page, row_from, row_to):
    """Drag row ``row_from``'s handle onto row ``row_to`` with the mouse's pointer events."""
    handle = page.locator("[data-stops] .stop").nth(row_from).locator("[data-drag]").bounding_box()
    target = page.locator("[data-stops] .stop").nth(row_to).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    for step in range(1, 6):
        y = handle["y"] + (target["y"] - handle["y"]) * step / 5
        page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.up()


def test_plan_optimise_reorder_navigate_visit_offline_and_the_leads_view(
        browser, phone_390, server, shots, whole_day):
    now = datetime.now(SHANGHAI)
    if now.hour >= 22:
        pytest.skip("the appointment must fall later today, in Shanghai")
    today = now.date().isoformat()
    tag = uuid.uuid4().hex[:4]
    with _open(browser, phone_390, server, "rep1@demo.fieldline.app") as (page, context):
        wait_for_worker(page)
        names = [f"Minhang {word} {tag}" for word in ("Tea", "Print", "Steel", "Glass")]
        near = [_customer(page, names[0], 80, 60), _customer(page, names[1], -600, 900),
                _customer(page, names[2], 1500, -400)]
        appointment = _customer(page, names[3], -200, -1800)
        due = (now + timedelta(minutes=90)).replace(second=0, microsecond=0)
        res = api(page, "/activities", "POST", {
            "kind": "task", "action": "visit", "customer_id": appointment["id"],
            "due_at": due.isoformat()})
        assert res["status"] == 201, res
        overdue = _customer(page, f"Songjiang Overdue {tag}", 9000, 9000,
                            visit_interval_days=1)
        three_days_ago = (now - timedelta(days=3)).isoformat()
        nowhere = api(page, "/customers", "POST", {
            "name": f"Nowhere Overdue {tag}", "city": "Shanghai", "visit_interval_days": 1})["body"]
        for customer in (overdue, nowhere):
            api(page, "/activities", "POST", {"kind": "visit", "customer_id": customer["id"],
                                              "occurred_at": three_days_ago})
        # The rep's book on the phone (the delta sync's job; here, the cards' records).
        records = [api(page, f"/customers/{c['id']}")["body"] for c in [*near, appointment,
                                                                           overdue, nowhere]]
        page.evaluate("async (list) => (await import('/pwa/js/lib/db.js')).rememberCustomers("
                      "list)", records)

        # One tap from Today.
        page.goto("/today")
        page.wait_for_selector("[data-plan-day]")
        shot(page, shots, "today-plan-link-en.png")
        page.click("[data-plan-day]")
        page.wait_for_selector("[data-mode=pick] .plan-ends")
        page.wait_for_selector(".save-place")  # the position came
        # The follow-up with a time is in already, as an appointment.
        picked = page.locator(".picked-stops")
        assert names[3] in picked.inner_text() and "Appointment" in picked.inner_text()
        # The demo's own appointments of the day: out, one tap each, to keep this plan small.
        others = page.locator(f".cand-row:not(:has-text('{names[3]}')) "
                              "[data-appointment][aria-pressed=true]")
        while others.count():
            others.first.click()
        # Nearby: nearest first.
        nearby = page.locator("section:has(h2:has-text('Nearby')) .cand-row strong")
        assert nearby.all_inner_texts()[:3] == names[:3]
        for name in names[:3]:
            page.locator(f".cand-row:has(strong:text-is('{name}')) [data-add]").first.click()
        # The overdue visits, one with no location on file.
        overdue_rows = page.locator("section:has(h2:has-text('Visit overdue')) .cand-row strong")
        assert {f"Songjiang Overdue {tag}", f"Nowhere Overdue {tag}"} <= set(
            overdue_rows.all_inner_texts())
        for name in (f"Songjiang Overdue {tag}", f"Nowhere Overdue {tag}"):
            page.locator(f"section:has(h2:has-text('Visit overdue')) "
                         f".cand-row:has(strong:text-is('{name}')) [data-add]").click()
        assert picked.locator(".cand-row").count() == 6
        picked.locator("select").nth(1).select_option("45")
        page.click("[data-save-place=home]")
        page.wait_for_selector("input[name=end][value=home]:not([disabled])")
        page.check("input[name=end][value=home]", force=True)
        shot(page, shots, "plan-pick-en.png", full=True)

        page.click("[data-optimise]")
        page.wait_for_selector("[data-mode=view] .next-stop")
        plan = api(page, f"/plans/{today}")["body"]
        assert plan["optimised_at"] and plan["end"]["label"] == "Home"
        assert [s["duration_min"] for s in plan["stops"] if s["customer"]["name"] == names[0]
                ] == [45]
        fixed = next(s for s in plan["stops"] if s["customer"]["name"] == names[3])
        assert datetime.fromisoformat(fixed["eta"]) <= datetime.fromisoformat(fixed["arrive_by"])
        assert _names(page) == [s["customer"]["name"] for s in plan["stops"]]
        assert page.locator(".plan-totals dd").count() == 3
        # The stop it could not route goes last, and says why.
        assert _names(page)[-1] == f"Nowhere Overdue {tag}"
        assert "1 stop could not be fitted" in page.inner_text(".unfitted-note")
        assert "No location on file" in page.locator("[data-stops] .stop").last.inner_text()
        assert page.locator("[data-stops] .stop-when").first.inner_text().startswith("Arrive")
        shot(page, shots, "plan-en.png", full=True)

        # Drag the last stop to the top: the server keeps the order, the times follow.
        order = _names(page)
        _drag(page, 4, 0)
        want = [order[4], *order[:4], order[5]]
        assert wait_until(lambda: _server_names(page, today) == want)
        page.wait_for_function("() => !document.querySelector('.stale-totals')")
        assert _names(page) == want
        # And with the arrows (a second way, for screen readers and shaky hands).
        page.locator("[data-stops] .stop").nth(1).locator("[data-up]").click()
        want = [want[1], want[0], *want[2:]]
        assert wait_until(lambda: _server_names(page, today) == want)

        # Navigate: one leg, to the next stop, in Google Maps (an Android phone).
        first = api(page, f"/plans/{today}")["body"]["stops"][0]["customer"]
        assert page.inner_text(".next-name") == first["name"]
        href = page.get_attribute("[data-navigate]", "href")
        assert href == ("https://www.google.com/maps/dir/?api=1&destination="
                        f"{first['lat']},{first['lng']}&travelmode=driving")

        # A visit logged on site marks the stop done and the next one current. (The phone
        # may answer with the position it had a minute ago: Tea is 100 m from there.)
        assert first["name"] == names[0]
        context.set_geolocation({"latitude": first["lat"], "longitude": first["lng"],
                                 "accuracy": 15})
        page.click("[data-log-visit]")
        sheet = page.locator("#sheet[open]")
        sheet.locator(".loc-ok").wait_for()
        sheet.locator("button[type=submit]").click()
        sheet.wait_for(state="hidden")
        done = page.locator("[data-stops] .stop").first
        page.wait_for_selector("[data-stops] .stop.done")
        assert "Checked in on site" in done.inner_text() and "Done" in done.inner_text()
        assert page.inner_text(".next-name") == want[1]
        assert page.locator("[data-stops] .stop.current .stop-name").inner_text() == want[1]
        shot(page, shots, "plan-visited-en.png")

        # Offline: the plan still shows, optimising says it needs the network, and a
        # reorder waits in the outbox (PUT with If-Match) until the network is back.
        go_offline(page, context)
        page.reload()
        page.wait_for_selector("[data-mode=view] .next-stop")
        assert "Offline" in page.inner_text(".plan-body")
        button = page.locator("[data-reoptimise]")
        assert button.is_disabled() and "needs the network" in button.inner_text()
        page.locator("[data-stops] .stop").nth(3).locator("[data-up]").click()
        page.wait_for_selector(".queued-note")
        assert queued(page) == 1
        offline_order = _names(page)
        assert offline_order == [*want[:2], want[3], want[2], *want[4:]]
        shot(page, shots, "plan-offline-en.png")
        item = page.evaluate("async () => (await import('/pwa/js/lib/state.js')).state.queued[0]")
        assert item["method"] == "PUT" and item["headers"]["If-Match"] == f'"{plan["version"] + 2}"'
        go_online(page, context)
        wait_until_sent(page)
        assert _server_names(page, today) == offline_order

        with chinese(page):
            page.goto("/plan")
            page.wait_for_selector("[data-mode=view] .next-stop")
            assert "高德导航" in page.inner_text(".next-stop")
            assert page.get_attribute("[data-navigate]", "href").startswith(
                "https://uri.amap.com/navigation?to=")
            assert "api.map.baidu.com" in page.get_attribute("[data-navigate-baidu]", "href")
            assert "现场签到" in page.inner_text("[data-stops]")
            shot(page, shots, "plan-zh.png", full=True)
            page.click("[data-edit-stops]")
            page.wait_for_selector(".save-place")
            shot(page, shots, "plan-pick-zh.png", full=True)

    # The team lead: each rep's plan against what happened, then the rep's day read-only.
    with _open(browser, phone_390, server, LEAD) as (page, _):
        page.goto("/settings")
        page.click("a[href='/team-plans']")
        row = page.locator(".team-rep:has-text('王伟')")
        row.wait_for()
        assert re.search(r"6 planned · 1 visited · 1 verified · 5 to go", row.inner_text())
        shot(page, shots, "team-plans-en.png")
        row.click()
        page.wait_for_selector("[data-stops]")
        assert _names(page) == offline_order
        assert page.locator("[data-drag], [data-up], [data-log-visit]").count() == 0
        assert "Checked in on site" in page.inner_text("[data-stops] .stop.done")
        shot(page, shots, "team-plan-rep-en.png", full=True)
        with chinese(page):
            page.goto("/team-plans")
            page.locator(".team-rep:has-text('王伟')").wait_for()
            assert "计划 6" in page.inner_text(".team-rep:has-text('王伟')")
            shot(page, shots, "team-plans-zh.png")
