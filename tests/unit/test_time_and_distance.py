"""Local calendar days as UTC ranges (with DST), and the visit distance."""
from datetime import date, datetime, timedelta, timezone

import pytest

from app.services.activities import distance_m, local_day_bounds

UTC = timezone.utc


def _length(day, tz):
    start, end = local_day_bounds(day, tz)
    return end - start


@pytest.mark.parametrize("day,hours", [
    (date(2026, 3, 8), 23),   # spring forward
    (date(2026, 11, 1), 25),  # fall back
    (date(2026, 3, 7), 24), (date(2026, 3, 9), 24), (date(2026, 10, 31), 24),
    (date(2026, 11, 2), 24), (date(2026, 7, 4), 24),
])
def test_new_york_days_are_23_24_or_25_hours(day, hours):
    assert _length(day, "America/New_York") == timedelta(hours=hours)


@pytest.mark.parametrize("day", [date(2026, 3, 8), date(2026, 11, 1), date(2026, 6, 21),
                                 date(2026, 12, 31), date(2028, 2, 29)])
def test_shanghai_days_are_always_24_hours(day):
    assert _length(day, "Asia/Shanghai") == timedelta(hours=24)


def test_bounds_are_utc_and_start_at_local_midnight():
    start, end = local_day_bounds(date(2026, 11, 22), "Asia/Shanghai")
    assert start == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)
    start, end = local_day_bounds(date(2026, 11, 1), "America/New_York")
    assert start == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)   # 00:00 EDT
    assert end == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)     # 00:00 EST
    start, end = local_day_bounds(date(2026, 3, 8), "America/New_York")
    assert start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)    # 00:00 EST
    assert end == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)      # 00:00 EDT


def test_consecutive_days_touch():
    for tz in ("America/New_York", "Asia/Shanghai", "Europe/London", "Australia/Lord_Howe"):
        day = date(2026, 1, 1)
        for _ in range(366):
            assert local_day_bounds(day, tz)[1] == local_day_bounds(day + timedelta(days=1), tz)[0]
            day += timedelta(days=1)


def test_half_hour_dst_and_utc():
    # Lord Howe moves by 30 minutes
    assert _length(date(2026, 4, 5), "Australia/Lord_Howe") == timedelta(hours=24, minutes=30)
    assert _length(date(2026, 11, 1), "UTC") == timedelta(hours=24)


def test_distance_m():
    assert distance_m(31.2304, 121.4737, 31.2304, 121.4737) == 0
    # one thousandth of a degree of latitude is ~111 m everywhere
    assert distance_m(31.2304, 121.4737, 31.2314, 121.4737) == 111
    assert distance_m(0, 0, 0.001, 0) == 111
    # Shanghai People's Square to the Bund: ~1.5 km
    assert 1_300 < distance_m(31.2304, 121.4737, 31.2400, 121.4900) < 2_000
    # Shanghai to Beijing: ~1,070 km
    assert 1_050_000 < distance_m(31.2304, 121.4737, 39.9042, 116.4074) < 1_090_000
    # symmetric, integer, across the antimeridian and to the antipode
    a = distance_m(10, 20, -30, 40)
    assert a == distance_m(-30, 40, 10, 20) and isinstance(a, int)
    assert distance_m(0, 179.9995, 0, -179.9995) == 111
    assert abs(distance_m(0, 0, 0, 180) - 20_015_087) < 5
