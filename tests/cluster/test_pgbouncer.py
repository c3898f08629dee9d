"""Why DATABASE_PGBOUNCER=1 exists: behind PgBouncer in transaction mode (1.18 here, before
it learnt to track prepared statements), psycopg's server-side prepared statements meet on
a shared server connection and fail; with the setting, psycopg never prepares them."""
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from app import create_app
from app.extensions import db
from tests.cluster.conftest import require_pgbouncer
from tests.cluster.pgbouncer import ThrowawayPgBouncer


@pytest.fixture(scope="module")
def one_server_connection(postgres):
    """A database behind a PgBouncer with one server connection: every client transaction
    runs on it, whichever client connection sent it."""
    require_pgbouncer()
    name = f"fieldline_bouncer_{uuid.uuid4().hex[:8]}"
    postgres.create_database(name)
    bouncer = ThrowawayPgBouncer(postgres.port, pool_size=1)
    base = bouncer.start()
    yield f"{base}/{name}"
    bouncer.stop()


def _two_clients_repeat_two_queries(app) -> None:
    """What two gunicorn threads do all day: the same few queries, over and over, each in
    its own transaction, on their own pooled connections."""
    with app.app_context(), db.engine.connect() as first, db.engine.connect() as second:
        for connection, query in ((first, "SELECT :n + 1"), (second, "SELECT :n + 2")):
            for n in range(8):  # past psycopg's prepare_threshold (5)
                connection.execute(text(query), {"n": n}).scalar_one()
                connection.commit()
    with app.app_context():
        db.engine.dispose()


def _app(url):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})


def test_without_the_setting_prepared_statements_collide(one_server_connection, monkeypatch):
    monkeypatch.delenv("DATABASE_PGBOUNCER", raising=False)
    with pytest.raises(ProgrammingError, match="prepared statement"):
        _two_clients_repeat_two_queries(_app(one_server_connection))


def test_with_the_setting_nothing_is_prepared(one_server_connection, monkeypatch):
    monkeypatch.setenv("DATABASE_PGBOUNCER", "1")
    app = _app(one_server_connection)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    _two_clients_repeat_two_queries(app)


def test_the_setting_leaves_sqlite_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_PGBOUNCER", "1")
    app = _app(f"sqlite:///{tmp_path / 'x.db'}")
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
