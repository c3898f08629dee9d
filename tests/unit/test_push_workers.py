"""Real worker processes (``fieldline reminders run``) against PostgreSQL and the local
push service: three at once deliver each reminder exactly once, and a worker killed
mid-batch loses nothing."""
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app import create_app
from app.extensions import db
from app.models import Activity, Notification, PushDelivery
from app.models.base import utcnow
from app.push.vapid import new_key_pair
from app.services import push as push_service
from tests import factories
from tests.push_receiver import PushReceiver
from tests.waiting import wait_until as _wait_for

FIELDLINE = str(Path(sys.executable).parent / "fieldline")


@pytest.fixture
def pg_push(postgres, tmp_path):
    """A fresh PostgreSQL database, an app on it, VAPID keys, and the receiver."""
    private, public = new_key_pair()
    url = postgres.create_database(f"fieldline_workers_{uuid.uuid4().hex[:8]}")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": url, "VAPID_PRIVATE_KEY": private,
                      "VAPID_PUBLIC_KEY": public})
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
           "VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public,
           "PUSH_ENDPOINT_HOSTS": "127.0.0.1", "NO_PROXY": "127.0.0.1,localhost"}
    with app.app_context(), PushReceiver() as receiver:
        db.create_all()
        yield app, env, receiver
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _afternoon_zone(now) -> str:
    """A timezone where it is 15:00 now: outside the reps' quiet hours and the morning
    digest's hours (08:00-12:00), whose pushes would otherwise arrive among the reminders
    when the suite runs at those hours in Shanghai (as it did, from 00:00 UTC)."""
    offset = (15 - now.hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def _due_reminders(receiver, users: int, per_user: int) -> set[str]:
    """``users`` reps with one device each and ``per_user`` reminders due now each."""
    now = utcnow()
    followup_ids = set()
    for _ in range(users):
        rep = factories.make_user("rep", timezone_name=_afternoon_zone(now))
        push_service.save_subscription(rep, receiver.new_browser().subscription_json(),
                                       ["127.0.0.1"], None)
        activities, reminders = [], []
        for _ in range(per_user):
            activity_id, due = uuid.uuid4(), now + timedelta(minutes=10)
            activities.append({"id": activity_id, "kind": "task", "action": "call",
                               "owner_id": rep.id, "due_at": due, "notes": "quote",
                               "version": 1, "created_at": now, "updated_at": now})
            reminders.append({"id": uuid.uuid4(), "user_id": rep.id, "kind": "reminder",
                              "activity_id": activity_id, "params": {"due_at": due.isoformat()},
                              "url": "/today", "actions": [], "send_at": now,
                              "status": "scheduled", "created_at": now})
            followup_ids.add(str(activity_id))
        db.session.execute(insert(Activity), activities)
        db.session.execute(insert(Notification), reminders)
    db.session.commit()
    return followup_ids


def _start_worker(env, **extra):
    return subprocess.Popen([FIELDLINE, "reminders", "run", "--interval", "1"],
                            env={**env, **extra}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _stop(workers):
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _received_followups(receiver) -> list[str]:
    assert all(r.error is None for r in receiver.received), receiver.received[:1]
    return [r.payload["followup"]["id"] for r in receiver.received]


def test_three_workers_deliver_1000_reminders_exactly_once(pg_push):
    app, env, receiver = pg_push
    expected = _due_reminders(receiver, users=20, per_user=50)
    workers = [_start_worker(env) for _ in range(3)]
    try:
        assert _wait_for(lambda: len(receiver.received) >= 1000, timeout=240), \
            len(receiver.received)
        time.sleep(3)  # any duplicate would have arrived by now
    finally:
        _stop(workers)
    errors = [w.stderr.read().decode() for w in workers]
    received = _received_followups(receiver)
    assert len(received) == 1000
    assert set(received) == expected
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PushDelivery)
                             .where(PushDelivery.status == "sent",
                                    PushDelivery.attempts == 1)) == 1000
    # All three took part (each logs the batches it claimed).
    assert sum("claimed" in e for e in errors) >= 2, errors


def test_a_killed_worker_loses_nothing(pg_push):
    app, env, receiver = pg_push
    expected = _due_reminders(receiver, users=4, per_user=50)
    receiver.delay = 0.03  # a slow push service: the kill lands mid-batch
    first = _start_worker(env, PUSH_CLAIM_SECONDS="6", PUSH_TIMEOUT_SECONDS="2")
    try:
        assert _wait_for(lambda: len(receiver.received) >= 20, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = len(receiver.received)
        assert killed_at < 200
        second = _start_worker(env, PUSH_CLAIM_SECONDS="6", PUSH_TIMEOUT_SECONDS="2")
        assert _wait_for(lambda: set(_received_followups(receiver)) == expected, timeout=120)
        time.sleep(2)
    finally:
        _stop([first, second])
    received = _received_followups(receiver)
    # Nothing lost; at most the one push in flight at the kill arrives twice.
    assert set(received) == expected
    assert len(received) - len(expected) <= 1
