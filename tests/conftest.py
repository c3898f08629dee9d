"""Fixtures: an app per database backend (SQLite file and throwaway PostgreSQL), a client
that signs in like the PWA does, data factories, and an SQL statement counter."""
import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from app import create_app
from app.extensions import db, limiter
from tests import factories
from tests.pg import ThrowawayPostgres

BACKENDS = os.environ.get("FIELDLINE_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def postgres():
    """The test run's PostgreSQL server, or a skip when it cannot run here (make test
    installs it and sets FIELDLINE_REQUIRE_POSTGRES=1, so there it must run)."""
    server = ThrowawayPostgres()
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001
        server.stop()
        if os.environ.get("FIELDLINE_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()


def _database_url(request, tmp_path_factory, name):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
    return request.getfixturevalue("postgres").create_database(name)


@pytest.fixture(scope="session", params=BACKENDS)
def backend_app(request, tmp_path_factory):
    """One app and schema per backend for the whole run; tests empty the tables after."""
    url = _database_url(request, tmp_path_factory, f"fieldline_test_{request.param}")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": "localhost",
        "RECEIPTS_DIR": str(tmp_path_factory.mktemp("receipts")),
    })
    with app.app_context():
        db.create_all()
    app.config["BACKEND"] = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_tables():
    db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} CASCADE"))
    else:
        db.session.execute(text("UPDATE teams SET lead_id = NULL"))
        for table in tables:
            db.session.execute(table.delete())
        _forget_sqlite_statistics()
    db.session.commit()


def _forget_sqlite_statistics():
    """A test that runs ANALYZE leaves sqlite_stat1 behind, and SQLite then plans every
    later test's statements from that test's tiny tables (a plan test failed by the order
    tests ran in). Delete the statistics and reload the schema so each test plans afresh."""
    exists = db.session.execute(text(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
    if exists:
        db.session.execute(text("DELETE FROM sqlite_stat1"))
        db.session.commit()
        db.session.execute(text("ANALYZE sqlite_master"))
        db.session.commit()
        db.engine.dispose()  # pooled connections still hold the old statistics


@pytest.fixture
def app(backend_app):
    with backend_app.app_context():
        limiter.reset()
        yield backend_app
        _empty_tables()
        db.session.remove()


class ApiClient:
    """A test client that signs in like the PWA: cookie + X-CSRF-Token on writes.

    Each request runs in its own app context, as on a real server: the test's own context
    (and its ``g`` and database session) never leaks into a request.
    """

    def __init__(self, app, user=None, password=factories.PASSWORD):
        self.app = app
        self.client = app.test_client()
        self.csrf = None
        self.user = user
        if user is not None:
            response = self.post("/api/v1/auth/login",
                                 json={"email": user.email, "password": password})
            assert response.status_code == 200, response.json
            self.csrf = response.json["csrf_token"]

    def _headers(self, headers):
        merged = dict(headers or {})
        if self.csrf:
            merged.setdefault("X-CSRF-Token", self.csrf)
        return merged

    def open(self, method, url, headers=None, **kw):
        with self.app.app_context():
            return self.client.open(url, method=method, headers=self._headers(headers), **kw)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.open("POST", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self.open("PATCH", url, json=json, **kw)

    def put(self, url, json=None, **kw):
        return self.open("PUT", url, json=json, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)


@pytest.fixture
def client_for(app):
    """``client_for(user)`` -> an ApiClient signed in as that user."""
    return lambda user: ApiClient(app, user)


@pytest.fixture
def anon(app):
    return ApiClient(app)


@pytest.fixture
def world(app):
    """Two teams with a lead and reps each, plus manager, finance, cashier and admin."""
    return factories.make_world()


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counted: ...`` then ``counted.n`` statements were run."""

    @contextmanager
    def counter():
        class Counted:
            n = 0
            statements = []

        def before(conn, cursor, statement, params, context, executemany):
            Counted.n += 1
            Counted.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield Counted
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def new_id():
    return lambda: str(uuid.uuid4())


@pytest.fixture
def push_receiver(app, monkeypatch):
    """A push service on 127.0.0.1 that decrypts what it gets (tests/push_receiver.py);
    the app accepts subscriptions pointing at it for the test."""
    from tests.push_receiver import PushReceiver

    monkeypatch.setitem(app.config, "PUSH_ENDPOINT_HOSTS", ["127.0.0.1"])
    with PushReceiver() as receiver:
        yield receiver
