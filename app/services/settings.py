"""Company settings: defaults here, an administrator's changes in the ``settings`` table.

Add a setting by adding its default to ``DEFAULTS`` and its field to
``app.api.settings.SettingsSchema`` (which validates it).
"""
import re
import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import Stage, User
from app.models.settings import Setting
from app.services.audit import record_audit
from app.services.errors import Forbidden, Invalid, Text

# Audit rows need an entity id: the settings are one company-wide record.
SETTINGS_ENTITY_ID = uuid.UUID(int=0)

EXPENSE_CATEGORIES = ("travel", "lodging", "meals", "fuel", "entertainment", "other")
# The keys of ``visit_interval_days``: the RFM segments (services.orders.rfm_segment) and
# "none" for a customer with no segment (no orders yet).
VISIT_INTERVAL_KEYS = ("champion", "loyal", "at risk", "new", "dormant", "none")

DEFAULTS: dict[str, object] = {
    # Leads: how many open leads one rep may hold, and after how many days without any
    # activity a lead goes back to the pool.
    "lead_cap": 30,
    "lead_recycle_days": 7,
    # Why deals are lost: the pick list shown when a deal is lost (free text is added).
    "lose_reasons": ["Price", "Competitor", "No budget", "No decision", "Timing", "Other"],
    # The company's currency (ISO 4217): the expense threshold and limits are amounts in
    # it. There are no exchange rates here, so a claim in another currency always goes to a
    # manager and is not checked against the limits.
    "currency": "CNY",
    # Expenses: claims above this total also need a manager's approval.
    "expense_manager_threshold": "2000.00",
    # Expenses: per-category limits, flagged on items (not a hard block).
    # {"meals": {"amount": "200.00", "per": "day"}}; ``per`` is "day" or "item".
    "expense_limits": {
        "meals": {"amount": "200.00", "per": "day"},
        "lodging": {"amount": "600.00", "per": "day"},
    },
    # Visit cadence: days between visits of a customer whose own visit_interval_days is
    # not set, by its RFM segment ("none": no orders yet). A key left out of a change keeps
    # this default (services.visits.visit_intervals).
    "visit_interval_days": {"champion": 14, "loyal": 21, "at risk": 14, "new": 14,
                            "dormant": 60, "none": 30},
    # Check-ins: a visit logged within this many metres of its customer, by a phone sure of
    # its position to better than this, is "verified".
    "checkin_radius_m": 200,
    # Day plans: a visit's default length; the working day (the rep's local time) the
    # optimiser fits visits into; a fixed appointment's visit starts in the minutes before
    # its time; travel is the straight line times road_factor at average_speed_kmh (unless
    # the OSRM_URL environment variable names a routing server).
    "visit_duration_min": 30,
    "workday_start": "08:30",
    "workday_end": "18:00",
    "appointment_window_min": 15,
    "road_factor": 1.3,
    "average_speed_kmh": 30,
    # The Near me map: the tile server ({s} a subdomain from map_subdomains), its credit
    # line (plain text), the deepest zoom it serves, and the datum its tiles are drawn in
    # ("gcj02" for Chinese providers such as Amap: the app shifts our WGS-84 points).
    "map_tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "map_subdomains": "abc",
    "map_attribution": "© OpenStreetMap contributors",
    "map_max_zoom": 19,
    "map_coordinates": "wgs84",
    # Targets and attainment (services.attainment): the company's timezone (what "this
    # month" and "today" are for pace and for locking), its working days (ISO weekdays,
    # 1 = Monday) and holidays (ISO dates, not working days), and whether the months before
    # the current one are locked: their targets can no longer be set, changed or removed.
    "timezone": "Asia/Shanghai",
    "working_weekdays": [1, 2, 3, 4, 5],
    "holidays": [],
    "lock_closed_months": False,
    # The team home: an open deal with no activity (with its customer, or a change to the
    # deal) for this many days is stale ("rotting"); "default" for every stage, a stage's
    # id for that stage's own number (services.team_home).
    "stale_deal_days": {"default": 14},
}
MAP_DATUMS = ("wgs84", "gcj02")
# http(s), a host whose first label may hold {s}, an optional port, then a path and
# query without quotes, spaces or semicolons (the host goes into the CSP header).
TILE_URL = re.compile(
    r"^(?P<scheme>https?)://(?P<host>(?:[a-z0-9-]*\{s\}[a-z0-9-]*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)"
    r"(?P<port>:\d{1,5})?/[^\s'\";,]*$", re.IGNORECASE)


def tile_origin(template) -> str | None:
    """The CSP source a tile URL template needs: its scheme, host and port, the
    subdomain label as ``*`` ("https://*.tile.example.org"); None if it is no tile URL."""
    match = TILE_URL.match(template) if isinstance(template, str) else None
    if match is None or not all(part in template for part in ("{z}", "{x}", "{y}")):
        return None
    host = match["host"]
    if "{s}" in host:
        host = "*." + host.split(".", 1)[1]
    return f"{match['scheme'].lower()}://{host.lower()}{match['port'] or ''}"

# Settings whose change names only the keys it changes (the others keep their values).
MERGED = ("visit_interval_days",)


def get_settings() -> dict:
    """Every setting: the defaults overlaid with what an administrator changed (one query)."""
    stored = dict(db.session.execute(select(Setting.key, Setting.value)).all())
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def get_setting(key: str):
    stored = db.session.get(Setting, key)
    return stored.value if stored is not None else DEFAULTS[key]


def update_settings(actor: User, data: dict) -> dict:
    """Change settings (administrators only); each change is audited."""
    if actor.role != "admin":
        raise Forbidden("Only an administrator can do this.")
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise Invalid({key: ["Unknown field."] for key in sorted(unknown)})
    if "stale_deal_days" in data:
        _check_stale_deal_days(data["stale_deal_days"])
    current = get_settings()
    for key, value in data.items():
        if key in MERGED:
            value = {**current[key], **value}
        if value == current[key]:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value, updated_by=actor.id))
        else:
            row.value, row.updated_by = value, actor.id
        record_audit(actor, "setting", SETTINGS_ENTITY_ID, f"{key}_changed",
                     {key: (current[key], value)})
    db.session.flush()
    return get_settings()


def _check_stale_deal_days(value: dict) -> None:
    """``{"default": days, "<stage id>": days, ...}``: a default, and only open stages that
    exist (the API checked that the days are whole numbers in range)."""
    problems = [] if "default" in value else [Text("Give a default number of days.")]
    stage_keys = set(value) - {"default"}
    ids = set()
    for key in stage_keys:
        try:
            ids.add(uuid.UUID(key))
        except ValueError:
            problems.append(Text("Unknown stage: {key}.", key=key))
    if ids:
        known = set(db.session.scalars(select(Stage.id).where(Stage.id.in_(ids),
                                                              Stage.kind == "open")))
        problems += [Text("Unknown stage: {key}.", key=str(i)) for i in sorted(ids - known)]
    if problems:
        raise Invalid({"stale_deal_days": problems})
