"""What every part of the demo data shares: fixed ids, the demo's domain and password, its
timezone and the working-hours clock."""
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


from app.demo.content import BOSS_TITLES, EN_FIRST, EN_LAST, GIVEN_NAMES, STAFF_TITLES, SURNAMES
from app.services import activities as activity_service

NAMESPACE = uuid.UUID("5d1f6c2e-8a43-4f0b-9c77-0e2f1a6b3d11")
DOMAIN = "demo.fieldline.app"
PASSWORD = "fieldline"
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
HISTORY_DAYS = 60
CUSTOMER_COUNT = 200
CUSTOMERS_PER_LEAD = 6
UPCOMING_DAYS = activity_service.UPCOMING_DAYS


def demo_id(*parts) -> uuid.UUID:
    """The fixed id of a demo record, the same on every install."""
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def demo_email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def weighted(rng: random.Random, options):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


# Time ---------------------------------------------------------------------------------------

def local_at(day: date, minutes: int) -> datetime:
    """A local time in Shanghai, as UTC."""
    return datetime.combine(day, time.min, TZ).astimezone(timezone.utc) + timedelta(
        minutes=minutes)


def not_sunday(day: date) -> date:
    return day - timedelta(days=1) if day.weekday() == 6 else day


def working_time(t: datetime, before: datetime) -> datetime:
    """Move ``t`` into office hours (08:00-19:00 local, not Sunday), keeping it < ``before``."""
    local = t.astimezone(TZ).replace(second=0, microsecond=0)
    if not 8 <= local.hour < 19:
        local = local.replace(hour=8 + local.hour % 11)
    if local.weekday() == 6:
        local -= timedelta(days=1)
    t = local.astimezone(timezone.utc)
    while t >= before:
        t -= timedelta(days=1)
    return t


def today_slot(now: datetime, u: float, before_now: bool) -> datetime:
    """A due time today, before or after ``now`` as asked (the other side when the clock
    leaves no room), at fraction ``u`` of the daytime hours still available."""
    start = local_at(now.astimezone(TZ).date(), 0)
    end = start + timedelta(days=1)
    gap = timedelta(minutes=10)
    before = (max(start + timedelta(hours=8), now - timedelta(hours=10)), now - gap)
    if before[0] >= before[1]:
        before = (start, now - gap)
    after = (now + gap, min(start + timedelta(hours=20), now + timedelta(hours=10)))
    if after[0] >= after[1]:
        after = (now + gap, end - timedelta(minutes=5))
    ranges = [r for r in ((before, after) if before_now else (after, before)) if r[0] < r[1]]
    if not ranges:      # cannot happen with a 24-hour day; keep "today" anyway
        return now
    low, high = ranges[0]
    t = low + (high - low) * u
    rounded = t - timedelta(minutes=t.astimezone(TZ).minute % 5, seconds=t.second,
                            microseconds=t.microsecond)
    return rounded if rounded >= low else t


def contact_person(rng: random.Random, chinese: bool, boss: bool) -> tuple[str, ...]:
    """A contact's name, its ASCII form for a mailbox, and a title (Chinese, English) and
    role: a company's first contact is its boss. Mostly Chinese names at a Chinese company."""
    if chinese and rng.random() < 0.85 or rng.random() < 0.3:
        (sur, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        name, ascii_name = f"{sur}{given}", f"{given_py}.{sur_py}"
    else:
        first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
        name = f"{first} {last}"
        ascii_name = f"{first}.{last}".lower().replace("ü", "ue")
    if boss:
        (title_zh, title_en), role = rng.choice(BOSS_TITLES), "decision_maker"
    else:
        title_zh, title_en, role = rng.choice(STAFF_TITLES)
    return name, ascii_name, title_zh, title_en, role
