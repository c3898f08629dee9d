"""The PWA shell: the app page, the service worker, the manifest and the static
modules under /pwa/.

The shell version is a hash of every shell file's content, computed once at
start-up (in debug mode again whenever a file changes). It is injected into the
service worker's source, so each deploy changes the worker's bytes: browsers
install the new worker, which precaches exactly the files of that version and
waits for the rep to tap "Reload". Shell files are compressed once up front and
served with a strong ETag and `Cache-Control: no-cache`: the service worker,
not the HTTP cache, is what makes a repeat launch free.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import brotli
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from flask import Blueprint, Flask, Response, abort, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from app.services import settings as settings_service

bp = Blueprint("web", __name__)

ROOT = Path(__file__).parent
PWA_DIR = ROOT / "static" / "pwa"
TEMPLATE = ROOT / "templates" / "index.html"

MIMETYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".svg": "image/svg+xml",
}
COMPRESSIBLE = {".html", ".js", ".css", ".json", ".webmanifest", ".svg"}

# Modules every signed-in first screen needs: preloaded from the page so the
# browser fetches them in parallel instead of discovering them one import at a time.
PRELOAD = (
    "js/lib/html.js", "js/lib/db.js", "js/lib/state.js", "js/lib/i18n.js", "js/lib/sheets.js",
    "js/lib/router.js", "js/lib/session.js", "js/lib/outbox.js", "js/lib/outbox-client.js",
    "js/lib/sync.js", "js/components/icons.js",
)

# Third-party files from PyPI packages (never copied into the repository), served under a
# URL that names their version, so they are cached for a year and precached for offline.
VENDOR = {
    "leaflet": (xstatic.pkg.leaflet, (
        "leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
        "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")),
    "markercluster": (xstatic.pkg.leaflet_markercluster, (
        "leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")),
}
VENDOR_PREFIXES = {name: f"/vendor/{name}/{package.VERSION}/"
                   for name, (package, _files) in VENDOR.items()}
VENDOR_CACHE = "public, max-age=31536000, immutable"

CSP_DIRECTIVES = (
    "default-src 'self'", "script-src 'self'", "style-src 'self'",
    "img-src 'self' data: blob:", "connect-src 'self'", "font-src 'self'",
    "manifest-src 'self'", "worker-src 'self'", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'",
)


def content_security_policy(img_origins: tuple[str, ...] = ()) -> str:
    """The policy of every response; the app page's also lets the map's tile host in."""
    return "; ".join(f"{d} {' '.join(img_origins)}" if d.startswith("img-src") and img_origins
                     else d for d in CSP_DIRECTIVES)


def _tile_origins() -> tuple[str, ...]:
    """The tile host of the company's map setting, as a CSP source (none if unreadable)."""
    try:
        template = settings_service.get_setting("map_tile_url")
    except SQLAlchemyError:
        return ()
    origin = settings_service.tile_origin(template)
    return (origin,) if origin else ()


# The client-side router's one route table; the server reads it too, to answer each of
# its paths with the shell page.
ROUTES_FILE = PWA_DIR / "js" / "lib" / "routes.json"


def client_routes(table: list[dict]) -> list[str]:
    """Flask rules for the router's paths: "/customers/:id" and "/expenses/:id/edit"
    become "/customers/<path:rest>" and "/expenses/<path:rest>"; fixed paths stay."""
    rules: list[str] = []
    for route in table:
        path = route["path"]
        if ":" in path:
            path = path[: path.index("/:")] + "/<path:rest>"
        if path not in rules:
            rules.append(path)
    return rules


CLIENT_ROUTES = tuple(client_routes(json.loads(ROUTES_FILE.read_text(encoding="utf-8"))))


@dataclass(frozen=True)
class Asset:
    body: bytes
    mimetype: str
    etag: str
    gzipped: bytes | None = None
    brotlied: bytes | None = None

    @classmethod
    def make(cls, body: bytes, suffix: str) -> Asset:
        compress = suffix in COMPRESSIBLE
        return cls(
            body=body,
            mimetype=MIMETYPES.get(suffix, "application/octet-stream"),
            etag=hashlib.sha256(body).hexdigest()[:20],
            gzipped=gzip.compress(body, compresslevel=9, mtime=0) if compress else None,
            brotlied=brotli.compress(body, quality=11) if compress else None,
        )


class Shell:
    """Everything the service worker precaches, keyed by URL path."""

    def __init__(self, app: Flask):
        files = sorted(p for p in PWA_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))
        self.mtimes = {p: p.stat().st_mtime_ns for p in [*files, TEMPLATE]}
        digest = hashlib.sha256()
        for path in [*files, TEMPLATE]:
            name = path.relative_to(ROOT).as_posix().encode()
            digest.update(name + b"\0" + path.read_bytes() + b"\0")

        self.assets: dict[str, Asset] = {}
        for path in files:
            rel = path.relative_to(PWA_DIR).as_posix()
            if rel in ("sw.js", "manifest.webmanifest"):
                continue
            self.assets[f"/pwa/{rel}"] = Asset.make(path.read_bytes(), path.suffix)
        for name, (package, vendor_files) in VENDOR.items():
            for rel in vendor_files:
                path = Path(package.BASE_DIR) / rel
                url = VENDOR_PREFIXES[name] + rel
                self.assets[url] = Asset.make(path.read_bytes(), path.suffix)
                digest.update(f"{url}\0".encode())
        self.version = digest.hexdigest()[:16]
        self.assets["/favicon.ico"] = self.assets["/pwa/icons/favicon.ico"]
        manifest = (PWA_DIR / "manifest.webmanifest").read_bytes()
        self.assets["/manifest.webmanifest"] = Asset.make(manifest, ".webmanifest")

        page = app.jinja_env.get_template("index.html").render(
            version=self.version, preload=[f"/pwa/{p}" for p in PRELOAD],
            vendor=json.dumps(VENDOR_PREFIXES),
        )
        self.assets["/"] = Asset.make(page.encode(), ".html")

        # The worker precaches the page, the manifest, the icons and every module
        # and translation (a language switch or a lazy screen must work offline), and the
        # map's library (the list and the map's frame work offline; tiles do not).
        self.files = ["/", "/manifest.webmanifest", "/favicon.ico"] + sorted(
            url for url in self.assets
            if url.startswith(("/pwa/", "/vendor/")) and not url.endswith(".ico")
        )
        header = (
            f"const SHELL_VERSION = {json.dumps(self.version)};\n"
            f"const SHELL_FILES = {json.dumps(self.files)};\n"
        )
        self.worker = Asset.make(header.encode() + (PWA_DIR / "sw.js").read_bytes(), ".js")

    def changed(self) -> bool:
        try:
            current = {p: p.stat().st_mtime_ns for p in self.mtimes}
            count = sum(1 for p in PWA_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))
        except FileNotFoundError:
            return True
        return current != self.mtimes or count + 1 != len(self.mtimes)


_built: Shell | None = None


def shell() -> Shell:
    """The shell, built once per process (the files are the same for every app);
    in debug mode rebuilt when a file changes, so edits show on reload."""
    global _built
    if _built is None or (current_app.debug and _built.changed()):
        _built = Shell(current_app)
    return _built


@bp.record_once
def _build_at_start_up(state) -> None:
    with state.app.app_context():
        shell()


def _send(asset: Asset, cache_control: str = "no-cache") -> Response:
    accepted = request.headers.get("Accept-Encoding", "")
    body, encoding, etag = asset.body, None, asset.etag
    if asset.brotlied is not None and "br" in accepted:
        body, encoding, etag = asset.brotlied, "br", f"{asset.etag}-br"
    elif asset.gzipped is not None and "gzip" in accepted:
        body, encoding, etag = asset.gzipped, "gzip", f"{asset.etag}-gz"
    response = Response(body, mimetype=None, content_type=asset.mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    if asset.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    return response.make_conditional(request)


def _page(rest: str | None = None) -> Response:
    response = _send(shell().assets["/"])
    response.headers["Content-Security-Policy"] = content_security_policy(_tile_origins())
    return response


for _i, _rule in enumerate(CLIENT_ROUTES):
    bp.add_url_rule(_rule, f"page_{_i}", _page)


@bp.get("/sw.js")
def service_worker() -> Response:
    return _send(shell().worker)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    return _send(shell().assets["/manifest.webmanifest"])


@bp.get("/favicon.ico")
def favicon() -> Response:
    return _send(shell().assets["/favicon.ico"], cache_control="public, max-age=86400")


@bp.get("/vendor/<path:filename>")
def vendor_file(filename: str) -> Response:
    found = shell().assets.get(f"/vendor/{filename}")
    if found is None:
        abort(404)
    return _send(found, cache_control=VENDOR_CACHE)


@bp.get("/pwa/<path:filename>")
def asset(filename: str) -> Response:
    found = shell().assets.get(f"/pwa/{filename}")
    if found is None:
        abort(404)
    return _send(found)
