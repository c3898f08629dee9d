"""The demo company: who is in it, what their day looks like, and that loading it twice
changes nothing."""
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, AuditEntry, Contact, Customer, Team, User
from app.models.activities import FOLLOWUP_ACTIONS
from app.models.customers import CONTACT_ROLES
from app.demo.common import demo_id, today_slot
from app.demo.company import seed_demo
from app.services.activities import agenda, distance_m
from app.services.normalize import company_key, email_key, phone_e164
from app.services.users import authenticate

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREDENTIALS = Path(__file__).parents[1] / "e2e" / "SEED_CREDENTIALS.txt"


def _users() -> dict[str, User]:
    return {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}


def _snapshot() -> dict:
    """Every row's id and version, table by table."""
    snap = {model.__tablename__: sorted(db.session.execute(select(model.id, model.version)).all())
            for model in (User, Team, Customer, Contact, Activity)}
    snap["audit_log"] = sorted(db.session.scalars(select(AuditEntry.id)).all())
    return snap


def _local_now(hour: int, minute: int) -> datetime:
    today = datetime.now(SHANGHAI).date()
    return datetime.combine(today, time(hour, minute), SHANGHAI)


def test_demo_company_is_complete_and_a_second_run_changes_nothing(app):
    now = _local_now(11, 0)     # pinned, so "today" straddles now whenever the suite runs
    summary = seed_demo(now=now)
    today = now.date()

    assert summary.startswith("Demo company ready: 13 users, 2 teams, 200 customers, ")
    assert 'with password "fieldline"' in summary
    assert "rep1@demo.fieldline.app" in summary and "王伟" in summary

    users = _users()
    assert Counter(u.role for u in users.values()) == {
        "rep": 7, "lead": 2, "manager": 1, "finance": 1, "cashier": 1, "admin": 1}
    assert all(u.email.endswith("@demo.fieldline.app") for u in users.values())
    assert {u.timezone for u in users.values()} == {"Asia/Shanghai"}
    assert sorted(k for k, u in users.items() if u.locale == "zh-CN") == ["rep3", "rep6"]
    assert all(u.locale == "en" for k, u in users.items() if k not in ("rep3", "rep6"))

    teams = {t.name: t for t in db.session.scalars(select(Team))}
    assert set(teams) == {"华东 East", "华南 South"}
    east, south = teams["华东 East"], teams["华南 South"]
    assert east.lead_id == users["lead.east"].id and south.lead_id == users["lead.south"].id
    members = Counter((u.team_id, u.role) for u in users.values())
    assert members[(east.id, "lead")] == members[(south.id, "lead")] == 1
    assert 3 <= members[(east.id, "rep")] <= 4 and 3 <= members[(south.id, "rep")] <= 4
    assert users["rep1"].name == "王伟" and users["rep1"].team_id == east.id

    # Everyone signs in with the demo password, including the e2e tests' accounts.
    for user in users.values():
        assert authenticate(user.email, "fieldline") == user
    assert authenticate("rep1@demo.fieldline.app", "wrong-password") is None
    for line in CREDENTIALS.read_text(encoding="utf-8").splitlines():
        email, password, role, name = line.split(maxsplit=3)
        signed_in = authenticate(email, password)
        assert (signed_in.role, signed_in.name) == (role, name)

    # Customers: spread over reps and leads, normalised exactly as the services do.
    customers = db.session.scalars(select(Customer)).all()
    assert len(customers) == 200
    by_owner = Counter(c.owner_id for c in customers)
    for key, user in users.items():
        if user.role == "rep":
            assert 20 <= by_owner[user.id] <= 35, key
        elif user.role == "lead":
            assert 1 <= by_owner[user.id] <= 10, key
        else:
            assert by_owner[user.id] == 0, key
    names = {c.name for c in customers}
    assert {"上海华联贸易有限公司", "Acme Industrial Co., Ltd.", "Golden Dragon Foods"} <= names
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)
    assert len({c.name_norm for c in customers}) == 200
    with_phone = [c for c in customers if c.phone]
    assert len(with_phone) > 150
    assert {c.phone_e164[:3] for c in with_phone} == {"+86"}
    assert any(c.phone_e164.startswith("+861") for c in with_phone)      # mobiles
    assert any(c.phone_e164.startswith("+8621") for c in with_phone)     # Shanghai lines
    assert len({c.phone for c in with_phone}) > len({c.phone_e164[:3] for c in with_phone})
    assert any(" " in c.phone for c in with_phone) and any("-" in c.phone for c in with_phone)
    for c in customers:
        assert c.name_norm == company_key(c.name)
        assert c.phone_e164 == phone_e164(c.phone, "CN")
        assert c.email_norm == email_key(c.email)
        assert c.city and c.address and c.industry and c.source
        assert c.status in ("prospect", "active", "inactive")
    cities = Counter(c.city for c in customers)
    assert {"Shanghai", "Hangzhou", "Suzhou", "Nanjing", "Guangzhou", "Shenzhen",
            "Xiamen"} <= set(cities)
    shanghai = [c for c in customers if c.city == "Shanghai"]
    assert all(abs(c.lat - 31.23) < 0.15 and abs(c.lng - 121.47) < 0.15 for c in shanghai)
    assert customers and db.session.get(Customer, demo_id("customer", 0)) is not None

    # Contacts: 1-3 each, roles from the list, bosses at the same customer.
    contacts = db.session.scalars(select(Contact)).all()
    per_customer = Counter(c.customer_id for c in contacts)
    assert set(per_customer) == {c.id for c in customers}
    assert set(per_customer.values()) <= {1, 2, 3}
    assert {c.role for c in contacts} <= set(CONTACT_ROLES)
    assert len({c.role for c in contacts}) >= 5
    by_id = {c.id: c for c in contacts}
    bosses = [c for c in contacts if c.reports_to_id]
    assert bosses
    assert all(by_id[c.reports_to_id].customer_id == c.customer_id for c in bosses)
    for c in contacts:
        assert c.mobile_e164 == phone_e164(c.mobile, "CN")
        assert c.phone_e164 == phone_e164(c.phone, "CN")
        assert c.email_norm == email_key(c.email)

    # Sixty days of history, all in the past, visits placed near (or far from) the customer.
    activities = db.session.scalars(select(Activity)).all()
    assert len(activities) > 2000
    kinds = Counter(a.kind for a in activities)
    assert {"call", "visit", "email", "meeting", "note", "task"} <= set(kinds)
    past = [a for a in activities if a.due_at is None]
    assert max(a.occurred_at for a in activities if a.occurred_at) < now
    assert min(a.occurred_at for a in past) < now - timedelta(days=55)
    assert {"interested", "follow_up", "no_answer", "not_interested", "order"} <= {
        a.outcome for a in past}
    assert any(a.duration_seconds for a in past if a.kind == "call")
    customer_by_id = {c.id: c for c in customers}
    visits = [a for a in past if a.kind == "visit" and a.lat is not None]
    for visit in visits:
        c = customer_by_id[visit.customer_id]
        assert visit.distance_m == distance_m(visit.lat, visit.lng, c.lat, c.lng)
    on_site = sum(v.distance_m <= 300 for v in visits)
    away = sum(v.distance_m > 1000 for v in visits)
    assert on_site > 4 * away > 0
    assert any(not n.isascii() for n in (a.notes for a in past) if n)
    assert any(n.isascii() for n in (a.notes for a in past) if n)
    for c in customers:
        mine = [a.occurred_at for a in past if a.customer_id == c.id]
        assert c.last_activity_at == (max(mine) if mine else None)
        visited = [a.occurred_at for a in past if a.customer_id == c.id and a.kind == "visit"]
        assert c.last_visit_at == max(visited, default=None)
    # Check-ins as the service records them: every visit has one, the seeded ones on site
    # (within 180 m, accuracy at most 60 m) verified.
    assert {a.checkin_status for a in past if a.kind == "visit"} <= {"verified", "far",
                                                                     "unverified"}
    assert all(v.checkin_status == "verified" for v in visits if v.distance_m <= 180
               and v.accuracy is not None and v.accuracy < 200)
    assert all(v.checkin_status == "far" for v in visits if v.distance_m > 1000
               and v.accuracy is not None and v.accuracy < 200)

    # Follow-ups: every rep's agenda has something overdue, due today and coming up.
    done = [a for a in activities if a.due_at is not None and a.done_at is not None]
    assert done and all(a.occurred_at == a.done_at for a in done)
    for key, user in users.items():
        day = agenda(user, today)
        counts = day["counts"]
        if user.role in ("rep", "lead"):
            due_today = [item.due_at for item in day["today"]]
            assert any(d < now for d in due_today) and any(d > now for d in due_today), key
        if user.role == "rep":
            assert 2 <= counts["overdue"] <= 6, key
            assert 3 <= counts["today"] <= 6, key
            assert 5 <= counts["upcoming"] <= 10, key
        elif user.role == "lead":
            assert min(counts.values()) >= 1, key
        else:
            assert counts == {"overdue": 0, "today": 0, "upcoming": 0}, key
    open_followups = [a for a in activities if a.due_at is not None and a.done_at is None]
    assert all(a.kind == "task" and a.action in FOLLOWUP_ACTIONS for a in open_followups)
    assert all(a.notes and a.followup_of and a.customer_id for a in open_followups)

    # Loading again changes nothing and lists the same sign-ins.
    before = _snapshot()
    again = seed_demo()
    assert again.startswith("Demo company already loaded.\n")
    assert again.split("\n", 1)[1] == summary.split("\n", 1)[1]
    assert _snapshot() == before


@pytest.mark.parametrize("clock", ["00:00", "00:03", "07:00", "11:00", "19:55", "23:50",
                                   "23:59"])
def test_todays_follow_ups_stay_today_and_straddle_now_when_they_can(clock):
    now = _local_now(*map(int, clock.split(":")))
    start = datetime.combine(now.date(), time.min, SHANGHAI)
    slots = [today_slot(now, u / 10, before_now=b) for u in range(11) for b in (True, False)]
    assert all(start <= s < start + timedelta(days=1) for s in slots)
    assert all(s != now for s in slots)
    if "08:00" <= clock <= "23:00":
        assert any(s < now for s in slots) and any(s > now for s in slots)
    before = [today_slot(now, u / 10, before_now=True) for u in range(11)]
    if clock >= "00:30":
        assert all(s < now for s in before)


def test_an_unrelated_user_with_the_demo_email_stops_the_load(app):
    from click import ClickException

    from tests import factories

    factories.make_user("admin", email="admin@demo.fieldline.app")
    with pytest.raises(ClickException, match="not made by seed-demo"):
        seed_demo()
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_demo_expense_claims_sit_at_every_step(app):
    from app.models import ExpenseClaim, ExpenseStep, Notification
    from app.services.claim_queries import count_approvals

    seed_demo(now=_local_now(11, 0))
    claims = list(db.session.scalars(select(ExpenseClaim)))
    where = Counter((c.status, c.step) for c in claims)
    assert where[("draft", None)] >= 3           # two drafts and one returned with a reason
    for step in ("lead", "manager", "finance"):
        assert where[("pending", step)] >= 1, where
    assert where[("approved", None)] >= 2 and where[("paid", None)] >= 2
    rejected = [c for c in claims if c.rejected_reason]
    assert len(rejected) == 1 and rejected[0].status == "draft"
    assert db.session.scalar(select(func.count()).select_from(ExpenseStep)
                             .where(ExpenseStep.action == "skipped")) >= 1
    users = _users()
    assert count_approvals(users["lead.east"]) >= 2 and count_approvals(users["cashier"]) >= 2
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind.like("expense_%"))) == 0
    before = sorted((c.id, c.version) for c in claims)
    seed_demo(now=_local_now(11, 0))
    assert sorted(db.session.execute(select(ExpenseClaim.id, ExpenseClaim.version)).all()) \
        == before
