"""The shell the service worker precaches: versioned by content, compressed, headed."""
import json
import shutil

import brotli
import pytest

from app import web


@pytest.fixture
def client(app):
    return app.test_client()


def _version(client):
    body = client.get("/sw.js").get_data(as_text=True)
    first = body.splitlines()[0]
    assert first.startswith("const SHELL_VERSION = ")
    return first.split('"')[1], body


def test_the_worker_carries_the_version_and_every_shell_file(client):
    version, body = _version(client)
    assert len(version) == 16
    files_line = body.splitlines()[1]
    for url in ("/", "/manifest.webmanifest", "/pwa/js/main.js", "/pwa/css/app.css",
                "/pwa/i18n/en.json", "/pwa/i18n/zh-CN.json", "/pwa/icons/icon-192.png"):
        assert f'"{url}"' in files_line
    for url in ("/pwa/js/main.js", "/pwa/i18n/zh-CN.json", "/manifest.webmanifest", "/"):
        assert client.get(url).status_code == 200, url


def test_the_version_changes_when_any_shell_file_changes(app, monkeypatch, tmp_path):
    before = web.Shell(app).version
    original = web.PWA_DIR / "css" / "app.css"
    root = tmp_path / "app"
    shutil.copytree(web.ROOT / "static", root / "static")
    shutil.copytree(web.ROOT / "templates", root / "templates")
    copy = root / "static" / "pwa"
    monkeypatch.setattr(web, "ROOT", root)
    monkeypatch.setattr(web, "PWA_DIR", copy)
    monkeypatch.setattr(web, "TEMPLATE", root / "templates" / "index.html")
    assert web.Shell(app).version == before  # same bytes, same version
    (copy / "css" / "app.css").write_bytes(original.read_bytes() + b"\n/* deploy */\n")
    after = web.Shell(app)
    assert after.version != before
    assert after.worker.body.startswith(f'const SHELL_VERSION = "{after.version}"'.encode())


def test_shell_files_are_compressed_and_revalidated(client):
    response = client.get("/pwa/js/main.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "no-cache"
    source = brotli.decompress(response.get_data())
    assert b"import" in source
    again = client.get("/pwa/js/main.js", headers={"Accept-Encoding": "gzip, br",
                                                  "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/pwa/js/main.js")
    assert "Content-Encoding" not in plain.headers and plain.get_data() == source


def test_client_routes_answer_with_the_app_page_and_strict_headers(client):
    for path in ("/", "/today", "/customers", "/customers/123", "/settings", "/pending",
                 "/leads", "/leads/123", "/deals", "/deals/123", "/orders/123", "/expenses",
                 "/approvals", "/reports/expenses", "/reports/sales", "/admin"):
        response = client.get(path)
        assert response.status_code == 200
        assert b'type="module"' in response.get_data()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/pwa/js/nope.js").status_code == 404
    assert client.get("/pwa/../config.py").status_code == 404


def test_every_path_of_the_router_table_answers_with_the_app_page(client):
    """The JS router and the server read one route table (js/lib/routes.json); the
    service worker precaches it with the rest of the shell."""
    table = json.loads(web.ROUTES_FILE.read_text(encoding="utf-8"))
    assert len(table) >= 20
    for route in table:
        path = route["path"].replace(":id", "0f8fad5b-d9cb-469f-a165-70867728950e")
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'src="/pwa/js/main.js"' in response.get_data()
    files_line = _version(client)[1].splitlines()[1]
    for url in ("/pwa/js/lib/routes.json", "/pwa/js/lib/router.js", "/pwa/js/components/icons.js",
                "/pwa/js/views/today.js"):
        assert f'"{url}"' in files_line


def test_manifest_is_installable_shaped(client):
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    assert client.get("/manifest.webmanifest").mimetype == "application/manifest+json"
    assert manifest["display"] == "standalone" and manifest["start_url"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert ("192x192", "any") in sizes and ("512x512", "any") in sizes
    assert any(purpose == "maskable" for _, purpose in sizes)
    names = {s["name"] for s in manifest["shortcuts"]}
    assert {"Log a visit", "Today"} <= names
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
