"""Fieldline benchmarks: SQL statements and payload per request, throughput as a ratio of a
bare Flask baseline, and the PWA shell budget in Chromium. See bench/README.md."""
import argparse
import gzip
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
DEMO_REP = "rep1@demo.fieldline.app"
DEMO_LEAD = "lead.east@demo.fieldline.app"  # a team lead: approvals and team reports
DEMO_PASSWORD = "fieldline"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
lines: list[str] = []


def report(text=""):
    print(text, flush=True)
    lines.append(text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(env, *args):
    subprocess.run([str(BIN / "fieldline"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


# 1. Statements and payload ---------------------------------------------------------------

def inflate(app, factor: int):
    """Add ``factor`` x the demo's customers and activities, spread over every rep, so the
    second measurement runs against a much bigger company."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import Activity, Customer, User
    from app.services.normalize import company_key

    rng = random.Random(7)
    with app.app_context():
        reps = db.session.scalars(select(User).where(User.role == "rep")).all()
        now = datetime.now(timezone.utc)
        customers, activities = [], []
        for i in range(200 * factor):
            owner = reps[i % len(reps)]
            name = f"Bench Trading {i:05d} Co., Ltd."
            cid = uuid.uuid4()
            customers.append({"id": cid, "name": name, "name_norm": company_key(name),
                              "owner_id": owner.id, "status": "active", "tags": [],
                              "city": "Shanghai", "phone": "021-6234 5678",
                              "phone_e164": "+862162345678", "version": 1,
                              "created_at": now, "updated_at": now})
            for _ in range(15):
                when = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
                activities.append({"id": uuid.uuid4(), "kind": "call", "owner_id": owner.id,
                                   "customer_id": cid, "occurred_at": when,
                                   "notes": "Bench call " * 5, "outcome": "interested",
                                   "version": 1, "created_at": when, "updated_at": when})
        db.session.execute(insert(Customer), customers)
        db.session.execute(insert(Activity), activities)
        db.session.commit()
        return len(customers), len(activities)


@contextmanager
def counted(engine):
    from sqlalchemy import event

    box = {"n": 0}

    def before(*_args):
        box["n"] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield box
    finally:
        event.remove(engine, "before_cursor_execute", before)


def measure_requests(app, label):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Activity, Customer, User

    client, lead = app.test_client(), app.test_client()
    for who, email in ((client, DEMO_REP), (lead, DEMO_LEAD)):
        response = who.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.json
    with app.app_context():
        rep_id = db.session.scalar(select(User.id).where(User.email == DEMO_REP))
        busiest = db.session.execute(
            select(Customer.id, func.count(Activity.id))
            .join(Activity, Activity.customer_id == Customer.id)
            .where(Customer.owner_id == rep_id).group_by(Customer.id)
            .order_by(func.count(Activity.id).desc()).limit(1)).first()
        engine = db.engine
    urls = {
        "agenda": "/api/v1/agenda",
        "customer list (50)": "/api/v1/customers?limit=50",
        "customer list (200)": "/api/v1/customers?limit=200",
        f"customer card ({busiest[1]} activities)": f"/api/v1/customers/{busiest[0]}",
        "leads, mine (50)": "/api/v1/leads?limit=50",
        "leads, pool (50)": "/api/v1/leads?pool=true&limit=50",
        "deals (50)": "/api/v1/opportunities?limit=50",
        "orders (50)": "/api/v1/orders?limit=50",
        "expense claims (50)": "/api/v1/expenses?limit=50",
        "lead: approvals inbox (50)": "/api/v1/approvals?limit=50",
        "lead: funnel report": "/api/v1/reports/funnel",
    }
    rows = []
    for name, url in urls.items():
        with app.app_context(), counted(engine) as box:
            response = (lead if name.startswith("lead:") else client).get(url)
        assert response.status_code == 200, (url, response.status_code)
        raw = response.get_data()
        rows.append((name, box["n"], len(raw), len(gzip.compress(raw))))
    report(f"\n### SQL statements and payload: {label}\n")
    report("| request | statements | JSON bytes | gzip bytes | budget (<= 4 stmts, <= 20 KB) |")
    report("|---|---:|---:|---:|---|")
    for name, n, size, zipped in rows:
        within = n <= 4 and (size <= 20_480 or "200" in name)
        report(f"| {name} | {n} | {size:,} | {zipped:,} | {'ok' if within else 'OVER'} |")
    return rows


# 2. Throughput -----------------------------------------------------------------------------

def start_gunicorn(target, port, env, cwd):
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), target,
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        env={**env, "FIELDLINE_EMBEDDED_WORKER": "0"}, cwd=cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn for {target} did not start")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def login_cookie(port) -> str:
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/api/v1/auth/login",
                 body=json.dumps({"email": DEMO_REP, "password": DEMO_PASSWORD}),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";", 1)[0]


def load(port, path, cookie, seconds, connections):
    """Keep-alive GETs from ``connections`` threads for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn = HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {"rps": len(latencies) / seconds,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
            "errors": errors[0]}


def measure_throughput(env, workdir, customer_id, seconds, connections):
    app_port, base_port = free_port(), free_port()
    baseline = start_gunicorn("baseline_app:app", base_port, env, str(ROOT / "bench"))
    real = start_gunicorn("app:create_app()", app_port, env, str(ROOT))
    try:
        cookie = login_cookie(app_port)
        results = [("bare Flask /ping (baseline)", load(base_port, "/ping", None, seconds,
                                                         connections))]
        for name, path in [("/healthz", "/healthz"), ("agenda", "/api/v1/agenda"),
                           ("customer list (50)", "/api/v1/customers?limit=50"),
                           ("customer card", f"/api/v1/customers/{customer_id}"),
                           ("leads, mine (50)", "/api/v1/leads?limit=50"),
                           ("deals (50)", "/api/v1/opportunities?limit=50"),
                           ("expense claims (50)", "/api/v1/expenses?limit=50")]:
            results.append((name, load(app_port, path, cookie if "api" in path else None,
                                       seconds, connections)))
    finally:
        stop(real)
        stop(baseline)
    base = results[0][1]["rps"]
    report(f"\n### Throughput (gunicorn as `make run`, {connections} keep-alive connections, "
           f"{seconds:g} s each, client on the same 2 cores)\n")
    report("| endpoint | req/s | ratio to baseline | p50 ms | p99 ms | errors |")
    report("|---|---:|---:|---:|---:|---:|")
    for name, r in results:
        report(f"| {name} | {r['rps']:.0f} | {r['rps'] / base:.2f} | {r['p50']:.1f} | "
               f"{r['p99']:.1f} | {r['errors']} |")


# 3. Shell budget ---------------------------------------------------------------------------

SHELL_TYPES = {"document", "script", "stylesheet", "fetch", "xhr"}


def is_shell(url: str, resource_type: str) -> bool:
    if "/api/" in url:
        return False
    return resource_type in SHELL_TYPES or url.endswith(".json")


def _first_load(browser, devices, base, signed_in: bool):
    """Shell requests and wire bytes of a first visit, and what a second launch fetches."""
    context = browser.new_context(**devices["Pixel 7"])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes, kinds = {}, {}
    from_worker = set()

    def received(event):
        kinds[event["requestId"]] = (event["response"]["url"], event["type"].lower(),
                                     event["response"].get("headers", {}))
        if event["response"].get("fromServiceWorker"):
            from_worker.add(event["requestId"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(
        e["requestId"], e["encodedDataLength"]))
    page.goto(base + "/", wait_until="networkidle")
    if signed_in:  # the whole first session: open, sign in, land on Today
        page.fill("input[name=email]", DEMO_REP)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector(".agenda-section")
        page.wait_for_load_state("networkidle")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    # The page's own requests, not the worker's precache fetches (those are CDP-invisible
    # from the page session) nor sw.js itself.
    shell_ids = [r for r in kinds if is_shell(kinds[r][0], kinds[r][1])
                 and not kinds[r][0].endswith("/sw.js")]
    loaded = [(kinds[r][0], kinds[r][1], sizes.get(r, 0),
               {k.lower(): v for k, v in kinds[r][2].items()}.get("content-encoding", "none"))
              for r in shell_ids if r not in from_worker]
    served_by_worker = [kinds[r][0].replace(base, "") for r in shell_ids if r in from_worker]
    second = context.new_page()
    hits = []
    second.on("response", lambda r: hits.append(r.url) if (
        not r.from_service_worker and is_shell(r.url, r.request.resource_type)
        and not r.url.endswith("/sw.js")) else None)
    second.goto(base + ("/today" if signed_in else "/"), wait_until="networkidle")
    second.wait_for_timeout(500)
    context.close()
    return loaded, served_by_worker, hits


def measure_shell(env, workdir):
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_gunicorn("app:create_app()", port, env, str(ROOT))
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            runs = [(label, *_first_load(browser, p.devices, base, signed_in))
                    for label, signed_in in (("signed out (sign-in screen)", False),
                                             ("through sign-in to Today", True))]
            browser.close()
    finally:
        stop(server)
    for label, loaded, served_by_worker, hits in runs:
        total = sum(f[2] for f in loaded)
        report(f"\n### PWA shell, first load {label}, Pixel 7 emulation\n")
        report("| file | type | bytes on the wire | encoding |")
        report("|---|---|---:|---|")
        for url, kind, size, encoding in loaded:
            report(f"| {url.replace(base, '')} | {kind} | {size:,} | {encoding} |")
        ok = len(loaded) <= 10 and total <= 60 * 1024
        report(f"\nFirst load: **{len(loaded)} requests, {total / 1024:.1f} KB** "
               f"(budget 10 requests, 60 KB): {'ok' if ok else 'OVER'}")
        if served_by_worker:
            report(f"Already precached by the service worker, no network: "
                   f"{', '.join(served_by_worker)}")
        report(f"Repeat launch: {len(hits)} shell requests reached the network (budget 0): "
               f"{'ok' if not hits else 'OVER ' + ', '.join(hits)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--factor", type=int, default=10, help="inflation of the demo data")
    parser.add_argument("--skip-shell", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fieldline-bench-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
           "SECRET_KEY": "bench", "NO_PROXY": "127.0.0.1,localhost"}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY")})
    try:
        run_cli(env, "db", "upgrade")
        run_cli(env, "seed-demo")
        from app import create_app

        app = create_app()
        report(f"# Fieldline bench, {datetime.now().isoformat(timespec='minutes')}")
        report(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        measure_requests(app, "demo company")
        extra = inflate(app, args.factor)
        measure_requests(app, f"demo + {extra[0]:,} customers, {extra[1]:,} activities")
        with app.app_context():
            from sqlalchemy import select

            from app.extensions import db
            from app.models import Customer, User

            rep_id = db.session.scalar(select(User.id).where(User.email == DEMO_REP))
            customer_id = db.session.scalar(
                select(Customer.id).where(Customer.owner_id == rep_id).limit(1))
        measure_throughput(env, workdir, customer_id, args.seconds, args.connections)
        if not args.skip_shell:
            measure_shell(env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
