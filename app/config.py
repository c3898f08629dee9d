"""Settings from environment variables, with safe defaults for the embedded setup.

Development keeps generated secrets under ``instance/`` so a restart does not sign
everyone out; production sets them in the environment.
"""
import os
import secrets
from pathlib import Path

from app.push.vapid import configured_key_pair

DEFAULT_PUSH_HOSTS = ",".join((
    "fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com",
    "notify.windows.com", "push.apple.com",
))


def _instance_secret(instance_path: Path, name: str) -> str:
    """Read a generated secret from instance/, creating it on first use."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def engine_options(database_url: str, pgbouncer: bool) -> dict:
    """SQLAlchemy engine options. Behind PgBouncer in transaction mode (DATABASE_PGBOUNCER=1)
    psycopg must not prepare statements on the server: the next transaction may run on
    another server connection, where that prepared statement does not exist."""
    options = {"pool_pre_ping": True}
    if pgbouncer and database_url.startswith("postgresql"):
        options["connect_args"] = {"prepare_threshold": None}
    return options


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = os.environ
    instance = Path(instance_path)
    overrides = overrides or {}
    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or env.get("DATABASE_URL") or (
        f"sqlite:///{instance / 'fieldline.db'}"
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    development = env.get("FIELDLINE_ENV", "development") == "development"
    secret_key = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret_key:
        if not development:
            raise RuntimeError("SECRET_KEY must be set when FIELDLINE_ENV is not development")
        secret_key = _instance_secret(instance, "secret_key")
    config = {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(
            database_url, env.get("DATABASE_PGBOUNCER", "0") == "1"),
        "DEVELOPMENT": development,
        "SESSION_COOKIE_NAME": "fieldline_session",
        "SESSION_COOKIE_SECURE": (
            env.get("SESSION_COOKIE_SECURE", "0" if development else "1") == "1"
        ),
        "SESSION_LIFETIME_DAYS": int(env.get("SESSION_LIFETIME_DAYS", "30")),
        "PHONE_DEFAULT_REGION": env.get("PHONE_DEFAULT_REGION", "CN"),
        "DEFAULT_TIMEZONE": env.get("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        # Failed sign-ins only; successful ones never count (see auth.views.login).
        "LOGIN_FAILURES_PER_ACCOUNT": env.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_FAILURES_PER_ADDRESS": env.get("LOGIN_FAILURES_PER_ADDRESS", "30 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # A shared store (Redis) that cannot be reached: count in each process meanwhile
        # (the limits hold per process, as with memory://) instead of failing sign-in.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Receipt files (expense claims): outside the static folder, never served directly.
        "RECEIPTS_DIR": env.get("RECEIPTS_DIR") or str(instance / "receipts"),
        "VAPID_SUBJECT": env.get("VAPID_SUBJECT", "mailto:admin@fieldline.invalid"),
        # Push services a subscription may point at (host, or parent domain): a browser's
        # endpoint is always one of these, so the worker never POSTs anywhere else.
        "PUSH_ENDPOINT_HOSTS": [h.strip() for h in env.get(
            "PUSH_ENDPOINT_HOSTS", DEFAULT_PUSH_HOSTS).split(",") if h.strip()],
        "PUSH_TIMEOUT_SECONDS": float(env.get("PUSH_TIMEOUT_SECONDS", "10")),
        # How long a worker owns the deliveries it picked up; a killed worker's expire.
        "PUSH_CLAIM_SECONDS": float(env.get("PUSH_CLAIM_SECONDS", "120")),
        # Day plans: an OSRM server whose table service gives road travel times (optional;
        # straight lines times the road_factor setting without it, or when it fails).
        "OSRM_URL": env.get("OSRM_URL") or None,
        "OSRM_TIMEOUT_SECONDS": float(env.get("OSRM_TIMEOUT_SECONDS", "5")),
        # flask-smorest / OpenAPI
        "API_TITLE": "Fieldline API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Flask-Compress: the embedded server compresses without a proxy in front.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/javascript", "application/javascript",
            "application/json", "application/manifest+json", "image/svg+xml",
        ],
    }
    config.update(overrides)
    if config["PUSH_CLAIM_SECONDS"] < 3 * config["PUSH_TIMEOUT_SECONDS"]:
        # One push can take two timeouts (connect, then read): a claim must outlast it.
        raise RuntimeError("PUSH_CLAIM_SECONDS must be at least 3 x PUSH_TIMEOUT_SECONDS")
    config["VAPID_PRIVATE_KEY"], config["VAPID_PUBLIC_KEY"] = configured_key_pair(
        overrides.get("VAPID_PRIVATE_KEY", env.get("VAPID_PRIVATE_KEY")),
        overrides.get("VAPID_PUBLIC_KEY", env.get("VAPID_PUBLIC_KEY")), instance, development)
    return config
