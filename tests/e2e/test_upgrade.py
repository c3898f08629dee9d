"""A deploy while the app is open: the new worker precaches the new shell and
waits; the rep is asked to reload; only then does it take over and delete the
old shell cache (never its own, never the API cache)."""
import shutil

import pytest

from tests.e2e.conftest import ROOT, Server, free_port, sign_in, wait_for_worker

pytestmark = pytest.mark.e2e

CACHES = "async () => (await caches.keys()).sort()"


def test_new_version_is_offered_then_replaces_the_old_one(browser, phone, seeded_env, tmp_path,
                                                          shots):
    port = free_port()
    old = Server(seeded_env, port)
    new = None
    context = browser.new_context(**phone, base_url=old.base)
    try:
        page = context.new_page()
        sign_in(page)
        wait_for_worker(page)
        page.reload()  # under the worker, so the agenda is kept in the API cache
        page.wait_for_selector(".agenda-section")
        v1 = page.get_attribute('meta[name="fieldline-version"]', "content")
        assert page.evaluate(CACHES) == ["fieldline-api", f"fieldline-shell-{v1}"]

        # Deploy: the same app with one changed stylesheet, on the same address.
        old.stop()
        shutil.copytree(ROOT / "app", tmp_path / "app",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "migrations", tmp_path / "migrations",
                        ignore=shutil.ignore_patterns("__pycache__"))
        css = tmp_path / "app" / "static" / "pwa" / "css" / "app.css"
        css.write_text(css.read_text() + "\n/* deploy 2 */\n")
        new = Server(seeded_env, port, cwd=tmp_path)

        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        prompt = page.locator("#update")
        prompt.wait_for(state="visible", timeout=15000)
        page.screenshot(path=str(shots / "update-prompt.png"))
        # Waiting, not in charge: the page still runs the old shell, both caches exist.
        assert page.get_attribute('meta[name="fieldline-version"]', "content") == v1
        keys = page.evaluate(CACHES)
        assert len([k for k in keys if k.startswith("fieldline-shell-")]) == 2
        v2 = next(k for k in keys if k.startswith("fieldline-shell-") and not k.endswith(v1))
        v2 = v2.removeprefix("fieldline-shell-")
        css_v2 = page.evaluate(
            "async (name) => (await (await caches.open(name)).match('/pwa/css/app.css')).text()",
            f"fieldline-shell-{v2}")
        assert "/* deploy 2 */" in css_v2

        with page.expect_navigation():
            prompt.locator("button").click()
        page.wait_for_selector(".agenda-section")
        assert page.get_attribute('meta[name="fieldline-version"]', "content") == v2
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        assert page.evaluate(CACHES) == ["fieldline-api", f"fieldline-shell-{v2}"]

        # The new worker kept its own cache: the app still opens offline.
        context.set_offline(True)
        page.reload()
        page.wait_for_selector(".agenda-section")
        assert page.locator(".stale").is_visible()
        context.set_offline(False)
    finally:
        context.close()
        if new:
            new.stop()
