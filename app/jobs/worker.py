"""The background worker: one loop that runs every periodic job (the housekeeping jobs of
this package, and push delivery from ``app.push``).

Jobs are plain functions taking the app; each must be safe to run in several workers at
once and twice in a row (they claim their rows, or their effect is idempotent).
"""
import logging
import signal
import time

from app.extensions import db
from app.jobs.leads import recycle_stale_leads
from app.jobs.sessions import purge_expired_sessions
from app.jobs.sync import prune_old_removals
from app.push.digest import queue_morning_digests
from app.push.team_summary import queue_team_summaries
from app.push.dispatch import send_push_notifications

log = logging.getLogger(__name__)

# In the loop, a job runs every ``job.every`` seconds when it has that attribute (sending
# push wants to be prompt), else every ``interval``.
JOBS = [purge_expired_sessions, queue_morning_digests, send_push_notifications,
        recycle_stale_leads, prune_old_removals, queue_team_summaries]


def run_job(app, job):
    try:
        return job(app)
    except Exception:  # noqa: BLE001 - one failing job must not stop the others
        db.session.rollback()
        log.exception("job %s failed", job.__name__)
        return "failed"
    finally:
        db.session.remove()


def run_once(app) -> dict:
    return {job.__name__: run_job(app, job) for job in JOBS}


def run_forever(app, interval: float = 30.0) -> None:
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started, every %ss", interval)
    last_run: dict = {}
    while not stopping:
        for job in JOBS:
            if stopping:
                break
            if time.monotonic() - last_run.get(job, float("-inf")) >= getattr(job, "every",
                                                                                interval):
                last_run[job] = time.monotonic()
                result = run_job(app, job)
                if result and (not isinstance(result, dict) or any(result.values())):
                    log.info("%s: %s", job.__name__, result)
        time.sleep(0.5)
    log.info("worker stopped")
