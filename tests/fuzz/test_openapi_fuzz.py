"""Property-based requests from our own OpenAPI document (schemathesis + hypothesis):
whatever is sent to any operation, by a signed-in rep, the answer is never a 500."""
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import ApiClient
from tests.factories import make_customer, make_followup, make_world

EXAMPLES_PER_OPERATION = 20


def test_no_generated_request_reaches_a_500(app):
    world = make_world()
    customer = make_customer(world.rep_a1, name="Fuzz Trading", phone="13800138000")
    make_followup(world.rep_a1, customer)
    signed_in = ApiClient(app, world.rep_a1)
    token = signed_in.post("/api/v1/auth/tokens", json={"name": "fuzz"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, calls = [], {"n": 0}

    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        def exercise(case):
            case.cookies = {}  # not the generated session cookie: the rep's token
            case.headers = {**(case.headers or {}), **headers}
            with app.app_context():
                response = case.call()
            calls["n"] += 1
            calls[response.status_code] = calls.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} "
                                f"{case.body!r:.200} -> {response.status_code}")

        exercise()

    assert calls["n"] > 300
    successes = sum(v for k, v in calls.items() if isinstance(k, int) and k < 300)
    assert successes > 100, calls  # signed in for real, not a fuzz of the 401 page
    assert failures == []
