"""Road travel times from an OSRM server (``OSRM_URL``): a stand-in on 127.0.0.1 answers
the table service with a canned matrix in which the nearer stop is the slower one to reach
(a river in the way), so the order tells which travel times the optimiser used."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import factories
from tests.api.helpers import API
from tests.ports import free_port

PLAN = f"{API}/plans/2026-12-10"
START = {"lat": 31.20, "lng": 121.40, "label": "Home"}
# From the start, stop A, stop B (the plan's order): A is 1 km away but 50 minutes by road.
SECONDS = [[0, 3000, 300], [3000, 0, 300], [300, 300, 0]]
METRES = [[0, 9000, 4000], [9000, 0, 5000], [4000, 5000, 0]]


class OsrmStandIn(BaseHTTPRequestHandler):
    answer = {"code": "Ok", "durations": SECONDS, "distances": METRES}
    status = 200
    paths: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).paths.append(self.path)
        body = json.dumps(self.answer).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm(app, monkeypatch):
    OsrmStandIn.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), OsrmStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "OSRM_URL", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setitem(app.config, "OSRM_TIMEOUT_SECONDS", 2.0)
    yield OsrmStandIn
    server.shutdown()
    server.server_close()


@pytest.fixture
def plan(world, client_for):
    rep = world.rep_a1
    near = factories.make_customer(rep, name="A", lat=31.21, lng=121.40)
    far = factories.make_customer(rep, name="B", lat=31.26, lng=121.40)
    client = client_for(rep)
    body = {"start": START, "stops": [{"customer_id": str(near.id)},
                                      {"customer_id": str(far.id)}]}
    assert client.put(PLAN, json=body).status_code == 201
    return client


def _names(plan):
    return [stop["customer"]["name"] for stop in plan["stops"]]


def test_straight_lines_without_osrm(plan):
    optimised = plan.post(f"{PLAN}/optimise").json
    assert optimised["travel_source"] == "straight_line"
    assert _names(optimised) == ["A", "B"]


def test_optimise_uses_the_osrm_table(plan, osrm):
    optimised = plan.post(f"{PLAN}/optimise").json
    assert optimised["travel_source"] == "osrm"
    assert _names(optimised) == ["B", "A"]
    assert [(s["distance_m"], s["travel_min"]) for s in optimised["stops"]] == [(4000, 5),
                                                                             (5000, 5)]
    assert optimised["total_distance_m"] == 9000 and optimised["total_travel_min"] == 10
    (path,) = osrm.paths
    assert path == ("/table/v1/driving/121.400000,31.200000;121.400000,31.210000;"
                    "121.400000,31.260000?annotations=duration,distance")


@pytest.mark.parametrize("status, answer", [
    (500, {"code": "Error"}),
    (200, {"code": "NoTable", "message": "no"}),
    (200, {"code": "Ok", "durations": [[0, 1]], "distances": [[0, 1]]}),  # the wrong size
    (200, {"code": "Ok", "durations": [[0, None, 1], [None, 0, 1], [1, 1, 0]],
           "distances": METRES}),  # no road between two points
    (200, "not a table"),
])
def test_a_bad_osrm_answer_falls_back_to_straight_lines(plan, osrm, monkeypatch, status,
                                                        answer):
    monkeypatch.setattr(osrm, "status", status)
    monkeypatch.setattr(osrm, "answer", answer)
    optimised = plan.post(f"{PLAN}/optimise")
    assert optimised.status_code == 200
    assert optimised.json["travel_source"] == "straight_line"
    assert _names(optimised.json) == ["A", "B"]


def test_an_osrm_server_that_is_down_falls_back_to_straight_lines(app, plan, monkeypatch):
    monkeypatch.setitem(app.config, "OSRM_URL", f"http://127.0.0.1:{free_port()}")
    optimised = plan.post(f"{PLAN}/optimise").json
    assert optimised["travel_source"] == "straight_line"


def test_saving_a_plan_never_calls_osrm(plan, osrm):
    plan.put(PLAN, json={"start": START})
    assert osrm.paths == []
