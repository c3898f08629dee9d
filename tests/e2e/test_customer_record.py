"""The customer record on the phone (issue 13): a customer and its contacts edited offline
and synced, the decision chain, "this customer is here", and a 412 resolved field by field.
Each test makes its own customer through the API, so the demo data stays as it was."""
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from tests.e2e.conftest import api, sign_in, wait_for_worker
from tests.e2e.test_sales_offline import go_offline, go_online, queued, wait_until_sent
from tests.waiting import wait_until

HAN = re.compile(r"[\u4e00-\u9fff]")


def new_customer(page, **fields):
    body = {"id": str(uuid.uuid4()), "name": f"Harbour Tea {uuid.uuid4().hex[:6]}",
            "address": "88 Zhongshan Road", "city": "Shanghai", **fields}
    res = api(page, "/customers", "POST", body)
    assert res["status"] == 201, res
    return res["body"]


def new_contact(page, customer, name, **fields):
    res = api(page, "/contacts", "POST", {"customer_id": customer["id"], "name": name, **fields})
    assert res["status"] == 201, res
    return res["body"]


def shot(page, shots, name, full=False):
    page.wait_for_timeout(300)  # the sheet has risen and the toast has settled
    page.screenshot(path=str(shots / name), full_page=full)


def under(manager_id, selector):
    """A node of the decision chain below the given contact."""
    return f"[data-contact='{manager_id}'] .chain-children {selector}"


def open_card(page, customer):
    page.goto(f"/customers/{customer['id']}")
    page.wait_for_selector(f"h1:has-text('{customer['name']}')")
    page.wait_for_selector(".chain-section")


def contacts_of(page, customer):
    return {c["name"]: c for c in api(page, f"/customers/{customer['id']}")["body"]["contacts"]}


@contextmanager
def chinese(page):
    """The signed-in user reads Chinese until the block ends."""
    me = api(page, "/me")["body"]["id"]
    api(page, f"/users/{me}", "PATCH", {"locale": "zh-CN"})
    try:
        page.reload()
        page.wait_for_selector(".tabs a[data-tab=today]:has-text('今天')")
        yield
    finally:
        api(page, f"/users/{me}", "PATCH", {"locale": "en"})


def test_a_customer_and_its_contacts_edited_offline_then_synced_and_drawn_as_a_chain(
        page, context, shots):
    sign_in(page)
    wait_for_worker(page)
    customer = new_customer(page, phone="021 5555 0101", status="prospect")
    boss = new_contact(page, customer, "Zhao Lei", title="General manager", role="decision_maker")
    buyer = new_contact(page, customer, "Qian Li", title="Buyer", role="user",
                        reports_to_id=boss["id"])
    open_card(page, customer)
    # The tree reports_to_id makes: the buyer under the general manager, roles as badges.
    page.wait_for_selector(under(boss["id"], f"[data-contact='{buyer['id']}']"))
    assert page.inner_text(f"[data-contact='{boss['id']}'] .role") == "Decision maker"
    assert page.locator(".last-contact").count() == 0  # the server does not say yet: nothing shown

    go_offline(page, context)
    page.click("[data-edit-customer]")
    sheet = page.locator("#sheet[open]")
    sheet.locator("input[name=phone]").fill("138 0013 8111")
    sheet.locator("input[name=city]").fill("Suzhou")
    sheet.locator("input[name=industry]").fill("Tea trade")
    sheet.locator("label.chip:has(input[name=status][value=active])").click()
    sheet.locator("input[name=tags]").fill("vip, 华东")
    shot(page, shots, "record-edit-en.png")
    sheet.locator("button[type=submit]").click()
    sheet.wait_for(state="hidden")
    # At once, offline: the card, and the phone's own copy of the customer.
    page.wait_for_selector(".queued-note")
    assert "138 0013 8111" in page.inner_text(".facts")
    assert page.locator(".tags .tag").all_inner_texts() == ["vip", "华东"]
    assert "Active" in page.inner_text(".tags")
    stored = page.evaluate(
        "async (id) => (await import('/pwa/js/lib/db.js')).getCustomer(id)", customer["id"])
    assert (stored["city"], stored["industry"]) == ("Suzhou", "Tea trade")
    assert stored["tags"] == ["vip", "华东"]

    # A contact met today, added offline, reporting to the general manager.
    page.click("[data-add-contact]")
    sheet.locator("input[name=name]").fill("Chen Jing")
    sheet.locator("input[name=title]").fill("Operations lead")
    sheet.locator("label.chip:has(input[name=role][value=champion])").click()
    sheet.locator("select[name=reports_to_id]").select_option(boss["id"])
    sheet.locator("input[name=mobile]").fill("139 0013 9222")
    shot(page, shots, "record-contact-en.png")
    sheet.locator("button[type=submit]").click()
    sheet.wait_for(state="hidden")
    chen = page.locator(under(boss["id"], ".chain-node:has-text('Chen Jing')"))
    chen.wait_for()
    assert "Champion" in chen.inner_text() and "not sent yet" in chen.inner_text()
    assert queued(page) == 2

    go_online(page, context)
    wait_until_sent(page)
    now = api(page, f"/customers/{customer['id']}")["body"]
    assert (now["phone"], now["city"], now["industry"], now["status"], now["tags"]) == (
        "138 0013 8111", "Suzhou", "Tea trade", "active", ["vip", "华东"])
    assert now["address"] == "88 Zhongshan Road"
    sent = contacts_of(page, customer)["Chen Jing"]
    assert (sent["role"], sent["reports_to_id"]) == ("champion", boss["id"])
    assert sent["mobile"] == "139 0013 9222"
    page.wait_for_selector(".chain-node:has-text('Chen Jing') .queued-text", state="detached")
    shot(page, shots, "record-chain-en.png", full=True)

    # Online: the buyer now reports to Chen; then Chen leaves, and the buyer heads the chain.
    page.click(f"[data-edit-contact='{buyer['id']}']")
    sheet.locator("input[name=title]").fill("Senior buyer")
    sheet.locator("select[name=reports_to_id]").select_option(sent["id"])
    sheet.locator("button[type=submit]").click()
    page.wait_for_selector(under(sent["id"], f"[data-contact='{buyer['id']}']"))
    wait_until_sent(page)
    assert contacts_of(page, customer)["Qian Li"]["title"] == "Senior buyer"
    page.click(f"[data-edit-contact='{sent['id']}']")
    sheet.locator("[data-remove]").click()
    page.locator("#sheet[open] button[value=yes]").click()
    page.wait_for_selector(".chain-node:has-text('Chen Jing')", state="detached")
    wait_until_sent(page)
    assert set(contacts_of(page, customer)) == {"Zhao Lei", "Qian Li"}
    # Their manager gone, the buyer heads the chain.
    assert page.locator(f".chain > [data-contact='{buyer['id']}']").count() == 1
    # ... and can still be edited (the server refuses a change while the manager named is gone).
    page.click(f"[data-edit-contact='{buyer['id']}']")
    assert sheet.locator("select[name=reports_to_id]").input_value() == ""
    sheet.locator("input[name=title]").fill("Purchasing manager")
    sheet.locator("button[type=submit]").click()
    sheet.wait_for(state="hidden")
    wait_until_sent(page)
    assert contacts_of(page, customer)["Qian Li"]["title"] == "Purchasing manager"

    with chinese(page):
        open_card(page, customer)
        assert page.inner_text(".chain-section h2").startswith("决策链")
        assert page.inner_text(f"[data-contact='{boss['id']}'] .role") == "决策人"
        shot(page, shots, "record-chain-zh.png", full=True)
        page.click("[data-edit-customer]")
        page.wait_for_selector("#sheet[open] input[name=industry]")
        text = page.inner_text("#sheet")
        for english in ("Edit customer", "Industry", "Tags", "Save", "Active"):
            assert english not in text, f"English left in Chinese mode: {english}"
        shot(page, shots, "record-edit-zh.png")


def test_pin_here_asks_on_the_tap_and_refuses_a_poor_fix_or_no_permission(page, context, shots):
    sign_in(page)
    customer = new_customer(page)
    open_card(page, customer)
    assert "Not pinned yet" in page.inner_text(".pin-row")

    context.set_geolocation({"latitude": 31.2397, "longitude": 121.4998, "accuracy": 14})
    page.click("[data-pin]")
    confirm = page.locator("#sheet[open]")
    confirm.wait_for()
    assert "within 14 m" in confirm.inner_text()
    assert "address stays as typed" in confirm.inner_text()
    shot(page, shots, "record-pin-confirm-en.png")
    confirm.locator("button[value=yes]").click()
    page.wait_for_selector(".toast.show:has-text('is pinned where you are')")
    page.wait_for_selector(".pin-row:has-text('Pinned')")
    pinned = api(page, f"/customers/{customer['id']}")["body"]
    assert abs(pinned["lat"] - 31.2397) < 1e-6 and abs(pinned["lng"] - 121.4998) < 1e-6
    assert (pinned["address"], pinned["city"]) == ("88 Zhongshan Road", "Shanghai")
    assert pinned["location_accuracy"] == 14 and pinned["located_at"]
    page.wait_for_selector(".pin-row:has-text('within 14 m')")

    # Worse than 100 m: said politely, nothing written.
    context.set_geolocation({"latitude": 31.30, "longitude": 121.60, "accuracy": 450})
    page.click("[data-pin]")
    notice = page.locator("#sheet[open]")
    notice.wait_for()
    assert "Position not precise enough" in notice.inner_text() and "450 m" in notice.inner_text()
    shot(page, shots, "record-pin-poor-en.png")
    notice.locator("button[type=submit]").click()
    notice.wait_for(state="hidden")

    # Location denied: a clear message, nothing written.
    context.clear_permissions()
    page.click("[data-pin]")
    notice.wait_for()
    assert "Location is off" in notice.inner_text()
    shot(page, shots, "record-pin-denied-en.png")
    after = api(page, f"/customers/{customer['id']}")["body"]
    assert after["version"] == pinned["version"]


def test_a_conflict_on_an_edit_is_resolved_field_by_field_and_nothing_typed_is_lost(
        page, context, shots):
    sign_in(page)
    wait_for_worker(page)
    customer = new_customer(page, phone="021 1111 0000", industry="Tea")
    open_card(page, customer)
    # Someone else changes the record behind the page's back (the card still shows version 1).
    theirs = {"phone": "021 3333 0000", "city": "Ningbo", "industry": "Coffee"}
    assert api(page, f"/customers/{customer['id']}", "PATCH", theirs)["status"] == 200

    go_offline(page, context)
    page.click("[data-edit-customer]")
    sheet = page.locator("#sheet[open]")
    sheet.locator("input[name=phone]").fill("021 2222 0000")
    sheet.locator("input[name=city]").fill("Hangzhou")
    sheet.locator("input[name=industry]").fill("Coffee")  # as they did: not a conflict
    sheet.locator("button[type=submit]").click()
    sheet.wait_for(state="hidden")
    go_online(page, context)
    assert wait_until(lambda: page.evaluate(
        "async () => (await import('/pwa/js/lib/state.js')).state.queued[0]?.error?.status") == 412)

    # Kept, and said on the card and in Pending changes.
    page.wait_for_selector(".conflict-note [data-resolve]")
    page.goto("/pending")
    page.wait_for_selector(".pending-item.failed [data-resolve]")
    assert "021 2222 0000" in page.inner_text(".pending-item")
    page.click(".pending-item [data-resolve]")
    page.wait_for_selector("#sheet[open] .conflict-field")
    fields = page.locator("#sheet .conflict-field").evaluate_all(
        "els => els.map((e) => e.dataset.field)")
    assert fields == ["phone", "city"]  # industry: both say Coffee
    assert page.inner_text("#sheet [data-field=city]").count("Ningbo") == 1
    shot(page, shots, "record-conflict-en.png")
    page.click("#sheet [data-cancel]")  # later: it stays in the outbox

    with chinese(page):
        page.goto("/pending")
        page.click(".pending-item [data-resolve]")
        page.wait_for_selector("#sheet[open] .conflict-field")
        assert HAN.search(page.inner_text("#sheet h2"))
        assert "Yours" not in page.inner_text("#sheet")
        shot(page, shots, "record-conflict-zh.png")
        # Mine for the phone (the default), the server's for the city.
        page.click("#sheet [data-field=city] .version-pick:has(input[value=theirs])")
        page.click("#sheet button[type=submit]")
        wait_until_sent(page)
    now = api(page, f"/customers/{customer['id']}")["body"]
    assert (now["phone"], now["city"], now["industry"]) == ("021 2222 0000", "Ningbo", "Coffee")

    # Online, while the sheet is open: the 412 opens the comparison at once; the server's
    # version taken for everything leaves nothing to send.
    open_card(page, customer)
    page.click("[data-edit-customer]")
    sheet.locator("input[name=phone]").fill("021 4444 0000")
    behind = api(page, f"/customers/{customer['id']}", "PATCH", {"phone": "021 5555 0000"})
    assert behind["status"] == 200
    sheet.locator("button[type=submit]").click()
    page.wait_for_selector("#sheet[open] .conflict-field[data-field=phone]")
    page.click("#sheet .version-pick:has(input[value=theirs])")
    page.click("#sheet button[type=submit]")
    page.wait_for_selector(".toast.show:has-text('server')")
    assert queued(page) == 0
    assert api(page, f"/customers/{customer['id']}")["body"]["phone"] == "021 5555 0000"

    # Removing a contact someone just changed: what changed is shown; the rep keeps them.
    contact = new_contact(page, customer, "Sun Mei", title="Buyer")
    open_card(page, customer)
    moved = api(page, f"/contacts/{contact['id']}", "PATCH", {"title": "Head of purchasing"})
    assert moved["status"] == 200
    page.click(f"[data-edit-contact='{contact['id']}']")
    page.click("#sheet [data-remove]")
    page.click("#sheet[open] button[value=yes]")
    page.wait_for_selector("#sheet[open] [data-keep]")
    assert "Head of purchasing" in page.inner_text("#sheet .facts")
    shot(page, shots, "record-conflict-remove-en.png")
    page.click("#sheet [data-keep]")
    page.wait_for_selector(".toast.show:has-text('Contact kept')")
    assert queued(page) == 0
    assert contacts_of(page, customer)["Sun Mei"]["title"] == "Head of purchasing"


def test_visit_cadence_on_the_card_and_edited_in_the_form(page, shots):
    sign_in(page)
    customer = new_customer(page)
    visited = (datetime.now(timezone.utc) - timedelta(days=20)).isoformat()
    res = api(page, "/activities", "POST", {"kind": "visit", "customer_id": customer["id"],
                                            "occurred_at": visited, "outcome": "interested"})
    assert res["status"] == 201, res
    open_card(page, customer)
    # The company default (no orders yet: every 30 days): due in 10 days.
    row = page.locator(".visit-row")
    assert "every 30 days" in row.inner_text() and "in 10 days" in row.inner_text()
    assert page.locator(".visit-row.overdue").count() == 0

    page.click("[data-edit-customer]")
    sheet = page.locator("#sheet[open]")
    assert "every 30 days for this customer" in sheet.inner_text()
    sheet.locator("input[name=visit_interval_days]").fill("14")
    sheet.locator("button[type=submit]").click()
    sheet.wait_for(state="hidden")
    page.wait_for_selector(".visit-row.overdue")
    assert "Overdue" in row.inner_text() and "every 14 days" in row.inner_text()
    stored = api(page, f"/customers/{customer['id']}")["body"]
    assert (stored["visit_interval_days"], stored["visit_overdue"]) == (14, True)
    row.scroll_into_view_if_needed()
    shot(page, shots, "record-visit-en.png")
    # The customers list row says so too, from the offline book (the slim list has no room).
    page.evaluate("async () => (await import('/pwa/js/lib/book-sync.js')).syncBookNow()")
    page.goto("/customers")
    page.fill("[data-search]", customer["name"])
    page.wait_for_selector(f".row-link[href='/customers/{customer['id']}'] .visit-late")
    open_card(page, customer)

    # Out of range: the browser keeps the form open on the field, nothing is written.
    page.click("[data-edit-customer]")
    sheet.locator("input[name=visit_interval_days]").fill("400")
    sheet.locator("button[type=submit]").click()
    assert sheet.locator("input[name=visit_interval_days]:invalid").count() == 1
    assert sheet.is_visible()
    sheet.locator("button:has-text('Cancel')").first.click()
    sheet.wait_for(state="hidden")
    assert api(page, f"/customers/{customer['id']}")["body"]["version"] == stored["version"]

    # A deal's reach into the decision chain: the decision maker called, four roles not.
    boss = new_contact(page, customer, "Zhao Lei", role="decision_maker")
    deal = api(page, "/opportunities", "POST", {"customer_id": customer["id"],
                                                "name": "Tea for the canteen", "amount": "900.00",
                                                "currency": "CNY"})
    assert deal["status"] == 201, deal
    call = api(page, "/activities", "POST", {"kind": "call", "customer_id": customer["id"],
                                             "contact_id": boss["id"], "outcome": "interested"})
    assert call["status"] == 201, call
    page.goto(f"/deals/{deal['body']['id']}")
    roles = page.locator(".deal-roles")
    roles.wait_for()
    assert roles.locator(".touched").all_inner_texts()[0].split("\n")[1] == "Decision maker"
    assert roles.locator(".missing").count() == 4
    assert "4 of the five roles" in roles.inner_text()

    with chinese(page):
        open_card(page, customer)
        words = page.inner_text(".visit-row")
        assert "已逾期" in words and "每 14 天" in words
        page.locator(".visit-row").scroll_into_view_if_needed()
        shot(page, shots, "record-visit-zh.png")
        page.goto(f"/deals/{deal['body']['id']}")
        roles.wait_for()
        assert "决策人" in roles.inner_text() and "尚未接触" in roles.inner_text()
        roles.scroll_into_view_if_needed()
        shot(page, shots, "record-deal-roles-zh.png")
