"""The offline book's delta sync at 5,000 customers (issue 13): a rep's whole book fetched
by a phone's first sync (``GET /customers?updated_since=<epoch>`` page after page), then an
incremental sync after a day's changes, on SQLite and on a throwaway PostgreSQL.

Per database: migrate, load the demo, give the demo rep ``--customers`` more customers made
like the demo's (names, phones, emails, addresses, positions, tags), then walk the sync
through the test client (in process: the time is the app's and the database's, no HTTP),
reporting pages, JSON bytes, gzip bytes (what the compressed response weighs), the time per
page (p50, max) and for the whole walk. The IndexedDB estimate is the items' JSON: the
phone stores each item as it came. Not a test; nothing is asserted.

    .venv/bin/python bench/sync_book.py [--customers 5000] [--page 200] [--databases sqlite]
"""
import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (  # noqa: E402
    DEMO_MANAGER, DEMO_REP, NEAR_POINT, SYNC_EPOCH, report, run_cli, signed_in_client,
)


def give_book(app, customers: int) -> int:
    """``customers`` more customers for the demo rep, as the demo makes them; returns the
    size of the rep's book."""
    from sqlalchemy import func, insert, select

    from app.demo.content import CITIES
    from app.demo.planner import Planner
    from app.extensions import db
    from app.models import Customer, User
    from app.services.normalize import InvalidPhone, company_key, email_key, phone_e164

    rng = random.Random("sync-book")
    now = datetime.now(timezone.utc)
    cities = list(CITIES.values())
    with app.app_context():
        rep_id = db.session.scalar(select(User.id).where(User.email == DEMO_REP))
        rows = []
        for i in range(customers):
            if i % 100 == 0:  # a planner per 100, as the scale set has (it runs out of names)
                planner = Planner(random.Random(f"sync-book/{i // 100}"), now)
            data, _ = planner.customer(100_000 + i, cities[0] if i % 3 else rng.choice(cities))
            try:
                e164 = phone_e164(data["phone"], "CN") if data["phone"] else None
            except InvalidPhone:
                e164 = None
            changed = now - timedelta(days=rng.uniform(0, 1000))
            rows.append({**data, "id": uuid.uuid4(), "owner_id": rep_id, "version": 1,
                         "name_norm": company_key(data["name"]), "phone_e164": e164,
                         "email_norm": email_key(data["email"]), "created_at": changed,
                         "updated_at": changed})
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(Customer.__table__), rows[start:start + 1000])
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(Customer).where(
            Customer.owner_id == rep_id, Customer.deleted_at.is_(None)))


def walk(app, client, since: str, page: int) -> dict:
    """Every page of one sync: counts, bytes and times."""
    times, raw, zipped, items, cursor = [], 0, 0, 0, None
    while True:
        url = f"/api/v1/customers?updated_since={since}&limit={page}"
        url += f"&cursor={cursor}" if cursor else ""
        with app.app_context():
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_data()
        raw, zipped = raw + len(body), zipped + len(gzip.compress(body))
        data = json.loads(body)
        items += len(data["items"])
        cursor = data["next_cursor"]
        if cursor is None:
            return {"pages": len(times), "items": items, "bytes": raw, "gzip": zipped,
                    "p50": statistics.median(times), "max": max(times),
                    "total": sum(times), "as_of": data["as_of"]}


def near_times(app, clients: dict, times: int = 15) -> dict:
    """Near me from People's Square at 1, 5 and 20 km, per role:
    {(role, km): (p50 ms, items)}."""
    result = {}
    for role, client in clients.items():
        for km in (1, 5, 20):
            url = (f"/api/v1/customers/near?lat={NEAR_POINT[0]}&lng={NEAR_POINT[1]}"
                   f"&radius_m={km * 1000}")
            spent = []
            for _ in range(times + 2):
                with app.app_context():
                    started = time.perf_counter()
                    response = client.get(url)
                    spent.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.get_data(as_text=True)
            result[(role, km)] = (statistics.median(spent[2:]),
                                  len(response.get_json()["items"]))
    return result


def change_a_day(app, changes: int) -> None:
    """What a day does to the book: ``changes`` customers edited, a few deleted."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Customer, User
    from app.services import customers as customer_service

    with app.app_context():
        rep = db.session.scalar(select(User).where(User.email == DEMO_REP))
        picked = db.session.scalars(select(Customer).where(Customer.owner_id == rep.id)
                                    .order_by(Customer.id).limit(changes)).all()
        for n, customer in enumerate(picked):
            if n % 10 == 0:
                customer_service.delete_customer(rep, customer)
            else:
                customer_service.update_customer(rep, customer, {"city": "Hangzhou"})
        db.session.commit()


def measure(backend: str, customers: int, page: int) -> None:
    from app import create_app

    workdir = Path(tempfile.mkdtemp(prefix=f"fieldline-sync-{backend}-"))
    server = None
    try:
        if backend == "postgresql":
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.pg import ThrowawayPostgres

            server = ThrowawayPostgres()
            server.start()
            url = server.create_database("fieldline_sync")
        else:
            url = f"sqlite:///{workdir / 'sync.db'}"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
               "NO_PROXY": "127.0.0.1,localhost", "FIELDLINE_EMBEDDED_WORKER": "0"}
        run_cli(env, "db", "upgrade")
        run_cli(env, "seed-demo")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        clients = {"rep": signed_in_client(app, DEMO_REP),
                   "manager": signed_in_client(app, DEMO_MANAGER)}
        near_demo = near_times(app, clients)
        book = give_book(app, customers)
        near_book = near_times(app, clients)
        client = clients["rep"]
        walk(app, client, SYNC_EPOCH, page)   # warm the caches once
        first = walk(app, client, SYNC_EPOCH, page)
        change_a_day(app, 50)
        since = first["as_of"].replace("+", "%2B")
        later = walk(app, client, since, page)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(f"\n### {backend}: a rep's book of {book:,} customers, pages of {page}\n")
    report("| sync | pages | items | JSON bytes | gzip bytes | page p50 ms | page max ms | "
           "total ms |")
    report("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in (("first (the whole book)", first),
                    ("next day (50 changed, 5 of them deleted)", later)):
        report(f"| {name} | {r['pages']} | {r['items']:,} | {r['bytes']:,} | {r['gzip']:,} | "
               f"{r['p50']:.1f} | {r['max']:.1f} | {r['total']:.0f} |")
    report(f"\nIndexedDB estimate (the items' JSON as stored): "
           f"{first['bytes'] / 2**20:.1f} MB for the book.")
    report(f"\nNear me from People's Square (in process, p50 of 15), the demo, then with the "
           f"rep's {customers:,} more customers (two in three in Shanghai):\n")
    report("| role | radius | demo ms (items) | with the book ms (items) | ratio |")
    report("|---|---:|---:|---:|---:|")
    for (role, km), (demo_ms, demo_n) in near_demo.items():
        book_ms, book_n = near_book[(role, km)]
        report(f"| {role} | {km} km | {demo_ms:.1f} ({demo_n}) | {book_ms:.1f} ({book_n}) | "
               f"{book_ms / demo_ms:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--page", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    report(f"# Delta sync of the offline book, {datetime.now().isoformat(timespec='minutes')}")
    for backend in args.databases.split(","):
        measure(backend.strip(), args.customers, args.page)


if __name__ == "__main__":
    main()
