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
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
DEMO_REP = "rep1@demo.fieldline.app"
DEMO_LEAD = "lead.east@demo.fieldline.app"  # a team lead: approvals and team reports
DEMO_PASSWORD = "fieldline"
# Near me from People's Square, Shanghai: the demo's reps work there, and so does the scale
# set's first team (scale.rep001@, scale.lead01@), the densest 15 km of the scale map.
NEAR_POINT = (31.2304, 121.4737)
NEAR_RADIUS_M = 5000
SYNC_EPOCH = "2000-01-01T00:00:00%2B00:00"   # a phone's first sync: the whole book
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


def busiest_customer(app, email):
    """(id, activities) of the customer ``email`` owns with the most activities."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Activity, Customer, User

    with app.app_context():
        owner_id = db.session.scalar(select(User.id).where(User.email == email))
        return tuple(db.session.execute(
            select(Customer.id, func.count(Activity.id))
            .join(Activity, Activity.customer_id == Customer.id)
            .where(Customer.owner_id == owner_id).group_by(Customer.id)
            .order_by(func.count(Activity.id).desc(), Customer.id).limit(1)).first())


def signed_in_client(app, email):
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.json
    return client


def statements_of(app, client, url):
    """(SQL statements, status, raw body) of one GET through the test client."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    with app.app_context(), counted(engine) as box:
        response = client.get(url)
    return box["n"], response.status_code, response.get_data()


def measure_requests(app, label):
    client, lead = signed_in_client(app, DEMO_REP), signed_in_client(app, DEMO_LEAD)
    busiest = busiest_customer(app, DEMO_REP)
    urls = {
        "agenda": "/api/v1/agenda",
        "customer list (50)": "/api/v1/customers?limit=50",
        "customer list (200)": "/api/v1/customers?limit=200",
        "near me (5 km, 50)": (f"/api/v1/customers/near?lat={NEAR_POINT[0]}"
                               f"&lng={NEAR_POINT[1]}&radius_m={NEAR_RADIUS_M}"),
        "delta sync, first page (200)": f"/api/v1/customers?updated_since={SYNC_EPOCH}&limit=200",
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
        n, status, raw = statements_of(app, lead if name.startswith("lead:") else client, url)
        assert status == 200, (url, status)
        rows.append((name, n, len(raw), len(gzip.compress(raw))))
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


def login_cookie(port, email=DEMO_REP) -> str:
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/api/v1/auth/login",
                 body=json.dumps({"email": email, "password": DEMO_PASSWORD}),
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

# 5. At a real company's size (--scale N) ------------------------------------------------------

DEMO_MANAGER = "manager@demo.fieldline.app"
NAME_QUERY = "华联"     # in the demo's first company, and in many of the scale set's
REPORTS = ("funnel", "forecast", "activity", "leaderboard", "expenses", "lead-intake",
           "product-sales", "lost-reasons", "stage-performance")
P50_GROWTH, MAX_STATEMENTS, REP_SHARE, REPORT_VS_AGENDA = 1.3, 4, 0.10, 5.0


def reads(card_ids: dict) -> list[tuple[str, str, str]]:
    """(role, endpoint, path) of every read measured for a rep, a team lead and a manager."""
    lat, lng = NEAR_POINT
    paths = [("agenda", "/api/v1/agenda"),
             (f"near me ({NEAR_RADIUS_M // 1000} km, 50)",
              f"/api/v1/customers/near?lat={lat}&lng={lng}&radius_m={NEAR_RADIUS_M}"),
             # The same answer at both sizes (the demo rep has 5 customers in 5 km): what
             # the index costs, not what 50 rows cost to write out.
             (f"near me ({NEAR_RADIUS_M // 1000} km, 5)",
              f"/api/v1/customers/near?lat={lat}&lng={lng}&radius_m={NEAR_RADIUS_M}&limit=5"),
             ("delta sync, first page (200)",
              f"/api/v1/customers?updated_since={SYNC_EPOCH}&limit=200"),
             ("search by phone (q=13800)", "/api/v1/customers?q=13800"),
             (f"search by name (q={NAME_QUERY})", f"/api/v1/customers?q={quote(NAME_QUERY)}"),
             ("customer list (50)", "/api/v1/customers?limit=50"),
             ("customer card", None),
             ("leads, mine (50)", "/api/v1/leads?limit=50"),
             ("leads, pool (50)", "/api/v1/leads?pool=true&limit=50"),
             ("deals (50)", "/api/v1/opportunities?limit=50"),
             ("orders (50)", "/api/v1/orders?limit=50"),
             ("expense claims (50)", "/api/v1/expenses?limit=50"),
             ("approvals (50)", "/api/v1/approvals?limit=50"),
             *((f"reports/{r}", f"/api/v1/reports/{r}") for r in REPORTS),
             # This month in the demo company's timezone (Asia/Shanghai, the default).
             ("reports/attainment (this month)", "/api/v1/reports/attainment?period="
              + datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"))]
    # The team home answers leads and managers only (a rep gets 403).
    team = [(role, "team home", "/api/v1/team/home") for role in ("lead", "manager")]
    return [(role, name, path or f"/api/v1/customers/{card_ids[role]}")
            for role in ("rep", "lead", "manager") for name, path in paths] + team


def items_in(raw: bytes) -> int | None:
    """The records a list answers (the agenda: its sections together), None for others."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if "items" in body:
        return len(body["items"])
    sections = [body[k] for k in ("overdue", "today", "upcoming") if isinstance(body.get(k), list)]
    return sum(map(len, sections)) if sections else None


def warm_up(port, path, cookie, times=3):
    """A few requests first, so the first measured ones do not pay for cold caches."""
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(times):
        conn.request("GET", path, headers={"Cookie": cookie})
        conn.getresponse().read()
    conn.close()


def measure_phase(env, url, users, seconds, connections):
    """Statements (test client) and load (gunicorn) of every read, with the bare-Flask
    baseline measured first under the same settings."""
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    cards = {role: busiest_customer(app, users[role])[0] for role in ("rep", "lead")}
    cards["manager"] = cards["rep"]     # a manager opens the busiest card there is to see
    measured = reads(cards)
    clients = {role: signed_in_client(app, email) for role, email in users.items()}
    results = {}
    for role, name, path in measured:
        n, status, raw = statements_of(app, clients[role], path)
        results[(role, name)] = {"statements": n, "status": status, "bytes": len(raw),
                                 "items": items_in(raw)}
    with app.app_context():
        db.engine.dispose()
    app_port, base_port = free_port(), free_port()
    baseline = start_gunicorn("baseline_app:app", base_port, env, str(ROOT / "bench"))
    real = start_gunicorn("app:create_app()", app_port, env, str(ROOT))
    try:
        base = load(base_port, "/ping", None, seconds, connections)
        cookies = {role: login_cookie(app_port, email) for role, email in users.items()}
        for role, name, path in measured:
            warm_up(app_port, path, cookies[role])
            results[(role, name)].update(load(app_port, path, cookies[role], seconds,
                                              connections))
    finally:
        stop(real)
        stop(baseline)
    return base, results


def database_size(url) -> int:
    if url.startswith("sqlite:///"):
        import sqlite3

        path = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as conn:     # the write-ahead log into the file first
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def budget_misses(role, name, demo, scale, rep_agenda_p50, base_rps) -> list[str]:
    misses = []
    growth = scale["p50"] / demo["p50"] if demo["p50"] else float("inf")
    if not growth <= P50_GROWTH:
        misses.append(f"p50 {growth:.1f}x demo")
    if scale["errors"] or scale["status"] != 200 or demo["errors"] or demo["status"] != 200:
        misses.append("errors")
    if scale["statements"] > MAX_STATEMENTS:
        misses.append(f"{scale['statements']} statements")
    if role == "rep" and not scale["rps"] / base_rps >= REP_SHARE:
        misses.append(f"{scale['rps'] / base_rps:.3f} of baseline")
    if role == "manager" and name.startswith("reports/") and \
            not scale["p50"] <= REPORT_VS_AGENDA * rep_agenda_p50:
        misses.append(f"{scale['p50'] / rep_agenda_p50:.1f}x agenda")
    return misses


def scale_run(backend, blocks, seconds, connections):
    """Demo size, then the scale set, on one database; the table for it."""
    from app.demo.scale import lead_email, rep_email

    workdir = Path(tempfile.mkdtemp(prefix=f"fieldline-bench-{backend}-"))
    server = None
    try:
        if backend == "postgresql":
            from tests.pg import ThrowawayPostgres

            server = ThrowawayPostgres()
            server.start()
            url = server.create_database("fieldline_bench")
        else:
            url = f"sqlite:///{workdir / 'bench.db'}"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
               "NO_PROXY": "127.0.0.1,localhost", "FIELDLINE_EMBEDDED_WORKER": "0"}
        run_cli(env, "db", "upgrade")
        run_cli(env, "seed-demo")
        demo_size = database_size(url)
        demo_users = {"rep": DEMO_REP, "lead": DEMO_LEAD, "manager": DEMO_MANAGER}
        demo_base, demo = measure_phase(env, url, demo_users, seconds, connections)
        started = time.monotonic()
        run_cli(env, "seed-demo", "--scale", str(blocks))
        build_seconds = time.monotonic() - started
        scale_size = database_size(url)
        scale_users = {"rep": rep_email(0), "lead": lead_email(0), "manager": DEMO_MANAGER}
        scale_base, scale = measure_phase(env, url, scale_users, seconds, connections)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    report(f"\n### {backend}: demo, then demo + {blocks} blocks "
           f"({blocks * 100:,} customers, {blocks * 1500:,} activities)\n")
    report(f"Build: {build_seconds:.0f} s ({build_seconds / max(blocks, 1):.2f} s per block "
           f"of 100 customers). Database size: {demo_size / 2**20:.1f} MB at demo size, "
           f"{scale_size / 2**20:.1f} MB at scale.")
    report(f"Baseline (bare Flask /ping, same gunicorn settings): demo phase "
           f"{demo_base['rps']:.0f} req/s, p50 {demo_base['p50']:.1f} ms; scale phase "
           f"{scale_base['rps']:.0f} req/s, p50 {scale_base['p50']:.1f} ms.")
    report(f"Users: demo {DEMO_REP}, {DEMO_LEAD}, {DEMO_MANAGER}; at scale {rep_email(0)}, "
           f"{lead_email(0)}, {DEMO_MANAGER} (the manager sees the whole company).\n")
    report("Items: the records a list answered at demo size / at scale (a page at demo size "
           "is often shorter, and its p50 lower for that alone).\n")
    report("| role | endpoint | demo p50 ms | scale p50 ms | scale/demo | scale p99 ms | "
           "scale req/s | ratio to baseline | statements | items | KB at scale | errors | "
           "budgets |")
    report("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    rep_agenda = scale[("rep", "agenda")]["p50"]
    over = 0
    for (role, name), at_scale in scale.items():
        at_demo = demo[(role, name)]
        misses = budget_misses(role, name, at_demo, at_scale, rep_agenda, scale_base["rps"])
        over += bool(misses)
        ratio = at_scale["p50"] / at_demo["p50"] if at_demo["p50"] else float("nan")
        errors = at_scale["errors"] + (at_scale["status"] != 200)
        report(f"| {role} | {name} | {at_demo['p50']:.1f} | {at_scale['p50']:.1f} | "
               f"{ratio:.2f} | {at_scale['p99']:.1f} | {at_scale['rps']:.0f} | "
               f"{at_scale['rps'] / scale_base['rps']:.3f} | {at_scale['statements']} | "
               f"{_items(at_demo)} / {_items(at_scale)} | {at_scale['bytes'] / 1024:.1f} | "
               f"{errors} | {'ok' if not misses else 'OVER: ' + '; '.join(misses)} |")
    report(f"\n{backend}: {len(scale) - over} of {len(scale)} endpoints within every budget.")


def _items(result) -> str:
    return "-" if result.get("items") is None else str(result["items"])


def main_scale(args):
    report(f"# Fieldline at scale, {datetime.now().isoformat(timespec='minutes')}")
    report(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
           f"gunicorn as `make run`, {args.connections} keep-alive connections, "
           f"{args.seconds:g} s per endpoint.")
    report(f"Budgets: p50 at scale <= {P50_GROWTH}x demo; no errors; <= {MAX_STATEMENTS} "
           f"statements; every rep read >= {REP_SHARE} of the baseline's req/s; a manager's "
           f"report p50 <= {REPORT_VS_AGENDA}x the rep's agenda p50.")
    for backend in args.databases.split(","):
        scale_run(backend.strip(), args.scale, args.seconds, args.connections)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scale-latest.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--factor", type=int, default=10, help="inflation of the demo data")
    parser.add_argument("--skip-shell", action="store_true")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="instead: demo size, then seed-demo --scale N (N x 100 customers), "
                             "every read for a rep, a lead and a manager")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="with --scale: which databases, in order")
    args = parser.parse_args()
    if args.scale:
        main_scale(args)
        return

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
