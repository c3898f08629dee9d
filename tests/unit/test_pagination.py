"""Keyset cursors: they round-trip, and anything tampered with is refused as invalid."""
import base64
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.models import Activity, Customer, User
from app.services.errors import Invalid
from app.services.pagination import decode_cursor, encode_cursor

CUSTOMER_KEY = (Customer.name_norm, Customer.id)
ACTIVITY_KEY = (Activity.created_at, Activity.id)


def _raw(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_round_trip_text_and_uuid():
    values = ["上海精密 acme", uuid.uuid4()]
    cursor = encode_cursor(values)
    assert decode_cursor(cursor, CUSTOMER_KEY) == values
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor  # URL-safe as is


def test_round_trip_aware_datetime_and_uuid():
    values = [datetime(2026, 11, 1, 6, 30, 0, 123456, tzinfo=timezone.utc), uuid.uuid4()]
    assert decode_cursor(encode_cursor(values), ACTIVITY_KEY) == values
    shanghai = datetime(2026, 11, 1, 14, 30, tzinfo=timezone(timedelta(hours=8)))
    decoded = decode_cursor(encode_cursor([shanghai, values[1]]), ACTIVITY_KEY)
    assert decoded[0] == shanghai and decoded[0].utcoffset() == timedelta(hours=8)


def test_round_trip_for_user_and_team_keys():
    values = ["王伟", uuid.uuid4()]
    assert decode_cursor(encode_cursor(values), (User.name, User.id)) == values


def _invalid(cursor, columns=CUSTOMER_KEY):
    with pytest.raises(Invalid) as caught:
        decode_cursor(cursor, columns)
    assert caught.value.status == 422
    assert caught.value.errors == {"query": {"cursor": ["Not a valid cursor."]}}


# A fixed id: the parameters below are built from it at collection, which must give every
# test worker (pytest-xdist) the same test ids.
some_id = "5b0d9a52-1c1e-4c6f-9d3b-7a0e2f4c8d11"


@pytest.mark.parametrize("cursor", [
    "", "garbage", "!!!!", "====", "a", "\u00e9\u00e9\u00e9",
    base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    base64.urlsafe_b64encode(b"not json").decode(),
    _raw({"name": "x"}), _raw("x"), _raw(None), _raw(42), _raw([]), _raw(["only one"]),
    _raw(["a", {"u": some_id}, "extra"]),
    _raw([1, {"u": some_id}]), _raw([True, {"u": some_id}]), _raw([["a"], {"u": some_id}]),
    _raw(["a", some_id]),  # a bare string where a UUID belongs
    _raw(["a", {"u": "not-a-uuid"}]), _raw(["a", {"u": 5}]), _raw(["a", {"u": None}]),
    _raw(["a", {"u": ["x"]}]), _raw(["a", {"t": "2026-01-01T00:00:00+00:00"}]),
    _raw(["a\u0000b", {"u": some_id}]),
])
def test_tampered_customer_cursors_are_invalid(cursor):
    _invalid(cursor)


@pytest.mark.parametrize("cursor", [
    _raw(["2026-01-01T00:00:00+00:00", {"u": some_id}]),  # a string, not a timestamp
    _raw([{"t": "2026-01-01T00:00:00"}, {"u": some_id}]),  # naive
    _raw([{"t": "yesterday"}, {"u": some_id}]),
    _raw([{"t": 5}, {"u": some_id}]),
    _raw([{"t": "0001-01-01T00:00:00+05:00"}, {"u": some_id}]),  # overflows in UTC
    _raw([{"t": "9999-12-31T23:59:59-05:00"}, {"u": some_id}]),
    _raw([1_700_000_000, {"u": some_id}]),
    _raw(["acme", {"u": some_id}]),  # a customer cursor on the activity list
])
def test_tampered_activity_cursors_are_invalid(cursor):
    _invalid(cursor, ACTIVITY_KEY)


def test_overlong_or_truncated_cursor_is_invalid():
    good = encode_cursor(["acme", uuid.uuid4()])
    _invalid(good[:-3])
    _invalid(good + "AAAA")
