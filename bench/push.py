"""Push reminders at scale: 10,000 reminders due in the same minute, sent by 1 and then 3
worker processes (``fieldline reminders run``) on PostgreSQL to a local push service.

Reports deliveries per second and the lag after the due time (p50, p99) for each, and a
baseline measured in the same run: the same pushes sent by a bare loop around pywebpush
(no database, no claiming), so the ratio says what the exactly-once bookkeeping costs.
Not a test: nothing is asserted. Usage: ``.venv/bin/python bench/push.py [--reminders N]``.
"""
import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from sqlalchemy import insert, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Activity, Notification, PushSubscription, User  # noqa: E402
from app.push.sender import Sender  # noqa: E402
from app.push.vapid import new_key_pair  # noqa: E402
from tests.pg import ThrowawayPostgres  # noqa: E402
from tests.push_receiver import PushReceiver  # noqa: E402

USERS = 100


def seed_users(receiver):
    """USERS reps with one device each; returns [(user_id, subscription json)]."""
    now = datetime.now(timezone.utc)
    users, subscriptions, out = [], [], []
    for n in range(USERS):
        user_id = uuid.uuid4()
        users.append({"id": user_id, "email": f"rep{n}@bench.fieldline", "name": f"Rep {n}",
                      "password_hash": "x", "role": "rep", "timezone": "Asia/Shanghai",
                      "locale": "en", "active": True, "version": 1, "created_at": now,
                      "updated_at": now, "reminder_lead_minutes": 15,
                      "quiet_hours_start": datetime.min.time(),
                      "quiet_hours_end": datetime.min.time()})
        sub = receiver.new_browser().subscription_json()
        subscriptions.append({"id": uuid.uuid4(), "user_id": user_id, "endpoint": sub["endpoint"],
                              "endpoint_hash": uuid.uuid4().hex, "p256dh": sub["keys"]["p256dh"],
                              "auth": sub["keys"]["auth"], "created_at": now})
        out.append((user_id, sub))
    db.session.execute(insert(User), users)
    db.session.execute(insert(PushSubscription), subscriptions)
    db.session.commit()
    return out


def due_reminders(users, count: int, due: datetime) -> None:
    """``count`` reminders, all to be sent at ``due``, spread over the users."""
    db.session.execute(text("TRUNCATE push_deliveries, notifications, activities CASCADE"))
    activities, reminders = [], []
    for n in range(count):
        user_id = users[n % len(users)][0]
        activity_id, followup_due = uuid.uuid4(), due + timedelta(minutes=15)
        activities.append({"id": activity_id, "kind": "task", "action": "call",
                           "owner_id": user_id, "due_at": followup_due, "notes": "Send quote",
                           "version": 1, "created_at": due, "updated_at": due})
        reminders.append({"id": uuid.uuid4(), "user_id": user_id, "kind": "reminder",
                          "activity_id": activity_id,
                          "params": {"due_at": followup_due.isoformat()}, "url": "/today",
                          "actions": [], "send_at": due, "status": "scheduled",
                          "created_at": due})
    for start in range(0, count, 2000):
        db.session.execute(insert(Activity), activities[start:start + 2000])
        db.session.execute(insert(Notification), reminders[start:start + 2000])
    db.session.commit()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_workers(env, receiver, n_workers: int, count: int, users) -> dict:
    due = datetime.now(timezone.utc) + timedelta(seconds=8)
    due_reminders(users, count, due)
    receiver.received.clear()
    workers = [subprocess.Popen([str(Path(sys.executable).parent / "fieldline"), "reminders",
                                 "run", "--interval", "60"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(n_workers)]
    try:
        deadline = time.time() + 600
        while len(receiver.received) < count and time.time() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(30)
    lags = [r.at - due.timestamp() for r in receiver.received]
    span = max(r.at for r in receiver.received) - min(r.at for r in receiver.received)
    return {"delivered": len(receiver.received), "per_second": len(lags) / max(span, 1e-9),
            "p50": percentile(lags, 50), "p99": percentile(lags, 99), "last": max(lags)}


def raw_baseline(private_key, users, count: int) -> float:
    """Sends per second of a bare loop around pywebpush to the same receiver."""
    sender = Sender(private_key, "mailto:bench@fieldline.invalid")
    payload = '{"title":"Call Rep · Acme 10:15","body":"Send quote"}'
    started = time.perf_counter()
    for n in range(count):
        sender.send(users[n % len(users)][1], payload, ttl=3600, urgency="high")
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    args = parser.parse_args()
    private, public = new_key_pair()
    pg = ThrowawayPostgres()
    pg.start()
    try:
        url = pg.create_database("fieldline_bench_push")
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
               "VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public,
               "PUSH_ENDPOINT_HOSTS": "127.0.0.1", "FIELDLINE_ENV": "development"}
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public})
        with app.app_context(), PushReceiver(decrypt=False, verify=False) as receiver:
            db.create_all()
            users = seed_users(receiver)
            baseline = raw_baseline(private, users, args.baseline)
            print(f"baseline: bare pywebpush loop, 1 process: {baseline:,.0f} sends/s")
            print(f"{args.reminders:,} reminders due at the same instant, {USERS} users:")
            print("| workers | delivered | deliveries/s | x baseline | lag p50 | lag p99 | last |")
            print("|---|---|---|---|---|---|---|")
            for n_workers in (1, 3):
                r = run_workers(env, receiver, n_workers, args.reminders, users)
                print(f"| {n_workers} | {r['delivered']:,} | {r['per_second']:,.0f} | "
                      f"{r['per_second'] / baseline:.2f} | {r['p50']:.1f} s | {r['p99']:.1f} s |"
                      f" {r['last']:.1f} s |", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
