"""A real server on a fresh, migrated, seeded SQLite database, and the system
Chromium in phone emulation (360 x 780, an Android Chrome user agent)."""
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ports import free_port

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("FIELDLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("FIELDLINE_SHOTS", "/tmp/fieldline-shots"))
PASSWORD = "fieldline"
REP = "rep1@demo.fieldline.app"  # 王伟, Asia/Shanghai, English
# The first screen after sign-in: Today for reps, Team for leads and managers.
LANDED = ".agenda-section, [data-team-home] .team-reps"

pytestmark = pytest.mark.e2e


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("fieldline")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "flask", "--app", "app:create_app"]


@pytest.fixture(scope="session")
def seeded_env(tmp_path_factory):
    """Environment of a fresh SQLite database, migrated and seeded with the demo company."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "SECRET_KEY": "test",
        "RECEIPTS_DIR": str(tmp / "receipts"),
        "FLASK_APP": "app:create_app",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(_cli() + step, cwd=ROOT, env=env, check=True, capture_output=True)
    return env


class Server:
    """`flask run` of the app found in `cwd`, on 127.0.0.1:port."""

    def __init__(self, env, port, cwd=ROOT):
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = Path(env["DATABASE_URL"].removeprefix("sqlite:///")).with_suffix(f".{port}.log")
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app:create_app", "run", "--host", "127.0.0.1",
             "--port", str(port), "--no-reload", "--no-debugger", "--with-threads"],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for _ in range(150):
            try:
                if opener.open(self.base + "/healthz", timeout=1).status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start: " + self.log_path.read_text())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


@pytest.fixture(scope="session")
def server(seeded_env):
    """Base URL of a live server on the seeded database."""
    live = Server(seeded_env, free_port())
    yield live.base
    live.stop()


@pytest.fixture(scope="session")
def pw():
    with playwright_sync.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def phone(pw):
    """Context options for a 360 x 780 Android phone."""
    device = dict(pw.devices["Pixel 7"])
    device.pop("default_browser_type", None)
    device["viewport"] = {"width": 360, "height": 780}
    device["screen"] = {"width": 360, "height": 780}
    return device


@pytest.fixture(scope="session")
def browser(pw):
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def context(browser, phone, server):
    ctx = browser.new_context(
        **phone, base_url=server, geolocation={"latitude": 31.2304, "longitude": 121.4737},
        permissions=["geolocation"],
    )
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture(scope="session")
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def sign_in(page, email=REP, password=PASSWORD):
    page.goto("/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(LANDED)


@contextmanager
def signed_in_phone(browser, phone, server, email, **options):
    """(page, context) of a fresh phone-sized browser signed in as ``email``; fails the test
    on any JavaScript error in it."""
    context = browser.new_context(**phone, base_url=server, **options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, email, PASSWORD)
        yield page, context
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def wait_for_worker(page):
    """Until the service worker controls the page and has precached the shell."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function(
        """async () => {
            const keys = await caches.keys();
            return keys.some((k) => k.startsWith('fieldline-shell-'));
        }""",
        timeout=15000,
    )


def api(page, path, method="GET", body=None):
    """Call the API from the page, with its session and CSRF token."""
    return page.evaluate(
        """async ([path, method, body]) => {
            let csrf = null;
            if (method !== 'GET') csrf = (await (await fetch('/api/v1/me')).json()).csrf_token;
            const res = await fetch('/api/v1' + path, {
                method,
                headers: {
                    'Content-Type': 'application/json',
                    ...(csrf ? {'X-CSRF-Token': csrf} : {}),
                },
                body: body === null ? undefined : JSON.stringify(body),
            });
            return {status: res.status, body: res.status === 204 ? null : await res.json()};
        }""",
        [path, method, body],
    )


