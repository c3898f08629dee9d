"""gunicorn settings for `make run` and production (override with environment variables).

With the embedded default (SQLite) the background worker (`fieldline reminders run`) is
started next to the web workers and stopped with them; with PostgreSQL run it as its own
process (see docs/operations.md), or set FIELDLINE_EMBEDDED_WORKER=1 to keep it here.
"""
import os
import subprocess
import sys

bind = os.environ.get("FIELDLINE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("FIELDLINE_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("FIELDLINE_ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_worker = None


def _embedded_worker_wanted() -> bool:
    setting = os.environ.get("FIELDLINE_EMBEDDED_WORKER", "auto")
    if setting in ("0", "1"):
        return setting == "1"
    return not os.environ.get("DATABASE_URL", "").startswith("postgres")


def when_ready(server):
    global _worker
    if _embedded_worker_wanted():
        _worker = subprocess.Popen([sys.executable, "-m", "app", "reminders", "run"])
        server.log.info("background worker started (pid %s)", _worker.pid)


def on_exit(server):
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _worker.kill()
