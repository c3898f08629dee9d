"""The Targets screen on a phone: a lead sets the team's target and two members', sees the
warning that the members do not add up, fixes it; a member without a target reads
"Target not set"; a month an administrator locked is read-only (and a write the server
refuses as locked turns the screen read-only). The administrator's working-days section
saves. Screenshots (English and Chinese) go to /tmp/fieldline-shots/targets-*.png."""
from contextlib import contextmanager

from tests.e2e.conftest import api, signed_in_phone

LEAD = "lead.east@demo.fieldline.app"      # 张敏, leads 华东 East: 王伟, Li Na, 刘洋, Kevin Zhang
ADMIN = "admin@demo.fieldline.app"


@contextmanager
def _phone(browser, phone, server, email):
    with signed_in_phone(browser, phone, server, email) as (page, _):
        yield page


def _words(locator) -> str:
    return " ".join(locator.inner_text().split())


def _set(page, row, value):
    """Open a row's form, type the target, save; wait until the row shows it."""
    row.locator("[data-open]").click()
    form = page.locator("form[data-edit]")
    form.locator("input[name=value]").fill(value)
    form.locator("[type=submit]").click()
    form.wait_for(state="detached")


def _member(page, name):
    return page.locator(f".target-row:has-text('{name}')")


def _lock(admin, on: bool):
    assert api(admin, "/settings", "PATCH", {"lock_closed_months": on})["status"] == 200


def _remove_targets(page, months):
    for month in months:
        for target in api(page, f"/targets?period={month}&limit=200")["body"]["items"]:
            assert api(page, f"/targets/{target['id']}", "DELETE")["status"] == 204


def test_a_lead_sets_targets_top_down_and_a_locked_month_is_read_only(
        browser, phone, server, shots):
    with (_phone(browser, phone, server, ADMIN) as admin,
          _phone(browser, phone, server, LEAD) as page):
        months = page.evaluate("""async () => {
            const { monthChoices } = await import('/pwa/js/lib/targets.js');
            return monthChoices(new Date(), 'Asia/Shanghai').map((m) => m.month);
        }""")
        previous, upcoming = months[2], months[1]
        try:
            # From the Team tab; next month, won amount.
            page.click("[data-targets-link]")
            page.wait_for_selector("[data-targets] [data-team-row]")
            assert "Target not set" in _words(page.locator("[data-team-row]"))
            page.click(f"[data-month='{upcoming}']")
            page.wait_for_selector(f"[data-month='{upcoming}'].on")
            page.wait_for_selector("[data-team-row] [data-open]")
            team = page.locator("[data-team-row]")
            _set(page, team, "100,000")
            page.wait_for_selector("[data-team-row] .tg-value:has-text('CN¥100,000.00')")
            warning = page.locator("[data-mismatch]")
            assert "no member has a target yet" in _words(warning)

            _set(page, _member(page, "王伟"), "60000")
            page.wait_for_selector(".target-row:has-text('王伟') .tg-value")
            _set(page, _member(page, "Li Na"), "30000")
            page.wait_for_selector(".target-row:has-text('Li Na') .tg-value")
            assert _words(warning) == ("⚠ Members do not add up: CN¥90,000.00 is CN¥10,000.00 "
                                       "short of the team's CN¥100,000.00.")
            assert _words(_member(page, "刘洋").locator(".not-set")) == "Target not set"
            assert "3 without a target" in _words(page.locator(".target-members h2"))
            page.screenshot(path=str(shots / "targets-mismatch-en.png"), full_page=True)

            # The same picture in Chinese (the address kept the month).
            me = api(page, "/me")["body"]["id"]
            api(page, f"/users/{me}", "PATCH", {"locale": "zh-CN"})
            page.reload()
            page.wait_for_selector("[data-mismatch]:has-text('成员指标合计不符')")
            assert "未设指标" in _words(_member(page, "刘洋"))
            page.screenshot(path=str(shots / "targets-mismatch-zh.png"), full_page=True)
            api(page, f"/users/{me}", "PATCH", {"locale": "en"})
            page.reload()
            page.wait_for_selector("[data-mismatch]:has-text('do not add up')")

            # Fix it: Li Na's target becomes 40,000; the members now add up.
            li = _member(page, "Li Na")
            li.locator("[data-open]").click()
            assert page.input_value("form[data-edit] input[name=value]") == "30000.00"
            page.fill("form[data-edit] input[name=value]", "40000")
            page.fill("form[data-edit] input[name=stretch]", "45000")
            page.click("form[data-edit] [type=submit]")
            page.wait_for_selector("[data-sum-ok]")
            assert page.locator("[data-mismatch]").count() == 0
            assert "stretch CN¥45,000.00" in _words(li)
            stored = api(page, f"/targets?period={upcoming}&limit=200")["body"]["items"]
            assert sorted(t["value"] for t in stored) == ["100000.00", "40000.00", "60000.00"]
            page.screenshot(path=str(shots / "targets-adds-up-en.png"), full_page=True)

            # Offline: Kevin Zhang's new target waits in the outbox, shows at once, and the
            # sum is counted on the phone; back online it goes.
            context = page.context
            context.set_offline(True)
            _set(page, _member(page, "Kevin Zhang"), "10000")
            kevin = _member(page, "Kevin Zhang")
            kevin.locator(".badge:has-text('Not sent yet')").wait_for()
            assert "Target CN¥10,000.00" in _words(kevin)
            assert "CN¥110,000.00 is CN¥10,000.00 more than the team's" in _words(warning)
            page.screenshot(path=str(shots / "targets-offline-en.png"), full_page=True)
            context.set_offline(False)
            kevin.locator(".badge").wait_for(state="detached")
            assert len(api(page, f"/targets?period={upcoming}&limit=200")["body"]["items"]) == 4

            # A previous month, open: the lead starts to set it; meanwhile the admin locks
            # closed months; the server's 409 turns the screen read-only.
            page.click(f"[data-month='{previous}']")
            page.wait_for_selector(f"[data-month='{previous}'].on")
            page.wait_for_selector("[data-team-row] [data-open]")
            page.click("[data-team-row] [data-open]")
            _lock(admin, True)
            page.fill("form[data-edit] input[name=value]", "5000")
            page.click("form[data-edit] [type=submit]")
            page.wait_for_selector("[data-locked-note]")
            note = _words(page.locator("[data-locked-note]"))
            assert "is closed: its targets can no longer change" in note
            assert page.locator("[data-targets] [data-open]").count() == 0
            assert api(page, f"/targets?period={previous}")["body"]["items"] == []
            page.screenshot(path=str(shots / "targets-locked-en.png"), full_page=True)
            # Read-only from the start when the month is already locked; the next month is not.
            page.reload()
            page.wait_for_selector("[data-targets][data-locked=true] [data-locked-note]")
            assert page.locator("[data-open]").count() == 0
            api(page, f"/users/{me}", "PATCH", {"locale": "zh-CN"})
            page.reload()
            page.wait_for_selector("[data-locked-note]:has-text('已关账')")
            page.screenshot(path=str(shots / "targets-locked-zh.png"), full_page=True)
            api(page, f"/users/{me}", "PATCH", {"locale": "en"})
            page.click(f"[data-month='{upcoming}']")
            page.wait_for_selector("[data-targets][data-locked=false] [data-team-row] [data-open]")
        finally:
            _lock(admin, False)
            api(page, f"/users/{api(page, '/me')['body']['id']}", "PATCH", {"locale": "en"})
            _remove_targets(page, [previous, upcoming])


def test_an_admin_sets_working_days_and_holidays(browser, phone, server, shots):
    with _phone(browser, phone, server, ADMIN) as page:
        before = api(page, "/settings")["body"]
        try:
            page.goto("/admin")
            form = page.locator("form[data-form=calendar]")
            form.wait_for()
            assert form.locator("[name=weekday]:checked").count() == 5
            form.locator("label.chip:has([name=weekday][value='6'])").click()
            form.locator("[data-add-holiday]").click()
            form.locator("[name=holiday]").last.fill("2027-01-01")
            form.locator("[name=stale_deal_days]").fill("10")
            form.locator("[name=timezone]").fill("Mars/Olympus")
            form.locator("[type=submit]").click()
            form.locator(".field-error").wait_for()
            assert "Unknown timezone" in _words(form)
            form.locator("[name=timezone]").fill("Asia/Shanghai")
            form.locator("[type=submit]").click()
            page.wait_for_selector(".toast:has-text('Saved')")
            after = api(page, "/settings")["body"]
            assert after["working_weekdays"] == [1, 2, 3, 4, 5, 6]
            assert after["holidays"] == ["2027-01-01"]
            assert after["stale_deal_days"]["default"] == 10
            page.locator("[data-calendar]").screenshot(path=str(shots / "targets-admin-en.png"))
            me = api(page, "/me")["body"]["id"]
            api(page, f"/users/{me}", "PATCH", {"locale": "zh-CN"})
            try:
                page.reload()
                page.wait_for_selector("form[data-form=calendar]:has-text('节假日')")
                page.locator("[data-calendar]").screenshot(path=str(shots / "targets-admin-zh.png"))
            finally:
                api(page, f"/users/{me}", "PATCH", {"locale": "en"})
        finally:
            keys = ("working_weekdays", "holidays", "stale_deal_days", "timezone",
                    "lock_closed_months")
            api(page, "/settings", "PATCH", {key: before[key] for key in keys})


def test_a_rep_has_no_targets_screen(browser, phone, server):
    with _phone(browser, phone, server, "rep1@demo.fieldline.app") as page:
        page.goto("/settings")
        page.wait_for_selector(".work .row-link")
        assert page.locator("[data-targets-link]").count() == 0
        page.goto("/targets")
        page.wait_for_selector(".page-targets .empty-state")
        assert "set by team leads and managers" in _words(page.locator(".page-targets"))
        assert page.locator("[data-targets]").count() == 0
