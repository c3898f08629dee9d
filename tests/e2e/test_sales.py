"""Lead to cash on a phone: claim from the pool, convert, win, see the order."""
import re

from tests.e2e.conftest import api, sign_in


def test_claim_convert_win_on_a_phone(page, context, shots):
    sign_in(page)
    page.click(".tabs a[data-tab=leads]")
    page.click("a.seg-link[href='/leads?tab=pool']")
    page.wait_for_selector("[data-claim]")
    page.screenshot(path=str(shots / "sales-pool.png"))
    button = page.locator("[data-claim]").first
    lead_id = button.get_attribute("data-claim")
    lead_name = page.locator(".lead-row strong").first.inner_text()

    # Offline, a claim says it needs the network and queues nothing.
    context.set_offline(True)
    button.click()
    page.wait_for_selector(".toast.show.toast-alert")
    said = page.evaluate(
        "async () => (await import('/pwa/js/lib/i18n.js')).t('leads.need_network')")
    assert page.inner_text("#toast") == said and said != "leads.need_network"
    assert page.evaluate(
        "async () => (await import('/pwa/js/lib/state.js')).state.queued.length") == 0
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    # One tap claims it; the row leaves the pool.
    page.locator(f"[data-claim='{lead_id}']").click()
    page.wait_for_selector(f"[data-claim='{lead_id}']", state="detached")
    assert api(page, f"/leads/{lead_id}")["body"]["owner_name"] == "王伟"

    page.goto(f"/leads/{lead_id}")
    page.wait_for_selector(".score-list")
    assert page.locator(".score-list li").count() == 6
    score = api(page, f"/leads/{lead_id}")["body"]["score"]
    # A call logged on the lead counts in its score (recency and activities).
    page.click("[data-log-lead]")
    page.fill("#sheet textarea[name=notes]", "Asked for a quote")
    page.click("#sheet button[type=submit]")
    page.wait_for_function(
        "([id, n]) => fetch('/api/v1/leads/' + id).then((r) => r.json())"
        ".then((l) => l.activity_count === 1 && l.score === n)", arg=[lead_id, score + 25])
    page.wait_for_selector(f".count:has-text('{score + 25} / 100')")
    page.screenshot(path=str(shots / "sales-lead.png"), full_page=True)
    page.click("[data-convert]")
    page.wait_for_selector("#sheet[open] input[name=opportunity_name]")
    page.fill("#sheet input[name=amount]", "1234.50")
    page.wait_for_timeout(400)  # the sheet's rise animation
    page.screenshot(path=str(shots / "sales-convert.png"))
    page.click("#sheet button[type=submit]")
    page.wait_for_url(re.compile(r"/deals/[0-9a-f-]{36}$"))
    page.wait_for_selector("[data-win]")
    deal_id = page.url.rsplit("/", 1)[1]
    lead = api(page, f"/leads/{lead_id}")["body"]
    assert lead["status"] == "converted" and lead["opportunity_id"] == deal_id
    assert "1,234.50" in page.inner_text(".deal-head")
    page.screenshot(path=str(shots / "sales-deal.png"), full_page=True)

    page.click("[data-win]")
    page.click("#sheet button[value=yes]")
    page.wait_for_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    page.wait_for_selector(".money-facts")
    heading = page.inner_text("h1")
    assert re.fullmatch(r"Order SO-\d{4}-\d{5}", heading), heading
    assert "1,234.50" in page.inner_text(".money-facts")
    page.screenshot(path=str(shots / "sales-order.png"), full_page=True)
    deal = api(page, f"/opportunities/{deal_id}")["body"]
    assert deal["status"] == "won" and deal["stage_name"] == "Won"

    # The converted lead is read-only and links to what it became.
    page.goto(f"/leads/{lead_id}")
    page.wait_for_selector(f"a[href='/deals/{deal_id}']")
    assert page.locator("[data-convert]").count() == 0
    assert lead_name in page.inner_text("h1")


def test_leads_and_deals_read_offline_from_cache(page, context, shots):
    sign_in(page)
    for path, ready in (("/leads", ".lead-row"), ("/deals", ".stage-group")):
        page.goto(path)
        page.wait_for_selector(ready)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.goto("/leads")
    page.wait_for_selector(".lead-row")
    lead_url = page.locator(".lead-row a").first.get_attribute("href")
    customer = api(page, "/customers?limit=1")["body"]["items"][0]
    for path, ready in ((lead_url, ".score-list"), (f"/customers/{customer['id']}", ".big-actions"),
                        ("/leads", ".lead-row")):
        page.goto(path)
        page.wait_for_selector(ready)
    context.set_offline(True)
    try:
        # the lead and the customer card are not kept by the browser's HTTP cache (no-store),
        # but the service worker's copy still opens them offline
        page.goto(lead_url)
        page.wait_for_selector(".score-list")
        page.goto(f"/customers/{customer['id']}")
        page.wait_for_selector(".big-actions")
        page.goto("/leads")
        page.wait_for_selector(".lead-row")
        page.wait_for_selector(".stale")
        page.click(".tabs a[data-tab=deals]")
        page.wait_for_selector(".stage-group .row-link")
        page.screenshot(path=str(shots / "sales-deals-offline.png"))
    finally:
        context.set_offline(False)


def test_team_lead_assigns_a_pool_lead(page, shots):
    sign_in(page, "lead.east@demo.fieldline.app")
    pool = api(page, "/leads?pool=true")["body"]["items"]
    lead_id = pool[-1]["id"]
    page.goto(f"/leads/{lead_id}")
    page.click("[data-assign]")
    page.wait_for_selector("#sheet[open] [data-to]")
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "sales-assign.png"))
    page.click("#sheet [data-to][data-name='Li Na']")
    page.wait_for_selector(".tag:has-text('Li Na')")
    assert api(page, f"/leads/{lead_id}")["body"]["owner_name"] == "Li Na"


def test_a_record_that_is_not_there_says_so_with_a_way_back(page, shots):
    sign_in(page)
    nobody = "00000000-0000-4000-8000-000000000000"
    for path, key, back in (("leads", "leads.not_found", "/leads"),
                            ("deals", "deals.not_found", "/deals"),
                            ("orders", "orders.not_found", "/deals?status=won"),
                            ("customers", "customer.not_found", "/customers")):
        page.goto(f"/{path}/{nobody}")
        page.wait_for_selector(".empty-state")
        said = page.evaluate(f"async () => (await import('/pwa/js/lib/i18n.js')).t('{key}')")
        assert page.inner_text(".empty-state") == said and said != key
        assert page.locator(f".page-head a[href='{back}']").count() == 1
    page.screenshot(path=str(shots / "sales-missing.png"))
