"""Expenses on a phone (Pixel 7): a rep photographs a receipt with the camera-style file
input and submits a claim; the team lead approves it from the Approvals inbox."""
import base64

import pytest

from tests.e2e.conftest import api, sign_in

pytestmark = pytest.mark.e2e

LEAD = "lead.east@demo.fieldline.app"


@pytest.fixture
def pixel7(browser, pw, server):
    device = dict(pw.devices["Pixel 7"])
    device.pop("default_browser_type", None)
    contexts = []

    def make():
        ctx = browser.new_context(**device, base_url=server)
        contexts.append(ctx)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def camera_photo(page) -> bytes:
    """A 3000 x 2000 JPEG, like a phone camera's, drawn in the browser."""
    data = page.evaluate("""async () => {
        const c = document.createElement('canvas');
        c.width = 3000; c.height = 2000;
        const g = c.getContext('2d');
        g.fillStyle = '#f4f1e8'; g.fillRect(0, 0, 3000, 2000);
        g.fillStyle = '#222'; g.font = '160px sans-serif';
        g.fillText('RECEIPT  ¥ 268.50', 300, 1000);
        const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = ''; for (const b of bytes) s += String.fromCharCode(b);
        return btoa(s);
    }""")
    return base64.b64decode(data)


def test_rep_submits_with_the_camera_and_the_lead_approves_from_the_inbox(pixel7, shots):
    rep = pixel7()
    sign_in(rep)
    rep.goto("/settings")
    rep.wait_for_selector(".work")
    rep.screenshot(path=str(shots / "expenses-settings.png"))
    assert rep.locator('.work a[href="/approvals"]').count() == 0   # a rep approves nothing
    rep.click('.work a[href="/expenses"]')
    rep.wait_for_selector(".page-expenses [data-list] li:not(.skeleton)")
    rep.screenshot(path=str(shots / "expenses-list.png"))
    rep.click('a[href="/expenses/new"]')
    rep.wait_for_selector("[data-form]")
    rep.fill("input[name=title]", "E2E Suzhou visit")
    rep.select_option("[data-item='0'] select[name=category]", "meals")
    rep.fill("[data-item='0'] input[name=amount]", "268.50")
    rep.click("[data-add]")
    rep.select_option("[data-item='1'] select[name=category]", "fuel")
    rep.fill("[data-item='1'] input[name=amount]", "31.5")
    assert rep.inner_text("[data-total]").replace("\u00a0", " ").endswith("300.00")

    camera = rep.locator("input[type=file][data-camera]")
    assert camera.get_attribute("capture") is not None
    assert "image/*" in camera.get_attribute("accept")
    camera.set_input_files({"name": "IMG_20261123.jpg", "mimeType": "image/jpeg",
                            "buffer": camera_photo(rep)})
    rep.wait_for_selector(".thumbs img")
    rep.screenshot(path=str(shots / "expense-form.png"), full_page=True)
    rep.click("button[value=submit]")
    rep.wait_for_selector(".page-expense .x-summary")
    rep.wait_for_function("() => !document.querySelector('.b-queued')", timeout=15000)
    rep.reload()
    rep.wait_for_selector(".page-expense .badge.st-pending")
    rep.screenshot(path=str(shots / "expense-claim.png"), full_page=True)

    claims = api(rep, "/expenses?mine=true&status=pending")["body"]["items"]
    claim = next(c for c in claims if c["title"] == "E2E Suzhou visit")
    assert (claim["total"], claim["step"]) == ("300.00", "lead")
    assert len(claim["receipts"]) == 1 and claim["receipts"][0]["content_type"] == "image/jpeg"
    size = rep.evaluate("""async (url) => {
        const img = new Image(); img.src = url; await img.decode();
        return [img.naturalWidth, img.naturalHeight];
    }""", claim["receipts"][0]["url"])
    assert size == [1600, 1067]                      # downscaled on the phone before upload

    lead = pixel7()
    sign_in(lead, LEAD)
    lead.goto("/settings")
    lead.wait_for_selector(".work [data-waiting]:not([hidden])")
    lead.screenshot(path=str(shots / "approvals-settings.png"))
    lead.click('.work a[href="/approvals"]')
    card = lead.locator(f'.approval[data-id="{claim["id"]}"]')
    card.wait_for()
    assert "王伟" in card.inner_text()
    lead.screenshot(path=str(shots / "approvals.png"), full_page=True)
    card.locator(".thumb").click()
    lead.wait_for_selector("#sheet[open] .viewer img")
    lead.screenshot(path=str(shots / "receipt-full.png"))
    lead.click("#sheet [data-close]")
    card.locator("[data-act=approve]").click()
    lead.wait_for_selector(f'.approval[data-id="{claim["id"]}"]', state="detached")
    stored = api(lead, f"/expenses/{claim['id']}")["body"]
    assert (stored["status"], stored["step"]) == ("pending", "finance")
    assert [(h["step"], h["action"]) for h in stored["history"]][-2:] == [
        ("lead", "approved"), ("manager", "skipped")]

    lead.goto("/reports/expenses")
    lead.wait_for_selector(".chart svg rect")
    lead.screenshot(path=str(shots / "expense-report.png"), full_page=True)
    assert not rep.errors and not lead.errors, (rep.errors, lead.errors)


def test_a_draft_with_a_receipt_made_offline_is_sent_when_online(pixel7, shots):
    from tests.e2e.conftest import wait_for_worker

    rep = pixel7()
    sign_in(rep, "rep2@demo.fieldline.app")
    wait_for_worker(rep)
    rep.goto("/expenses/new")
    rep.wait_for_selector("[data-form]")
    photo = camera_photo(rep)
    rep.context.set_offline(True)
    rep.fill("input[name=title]", "Offline taxi")
    rep.fill("[data-item='0'] input[name=amount]", "46.00")
    rep.locator("input[type=file][data-camera]").set_input_files(
        {"name": "taxi.jpg", "mimeType": "image/jpeg", "buffer": photo})
    rep.wait_for_selector(".thumbs img")
    rep.click("button[value=save]")
    rep.wait_for_selector(".page-expense .b-queued")
    rep.wait_for_selector(".page-expense .thumbs img")
    rep.screenshot(path=str(shots / "expense-offline.png"), full_page=True)
    kinds = rep.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('fieldline');
        req.onsuccess = () => {
            const get = req.result.transaction('outbox').objectStore('outbox').getAll();
            get.onsuccess = () => resolve(get.result.sort((a, b) => a.seq - b.seq).map((i) =>
                i.form ? `upload ${i.form.file instanceof Blob} ${i.form.file.type}` : i.method));
        };
    })""")
    assert kinds == ["POST", "upload true image/jpeg"]

    rep.context.set_offline(False)
    rep.evaluate("() => window.dispatchEvent(new Event('online'))")
    rep.wait_for_selector(".page-expense .x-summary")
    rep.wait_for_function("() => !document.querySelector('.b-queued')", timeout=20000)
    claims = api(rep, "/expenses?mine=true&status=draft")["body"]["items"]
    listed = next(c for c in claims if c["title"] == "Offline taxi")
    claim = api(rep, f"/expenses/{listed['id']}")["body"]  # list items are slim: no items
    assert claim["total"] == "46.00" and len(claim["receipts"]) == 1

    # Edit the draft now that it is on the server: a PATCH with If-Match, receipts kept.
    rep.click(f'a[href="/expenses/{claim["id"]}/edit"]')
    rep.wait_for_selector("[data-form] [data-item='0']")
    assert rep.input_value("[data-item='0'] input[name=amount]") == "46.00"
    rep.fill("[data-item='0'] input[name=amount]", "52.30")
    rep.click("button[value=save]")
    rep.wait_for_selector(".page-expense .x-summary")
    rep.wait_for_function("() => !document.querySelector('.b-queued')", timeout=20000)
    stored = api(rep, f"/expenses/{claim['id']}")["body"]
    assert stored["total"] == "52.30" and len(stored["receipts"]) == 1
    assert stored["items"][0]["id"] == claim["items"][0]["id"]
    assert not rep.errors, rep.errors
