"""What holds for every endpoint: the error shape, list paging, garbage input never giving
a 500, security headers, the OpenAPI document and the health check."""
import base64
import json
import uuid


from tests import factories
from tests.api.helpers import API, assert_error

LISTS = ["/users", "/teams", "/customers", "/contacts", "/activities", "/push/subscriptions",
         "/expenses", "/approvals", "/leads", "/stages", "/products", "/opportunities",
         "/orders", "/targets"]


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# Error shape --------------------------------------------------------------------------------

def test_every_error_status_has_the_one_shape(app, world, client_for, anon, new_id):
    client = client_for(world.rep_a1)
    customer = factories.make_customer(world.rep_a1)
    url = f"{API}/customers/{customer.id}"
    client.patch(url, json={"city": "Suzhou"})

    assert_error(client.post(f"{API}/customers", data="{", content_type="application/json"),
                 400)
    assert_error(anon.get(f"{API}/customers"), 401)
    assert_error(client.post(f"{API}/customers", json={"name": "x"},
                             headers={"X-CSRF-Token": "nope"}), 403)
    assert_error(client.get(f"{API}/customers/{new_id()}"), 404)
    assert_error(client.get(f"{API}/no-such-thing"), 404)
    other = factories.make_customer(world.rep_b1)
    assert_error(client.post(f"{API}/customers", json={"id": str(other.id), "name": "x"}), 409)
    assert_error(client.patch(url, json={"city": "x"}, headers={"If-Match": '"1"'}), 412)
    assert_error(client.post(f"{API}/customers", data=b"x" * (12 * 1024 * 1024 + 1),
                             content_type="application/json"), 413)
    body = assert_error(client.post(f"{API}/customers", json={"name": "", "lat": 100}), 422,
                        ["name", "lat"])
    assert set(body) == {"code", "status", "message", "errors"}
    assert set(body["errors"]) == {"json"}
    assert_error(client.get(f"{API}/customers?limit=0"), 422, ["limit"], location="query")
    for _ in range(5):
        anon.post(f"{API}/auth/login", json={"email": world.rep_a2.email, "password": "bad"})
    assert_error(anon.post(f"{API}/auth/login", json={"email": world.rep_a2.email,
                                                      "password": "bad"}), 429)


def test_405_keeps_the_allow_header(world, client_for):
    client = client_for(world.rep_a1)
    response = client.put(f"{API}/customers", json={})
    assert_error(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}
    assert "PUT" not in response.headers["Allow"]
    assert_error(client.delete(f"{API}/customers"), 405)
    assert_error(client.post(f"{API}/agenda"), 405)


def test_error_bodies_are_json(world, client_for, anon):
    for response in (anon.get(f"{API}/customers"),
                     client_for(world.rep_a1).get(f"{API}/customers?limit=x")):
        assert response.mimetype == "application/json"


# Paging and garbage in the query string -----------------------------------------------------

_ANY_ID = str(uuid.uuid4())
GARBAGE_PAGING = [
    "limit=abc", "limit=0", "limit=-1", "limit=201", "limit=1000", "limit=1.5", "limit=",
    "limit=1e3", "cursor=garbage", "cursor=" + "A" * 501, "cursor=%25%25%25",
    "cursor=" + _cursor([1, 2]), "cursor=" + _cursor([]), "cursor=" + _cursor("x"),
    "cursor=" + _cursor([{"u": 5}, {"u": 5}]), "cursor=" + _cursor([{"t": 5}, {"u": _ANY_ID}]),
    "cursor=" + _cursor(["a", {"u": "not-a-uuid"}]),
    "cursor=" + _cursor([{"t": "0001-01-01T00:00:00+05:00"}, {"u": _ANY_ID}]),
    "cursor=" + _cursor([{"t": "2026-01-01T00:00:00"}, {"u": _ANY_ID}]),
    "cursor=" + _cursor(["a\u0000", {"u": _ANY_ID}]),
    "cursor=" + base64.urlsafe_b64encode(b"\xff\xfe[").decode(),
]


def test_list_paging_arguments_are_validated(world, client_for):
    client = client_for(world.admin)
    for path in LISTS:
        for query in GARBAGE_PAGING:
            response = client.get(f"{API}{path}?{query}")
            assert_error(response, 422, location="query")
            key = query.split("=", 1)[0]
            assert key in response.json["errors"]["query"], (path, query, response.json)
        # max and min are fine, an empty cursor is the first page
        for query in ("limit=200", "limit=1", "cursor=", "unknown_param=ignored"):
            assert client.get(f"{API}{path}?{query}").status_code == 200, (path, query)


def test_cursor_of_one_list_is_refused_by_another(world, client_for):
    for i in range(3):
        factories.make_customer(world.rep_a1, name=f"C{i}")
        factories.make_activity(world.rep_a1, kind="note")
    client = client_for(world.rep_a1)
    customers = client.get(f"{API}/customers?limit=1").json["next_cursor"]
    activities = client.get(f"{API}/activities?limit=1").json["next_cursor"]
    assert_error(client.get(f"{API}/activities?cursor={customers}"), 422, ["cursor"], "query")
    assert_error(client.get(f"{API}/customers?cursor={activities}"), 422, ["cursor"], "query")


def test_bad_filters_are_422(world, client_for):
    client = client_for(world.rep_a1)
    for url in ["/activities?open=maybe", "/activities?open=2",
                "/activities?customer_id=not-a-uuid", "/activities?owner_id=1",
                "/activities?kind=party", "/contacts?customer_id=not-a-uuid", "/users?team_id=x",
                "/agenda?date=2026-13-45", "/agenda?date=2026-11-31", "/agenda?date=22/11/2026",
                "/customers?q=" + "q" * 101]:
        field = url.split("?")[1].split("=")[0]
        assert_error(client.get(f"{API}{url}"), 422, [field], location="query")


def test_nothing_answers_500(world, client_for, new_id):
    """Garbage thrown at every endpoint: never a 500, always the error shape."""
    client = client_for(world.rep_a1)
    customer = factories.make_customer(world.rep_a1)
    activity = factories.make_followup(world.rep_a1, customer)
    contact = factories.make_contact(world.rep_a1, customer)
    deep = "[" * 5000 + "]" * 5000
    bodies = [
        "{", "[]", "null", '"x"', "1e999", deep, '{"name": ' + deep + "}",
        '{"name": "a\\u0000b"}', '{"name": "\\ud800"}', '{"\\u0000": 1}',
        '{"name": "x", "lat": NaN}', '{"name": "x", "lat": Infinity}',
        '{"name": "x", "tags": [' + ",".join(['"t"'] * 500) + "]}",
        '{"kind": "call", "occurred_at": "9999-12-31T23:59:59-12:00"}',
        '{"kind": "call", "due_at": "0001-01-01T00:00:00+14:00"}',
        '{"kind": "call", "next": {"kind": "call", "due_at": "9999-12-31T23:00:00-05:00"}}',
        '{"done_at": "0001-01-01T00:00:00+01:00"}', '{"duration_seconds": 1e308}',
        '{"email": "' + "a" * 300 + '@x.cn", "password": "x"}',
        '{"timezone": "../../../etc/passwd"}', '{"timezone": "Europe/Berlin\\u0000"}',
        '{"customer_id": "00000000-0000-0000-0000-000000000000", "name": "x"}',
    ]
    targets = [
        ("POST", f"{API}/customers"), ("PATCH", f"{API}/customers/{customer.id}"),
        ("POST", f"{API}/contacts"), ("PATCH", f"{API}/contacts/{contact.id}"),
        ("POST", f"{API}/activities"), ("PATCH", f"{API}/activities/{activity.id}"),
        ("PATCH", f"{API}/users/{world.rep_a1.id}"), ("POST", f"{API}/auth/tokens"),
        ("POST", f"{API}/auth/login"),
    ]
    for method, url in targets:
        for body in bodies:
            response = client.open(method, url, data=body, content_type="application/json")
            assert response.status_code < 500, (method, url, body[:60], response.json)
            assert_error(response, response.status_code) if response.status_code >= 400 \
                else None
    queries = ["q=%00", "q=a%00b", "name=%00&phone=%00&email=%00", "date=%00",
               "cursor=%00", "limit=%00", "q=%ED%A0%80", "q=" + "%" * 50, "q=_", "q=\\",
               "date=9999-12-31", "date=0001-01-01", "customer_id=%00"]
    for path in [*LISTS, "/customers/duplicates", "/agenda"]:
        for query in queries:
            response = client.get(f"{API}{path}?{query}")
            assert response.status_code < 500, (path, query, response.json)
    for header in ['"', 'W/"', "\u00e9", "9" * 30, '"-1"']:
        response = client.patch(f"{API}/customers/{customer.id}", json={"city": "x"},
                                headers={"If-Match": header})
        assert response.status_code in (400, 412), header
    junk_paths = ["/customers/%00", "/customers/../users", "/activities/" + "f" * 500,
                  "/contacts/00000000-0000-0000-0000-000000000000/extra"]
    for path in junk_paths:
        assert client.get(f"{API}{path}").status_code in (404, 308, 301), path


def test_nul_and_surrogates_are_400_on_both_databases(world, client_for, anon):
    client = client_for(world.rep_a1)
    assert_error(client.post(f"{API}/customers", json={"name": "a\u0000b"}), 400)
    assert_error(client.get(f"{API}/customers?q=a%00b"), 400)
    assert_error(client.post(f"{API}/customers", data='{"name": "\\udc80"}',
                             content_type="application/json"), 400)
    assert_error(anon.post(f"{API}/auth/login", json={"email": "a\u0000@b.c", "password": "x"}),
                 400)
    # ordinary non-ASCII text is of course fine
    made = client.post(f"{API}/customers", json={"name": "上海 Ünïcödé 🚀 Co."})
    assert made.status_code == 201 and made.json["name"] == "上海 Ünïcödé 🚀 Co."


def test_deeply_nested_json_is_400(world, client_for, anon):
    deep = "[" * 100_000 + "]" * 100_000
    client = client_for(world.rep_a1)
    assert_error(client.post(f"{API}/customers", data=deep, content_type="application/json"),
                 400)
    assert_error(anon.post(f"{API}/auth/login", data='{"email": ' + deep + "}",
                           content_type="application/json"), 400)


def test_form_encoded_body_is_not_json(world, client_for):
    response = client_for(world.rep_a1).post(f"{API}/customers", data={"name": "Form Co"})
    assert_error(response, 422, ["name"])


# Headers, OpenAPI, health -------------------------------------------------------------------

def _assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = {d.strip().split()[0]: d.strip().split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer",
                                                   "same-origin")


def test_security_headers_everywhere(world, client_for, anon):
    client = client_for(world.rep_a1)
    responses = [client.get(f"{API}/me"), client.get(f"{API}/customers"), anon.get(f"{API}/me"),
                 anon.get("/healthz"), anon.get(f"{API}/openapi.json"),
                 client.post(f"{API}/customers", json={}),
                 anon.post(f"{API}/auth/login", json={"email": "x@y.z", "password": "nope"})]
    for response in responses:
        _assert_security_headers(response)
    api = client.get(f"{API}/customers")
    assert "no-cache" in api.headers["Cache-Control"] or "no-store" in api.headers["Cache-Control"]
    assert "private" in api.headers["Cache-Control"]


def test_healthz(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_openapi_document_lists_every_resource(anon):
    response = anon.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"] == "v1"
    paths = spec["paths"]
    expected = {
        "/auth/login": {"post"}, "/auth/logout": {"post"}, "/me": {"get"},
        "/auth/tokens": {"get", "post"}, "/auth/tokens/{token_id}": {"delete"},
        "/users": {"get", "post"}, "/users/{user_id}": {"get", "patch"},
        "/teams": {"get", "post"}, "/teams/{team_id}": {"get", "patch"},
        "/customers": {"get", "post"}, "/customers/duplicates": {"get"},
        "/customers/{customer_id}": {"get", "patch", "delete"},
        "/contacts": {"get", "post"}, "/contacts/{contact_id}": {"get", "patch", "delete"},
        "/activities": {"get", "post"}, "/activities/{activity_id}": {"get", "patch", "delete"},
        "/agenda": {"get"},
    }
    for path, verbs in expected.items():
        assert f"{API}{path}" in paths, path
        assert verbs <= set(paths[f"{API}{path}"]), (path, paths[f"{API}{path}"].keys())
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    assert schemes["session"]["in"] == "cookie"
    customer = spec["components"]["schemas"]["Customer"]["properties"]
    for field in ("name", "phone", "email", "address", "city", "lat", "lng", "industry",
                  "source", "owner_id", "status", "tags", "id", "version"):
        assert field in customer, field
