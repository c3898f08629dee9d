"""Near me on a phone: the rep's book synced to IndexedDB, the customers around a fixed
position nearest first (online and offline the same), radius chips and filters, a
removal and a reassignment synced away, no position without permission, and the map with
tiles from a local tile server (pins, a card, clusters, a changed tile host let in), in
English and Chinese."""
import math
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import LANDED, PASSWORD, api, sign_in, wait_for_worker
from tests.waiting import wait_until

# Wuhan: no demo customer within 20 km.
HERE = {"latitude": 30.5928, "longitude": 114.3055, "accuracy": 25}
LEAD = "lead.east@demo.fieldline.app"
ADMIN = "admin@demo.fieldline.app"
METRES_PER_DEGREE = 6371000 * math.pi / 180
# name, metres north, metres east, status, phone
PLACES = [
    ("光谷文具 Optics Valley Stationery", 300, 0, "active", "13900000001"),
    ("汉口茶行 Hankou Tea", 0, 2400, "active", "13900000002"),
    ("江夏医药 Jiangxia Pharmacy", -1500, 0, "inactive", None),
    ("武昌五金 Wuchang Hardware", -8000, 0, "prospect", "13900000004"),
    ("黄陂农资 Huangpi Farm Supply", 0, -30000, "active", None),
]


def _png(size=256):
    """A light map-coloured tile with a grid line on two edges."""
    rows = []
    for y in range(size):
        row = bytearray(b"\0")
        for x in range(size):
            edge = x == 0 or y == 0
            row += bytes((205, 214, 210) if edge else (236, 240, 232))
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


@pytest.fixture
def context(browser, phone, server):
    """A 390 x 844 phone standing at HERE, location allowed."""
    size = {"width": 390, "height": 844}
    ctx = browser.new_context(**{**phone, "viewport": size, "screen": size}, base_url=server,
                              geolocation=HERE, permissions=["geolocation"])
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def tiles():
    """A tile server on 127.0.0.1: one PNG for any /z/x/y.png; `hits` counts the tiles."""
    tile = _png()
    hits = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png", "hits": hits}
    server.shutdown()


def _point(north, east):
    lat = HERE["latitude"] + north / METRES_PER_DEGREE
    lng = HERE["longitude"] + east / (METRES_PER_DEGREE * math.cos(math.radians(HERE["latitude"])))
    return round(lat, 6), round(lng, 6)


def place_customers(page, tag):
    """The five customers around HERE, owned by the signed-in rep: {short name: id}."""
    ids = {}
    for name, north, east, status, phone in PLACES:
        lat, lng = _point(north, east)
        body = {"name": f"{name} {tag}", "lat": lat, "lng": lng, "status": status, "city": "武汉"}
        if phone:
            body["phone"] = phone
        created = api(page, "/customers", "POST", body)
        assert created["status"] == 201, created
        ids[name.split()[1]] = created["body"]["id"]
    return ids


def remove_customers(page, ids):
    """Leave the shared server's book as it was for the tests that come after."""
    for customer_id in ids:
        assert api(page, f"/customers/{customer_id}", "DELETE")["status"] == 204


def other_session(browser, server, email):
    ctx = browser.new_context(base_url=server)
    page = ctx.new_page()
    page.goto("/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(LANDED)
    return ctx, page


def set_locale(page, locale):
    me = api(page, "/me")["body"]
    assert api(page, f"/users/{me['id']}", "PATCH", {"locale": locale})["status"] == 200
    page.evaluate("""async (locale) => {
        const { state } = await import('/pwa/js/lib/state.js');
        const { kv } = await import('/pwa/js/lib/db.js');
        state.me = { ...state.me, locale };
        await kv.set('me', state.me);
        await (await import('/pwa/js/lib/account.js')).applyLocale(locale);
    }""", locale)


def names(page):
    return [n.split()[1] for n in page.locator(".near-row strong").all_inner_texts()]


def distances(page):
    return page.locator(".near-row [data-distance]").all_inner_texts()


def sync_book(page):
    page.evaluate("async () => (await import('/pwa/js/lib/book-sync.js')).syncBookNow()")


def set_offline(page, context, offline):
    context.set_offline(offline)
    page.evaluate(f"window.dispatchEvent(new Event('{'offline' if offline else 'online'}'))")


def test_near_me_lists_the_book_by_distance_online_and_offline_and_syncs_removals(
        page, context, browser, server, shots):
    context.set_geolocation(HERE)
    sign_in(page)
    wait_for_worker(page)
    ids = place_customers(page, "N1")
    page.goto("/customers")
    page.wait_for_selector(".list .row-link")
    page.screenshot(path=str(shots / "near-entry-en.png"))
    page.click("a[data-near]")  # one tap from the Customers screen
    page.wait_for_url("**/customers/near")
    page.wait_for_selector(".near-row [data-distance]")
    # Nearest first, 5 km by default, distances as a rep reads them.
    assert names(page) == ["Optics", "Jiangxia", "Hankou"]
    assert distances(page) == ["300 m", "1.5 km", "2.4 km"]
    call = page.locator(".near-row").first.locator("a.call-btn")
    assert call.get_attribute("href") == "tel:+8613900000001"
    page.locator(".near-radius label", has_text="20 km").click()
    assert wait_until(lambda: names(page) == ["Optics", "Jiangxia", "Hankou", "Wuchang"])
    page.screenshot(path=str(shots / "near-list-en.png"), full_page=True)
    page.locator(".near-radius label", has_text="1 km").click()
    assert wait_until(lambda: names(page) == ["Optics"])
    page.locator(".near-radius label", has_text="20 km").click()
    page.select_option("select[data-select=status]", "prospect")
    assert wait_until(lambda: names(page) == ["Wuchang"])
    page.select_option("select[data-select=status]", "")
    assert wait_until(lambda: len(names(page)) == 4)
    # The book is in IndexedDB, with its size and "as of" in Settings.
    page.click("a[data-tab=settings]")
    page.wait_for_selector("[data-book-count]")
    assert int(page.inner_text("[data-book-count]")) >= 5
    assert "Up to date" in page.inner_text(".book")
    page.locator("section[data-book]").screenshot(path=str(shots / "near-book-settings-en.png"))

    # Offline: the same list from the phone, and the map says it needs the network.
    page.go_back()
    page.wait_for_selector(".near-row [data-distance]")
    set_offline(page, context, True)
    page.click("a[data-mode=map]")
    page.wait_for_selector("[data-map-offline]")
    page.screenshot(path=str(shots / "near-map-offline-en.png"))
    page.click("[data-map-offline] a")
    page.wait_for_selector(".near-row [data-distance]")
    assert names(page) == ["Optics", "Jiangxia", "Hankou", "Wuchang"]
    assert "from this phone" in page.inner_text("[data-count]")
    page.screenshot(path=str(shots / "near-list-offline-en.png"), full_page=True)
    set_offline(page, context, False)

    # A customer deleted, another given to the team lead: the next sync takes both away.
    assert api(page, f"/customers/{ids['Jiangxia']}", "DELETE")["status"] == 204
    lead_ctx, lead_page = other_session(browser, server, LEAD)
    lead = api(lead_page, "/me")["body"]
    moved = api(lead_page, f"/customers/{ids['Hankou']}", "PATCH", {"owner_id": lead["id"]})
    assert moved["status"] == 200, moved
    lead_ctx.close()
    sync_book(page)
    page.click("[data-relocate]")
    assert wait_until(lambda: names(page) == ["Optics", "Wuchang"])
    held = page.evaluate(
        "async () => (await (await import('/pwa/js/lib/db.js')).allCustomers()).map((c) => c.id)")
    assert ids["Hankou"] not in held and ids["Jiangxia"] not in held and ids["Optics"] in held

    # Chinese, the same list.
    set_locale(page, "zh-CN")
    page.wait_for_selector(".near-row [data-distance]")
    assert "附近客户" in page.inner_text("h1")
    assert distances(page) == ["300米", "8公里"]
    page.screenshot(path=str(shots / "near-list-zh.png"), full_page=True)

    # Without permission: a clear message and the book by name, without distances.
    context.clear_permissions()
    set_locale(page, "en")
    page.wait_for_selector(".near-row")
    page.click("[data-relocate]")
    page.wait_for_selector("[data-denied]")
    assert "Location is off" in page.inner_text("[data-denied]")
    assert page.locator(".near-row [data-distance]").count() == 0
    assert page.locator(".near-radius").count() == 0
    assert page.locator(".near-row").count() >= 2
    page.screenshot(path=str(shots / "near-denied-en.png"))
    remove_customers(page, [ids["Optics"], ids["Wuchang"], ids["Huangpi"]])


def test_the_map_shows_pins_from_local_tiles_a_card_on_tap_and_clusters(
        page, context, browser, server, tiles, shots):
    # The phone stores the app page (and its CSP) before the company changes tile server.
    context.set_geolocation(HERE)
    sign_in(page)
    wait_for_worker(page)
    admin_ctx, admin_page = other_session(browser, server, ADMIN)
    before = api(admin_page, "/settings")["body"]
    try:
        # The administrator points the map at the local tile server on Company settings.
        admin_page.goto("/admin")
        form = admin_page.locator("form[data-form=map]")
        form.locator("[name=map_tile_url]").fill("ftp://tiles.example.org/{z}/{x}/{y}.png")
        form.locator("button[type=submit]").click()
        form.locator(".field-error").wait_for()
        assert "Not a tile URL" in form.inner_text()
        form.locator("[name=map_tile_url]").fill(tiles["url"])
        form.locator("[name=map_attribution]").fill("Local test tiles")
        form.locator("[name=map_max_zoom]").fill("18")
        form.locator("button[type=submit]").click()
        admin_page.wait_for_selector(".toast.show")
        form.screenshot(path=str(shots / "near-admin-map-en.png"))
        assert api(admin_page, "/settings")["body"]["map_tile_url"] == tiles["url"]

        ids = place_customers(page, "M1")
        sync_book(page)
        page.goto("/customers/near/map")
        # The stored page's CSP refuses the new tile host: the map offers to reload.
        page.wait_for_selector("[data-map-blocked]")
        assert not tiles["hits"]
        page.screenshot(path=str(shots / "near-map-blocked-en.png"))
        page.click("[data-map-blocked] button")
        page.wait_for_selector("img.leaflet-tile-loaded")
        assert tiles["hits"], "no tile was asked for"
        page.wait_for_selector(".map-pin")
        assert page.get_attribute("[data-body]", "data-pins") == "3"  # within 5 km
        assert page.locator(".leaflet-marker-pane .me-dot").count() == 1
        assert "Local test tiles" in page.inner_text(".leaflet-control-attribution")
        page.screenshot(path=str(shots / "near-map-en.png"))
        page.locator(".map-pin[title='光谷文具 Optics Valley Stationery M1']").click()
        page.wait_for_selector(".map-card")
        assert "300 m" in page.inner_text(".map-card")
        page.wait_for_timeout(400)  # the popup fades in
        page.screenshot(path=str(shots / "near-map-card-en.png"))
        page.click(".map-card a")
        page.wait_for_url(f"**/customers/{ids['Optics']}")

        # Above 200 pins the map clusters them.
        page.evaluate("""async ([lat, lng]) => {
            const db = await import('/pwa/js/lib/db.js');
            const items = Array.from({ length: 240 }, (_, i) => ({
                id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, version: 1,
                name: `Crowd ${i}`, status: 'active',
                lat: lat + (i % 16) * 0.002, lng: lng + Math.floor(i / 16) * 0.002,
            }));
            await db.applyBookItems(items);
        }""", [HERE["latitude"] - 0.015, HERE["longitude"] - 0.015])
        set_locale(page, "zh-CN")
        page.goto("/customers/near/map")
        page.wait_for_selector(".marker-cluster")
        assert page.get_attribute("[data-body]", "data-clustered") == "true"
        page.wait_for_selector("img.leaflet-tile-loaded")
        assert "地图" in page.inner_text(".near-mode")
        page.screenshot(path=str(shots / "near-map-zh.png"))
        set_locale(page, "en")
        remove_customers(page, ids.values())
    finally:
        api(admin_page, "/settings", "PATCH", {
            k: before[k] for k in ("map_tile_url", "map_attribution", "map_max_zoom")})
        admin_ctx.close()
