"""Two app servers and two workers on one PostgreSQL, directly and through PgBouncer in
transaction mode: reps log visits with follow-ups, win deals and submit expense claims,
approvers approve them, all over real HTTP through both servers, while one server is
SIGKILLed and restarted. A client whose request failed sends the same request again (the
PWA's outbox does), to the other server, as a load balancer would. Afterwards every record
meant exists exactly once, order numbers are distinct and gap-free, each approval step has
one history row, and every reminder reached its phone exactly once."""
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import (
    Activity, Customer, ExpenseClaim, ExpenseStep, Notification, Opportunity, PushDelivery,
    SalesOrder,
)
from bench.run import free_port, start_gunicorn, stop
from tests import factories
from tests.push_receiver import PushReceiver
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
FIELDLINE = str(Path(sys.executable).parent / "fieldline")
TARGET = "app:create_app()"
REPS, ROUNDS = 4, 3
CLAIM_AMOUNT = "2500.00"  # above the manager threshold: lead, manager, finance all decide
CHAIN = [("submit", "submitted"), ("lead", "approved"), ("manager", "approved"),
         ("finance", "approved")]


class Client:
    """One person's phone: signed in once (the session is a database row, so either server
    honours it), each request to the next server in turn; a request that got no answer is
    sent again, unchanged, to the other server."""

    def __init__(self, bases: list[str], email: str):
        self.bases = bases
        self.turn = 0
        self.retried = 0
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never a proxy
        self.csrf = None
        self.csrf = self.send("POST", "/auth/login",
                              {"email": email, "password": factories.PASSWORD})["csrf_token"]

    def send(self, method: str, path: str, body: dict | None = None,
             done_if: tuple = ()) -> dict | None:
        """The answer's JSON. ``done_if``: statuses that, on a repeat, mean the first try
        went through (a second ``submit`` of a submitted claim is 409)."""
        self.turn += 1
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        for attempt in range(40):
            base = self.bases[(self.turn + attempt) % len(self.bases)]
            try:
                response = self.http.request(method, base + "/api/v1" + path, json=body,
                                             headers=headers, timeout=30)
            except requests.RequestException:
                self.retried += 1
                threading.Event().wait(0.1)
                continue
            if attempt and response.status_code in done_if:
                return None
            assert response.status_code in (200, 201), (method, path, response.text)
            return response.json()
        raise AssertionError(f"{method} {path}: no server answered")

    def close(self) -> None:
        self.http.close()  # no idle keep-alive connection holds up a server's shutdown


class Cluster:
    """Two gunicorn servers (gunicorn.conf.py, as ``make run``) and two workers."""

    def __init__(self, env: dict, tmp: Path):
        self.env = env
        self.ports = [free_port(), free_port()]
        self.bases = [f"http://127.0.0.1:{p}" for p in self.ports]
        with ThreadPoolExecutor() as pool:  # both boot at once
            self.servers = list(pool.map(lambda port: start_gunicorn(TARGET, port, env, ROOT),
                                         self.ports))
        self.worker_logs = [open(tmp / f"worker{n}.log", "w") for n in range(2)]  # noqa: SIM115
        self.workers = [subprocess.Popen([FIELDLINE, "reminders", "run", "--interval", "1"],
                                         env=env, cwd=ROOT, stdout=log, stderr=log)
                        for log in self.worker_logs]

    def kill_and_restart(self, n: int) -> None:
        os.killpg(self.servers[n].pid, signal.SIGKILL)
        self.servers[n].wait()
        self.servers[n] = start_gunicorn(TARGET, self.ports[n], self.env, ROOT)

    def stop(self) -> None:
        with ThreadPoolExecutor() as pool:
            list(pool.map(stop, self.servers))
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker, log in zip(self.workers, self.worker_logs, strict=True):
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
            log.close()


def _people(url: str, env: dict, receiver: PushReceiver):
    """Lead, manager and finance; REPS reps in the lead's team, each with one phone. Made
    through the services, straight on the database (as an admin's CLI would)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": env["SECRET_KEY"],
                      "VAPID_PRIVATE_KEY": env["VAPID_PRIVATE_KEY"],
                      "VAPID_PUBLIC_KEY": env["VAPID_PUBLIC_KEY"]})
    no_quiet_hours = {"quiet_hours_start": time(0), "quiet_hours_end": time(0)}
    with app.app_context():
        team = factories.make_team("East")
        lead = factories.make_user("lead", team)
        team.lead_id = lead.id
        db.session.commit()
        manager, finance = factories.make_user("manager"), factories.make_user("finance")
        reps = [(factories.make_user("rep", team, **no_quiet_hours).email,
                 receiver.new_browser()) for _ in range(REPS)]
        emails = lead.email, manager.email, finance.email
    return app, emails, reps


def _rep_work(client: Client, browser, name: str, restarted: threading.Event,
              progress: Counter, intended: dict, lock: threading.Lock) -> None:
    client.send("POST", "/push/subscriptions", browser.subscription_json())
    for n in range(ROUNDS):
        if n == ROUNDS - 1:
            restarted.wait(120)  # the last round goes to both servers again
        now = datetime.now(timezone.utc)
        ids = {kind: str(uuid.uuid4())
               for kind in ("customer", "visit", "followup", "deal", "claim")}
        client.send("POST", "/customers", {"id": ids["customer"], "name": f"{name} {n}"})
        client.send("POST", "/activities", {
            "id": ids["visit"], "kind": "visit", "customer_id": ids["customer"],
            "occurred_at": now.isoformat(), "notes": "walked the plant",
            "next": {"id": ids["followup"], "kind": "call",
                     "due_at": (now + timedelta(minutes=5)).isoformat(), "note": "quote"}})
        client.send("POST", "/opportunities", {"id": ids["deal"], "customer_id": ids["customer"],
                                               "name": f"Pumps {name} {n}", "amount": "1000.00"})
        client.send("POST", f"/opportunities/{ids['deal']}/win", {}, done_if=(409,))
        client.send("POST", "/expenses", {"id": ids["claim"], "title": f"Trip {n}", "items": [
            {"category": "travel", "amount": CLAIM_AMOUNT, "spent_on": date.today().isoformat()}]})
        client.send("POST", f"/expenses/{ids['claim']}/submit", {}, done_if=(409,))
        with lock:
            for kind, value in ids.items():
                intended.setdefault(kind, []).append(value)
            progress["rounds"] += 1


def _approve_until(client: Client, done: threading.Event) -> None:
    """An approver's inbox: approve whatever waits for them, at the step it waits at."""
    while not done.is_set():
        for claim in client.send("GET", "/approvals?limit=200")["items"]:
            client.send("POST", f"/expenses/{claim['id']}/approve", {"step": claim["step"]},
                        done_if=(409,))
        done.wait(0.3)


def _run_in_threads(targets) -> tuple[list[threading.Thread], list[BaseException]]:
    errors = []

    def guarded(target, args):
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    return threads, errors


@pytest.fixture(params=["postgresql", "pgbouncer"])
def database_urls(request, postgres, migrated_database):
    """(URL the servers and workers use, URL the test checks with, extra environment)."""
    direct = f"{postgres.url_base}/{migrated_database}"
    if request.param == "postgresql":
        return direct, direct, {}
    bouncer = request.getfixturevalue("pgbouncer")
    return (f"postgresql+psycopg://postgres@127.0.0.1:{bouncer.port}/{migrated_database}",
            direct, {"DATABASE_PGBOUNCER": "1"})


def test_two_servers_two_workers_lose_nothing_and_send_each_reminder_once(
        database_urls, cluster_env, tmp_path):
    served_url, direct_url, extra_env = database_urls
    env = {**cluster_env, "DATABASE_URL": served_url, **extra_env}
    with PushReceiver() as receiver:
        app, (lead, manager, finance), reps = _people(direct_url, env, receiver)
        cluster = Cluster(env, tmp_path)
        rep_clients, approvers = [], []
        try:
            restarted, approvals_done = threading.Event(), threading.Event()
            progress, intended, lock = Counter(), {}, threading.Lock()
            rep_clients = [Client(cluster.bases, email) for email, _ in reps]
            approvers = [Client(cluster.bases, email) for email in (lead, manager, finance)]
            rep_threads, rep_errors = _run_in_threads(
                (_rep_work, (client, browser, f"Rep{n}", restarted, progress, intended, lock))
                for n, (client, (_, browser)) in enumerate(zip(rep_clients, reps, strict=True)))
            approver_threads, approver_errors = _run_in_threads(
                (_approve_until, (client, approvals_done)) for client in approvers)

            assert wait_until(lambda: progress["rounds"] >= 1 or rep_errors, timeout=60)
            cluster.kill_and_restart(0)
            restarted.set()
            for thread in rep_threads:
                thread.join(120)
            assert not rep_errors, rep_errors
            assert progress["rounds"] == REPS * ROUNDS

            def all_approved():
                with app.app_context():
                    approved = db.session.scalar(
                        select(func.count()).select_from(ExpenseClaim)
                        .where(ExpenseClaim.status == "approved"))
                    db.session.remove()
                return approved == REPS * ROUNDS or approver_errors

            assert wait_until(all_approved, timeout=60)
            approvals_done.set()
            for thread in approver_threads:
                thread.join(60)
            assert not approver_errors, approver_errors

            def reminders_recorded_sent():
                with app.app_context():
                    sent = db.session.scalar(
                        select(func.count()).select_from(PushDelivery)
                        .join(Notification, Notification.id == PushDelivery.notification_id)
                        .where(Notification.kind == "reminder", PushDelivery.status == "sent"))
                    db.session.remove()
                return sent >= REPS * ROUNDS

            # Once every reminder's delivery is recorded as sent, nothing more will arrive:
            # a worker records a send right after the push service took it.
            assert wait_until(reminders_recorded_sent, timeout=60)
        finally:
            for client in rep_clients + approvers:
                client.close()
            cluster.stop()

        # The kill was felt: requests failed, and were sent again.
        assert sum(c.retried for c in rep_clients + approvers) >= 1

        assert all(r.error is None for r in receiver.received), receiver.received[:1]
        reminded = Counter(r.payload["followup"]["id"] for r in receiver.received
                           if r.payload and "followup" in r.payload)
        assert set(reminded) == set(intended["followup"])
        assert set(reminded.values()) == {1}, reminded.most_common(3)

        with app.app_context():
            _assert_each_record_once(intended)
            db.session.remove()
            db.engine.dispose()


def _ids(values) -> set:
    return {uuid.UUID(v) for v in values}


def _assert_each_record_once(intended: dict) -> None:
    total = REPS * ROUNDS
    assert {*db.session.scalars(select(Customer.id))} == _ids(intended["customer"])
    visits = db.session.scalars(select(Activity.id).where(Activity.kind == "visit")).all()
    followups = db.session.scalars(select(Activity.id).where(Activity.kind == "task")).all()
    assert set(visits) == _ids(intended["visit"]) and len(visits) == total
    assert set(followups) == _ids(intended["followup"]) and len(followups) == total
    reminders = db.session.scalars(
        select(Notification.activity_id).where(Notification.kind == "reminder")).all()
    assert sorted(reminders) == sorted(_ids(intended["followup"]))

    deals = db.session.execute(select(Opportunity.id, Opportunity.status)).all()
    assert {d.id for d in deals} == _ids(intended["deal"]) and {d.status for d in deals} == {"won"}
    orders = db.session.execute(select(SalesOrder.opportunity_id, SalesOrder.number)).all()
    assert sorted(o.opportunity_id for o in orders) == sorted(_ids(intended["deal"]))
    by_year: dict[str, list[int]] = {}
    for order in orders:
        _, year, seq = order.number.split("-")
        by_year.setdefault(year, []).append(int(seq))
    for year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (year, sorted(numbers))

    claims = db.session.execute(select(ExpenseClaim.id, ExpenseClaim.status)).all()
    assert {c.id for c in claims} == _ids(intended["claim"])
    assert {c.status for c in claims} == {"approved"}
    history: dict = {}
    for step in db.session.scalars(select(ExpenseStep).order_by(ExpenseStep.seq)):
        history.setdefault(step.claim_id, []).append((step.step, step.action))
    assert set(history) == _ids(intended["claim"])
    assert all(lines == CHAIN for lines in history.values()), \
        next(lines for lines in history.values() if lines != CHAIN)
