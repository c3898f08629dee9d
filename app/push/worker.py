"""The background worker: one loop that runs every periodic job.

Jobs are plain functions taking the app; each must be safe to run in several workers at
once and twice in a row (they claim their rows, or their effect is idempotent).
"""
import logging
import signal
import time

from sqlalchemy import delete

from app.extensions import db
from app.models import UserSession
from app.models.base import utcnow
from app.services.leads import recycle_stale_leads

log = logging.getLogger(__name__)


def purge_expired_sessions(app) -> int:
    """Forget browser sessions past their expiry (signed-out devices, old phones)."""
    result = db.session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    db.session.commit()
    return result.rowcount or 0


JOBS = [purge_expired_sessions, recycle_stale_leads]


def run_once(app) -> dict:
    done = {}
    for job in JOBS:
        try:
            done[job.__name__] = job(app)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            db.session.rollback()
            log.exception("job %s failed", job.__name__)
            done[job.__name__] = "failed"
    return done


def run_forever(app, interval: float = 30.0) -> None:
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started, every %ss", interval)
    while not stopping:
        run_once(app)
        db.session.remove()
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.5)
    log.info("worker stopped")
