"""The demo company planned in plain dicts: companies, customers, contacts, their history
and open follow-ups (deterministic for a given generator and "now")."""
import math
import random
from datetime import datetime, timedelta, timezone

import phonenumbers

from app.models import Activity, User
from app.services import activities as activity_service
from app.services.normalize import company_key
from app.demo.common import (
    HISTORY_DAYS, TZ, UPCOMING_DAYS, contact_person, demo_id, local_at, not_sunday,
    today_slot, weighted, working_time,
)
from app.demo.content import (
    BUSINESSES, CN_BRANDS, CN_SUFFIXES, City, EN_BRANDS, EN_SUFFIXES, FIXED_COMPANIES,
    FOLLOWUP_ACTIONS, FOLLOWUP_NOTES, KINDS, MOBILE_PREFIXES, NOTES, OUTCOMES, SOURCES, TAGS,
)


# The plan -----------------------------------------------------------------------------------

class _Phones:
    """Unique, valid numbers typed the many ways people type them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used = set()

    def _unique(self, make) -> str:
        while True:
            text = make()
            number = phonenumbers.parse(text, "CN")
            key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_valid_number(number) and key not in self.used:
                self.used.add(key)
                return text

    def mobile(self) -> str:
        rng = self.rng

        def make():
            p = rng.choice(MOBILE_PREFIXES)
            a, b = f"{rng.randrange(10_000):04d}", f"{rng.randrange(10_000):04d}"
            return rng.choice((
                f"{p} {a} {b}", f"{p} {a} {b}", f"{p}-{a}-{b}", f"{p}{a}{b}",
                f"+86 {p} {a} {b}", f"+86-{p}-{a}-{b}", f"+86{p}{a}{b}", f"(+86) {p}-{a}-{b}",
            ))
        return self._unique(make)

    def landline(self, city: City) -> str:
        rng = self.rng

        def make():
            digits = str(rng.randint(2, 8)) + "".join(
                str(rng.randrange(10)) for _ in range(city.local_digits - 1))
            half = len(digits) - 4
            a, b = digits[:half], digits[half:]
            return rng.choice((
                f"0{city.area}-{a} {b}", f"0{city.area}-{a} {b}", f"0{city.area}-{digits}",
                f"(0{city.area}) {a}-{b}", f"+86 {city.area} {a} {b}", f"0{city.area} {digits}",
            ))
        return self._unique(make)


def offset_point(lat: float, lng: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320
    dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


class Planner:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now.astimezone(timezone.utc)
        self.today = now.astimezone(TZ).date()
        self.phones = _Phones(rng)
        self.company_keys = set()

    # -- customers and contacts --

    def company(self, index: int, city: City) -> dict:
        rng = self.rng
        if index < len(FIXED_COMPANIES):
            name, _, industry = FIXED_COMPANIES[index]
            chinese = not name.isascii()
            slug = {"上海华联贸易有限公司": "hualian-trade.com.cn",
                    "Acme Industrial Co., Ltd.": "acme-industrial.com",
                    "Golden Dragon Foods": "goldendragonfoods.com"}[name]
            self.company_keys.add(company_key(name))
            return {"name": name, "industry": industry, "chinese": chinese, "domain": slug}
        while True:
            zh, en, industry, biz_py = rng.choice(BUSINESSES)
            if rng.random() < 0.6:
                brand, brand_py = rng.choice(CN_BRANDS)
                prefix = city.zh if rng.random() < 0.7 else ""
                name = f"{prefix}{brand}{zh}{rng.choice(CN_SUFFIXES)}"
                domain = f"{brand_py}-{biz_py}.{rng.choice(('cn', 'com.cn', 'com'))}"
                chinese = True
            else:
                brand = rng.choice(EN_BRANDS)
                suffix = rng.choice(EN_SUFFIXES).format(city=city.name)
                name = f"{brand} {en} {suffix}".strip()
                domain = f"{brand.lower().replace(' ', '')}{en.split()[0].lower()}.com"
                chinese = False
            key = company_key(name)
            if key not in self.company_keys:
                self.company_keys.add(key)
                return {"name": name, "industry": industry, "chinese": chinese,
                        "domain": domain}

    def customer(self, index: int, city: City) -> tuple[dict, dict]:
        rng = self.rng
        company = self.company(index, city)
        district_zh, district_en = rng.choice(city.districts)
        road_zh, road_en = rng.choice(city.roads)
        number = rng.randint(1, 1999)
        if company["chinese"]:
            address = f"{city.zh}市{district_zh}{road_zh}{number}号"
            if rng.random() < 0.4:
                address += f"{rng.randint(1, 30)}楼{rng.randint(1, 30):02d}室"
        else:
            address = f"No. {number} {road_en}, {district_en}, {city.name}"
        lat, lng = offset_point(city.lat, city.lng, rng.uniform(300, 9000),
                                rng.uniform(0, 2 * math.pi))
        phone_kind = rng.random()
        phone = (self.phones.landline(city) if phone_kind < 0.6
                 else self.phones.mobile() if phone_kind < 0.95 else None)
        email = (f"{rng.choice(('info', 'sales', 'service', 'contact', 'purchase'))}"
                 f"@{company['domain']}") if rng.random() < 0.85 else None
        status = weighted(rng, (("prospect", 40), ("active", 45), ("inactive", 15)))
        tags = rng.sample(TAGS, weighted(rng, ((0, 45), (1, 40), (2, 15))))
        data = {
            "id": demo_id("customer", index), "name": company["name"], "phone": phone,
            "email": email, "address": address, "city": city.name, "lat": lat, "lng": lng,
            "industry": company["industry"], "source": rng.choice(SOURCES), "status": status,
            "tags": tags,
        }
        return data, company

    def contacts(self, index: int, company: dict, city: City) -> list[dict]:
        rng = self.rng
        count = weighted(rng, ((1, 30), (2, 45), (3, 25)))
        result = []
        for n in range(count):
            name, ascii_name, title_zh, title_en, role = contact_person(
                rng, company["chinese"], boss=n == 0)
            title = title_zh if company["chinese"] and rng.random() < 0.8 else title_en
            mailbox = rng.random()
            if mailbox < 0.7:
                email = f"{ascii_name}@{company['domain']}"
            elif mailbox < 0.85:
                email = f"{rng.randrange(10_000_000, 3_000_000_000)}@qq.com"
            elif mailbox < 0.95:
                email = f"{ascii_name.replace('.', '')}{rng.randint(1, 99)}@163.com"
            else:
                email = None
            mobile = self.phones.mobile() if rng.random() < 0.9 else None
            phone = self.phones.landline(city) if rng.random() < 0.35 else None
            reports = n > 0 and rng.random() < 0.6
            result.append({
                "id": demo_id("contact", index, n), "customer_id": demo_id("customer", index),
                "name": name, "title": title, "mobile": mobile, "phone": phone,
                "email": email, "role": role,
                "reports_to_id": demo_id("contact", index, 0) if reports else None,
            })
        return result

    # -- follow-ups and history --

    def open_followups(self, owner_key: str, customer_ids: list[int], lead: bool) -> dict:
        """{customer index: (due_at, source activity time)} for one owner's agenda."""
        rng = self.rng
        if lead:
            counts = {"overdue": rng.randint(1, 2), "today": 2, "upcoming": 2}
        else:
            counts = {"overdue": rng.randint(2, 6), "today": rng.randint(3, 6),
                      "upcoming": rng.randint(5, 10)}
        chosen = rng.sample(customer_ids, sum(counts.values()))
        plan, i = {}, 0
        for section, count in counts.items():
            for n in range(count):
                day_u, time_u, lag = rng.random(), rng.random(), rng.randint(1, 5)
                minutes = 9 * 60 + 15 * int(time_u * 36)          # 09:00-17:45
                if section == "overdue":
                    day = not_sunday(self.today - timedelta(days=1 + int(day_u * 10)))
                    due = local_at(day, minutes)
                    source_day = due.astimezone(TZ).date() - timedelta(days=lag)
                elif section == "today":
                    due = today_slot(self.now, time_u, before_now=n % 2 == 0)
                    source_day = self.today - timedelta(days=lag)
                else:
                    ahead = 1 + int(day_u * UPCOMING_DAYS)
                    day = self.today + timedelta(days=ahead)
                    if day.weekday() == 6:
                        day += timedelta(days=-1 if ahead > 1 else 1)
                    due = local_at(day, minutes)
                    source_day = self.today - timedelta(days=lag)
                source = local_at(not_sunday(source_day), 9 * 60 + int(time_u * 8 * 60))
                plan[chosen[i]] = (due, source)
                i += 1
        return plan

    def history(self, index: int, customer: dict, company: dict, contacts: list[dict],
                followup) -> list[dict]:
        """The customer's last 60 days in time order, as ``log_activity`` data. A ``next``
        that carries ``done_at`` was completed by the activity after it; with ``followup``
        the last activity sets the still-open follow-up."""
        rng = self.rng
        status = customer["status"]
        low, high = {"active": (12, 22), "prospect": (5, 12), "inactive": (1, 4)}[status]
        count = rng.randint(low, high)
        window_end = followup[1] if followup else self.now
        window_start = self.now - timedelta(days=HISTORY_DAYS)
        span = (window_end - window_start).total_seconds()
        times = sorted(
            working_time(window_start + timedelta(seconds=span * rng.random()), window_end)
            for _ in range(count))
        if followup:
            times.append(window_end)
        zh = 0.7 if company["chinese"] else 0.2
        activities = []
        for n, at in enumerate(times):
            last = followup is not None and n == len(times) - 1
            kind = (weighted(rng, (("call", 50), ("visit", 25), ("email", 15), ("meeting", 10)))
                    if last else weighted(rng, KINDS))
            outcome = weighted(rng, OUTCOMES[kind])
            if last and kind != "email":
                outcome = rng.choice(("follow_up", "interested"))
            en, cn = rng.choice(NOTES[(kind, outcome)])
            data = {
                "id": demo_id("activity", index, n), "kind": kind,
                "customer_id": customer["id"], "occurred_at": at, "outcome": outcome,
                "notes": cn if rng.random() < zh else en,
            }
            if contacts and kind != "note" and rng.random() < 0.75:
                data["contact_id"] = rng.choice(contacts)["id"]
            if kind == "call":
                data["duration_seconds"] = (None if outcome == "no_answer"
                                            else rng.randint(45, 900))
            elif kind == "visit":
                data["duration_seconds"] = rng.randint(20, 90) * 60
                place = rng.random()
                if place < 0.85:    # on site
                    metres, accuracy = rng.uniform(5, 180), rng.uniform(5, 40)
                else:               # logged from the car or the next stop
                    metres, accuracy = rng.uniform(1200, 12000), rng.uniform(15, 80)
                bearing = rng.uniform(0, 2 * math.pi)
                if place < 0.97:    # otherwise: location was not allowed
                    lat, lng = offset_point(customer["lat"], customer["lng"], metres, bearing)
                    data["location"] = {"lat": lat, "lng": lng, "accuracy": round(accuracy)}
            elif kind == "meeting":
                data["duration_seconds"] = rng.randint(2, 8) * 15 * 60
            activities.append(data)

        # Some contacts set a follow-up that the next contact then completed.
        for n in range(len(activities) - 1):
            nxt = activities[n + 1]
            chained = rng.random() < 0.35
            en, cn = rng.choice(FOLLOWUP_NOTES.get(nxt["kind"], FOLLOWUP_NOTES["task"]))
            if not chained or nxt["kind"] == "note":
                continue
            at, due = activities[n]["occurred_at"], nxt["occurred_at"]
            on_the_hour = due.replace(minute=0, second=0, microsecond=0)
            fid = demo_id("followup", index, n)
            activities[n]["next"] = {"id": fid, "kind": nxt["kind"],
                                     "due_at": on_the_hour if on_the_hour > at else due,
                                     "note": cn if rng.random() < zh else en}
            activities[n]["next"]["done_at"] = due

        if followup:
            action = weighted(rng, FOLLOWUP_ACTIONS)
            en, cn = rng.choice(FOLLOWUP_NOTES[action])
            activities[-1]["next"] = {"id": demo_id("followup", index, "open"), "kind": action,
                                      "due_at": followup[0],
                                      "note": cn if rng.random() < zh else en}
        return activities


def closed_activities(owner: User, customer, data: dict,
                      checkin_radius_m: int) -> list[Activity]:
    """What ``log_activity`` stores for a past activity, and its follow-up already done.

    The history is thousands of rows with no side effects to run (nothing of it is still
    open), so it is built here in one batch instead of one service call and flush each;
    every derived column is filled the way the services fill it. ``created_at`` is when it
    happened, so lists ordered by creation read like the story.
    """
    at = data["occurred_at"]
    activity = Activity(
        id=data["id"], kind=data["kind"], owner_id=owner.id, customer_id=customer.id,
        contact_id=data.get("contact_id"), occurred_at=at, outcome=data.get("outcome"),
        notes=data.get("notes"), duration_seconds=data.get("duration_seconds"), version=1,
        created_at=at, updated_at=at,
    )
    activity_service.place_activity(activity, customer, data.get("location"), checkin_radius_m)
    rows = [activity]
    nxt = data.get("next")
    if nxt:
        # Completed with PATCH done_at, which also sets occurred_at (update_activity).
        rows.append(Activity(
            id=nxt["id"], kind="task", action=nxt["kind"], owner_id=owner.id,
            customer_id=customer.id, contact_id=activity.contact_id, due_at=nxt["due_at"],
            notes=nxt.get("note"), followup_of=activity.id, done_at=nxt["done_at"],
            occurred_at=nxt["done_at"], version=1, created_at=at, updated_at=nxt["done_at"],
        ))
    return rows
