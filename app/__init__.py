"""Fieldline: the application factory."""
import sqlite3

from flask import Flask, jsonify, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config
from app.extensions import api as rest_api
from app.extensions import compress, db, limiter, login_manager, migrate

@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL (readers never wait for the writer) and enforced foreign keys on SQLite."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, test_config))
    app.json.ensure_ascii = False  # 王伟, not \u738b\u4f1f: a third smaller on the wire
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_extensions(app)
    register_blueprints(app)
    register_response_headers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from app.api import request_auth as _request_auth  # noqa: F401  (registers the login loaders)
    from app.services import customer_sync, expense_spend, funnel_rollups, rollups

    db.init_app(app)
    rollups.register()  # daily rollups kept in the transaction of every write
    funnel_rollups.register()
    expense_spend.register()  # each expense item's copy of its claim's owner and status
    customer_sync.register()  # a record of each customer leaving an owner's book
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    rest_api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "session": {"type": "apiKey", "in": "cookie", "name": "fieldline_session"},
        "bearer": {"type": "http", "scheme": "bearer"},
    }}, "security": [{"session": []}, {"bearer": []}]})


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from app import web
    from app.api import (
        activities, auth, customers, expense_reports, expenses, leads, opportunities, orders,
        plans, push, reports, settings, targets, team, users,
    )
    from app.api.errors import register_error_handlers
    from app.api.request_auth import require_api_auth

    for module in (auth, users, customers, activities, settings, push, expenses,
                   expense_reports, leads, opportunities, orders, reports, plans, targets,
                   team):
        rest_api.register_blueprint(module.blp)
    app.before_request(require_api_auth)
    app.after_request(auth.apply_session_cookie)
    register_error_handlers(app)
    app.register_blueprint(web.bp)

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means "not healthy"
            db.session.rollback()
            return jsonify({"status": "unavailable"}), 503
        return jsonify({"status": "ok"})


def register_response_headers(app: Flask) -> None:
    from app.web import content_security_policy

    policy = content_security_policy()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "geolocation=(self), camera=(self), microphone=()"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith("/api/"):
            headers.setdefault("Cache-Control", "private, no-cache")
            headers.add("Vary", "Cookie")
        return response


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
