"""A local stand-in for a browser vendor's push service, on 127.0.0.1.

It plays both ends a real push service has: it checks the VAPID JWT the server signs
(signature, ``aud``, ``exp`` within 24 h, ``sub``), and it holds the private key of each
test subscription, so it decrypts the aes128gcm body (``http_ece``) exactly as the browser
would and records the JSON. Each subscription can be told to answer 410, 503 with a
Retry-After, or to be slow.
"""
import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    token: str
    payload: dict | None
    ttl: int | None
    urgency: str | None
    claims: dict
    vapid_key: str
    error: str | None = None
    at: float = field(default_factory=time.time)


@dataclass
class TestBrowser:
    """One subscribed browser: what ``PushSubscription.toJSON()`` would give, plus the
    private half only the browser knows."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    def subscription_json(self) -> dict:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}}


class PushReceiver:
    def __init__(self, decrypt: bool = True, verify: bool = True):
        self.decrypt = decrypt
        self.verify = verify
        self.browsers: dict[str, TestBrowser] = {}
        self.received: list[Received] = []
        self.answers: dict[str, list[tuple[int, dict]]] = {}  # token -> queued answers
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers = receiver.receive(self.path, self.headers, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def new_browser(self) -> TestBrowser:
        token = b64url(os.urandom(12))
        browser = TestBrowser(token, f"{self.origin}/push/{token}",
                              ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.browsers[token] = browser
        return browser

    def answer(self, browser: TestBrowser, *answers: tuple[int, dict]) -> None:
        """Queue answers for the next pushes to ``browser`` (then 201 again)."""
        self.answers.setdefault(browser.token, []).extend(answers)

    def _claims(self, authorization: str) -> tuple[dict, str]:
        scheme, _, params = authorization.partition(" ")
        assert scheme == "vapid", authorization
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        assert Vapid02.verify(authorization), "VAPID signature does not verify"
        claims = json.loads(b64url_decode(parts["t"].split(".")[1]))
        return claims, parts["k"]

    def receive(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        token = path.rsplit("/", 1)[-1]
        browser = self.browsers.get(token)
        if browser is None:
            return 404, {}
        error, payload = None, None
        if not self.verify:  # the benchmark: count and time, spend no CPU on checks
            with self.lock:
                self.received.append(Received(token, None, None, None, {}, ""))
            return 201, {}
        try:
            claims, key = self._claims(headers.get("Authorization", ""))
            assert claims["aud"] == self.origin, claims
            assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
            assert claims["sub"].startswith(("mailto:", "https:")), claims
            assert headers.get("Content-Encoding") == "aes128gcm"
            if self.decrypt:
                plain = http_ece.decrypt(body, private_key=browser.private_key,
                                         auth_secret=browser.auth_secret, version="aes128gcm")
                payload = json.loads(plain)
        except Exception as exc:  # noqa: BLE001 - recorded for the test to see
            claims, key, error = {}, "", f"{type(exc).__name__}: {exc}"
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            queued = self.answers.get(token)
            status, extra = queued.pop(0) if queued else (201, {})
            if status < 300:
                self.received.append(Received(
                    token, payload, int(headers["TTL"]) if headers.get("TTL") else None,
                    headers.get("Urgency"), claims, key, error))
        if error:
            return 400, {}
        return status, extra

    def payloads_for(self, browser: TestBrowser) -> list[dict]:
        return [r.payload for r in self.received if r.token == browser.token]
