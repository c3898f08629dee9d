"""Error messages speak the user's language: the signed-in user's locale, else the best
match of Accept-Language. ``code``, ``status`` and field names stay as they are; every
message the app can raise has a Chinese translation in app/api/messages.py."""
import ast
import inspect
import re
import uuid
from types import SimpleNamespace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from marshmallow import Schema, ValidationError, fields
from marshmallow import validate as marshmallow_validate

from app.api import errors as api_errors
from app.api import validate
from app.api.messages import CATALOGUE, translate
from app.models import User
from app.services.errors import ServiceError, Text
from app.services.records import check_version
from app.services.users import set_password
from tests import factories
from tests.api.helpers import API, assert_error

APP = Path(__file__).resolve().parents[2] / "app"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _chinese(text: str) -> bool:
    return bool(HAN.search(text))


def _messages(errors) -> list[str]:
    """Every message string in an ``errors`` structure."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return []


# The catalogue is complete ------------------------------------------------------------------

def _subclasses(cls) -> set[str]:
    return {cls.__name__}.union(*(_subclasses(sub) for sub in cls.__subclasses__()))


# Calls whose string arguments are messages a client can see (dict keys are field names):
# every ServiceError (its message is the answer's), and what else reaches a client.
_MESSAGE_CALLS = _subclasses(ServiceError) | {"InvalidPhone", "abort", "error_response"}
_MESSAGE_KEYWORDS = {"message", "error", "error_message"}


def _strings(node) -> list:
    """String constants, f-strings and ``Text(template, **params)`` in an argument; dict
    values, never dict keys."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.Call) and _call_name(node) == "Text":
        return [node]
    if isinstance(node, ast.Dict):
        return [s for value in node.values for s in _strings(value)]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for item in node.elts for s in _strings(item)]
    return []


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _raised_messages() -> list[tuple[str, ast.AST]]:
    """(where, node) for every message literal in app/: arguments of the exception and
    abort calls above, ``message=``/``error=``/``error_message=`` keywords, the first
    argument of ``ValidationError``, and defaults of parameters named ``message``."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(APP.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                args = []
                if name in _MESSAGE_CALLS:
                    args = list(node.args)
                elif name == "ValidationError" and node.args:
                    args = [node.args[0]]
                args += [k.value for k in node.keywords if k.arg in _MESSAGE_KEYWORDS]
                found += [(f"{where}:{node.lineno}", s) for arg in args for s in _strings(arg)]
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = node.args.args[len(node.args.args) - len(node.args.defaults):]
                for param, default in zip(params, node.args.defaults, strict=True):
                    if param.arg == "message":
                        found += [(f"{where}:{node.lineno}", s) for s in _strings(default)]
    return found


def _what_values() -> list[str]:
    """The record names passed to records.get_visible (its NotFound says "{what} not found.")."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in APP.rglob("*.py"))
    return re.findall(r'get_visible\([^()]*"(\w+)"\)', source)


# Values to put into f-string and Text messages. A value not listed here fails the test: add
# sample values (and a translation for the message).
_SAMPLES = {
    "what": _what_values,
    "MIN_PASSWORD": lambda: ["8", "12"],
    "record.version": lambda: ["3", "117"],
    "cap": lambda: ["30", "5"],
    "owner.name": lambda: ["王伟", "Li Na", "Zhang San (Sales)"],
    "choices": lambda: ["Price, Other"],
    "outstanding": lambda: ["0.00", "1250.50"],
    "REMOVALS_KEPT.days": lambda: ["90", "30"],
    "month": lambda: ["2026-11"],
}


def _expand(node) -> list[str]:
    """The messages a literal can produce: itself, an f-string with each sample, or a Text
    (its template and parameters) with each sample."""
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.Call):
        template = node.args[0].value
        texts = [{}]
        for keyword in node.keywords:
            name = ast.unparse(keyword.value)
            assert name in _SAMPLES, f"no sample values for {name} in Text message"
            texts = [{**t, keyword.arg: v} for t in texts for v in _SAMPLES[name]()]
        return [Text(template, **params) for params in texts]
    texts = [""]
    for part in node.values:
        if isinstance(part, ast.Constant):
            texts = [t + part.value for t in texts]
        else:
            name = ast.unparse(part.value)
            assert name in _SAMPLES, f"no sample values for {{{name}}} in f-string message"
            values = _SAMPLES[name]()
            assert values, name
            texts = [t + v for t in texts for v in values]
    return texts


def test_the_scan_finds_the_messages_we_raise():
    messages = {m for _, node in _raised_messages() for m in _expand(node)}
    for expected in ("Sign in first.", "Wrong email or password.", "Customer not found.",
                     "Contact not found.", "Activity not found.", "At least 8 characters.",
                     "Not a valid cursor.", "Already in use.", "Not a phone number.",
                     "A task needs a due time.", "Opportunities are not available yet.",
                     "The data sent is not valid.", "This conflicts with existing data.",
                     "Too many failed sign-ins from this address. Wait a few minutes."):
        assert expected in messages


def test_every_message_raised_in_app_has_a_chinese_translation():
    missing = []
    for where, node in _raised_messages():
        for message in _expand(node):
            chinese = translate(message, "zh-CN")
            if chinese == message or not _chinese(chinese):
                missing.append(f"{where}: {message!r}")
    missing += [f"app/api/errors.py _HTTP_MESSAGES: {m!r}"
                for m in api_errors._HTTP_MESSAGES.values() if m not in CATALOGUE]
    assert not missing, "add to app/api/messages.py:\n" + "\n".join(missing)


def _marshmallow_messages() -> list[str]:
    """Every built-in marshmallow message, formatted as our schemas would see it: with its
    template and parameters (``Text``), as app/api/validate.py raises them."""
    samples = {"obj_type": "datetime", "awareness": "aware", "input": "x", "choices": "a, b",
               "values": "a, b", "min": 1, "max": 200, "equal": 8, "other": "None"}
    templates = set(Schema._default_error_messages.values())
    for cls in vars(fields).values():
        if inspect.isclass(cls) and issubclass(cls, fields.Field):
            for klass in cls.__mro__:
                templates.update(getattr(klass, "default_error_messages", {}).values())
    mm = marshmallow_validate  # the templates (ours only change how they are raised)
    for cls in (mm.Length, mm.OneOf, mm.Equal, mm.ContainsOnly, mm.ContainsNoneOf, mm.Email,
                mm.URL, mm.Regexp, mm.NoneOf, mm.Predicate):
        templates.update(v for k, v in vars(cls).items() if isinstance(v, str)
                         and (k.startswith("message") or k == "default_message"))
    messages = [Text(t, **samples) for t in templates]
    messages += [f"Not a valid {t}." for t in ("datetime", "date", "time", "aware datetime",
                                                   "naive datetime")]
    early = datetime(1900, 1, 1, tzinfo=timezone.utc)
    late, first = datetime(9000, 1, 1, tzinfo=timezone.utc), datetime(1, 1, 1, tzinfo=timezone.utc)
    for low, high, below in ((-90, 90, -91), (1, 200, 0), (early, late, first)):  # ours
        for validator in (validate.Range(low, high), validate.Range(min=low),
                          validate.Range(low, high, min_inclusive=False, max_inclusive=False),
                          validate.Range(min=low, min_inclusive=False)):
            with pytest.raises(ValidationError) as raised:
                validator(below)
            messages += raised.value.messages
        for validator in (validate.Range(max=low), validate.Range(max=low, max_inclusive=False)):
            with pytest.raises(ValidationError) as raised:
                validator(high)
            messages += raised.value.messages
    return messages


def test_every_marshmallow_message_has_a_chinese_translation():
    messages = _marshmallow_messages()
    assert "Missing data for required field." in messages
    assert "Must be greater than or equal to -90 and less than or equal to 90." in messages
    missing = [m for m in messages if not _chinese(translate(m, "zh-CN"))]
    assert not missing, missing


def _raised(call) -> str:
    """The one message ``call`` raises (a validator's, or a service's field or top message)."""
    try:
        call()
    except ValidationError as exc:
        return exc.messages[0]
    except ServiceError as exc:
        return _messages(exc.errors)[0] if exc.errors else exc.message
    raise AssertionError("nothing raised")


# Each message raised by the code that raises it in the app, keyed by its English.
_RAISED = {
    "Must be one of: visit, call.": lambda: _raised(lambda: validate.OneOf(["visit", "call"])(
        "party")),
    "Length must be between 1 and 200.": lambda: _raised(lambda: validate.Length(1, 200)("")),
    "Longer than maximum length 40.": lambda: _raised(lambda: validate.Length(max=40)("x" * 41)),
    "Shorter than minimum length 1.": lambda: _raised(lambda: validate.Length(min=1)("")),
    "Must be greater than or equal to -90 and less than or equal to 90.":
        lambda: _raised(lambda: validate.Range(-90, 90)(91)),
    "Must be greater than 0.":
        lambda: _raised(lambda: validate.Range(min=0, min_inclusive=False)(0)),
    "Must be less than or equal to 86400.":
        lambda: _raised(lambda: validate.Range(max=86_400)(86_401)),
    "At least 8 characters.": lambda: _raised(lambda: set_password(User(), "short")),
    "This record was changed by someone else (now version 4). Reload it and try again.":
        lambda: _raised(lambda: check_version(SimpleNamespace(version=4), 3)),
}


@pytest.mark.parametrize("english, chinese", [
    ("Must be one of: visit, call.", "必须是以下之一：visit, call。"),
    ("Length must be between 1 and 200.", "长度必须在 1 到 200 之间。"),
    ("Longer than maximum length 40.", "长度不能超过 40。"),
    ("Shorter than minimum length 1.", "长度不能少于 1。"),
    ("Must be greater than or equal to -90 and less than or equal to 90.",
     "必须大于或等于 -90，且小于或等于 90。"),
    ("Must be greater than 0.", "必须大于 0。"),
    ("Must be less than or equal to 86400.", "必须小于或等于 86400。"),
    ("At least 8 characters.", "至少需要 8 个字符。"),
    ("This record was changed by someone else (now version 4). Reload it and try again.",
     "此记录已被他人修改（当前版本 4），请重新加载后再试。"),
])
def test_parameterised_messages(english, chinese):
    message = _RAISED[english]()
    assert message == english
    assert translate(message, "zh-CN") == chinese
    assert translate(message, "zh") == chinese
    assert translate(message, "en") == english


def test_unknown_messages_and_odd_values_pass_through():
    assert translate("Something brand new.", "zh-CN") == "Something brand new."
    assert translate("", "zh-CN") == ""
    assert translate(None, "zh-CN") is None
    assert translate(42, "zh-CN") == 42
    assert translate("Unknown field.", None) == "Unknown field."
    assert translate("Unknown field.", "fr") == "Unknown field."
    nested = {"json": {"items": {0: {"name": ["Unknown field.", "Brand new."]}}, "n": 3}}
    assert translate(nested, "zh-CN") == {
        "json": {"items": {0: {"name": ["未知字段。", "Brand new."]}}, "n": 3}}


def test_unknown_messages_pass_through_an_error_response(app):
    with app.test_request_context("/api/v1/x", headers=ZH):
        response, code = api_errors.error_response(
            409, "A message nobody translated.",
            {"widget": ["Also untranslated.", "Unknown field."]})
    body = response.get_json()
    assert code == 409 and body["status"] == "Conflict"
    assert body["message"] == "A message nobody translated."
    assert body["errors"] == {"json": {"widget": ["Also untranslated.", "未知字段。"]}}


# Through the API ----------------------------------------------------------------------------

@pytest.fixture
def zh_rep(world):
    return factories.make_user("rep", world.team_a, locale="zh-CN")


def test_chinese_user_gets_chinese_404s(world, zh_rep, client_for):
    client = client_for(zh_rep)
    body = assert_error(client.get(f"{API}/customers/{uuid.uuid4()}"), 404)
    assert body == {"code": 404, "status": "Not Found", "message": "未找到客户。"}
    body = assert_error(client.get(f"{API}/activities/{uuid.uuid4()}"), 404)
    assert body["message"] == "未找到活动。"
    body = assert_error(client.get(f"{API}/no-such-thing"), 404)
    assert body["message"] == "未找到。"


def test_chinese_user_gets_chinese_field_messages(world, zh_rep, client_for):
    client = client_for(zh_rep)
    body = assert_error(client.post(f"{API}/customers", json={
        "name": "", "email": "not-an-email", "lat": 100, "status": "nope", "owner_id": "x",
        "bogus": 1}), 422, fields=("name", "email", "lat", "status", "owner_id", "bogus"))
    assert body["status"] == "Unprocessable Entity"
    assert body["message"] == "提交的数据无效。"
    errors = body["errors"]["json"]
    assert errors["name"] == ["长度必须在 1 到 200 之间。"]
    assert errors["email"] == ["邮箱地址格式不正确。"]
    assert errors["lat"] == ["必须大于或等于 -90，且小于或等于 90。"]
    assert errors["status"][0].startswith("必须是以下之一：")
    assert errors["owner_id"] == ["不是有效的 UUID。"]
    assert errors["bogus"] == ["未知字段。"]

    body = assert_error(client.post(f"{API}/customers", json={}), 422, fields=("name",))
    assert body["errors"]["json"]["name"] == ["此字段为必填项。"]

    # our own field messages: the service's and a schema validator's
    body = assert_error(client.post(f"{API}/customers", json={"name": "Acme", "phone": "abc"}),
                        422, fields=("phone",))
    assert body == {"code": 422, "status": "Unprocessable Entity", "message": "提交的数据无效。",
                    "errors": {"json": {"phone": ["不是有效的电话号码。"]}}}
    body = assert_error(client.post(f"{API}/activities", json={"kind": "task"}), 422,
                        fields=("due_at",))
    assert body["errors"]["json"]["due_at"] == ["任务需要设置截止时间。"]

    # query arguments, ours and marshmallow's
    body = assert_error(client.get(f"{API}/customers?limit=0"), 422, fields=("limit",),
                        location="query")
    assert body["errors"]["query"]["limit"] == ["必须大于或等于 1，且小于或等于 200。"]
    body = assert_error(client.get(f"{API}/customers?cursor=zzz"), 422, fields=("cursor",),
                        location="query")
    assert body["errors"]["query"]["cursor"] == ["分页游标无效。"]
    assert all(_chinese(m) for m in _messages(body["errors"]))


def test_chinese_user_gets_chinese_403_409_412(world, zh_rep, client_for, new_id):
    client = client_for(zh_rep)
    body = assert_error(client.post(f"{API}/customers", json={"name": "Acme"},
                                    headers={"X-CSRF-Token": ""}), 403)
    assert body == {"code": 403, "status": "Forbidden",
                    "message": "缺少 X-CSRF-Token 请求头，或其值不正确。"}

    taken = new_id()
    assert client_for(world.rep_b1).post(f"{API}/customers",
                                         json={"id": taken, "name": "Theirs"}).status_code == 201
    body = assert_error(client.post(f"{API}/customers", json={"id": taken, "name": "Mine"}), 409)
    assert body == {"code": 409, "status": "Conflict", "message": "此 ID 已被其他记录使用。"}

    created = client.post(f"{API}/customers", json={"name": "Acme"})
    url = f"{API}/customers/{created.json['id']}"
    body = assert_error(client.patch(url, json={"city": "Suzhou"}, headers={"If-Match": '"7"'}),
                        412)
    assert body["status"] == "Precondition Failed"
    assert body["message"] == "此记录已被他人修改（当前版本 1），请重新加载后再试。"


def test_the_users_locale_wins_over_accept_language(world, zh_rep, client_for):
    body = assert_error(client_for(zh_rep).get(f"{API}/customers/{uuid.uuid4()}",
                                               headers={"Accept-Language": "en"}), 404)
    assert body["message"] == "未找到客户。"
    body = assert_error(client_for(world.rep_a1).get(f"{API}/customers/{uuid.uuid4()}",
                                                     headers=ZH), 404)
    assert body["message"] == "Customer not found."


def test_english_user_gets_english(world, client_for):
    client = client_for(world.rep_a1)
    body = assert_error(client.post(f"{API}/customers", json={"name": "", "bogus": 1},
                                    headers=ZH), 422, fields=("name", "bogus"))
    assert body["message"] == "The data sent is not valid."
    assert body["errors"]["json"] == {"name": ["Length must be between 1 and 200."],
                                      "bogus": ["Unknown field."]}
    body = assert_error(client.post(f"{API}/customers", json={"name": "x"},
                                    headers={**ZH, "X-CSRF-Token": ""}), 403)
    assert body["message"] == "Missing or wrong X-CSRF-Token header."


@pytest.mark.parametrize("language", ["zh-CN", "zh", "zh-CN,zh;q=0.9,en;q=0.8", "fr,zh;q=0.5"])
def test_anonymous_chinese_gets_chinese_401s(world, anon, language):
    headers = {"Accept-Language": language}
    body = assert_error(anon.get(f"{API}/me", headers=headers), 401)
    assert body == {"code": 401, "status": "Unauthorized", "message": "请先登录。"}
    body = assert_error(anon.post(f"{API}/auth/login", headers=headers,
                                  json={"email": world.rep_a1.email, "password": "wrong!!!"}),
                        401)
    assert body["message"] == "邮箱或密码错误。"
    body = assert_error(anon.post(f"{API}/auth/login", headers=headers,
                                  json={"email": 5}), 422, fields=("email", "password"))
    assert body["errors"]["json"] == {"email": ["不是有效的字符串。"],
                                      "password": ["此字段为必填项。"]}


@pytest.mark.parametrize("headers", [{}, {"Accept-Language": "en-US,en;q=0.9"},
                                     {"Accept-Language": "fr"}, {"Accept-Language": "en,zh;q=0.1"}])
def test_anonymous_otherwise_gets_english(world, anon, headers):
    assert assert_error(anon.get(f"{API}/me", headers=headers), 401)["message"] == "Sign in first."
    body = assert_error(anon.post(f"{API}/auth/login", headers=headers,
                                  json={"email": world.rep_a1.email, "password": "wrong!!!"}),
                        401)
    assert body["message"] == "Wrong email or password."


def test_the_language_costs_no_sql(world, zh_rep, client_for, count_queries, monkeypatch):
    client = client_for(zh_rep)
    requests = [("GET", f"{API}/customers/{uuid.uuid4()}", None),
                ("POST", f"{API}/customers", {"name": "Acme", "phone": "abc"}),
                ("POST", f"{API}/customers", {"name": ""})]

    def measure():
        counts, messages = [], []
        for method, url, json in requests:
            with count_queries() as counted:
                response = client.open(method, url, json=json)
            counts.append(counted.n)
            messages.append(response.json["message"])
        return counts, messages

    translated, zh_messages = measure()
    monkeypatch.setattr(api_errors, "error_language", lambda: "en")
    untranslated, en_messages = measure()
    assert all(_chinese(m) for m in zh_messages) and not any(_chinese(m) for m in en_messages)
    assert translated == untranslated
