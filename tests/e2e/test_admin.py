"""The Company settings screen on a phone: an administrator changes the lead cap, a lose
reason and a stage's probability, and the server really has them; a bad value shows its
error next to the field and changes nothing; offline, saving says so and keeps the text;
a rep is offered no entry and gets a polite screen on a deep link."""
import re
import uuid

import pytest

from tests.e2e.conftest import api, sign_in
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.fieldline.app"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _stage(page, name):
    return next(s for s in api(page, "/stages?limit=200")["body"]["items"] if s["name"] == name)


def _open_company(page):
    page.click(".tabs a[data-tab=settings]")
    page.click("a[href='/admin']")
    page.wait_for_selector("form[data-form=expenses]")


def test_an_admin_changes_company_settings(page, context, shots):
    sign_in(page, ADMIN)
    before = api(page, "/settings")["body"]
    proposal = _stage(page, "Proposal")
    added = []
    try:
        _open_company(page)
        assert page.locator("main h1").inner_text() == "Company settings"
        leads = page.locator("form[data-form=leads]")
        assert leads.locator("[name=lead_cap]").input_value() == str(before["lead_cap"])
        page.screenshot(path=str(shots / "admin-en.png"), full_page=True)

        # Lead cap.
        new_cap = before["lead_cap"] + 7
        leads.locator("[name=lead_cap]").fill(str(new_cap))
        leads.locator("button[type=submit]").click()
        assert wait_until(lambda: api(page, "/settings")["body"]["lead_cap"] == new_cap)

        # A new lose reason.
        reasons = page.locator("form[data-form=reasons]")
        reasons.locator("[data-add-reason]").click()
        reasons.locator(".reason input").last.fill("Too far away")
        reasons.locator("button[type=submit]").click()
        assert wait_until(lambda: api(page, "/settings")["body"]["lose_reasons"]
                          == [*before["lose_reasons"], "Too far away"])
        page.wait_for_selector(
            "form[data-form=reasons] .reason:last-child input[value='Too far away']")

        # A stage's probability (its Save button appears once something is typed).
        stage = page.locator(f"form[data-stage='{proposal['id']}']")
        assert stage.locator("[data-stage-save]").is_hidden()
        stage.locator("[name=probability]").fill("55")
        stage.locator("button[type=submit]").click()
        assert wait_until(lambda: _stage(page, "Proposal")["probability"] == 55)
        page.wait_for_selector(f"form[data-stage='{proposal['id']}'] [data-stage-save][hidden]",
                               state="attached")

        # A new stage goes before Won and Lost; a name already taken is refused.
        add = page.locator("form[data-form=new-stage]")
        add.locator("[name=name]").fill("Proposal")
        add.locator("[name=probability]").fill("60")
        add.locator("button[type=submit]").click()
        add.locator(".field-error[data-for=name]").wait_for()
        trial = f"Trial {uuid.uuid4().hex[:4]}"
        add.locator("[name=name]").fill(trial)
        add.locator("button[type=submit]").click()
        page.wait_for_selector(f".stages li:nth-last-child(3) input[name=name][value='{trial}']")
        added.append(_stage(page, trial))
        assert added[0]["probability"] == 60
        names = [s["name"] for s in api(page, "/stages?limit=200")["body"]["items"]]
        assert names[-3:] == [trial, "Won", "Lost"]
        assert page.locator(".stages .rank").all_inner_texts() == [
            str(n) for n in range(1, len(names) + 1)]
        assert add.locator("[name=name]").input_value() == ""
        # No deleting stages: one is taken out of use (and stays listed).
        trial_form = page.locator(f"form[data-stage='{added[0]['id']}']")
        trial_form.locator("[name=active]").uncheck()
        trial_form.locator("button[type=submit]").click()
        assert wait_until(lambda: _stage(page, trial)["active"] is False)
        page.wait_for_selector(".stages li.retired form[data-stage] [name=active]:not(:checked)")

        # Won and Lost: shown, their probability not editable.
        won = page.locator("li[data-kind=won] form")
        assert won.locator("[name=probability]").count() == 0
        assert won.locator(".fixed-prob").inner_text() == "100"

        # A bad probability: the error next to the field, nothing changed.
        stage = page.locator(f"form[data-stage='{proposal['id']}']")
        stage.locator("[name=probability]").fill("150")
        stage.locator("button[type=submit]").click()
        error = stage.locator(".field-error[data-for=probability]")
        error.wait_for()
        assert error.inner_text().startswith("Probability: ") and "100" in error.inner_text()
        assert stage.locator("[name=probability]").get_attribute("aria-invalid") == "true"
        assert _stage(page, "Proposal")["probability"] == 55

        # A bad threshold: the error next to it, nothing changed.
        expenses = page.locator("form[data-form=expenses]")
        expenses.locator("[name=threshold]").fill("abc")
        expenses.locator("button[type=submit]").click()
        error = expenses.locator("label:has([name=threshold]) .field-error")
        error.wait_for()
        assert error.inner_text() == "Not a valid number."
        after = api(page, "/settings")["body"]
        assert after["expense_manager_threshold"] == before["expense_manager_threshold"]
        expenses.locator("[name=threshold]").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "admin-error-en.png"))

        # A repeated lose reason: the list says so and points at the repeat.
        reasons.locator(".reason input").first.fill(before["lose_reasons"][1].lower())
        reasons.locator("button[type=submit]").click()
        reasons.locator("fieldset > .field-error").wait_for()
        assert reasons.locator(".reason input").nth(1).get_attribute("aria-invalid") == "true"
        assert api(page, "/settings")["body"]["lose_reasons"] == [
            *before["lose_reasons"], "Too far away"]

        # Offline: it says so and keeps what was typed.
        context.set_offline(True)
        leads.locator("[name=lead_cap]").fill("12")
        leads.locator("button[type=submit]").click()
        leads.locator("[data-error]:has-text('offline')").wait_for()
        assert leads.locator("[name=lead_cap]").input_value() == "12"
        context.set_offline(False)
        assert api(page, "/settings")["body"]["lead_cap"] == new_cap
        leads.locator("button[type=submit]").click()
        assert wait_until(lambda: api(page, "/settings")["body"]["lead_cap"] == 12)

        # A deep link answers with the app.
        page.goto("/admin")
        page.wait_for_selector("form[data-form=leads]")
    finally:
        context.set_offline(False)
        api(page, "/settings", "PATCH", {k: before[k] for k in (
            "lead_cap", "lose_reasons", "expense_manager_threshold", "expense_limits", "currency")})
        api(page, f"/stages/{proposal['id']}", "PATCH", {"probability": proposal["probability"]})
        for stage in added:  # no deleting stages: out of use, whatever happened above
            api(page, f"/stages/{stage['id']}", "PATCH", {"active": False})


def test_the_screen_in_chinese_with_a_chinese_error(page, shots):
    sign_in(page, ADMIN)
    before = api(page, "/settings")["body"]
    page.click(".tabs a[data-tab=settings]")
    page.click("label.seg:has(input[value='zh-CN'])")
    page.wait_for_selector(".tabs a[data-tab=today]:has-text('今天')")
    page.wait_for_selector("#status .pill", state="detached", timeout=15000)
    try:
        page.click("a[href='/admin']")
        page.wait_for_selector("form[data-form=expenses]")
        assert page.locator("main h1").inner_text() == "公司设置"
        text = page.locator("main").inner_text()
        for english in ("Save", "Leads", "Probability", "Currency", "Fixed", "No limit",
                        "per day", "Add a reason", "Add stage", "Name"):
            assert english not in text, f"English left in Chinese mode: {english}"
        assert page.locator("[name=amount_travel]").get_attribute("placeholder") == "不限"
        page.screenshot(path=str(shots / "admin-zh.png"), full_page=True)
        leads = page.locator("form[data-form=leads]")
        leads.locator("[name=lead_cap]").fill("0")
        leads.locator("button[type=submit]").click()
        error = leads.locator("label:has([name=lead_cap]) .field-error")
        error.wait_for()
        assert HAN.search(error.inner_text()), error.inner_text()
        assert api(page, "/settings")["body"]["lead_cap"] == before["lead_cap"]
        page.screenshot(path=str(shots / "admin-error-zh.png"))
    finally:
        api(page, "/users/" + api(page, "/me")["body"]["id"], "PATCH", {"locale": "en"})


def test_a_rep_gets_no_entry_and_a_polite_screen(page, shots):
    sign_in(page)
    page.click(".tabs a[data-tab=settings]")
    page.wait_for_selector("a[href='/reports/expenses']")
    assert page.locator("a[href='/admin']").count() == 0
    page.goto("/admin")
    page.wait_for_selector(".admin-only")
    assert "Only administrators" in page.locator(".admin-only").inner_text()
    assert page.locator("main form").count() == 0
    page.screenshot(path=str(shots / "admin-rep.png"))
    # The API refuses them anyway.
    assert api(page, "/settings", "PATCH", {"lead_cap": 1})["status"] == 403
