"""Optimising a day: 25 stops with 5 fixed appointments (the issue's budget: under 2 s).

Times ``routing.optimise`` (VROOM, with the bisection on the day's end) on straight-line
travel over seeded random stops in about 15 x 15 km of Shanghai, and the whole
``POST /plans/{date}/optimise`` request (statements, reads, the solve, the writes) on a
temporary SQLite database. Reports the median and the slowest of the runs. Not a test:
nothing is asserted. Usage: ``.venv/bin/python bench/plans.py [--runs N] [--stops N]``.
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.services import routing  # noqa: E402

HOUR = 3600
APPOINTMENTS = 5


def _problem(stops: int, seed: int):
    rng = random.Random(seed)
    points = [(31.2304, 121.4737)] + [
        (31.16 + rng.random() * 0.14, 121.38 + rng.random() * 0.16) for _ in range(stops)
    ] + [(31.2400, 121.5000)]
    travel = routing.straight_line(points, road_factor=1.3, speed_kmh=30)
    # 25 visits of a quarter of an hour and their driving fit a 12-hour day (08:00-20:00),
    # with the appointments spread over it
    service = 15 * 60
    fixed = {i * stops // APPOINTMENTS: (1 + 2 * i) * HOUR for i in range(APPOINTMENTS)}  # 9-17
    tasks = [routing.Task(i + 1, service, (fixed[i] - 900, fixed[i]) if i in fixed else None)
             for i in range(stops)]
    return travel, tasks, len(points) - 1


def bench_optimiser(runs: int, stops: int) -> None:
    times, planned = [], []
    for seed in range(runs):
        travel, tasks, end = _problem(stops, seed)
        began = time.perf_counter()
        route = routing.optimise(travel, 0, end, tasks, 12 * HOUR)
        times.append(time.perf_counter() - began)
        planned.append(len(route.visits))
    print(f"routing.optimise, {stops} stops, {APPOINTMENTS} appointments, {runs} runs: "
          f"median {statistics.median(times):.3f} s, slowest {max(times):.3f} s "
          f"(stops planned: {min(planned)}-{max(planned)} of {stops})")


def bench_request(runs: int, stops: int) -> None:
    from app import create_app
    from app.extensions import db
    from app.services import settings as settings_service
    from tests import factories
    from tests.conftest import ApiClient

    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SERVER_NAME": "localhost",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/plans.db"})
        with app.app_context():
            db.create_all()
            rep = factories.make_user("rep")
            settings_service.update_settings(factories.make_user("admin"), {
                "workday_start": "08:00", "workday_end": "20:00"})
            db.session.commit()
            rng = random.Random(1)
            customers = [factories.make_customer(
                rep, lat=31.16 + rng.random() * 0.14, lng=121.38 + rng.random() * 0.16)
                for _ in range(stops)]
            client = ApiClient(app, rep)
            times = []
            for run in range(runs):
                day = f"2026-12-{10 + run:02d}"
                body = {"start": {"lat": 31.2304, "lng": 121.4737},
                        "end": {"lat": 31.24, "lng": 121.5},
                        "stops": [{"customer_id": str(c.id), "duration_min": 15}
                                  for c in customers]}
                for i in range(APPOINTMENTS):
                    body["stops"][i * stops // APPOINTMENTS]["arrive_by"] = (
                        f"{day}T{9 + 2 * i:02d}:00:00+08:00")  # 09:00 to 17:00
                assert client.put(f"/api/v1/plans/{day}", json=body).status_code == 201
                began = time.perf_counter()
                response = client.post(f"/api/v1/plans/{day}/optimise")
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, response.json
            print(f"POST /plans/{{date}}/optimise, {stops} stops, {APPOINTMENTS} appointments, "
                  f"{runs} runs (SQLite): median {statistics.median(times):.3f} s, "
                  f"slowest {max(times):.3f} s "
                  f"(unplanned in the last: {len(response.json['unplanned'])})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--stops", type=int, default=25)
    args = parser.parse_args()
    bench_optimiser(args.runs, args.stops)
    bench_request(args.runs, args.stops)


if __name__ == "__main__":
    main()
