"""The scale company (``seed-demo --scale N``): one block has the promised rows, owned inside
the teams, dated within three years, normalised like the services do, readable through the
API, and a second run adds nothing."""
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Activity, Contact, Customer, ExpenseClaim, ExpenseItem, ExpenseStep, Lead, Notification,
    Opportunity, OpportunityLine, OrderCounter, OrderLine, Payment, SalesOrder, Stage,
    StageHistory, Team, User,
)
from app.demo.common import demo_id
from app.demo.company import seed_demo
from app.demo.sales import POOL_LEADS
from app.demo.scale import block_marker, lead_email, rep_email, seed_scale
from app.demo.scale_context import (
    ACTIVITIES_PER_CUSTOMER, BLOCK_CUSTOMERS, CLAIMS_PER_BLOCK, CONTACTS_PER_CUSTOMER,
    DEALS_PER_BLOCK, LEADS_PER_BLOCK, REPS_PER_TEAM, TEAM_COUNT, YEARS,
)
from app.services.normalize import company_key, email_key, phone_e164
from tests.conftest import ApiClient

COUNTED = (Customer, Contact, Activity, Lead, Opportunity, OpportunityLine, StageHistory,
           SalesOrder, OrderLine, Payment, ExpenseClaim, ExpenseItem, ExpenseStep, Notification,
           User, Team)


def _counts() -> dict:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in COUNTED}


def _new(before: dict, after: dict) -> dict:
    return {table: after[table] - before[table] for table in after}


def test_one_block_has_what_was_promised_and_a_second_run_adds_nothing(app):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    seed_demo(now=now)
    demo = _counts()
    summary = seed_scale(1, now=now)
    assert "(1 added, 0 already there)" in summary
    added = _new(demo, _counts())

    assert added["teams"] == TEAM_COUNT
    assert added["users"] == TEAM_COUNT * (REPS_PER_TEAM + 1)
    assert added["customers"] == BLOCK_CUSTOMERS
    assert added["contacts"] == BLOCK_CUSTOMERS * CONTACTS_PER_CUSTOMER
    assert added["activities"] == BLOCK_CUSTOMERS * ACTIVITIES_PER_CUSTOMER
    assert added["leads"] == LEADS_PER_BLOCK
    assert added["opportunities"] == DEALS_PER_BLOCK
    assert added["orders"] == DEALS_PER_BLOCK * 3 // 8
    assert added["expense_claims"] == CLAIMS_PER_BLOCK
    assert added["opportunity_lines"] >= DEALS_PER_BLOCK
    assert added["stage_history"] >= DEALS_PER_BLOCK
    assert added["expense_items"] >= CLAIMS_PER_BLOCK

    scale_people = select(User.id).where(User.email.like("scale.%"))
    customers = db.session.scalars(select(Customer).where(
        Customer.owner_id.in_(scale_people))).all()
    assert len(customers) == BLOCK_CUSTOMERS
    ids = {c.id for c in customers}
    assert block_marker(0) in ids

    # 2 in 10 customers have an open follow-up: N=1000 is 20,000 of them.
    open_followups = db.session.scalars(select(Activity).where(
        Activity.customer_id.in_(ids), Activity.due_at.is_not(None),
        Activity.done_at.is_(None))).all()
    assert len(open_followups) == BLOCK_CUSTOMERS // 5
    done = db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.customer_id.in_(ids), Activity.due_at.is_not(None),
        Activity.done_at.is_not(None)))
    assert done >= BLOCK_CUSTOMERS
    kinds = Counter(db.session.scalars(select(Activity.kind).where(Activity.customer_id.in_(ids))))
    assert {"call", "visit", "meeting", "note", "email", "task"} <= set(kinds)
    visits = db.session.scalars(select(Activity).where(
        Activity.customer_id.in_(ids), Activity.kind == "visit",
        Activity.lat.is_not(None))).all()
    assert visits and all(v.distance_m is not None for v in visits)
    assert {v.checkin_status for v in visits} == {"verified", "far"}
    last_visits = dict(db.session.execute(
        select(Activity.customer_id, func.max(Activity.occurred_at))
        .where(Activity.customer_id.in_(ids), Activity.kind == "visit")
        .group_by(Activity.customer_id)).all())
    stored = dict(db.session.execute(select(Customer.id, Customer.last_visit_at)
                                     .where(Customer.id.in_(ids))).all())
    assert stored == {i: last_visits.get(i) for i in ids}
    # The reminders the service schedules for an open follow-up that is not yet due.
    reminders = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.activity_id.in_([f.id for f in open_followups])))
    assert reminders == sum(1 for f in open_followups if f.due_at > now)

    # People: 10 teams of 10 reps, each with its lead; everything owned inside a team.
    teams = db.session.scalars(select(Team).where(Team.id.in_(
        select(User.team_id).where(User.email.like("scale.%"))))).all()
    assert len(teams) == TEAM_COUNT
    people = {u.id: u for u in db.session.scalars(select(User).where(User.email.like("scale.%")))}
    for team in teams:
        members = [u for u in people.values() if u.team_id == team.id]
        assert Counter(u.role for u in members) == {"rep": REPS_PER_TEAM, "lead": 1}
        assert team.lead_id == next(u.id for u in members if u.role == "lead")
    assert {rep_email(0), lead_email(0)} <= {u.email for u in people.values()}
    lead_of = {t.id: t.lead_id for t in teams}
    assert all(c.owner_id in people for c in customers)
    owner_of = {c.id: c.owner_id for c in customers}
    for owner_id, customer_id in db.session.execute(
            select(Activity.owner_id, Activity.customer_id)
            .where(Activity.customer_id.in_(ids))):
        assert owner_id == owner_of[customer_id]
    deals = db.session.scalars(select(Opportunity).where(Opportunity.customer_id.in_(ids))).all()
    assert all(d.owner_id == owner_of[d.customer_id] for d in deals)
    assert Counter(d.status for d in deals) == {"open": 15, "won": 15, "lost": 10}
    lose_reasons = {d.lost_reason for d in deals if d.status == "lost"}
    assert None not in lose_reasons
    stages = {s.id: s for s in db.session.scalars(select(Stage))}
    for deal in deals:
        lines = db.session.scalars(select(OpportunityLine).where(
            OpportunityLine.opportunity_id == deal.id)).all()
        assert deal.amount == sum((line.line_total for line in lines), Decimal(0))
        history = db.session.scalars(select(StageHistory).where(
            StageHistory.opportunity_id == deal.id).order_by(StageHistory.entered_at)).all()
        assert history[-1].stage_id == deal.stage_id and history[-1].left_at is None
        assert all(h.left_at is not None for h in history[:-1])
        assert stages[deal.stage_id].kind == deal.status
    orders = db.session.scalars(select(SalesOrder).where(SalesOrder.customer_id.in_(ids))).all()
    assert len(orders) == 15 and len({o.number for o in orders}) == 15
    won = {d.id: d for d in deals if d.status == "won"}
    for order in orders:
        assert won[order.opportunity_id].amount == order.total
        assert order.owner_id == won[order.opportunity_id].owner_id
        paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                                 .where(Payment.order_id == order.id))
        assert Decimal(paid) == order.paid <= order.total
    numbers = db.session.scalars(select(SalesOrder.number)).all()
    assert len(numbers) == len(set(numbers))
    for counter in db.session.scalars(select(OrderCounter)):
        assert counter.last == sum(1 for n in numbers if n.startswith(f"SO-{counter.year}-"))

    demo_pool = {demo_id("lead", "pool", i) for i in range(len(POOL_LEADS))}
    scale_leads = [lead for lead in db.session.scalars(select(Lead))
                   if lead.owner_id in people or lead.owner_id is None
                   and lead.id not in demo_pool]
    assert len(scale_leads) == LEADS_PER_BLOCK
    statuses = Counter((lead.status, lead.owner_id is None) for lead in scale_leads)
    assert statuses == {("open", True): 10, ("open", False): 2, ("converted", False): 10,
                        ("disqualified", False): 8}
    for lead in scale_leads:
        if lead.status == "converted":
            assert lead.customer_id in ids and lead.opportunity_id in {d.id for d in deals}
            assert lead.owner_id == owner_of[lead.customer_id]

    claims = db.session.scalars(select(ExpenseClaim).where(
        ExpenseClaim.owner_id.in_(people))).all()
    assert len(claims) == CLAIMS_PER_BLOCK
    assert Counter((c.status, c.step) for c in claims) == {
        ("draft", None): 3, ("pending", "lead"): 1, ("pending", "manager"): 1,
        ("pending", "finance"): 1, ("approved", None): 2, ("paid", None): 12}
    for claim in claims:
        owner = people[claim.owner_id]
        if claim.step == "lead":
            assert claim.approver_id == lead_of[owner.team_id]
        items = db.session.scalars(select(ExpenseItem).where(
            ExpenseItem.claim_id == claim.id)).all()
        assert claim.total == sum((i.amount for i in items), Decimal(0))
        steps = db.session.scalars(select(ExpenseStep).where(
            ExpenseStep.claim_id == claim.id).order_by(ExpenseStep.seq)).all()
        assert (len(steps) == 0) == (claim.round == 0)
        if claim.status == "paid":
            assert steps[-1].action == "paid" and claim.paid_at is not None

    # Dates: within three years, nothing in the future but the follow-ups still due.
    oldest = now - timedelta(days=YEARS * 366)
    claim_ids = [c.id for c in claims]
    order_ids = [o.id for o in orders]
    for column, where in (
            (Customer.created_at, Customer.id.in_(ids)),
            (Contact.created_at, Contact.customer_id.in_(ids)),
            (Activity.occurred_at, Activity.customer_id.in_(ids)),
            (Activity.created_at, Activity.customer_id.in_(ids)),
            (Opportunity.created_at, Opportunity.customer_id.in_(ids)),
            (Opportunity.closed_at, Opportunity.customer_id.in_(ids)),
            (StageHistory.entered_at, StageHistory.opportunity_id.in_([d.id for d in deals])),
            (SalesOrder.ordered_at, SalesOrder.id.in_(order_ids)),
            (Payment.received_at, Payment.order_id.in_(order_ids)),
            (Lead.created_at, Lead.id.in_([lead.id for lead in scale_leads])),
            (ExpenseClaim.created_at, ExpenseClaim.id.in_(claim_ids)),
            (ExpenseStep.created_at, ExpenseStep.claim_id.in_(claim_ids))):
        low, high = db.session.execute(select(func.min(column), func.max(column))
                                       .where(where)).one()
        assert oldest <= low and high <= now, (column, low, high)
    recent = db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.customer_id.in_(ids), Activity.occurred_at >= now - timedelta(days=365)))
    assert recent > BLOCK_CUSTOMERS * ACTIVITIES_PER_CUSTOMER / 3   # more recent, denser
    assert max(f.due_at for f in open_followups) <= now + timedelta(days=32)

    # Names, phones and emails in the forms the services store, Chinese and Latin.
    assert any(not c.name.isascii() for c in customers) and any(c.name.isascii()
                                                                for c in customers)
    for customer in customers:
        assert customer.name_norm == company_key(customer.name)
        assert customer.phone_e164 == phone_e164(customer.phone, "CN")
        assert customer.email_norm == email_key(customer.email)
        assert 20 < customer.lat < 34 and 112 < customer.lng < 123
    for contact in db.session.scalars(select(Contact).where(Contact.customer_id.in_(ids))):
        assert contact.mobile_e164 == phone_e164(contact.mobile, "CN")
        assert contact.phone_e164 == phone_e164(contact.phone, "CN")
    assert len({c.phone for c in customers if c.phone}) > 10   # typed many ways
    formats = {c.phone.startswith("+86") for c in customers if c.phone}
    assert formats == {True, False}

    # The API reads it: a rep's agenda and customers, a lead's approvals, manager reports.
    busy = min(open_followups, key=lambda f: f.due_at).owner_id   # something on the agenda
    rep = ApiClient(app, db.session.get(User, busy), password="fieldline")
    agenda = rep.get("/api/v1/agenda")
    assert agenda.status_code == 200, agenda.json
    assert sum(agenda.json["counts"].values()) >= 1
    listed = rep.get("/api/v1/customers?limit=50")
    assert listed.status_code == 200 and listed.json["items"]
    assert rep.get(f"/api/v1/customers/{listed.json['items'][0]['id']}").status_code == 200
    # bulk-inserted, yet searchable: the seed rebuilt the search index
    first = listed.json["items"][0]
    found = rep.get("/api/v1/customers", query_string={"q": first["name"][:6]})
    assert first["id"] in [c["id"] for c in found.json["items"]]
    for url in ("/api/v1/leads?limit=50", "/api/v1/leads?pool=true&limit=50",
                "/api/v1/opportunities?limit=50", "/api/v1/expenses?limit=50"):
        assert rep.get(url).status_code == 200, url
    lead = ApiClient(app, db.session.scalar(select(User).where(User.email == lead_email(0))),
                     password="fieldline")
    assert lead.get("/api/v1/approvals").status_code == 200
    manager = ApiClient(app, db.session.scalar(
        select(User).where(User.email == "manager@demo.fieldline.app")), password="fieldline")
    for report in ("funnel", "forecast", "activity", "leaderboard", "expenses"):
        answer = manager.get(f"/api/v1/reports/{report}")
        assert answer.status_code == 200, (report, answer.json)
    # bulk-inserted, yet counted: the seed rebuilt the activity rollup the report reads
    three_years = (now - timedelta(days=3 * 365)).date().isoformat()
    logged = manager.get("/api/v1/reports/activity", query_string={"from": three_years})
    assert logged.status_code == 200, logged.json
    assert sum(p["total"] for p in logged.json["people"]) > 0

    # Again: nothing added. One more block: exactly one block's rows.
    before = _counts()
    assert "(0 added, 1 already there)" in seed_scale(1, now=now)
    assert _counts() == before
    seed_scale(2, now=now)
    grown = _new(before, _counts())
    assert grown["customers"] == BLOCK_CUSTOMERS and grown["users"] == grown["teams"] == 0
    assert grown["activities"] == BLOCK_CUSTOMERS * ACTIVITIES_PER_CUSTOMER
    # Open follow-ups spread over the owners, block after block (they once went to the
    # 22 owners numbered 3 and 7 mod 10 only, and the bench's rep had an empty agenda).
    with_open = db.session.scalars(select(func.distinct(Activity.owner_id)).where(
        Activity.owner_id.in_(scale_people), Activity.due_at.is_not(None),
        Activity.done_at.is_(None))).all()
    assert len(with_open) >= 35, len(with_open)


def test_the_command_takes_scale_and_refuses_a_negative_one(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo", "--scale", "-1"])
    assert refused.exit_code == 2 and "Invalid value for '--scale'" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0

    loaded = runner.invoke(args=["seed-demo", "--scale", "1"])
    assert loaded.exit_code == 0, loaded.output
    assert "Demo company ready" in loaded.output
    assert "Scale company: 1 blocks of 100 customers (1 added, 0 already there)" in loaded.output
    again = runner.invoke(args=["seed-demo", "--scale", "1"])
    assert "Demo company already loaded" in again.output and "(0 added, 1 already there)" \
        in again.output
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 200 + BLOCK_CUSTOMERS
