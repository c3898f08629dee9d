"""If-Match with the ETag a compressed answer carried, through gunicorn as `make run` serves.

Flask-Compress rewrites a strong ETag per encoding ("1" -> "1:br", "1:gzip"); a client that
echoes what it was given must be able to update the record (issue 11). Tested on the wire,
because the test client does not run the compression the way a real server answers.
"""
import gzip
import json
import subprocess
from http.client import HTTPConnection

import brotli
import pytest

from bench.run import start_gunicorn, stop
from tests.e2e.conftest import ROOT, _cli, free_port

EMAIL, PASSWORD = "rep@etag.example", "correct horse battery"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Port of a gunicorn (gunicorn.conf.py) on a fresh migrated SQLite with one rep."""
    tmp = tmp_path_factory.mktemp("etag")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp / 'etag.db'}",
           "SECRET_KEY": "test", "RECEIPTS_DIR": str(tmp / "receipts"),
           "FLASK_APP": "app:create_app", "NO_PROXY": "127.0.0.1,localhost"}
    for step in (["db", "upgrade"],
                 ["create-user", "--email", EMAIL, "--password", PASSWORD, "--role", "rep"]):
        subprocess.run(_cli() + step, cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = start_gunicorn("app:create_app()", port, env, str(ROOT))
    yield port
    stop(server)


class Session:
    """A signed-in rep talking plain HTTP/1.1 to the server."""

    def __init__(self, port):
        self.port = port
        response, body = self.call("POST", "/api/v1/auth/login",
                                   {"email": EMAIL, "password": PASSWORD})
        assert response.status == 200, body
        self.cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        self.csrf = json.loads(body)["csrf_token"]

    def call(self, method, path, body=None, headers=None):
        conn = HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = {"Content-Type": "application/json", **(headers or {})}
        if hasattr(self, "cookie"):
            sent.update({"Cookie": self.cookie, "X-CSRF-Token": self.csrf})
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers=sent)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        return response, raw


def _customer(session, name):
    response, body = session.call("POST", "/api/v1/customers", {
        "name": name, "city": "Suzhou", "phone": "+86 138 0013 8000",
        "address": "1288 Zhangjiang Hi-Tech Park, Lane 7, Pudong New Area, Shanghai " * 3,
        "tags": ["key account", "machinery", "east"]})
    assert response.status == 201, body
    return json.loads(body)["id"]


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressed_etag_echoed_as_if_match_updates_the_record(base, encoding):
    session = Session(base)
    url = f"/api/v1/customers/{_customer(session, f'Echo {encoding}')}"
    response, raw = session.call("GET", url, headers={"Accept-Encoding": encoding})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == encoding
    given = response.getheader("ETag")
    assert given == f'"1:{encoding}"'  # what Flask-Compress makes of "1"
    assert json.loads(DECODE[encoding](raw))["version"] == 1

    changed, body = session.call("PATCH", url, {"city": "Hangzhou"}, {"If-Match": given})
    assert changed.status == 200, body
    assert json.loads(body)["version"] == 2 and changed.getheader("ETag") == '"2"'

    stale, body = session.call("PATCH", url, {"city": "Ningbo"}, {"If-Match": given})
    assert stale.status == 412, body
    assert json.loads(body)["code"] == 412

    again, raw = session.call("GET", url, headers={"Accept-Encoding": encoding})
    weak = "W/" + again.getheader("ETag")  # as a proxy that weakens ETags passes it on
    changed, body = session.call("PATCH", url, {"city": "Wuxi"}, {"If-Match": weak})
    assert changed.status == 200 and json.loads(body)["version"] == 3, body

    for garbage in ('"2:br", "3"', '"three:gzip"', '"3:rot13"'):
        refused, body = session.call("PATCH", url, {"city": "X"}, {"If-Match": garbage})
        error = json.loads(body)
        assert refused.status == 400, (garbage, body)
        assert error["code"] == 400 and error["status"] == "Bad Request"
        assert "If-Match" in error["message"]
    final, raw = session.call("GET", url)
    assert json.loads(raw)["city"] == "Wuxi" and json.loads(raw)["version"] == 3
