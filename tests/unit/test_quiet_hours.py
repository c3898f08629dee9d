"""Quiet hours in the user's own timezone, across midnight and across DST changes."""
from datetime import datetime, time, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from app.services.notifications import after_quiet_hours, in_quiet_hours

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")


def user(tz="Asia/Shanghai", start=time(21, 0), end=time(8, 0)):
    return SimpleNamespace(timezone=tz, quiet_hours_start=start, quiet_hours_end=end)


@pytest.mark.parametrize("local,quiet", [
    (datetime(2026, 11, 23, 20, 59, tzinfo=SH), False),
    (datetime(2026, 11, 23, 21, 0, tzinfo=SH), True),
    (datetime(2026, 11, 23, 23, 30, tzinfo=SH), True),
    (datetime(2026, 11, 24, 0, 0, tzinfo=SH), True),
    (datetime(2026, 11, 24, 7, 59, tzinfo=SH), True),
    (datetime(2026, 11, 24, 8, 0, tzinfo=SH), False),
    (datetime(2026, 11, 24, 12, 0, tzinfo=SH), False),
])
def test_overnight_quiet_hours(local, quiet):
    assert in_quiet_hours(local.astimezone(UTC), user()) is quiet


def test_daytime_quiet_hours_and_none():
    lunch = user(start=time(12, 0), end=time(13, 30))
    assert in_quiet_hours(datetime(2026, 11, 23, 12, 45, tzinfo=SH), lunch)
    assert not in_quiet_hours(datetime(2026, 11, 23, 13, 30, tzinfo=SH), lunch)
    assert not in_quiet_hours(datetime(2026, 11, 23, 23, 0, tzinfo=SH), lunch)
    never = user(start=time(0, 0), end=time(0, 0))
    assert not in_quiet_hours(datetime(2026, 11, 23, 3, 0, tzinfo=SH), never)


def test_deferred_to_the_end_of_the_quiet_hours():
    evening = datetime(2026, 11, 23, 22, 15, tzinfo=SH)
    assert after_quiet_hours(evening, user()) == datetime(2026, 11, 24, 8, 0, tzinfo=SH)
    early = datetime(2026, 11, 24, 6, 0, tzinfo=SH)
    assert after_quiet_hours(early, user()) == datetime(2026, 11, 24, 8, 0, tzinfo=SH)
    day = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    assert after_quiet_hours(day, user()) == day


def test_deferred_across_the_spring_dst_change_in_new_york():
    """The night of 2026-03-08 has 23 hours in New York: 21:00 EST -> 08:00 EDT is 10 h."""
    ny = user("America/New_York")
    evening = datetime(2026, 3, 7, 23, 0, tzinfo=NY)
    end = after_quiet_hours(evening.astimezone(UTC), ny)
    assert end == datetime(2026, 3, 8, 8, 0, tzinfo=NY)
    assert end.astimezone(UTC) == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # EDT = UTC-4


def test_deferred_across_the_autumn_dst_change_in_new_york():
    ny = user("America/New_York")
    evening = datetime(2026, 10, 31, 23, 0, tzinfo=NY)
    end = after_quiet_hours(evening.astimezone(UTC), ny)
    assert end.astimezone(UTC) == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # EST = UTC-5
