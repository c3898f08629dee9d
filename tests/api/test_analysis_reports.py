"""The analysis reports (lead intake, product sales, lost reasons, stage performance) on a
small hand-built company whose numbers are known exactly: periods (the reader's weeks),
scoping (a rep themself, a lead their team, a manager everyone; no leak through filters),
bad input (422, never a 500), constant statements, and an index behind every query."""
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Lead, Opportunity, SalesOrder, StageHistory
from app.services import opportunities as opportunity_service
from tests import factories
from tests.api.helpers import API, assert_error, stages_by_name
from tests.plans import captured_statements, plan_lines

UTC = timezone.utc
PERIOD = "from=2026-11-02&to=2026-11-29"  # the ISO weeks 45 to 48, Mondays to Sunday
IN_PERIOD = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
BEFORE = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)


def _lead(owner, source, created_at, converted=False):
    lead = factories.make_lead(owner, source=source)
    db.session.execute(Lead.__table__.update().where(Lead.id == lead.id).values(
        created_at=created_at, status="converted" if converted else "open"))
    db.session.commit()


@pytest.fixture
def intake(world):
    """rep_a1: 3 referral (1 converted) and 1 website; rep_a2: 2 website (1 converted);
    rep_b1: 1 trade show; the pool: 1 website; and one of rep_a1's before the period."""
    monday_w45 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)         # 09:00 Shanghai, W45
    sunday_utc_monday_local = datetime(2026, 11, 8, 17, 0, tzinfo=UTC)  # Mon 01:00, W46
    _lead(world.rep_a1, "referral", monday_w45, converted=True)
    _lead(world.rep_a1, "referral", monday_w45)
    _lead(world.rep_a1, "referral", sunday_utc_monday_local)
    _lead(world.rep_a1, "website", datetime(2026, 11, 27, 3, 0, tzinfo=UTC))   # W48
    _lead(world.rep_a2, "website", sunday_utc_monday_local, converted=True)
    _lead(world.rep_a2, "website", datetime(2026, 11, 18, 3, 0, tzinfo=UTC))   # W47
    _lead(world.rep_b1, "trade_show", datetime(2026, 11, 18, 3, 0, tzinfo=UTC))
    _lead(None, "website", datetime(2026, 11, 18, 3, 0, tzinfo=UTC))
    _lead(world.rep_a1, "referral", BEFORE)
    return world


def _get(client, report, query=PERIOD):
    response = client.get(f"{API}/reports/{report}?{query}")
    assert response.status_code == 200, response.json
    return response.json


def test_lead_intake_counts_per_local_week_and_source(intake, client_for):
    body = _get(client_for(intake.manager), "lead-intake")
    assert (body["from"], body["to"]) == ("2026-11-02", "2026-11-29")
    assert [(w["week"], w["source"], w["count"]) for w in body["weeks"]] == [
        ("2026-W45", "referral", 2),
        ("2026-W46", "referral", 1), ("2026-W46", "website", 1),
        ("2026-W47", "trade_show", 1), ("2026-W47", "website", 2),
        ("2026-W48", "website", 1)]
    by_source = {s["source"]: (s["leads"], s["converted"], s["rate"])
                 for s in body["conversion"]["by_source"]}
    assert by_source == {"referral": (3, 1, 0.333), "website": (4, 1, 0.25),
                         "trade_show": (1, 0, 0.0)}
    by_owner = {p["owner_name"]: (p["leads"], p["converted"], p["rate"])
                for p in body["conversion"]["by_owner"]}
    assert by_owner == {intake.rep_a1.name: (4, 1, 0.25), intake.rep_a2.name: (2, 1, 0.5),
                        intake.rep_b1.name: (1, 0, 0.0), None: (1, 0, 0.0)}


def test_lead_intake_is_scoped(intake, client_for):
    def total(user, query=PERIOD):
        return sum(w["count"] for w in _get(client_for(user), "lead-intake", query)["weeks"])

    assert total(intake.rep_a1) == 4
    assert total(intake.rep_a1, f"{PERIOD}&owner_id={intake.rep_b1.id}") == 0  # no leak
    assert total(intake.lead_a) == 6
    assert total(intake.lead_b, f"{PERIOD}&team_id={intake.team_a.id}") == 0
    assert total(intake.manager, f"{PERIOD}&team_id={intake.team_a.id}") == 6
    assert total(intake.manager, f"{PERIOD}&owner_id={intake.rep_a2.id}") == 2
    assert total(intake.manager, "from=2026-09-28&to=2026-11-29") == 9  # rep_a1's October one


def test_the_default_period_is_the_last_twelve_whole_weeks(world, client_for):
    body = _get(client_for(world.rep_a1), "lead-intake", "")
    start, end = (datetime.fromisoformat(body[k]).date() for k in ("from", "to"))
    assert start.weekday() == 0 and (end - start).days // 7 == 11
    factories.make_lead(world.rep_a1, source="partner")  # now: in this week
    weeks = _get(client_for(world.rep_a1), "lead-intake", "")["weeks"]
    assert [(w["source"], w["count"]) for w in weeks] == [("partner", 1)]
    year, week, _ = end.isocalendar()
    assert weeks[0]["week"] == f"{year}-W{week:02d}"


@pytest.fixture
def sales(world):
    """Orders (from won deals): rep_a1 sells 3 Alpha at 100 and 2 Beta at 50 in the
    period, 1 Alpha before it and 5 Beta in a cancelled order; rep_b1 sells 1 Beta and 1
    Omega (priced in USD). Gamma sells nothing; Retired is not in the catalogue."""
    alpha = factories.make_product(name="Alpha", unit_price="100.00")
    beta = factories.make_product(name="Beta", unit_price="50.00")
    factories.make_product(name="Gamma", unit_price="10.00")
    omega = factories.make_product(name="Omega", unit_price="100.00", currency="USD")
    factories.make_product(name="Retired", unit_price="10.00", active=False)

    def order(owner, lines, when=IN_PERIOD, currency="CNY", cancel=False):
        deal = factories.make_opportunity(owner, currency=currency, lines=[
            {"product_id": p.id, "quantity": Decimal(q), "unit_price": None}
            for p, q in lines])
        _, made = opportunity_service.win_opportunity(owner, deal)
        made.ordered_at = when
        if cancel:
            made.status = "cancelled"
        db.session.commit()

    order(world.rep_a1, [(alpha, "2"), (beta, "2")])
    order(world.rep_a1, [(alpha, "1")])
    order(world.rep_a1, [(alpha, "1")], when=BEFORE)
    order(world.rep_a1, [(beta, "5")], cancel=True)
    order(world.rep_b1, [(beta, "1")])
    order(world.rep_b1, [(omega, "1")], currency="USD")
    return world


def test_product_sales_best_and_slowest_per_currency(sales, client_for):
    body = _get(client_for(sales.manager), "product-sales")
    shown = [(i["name"], i["currency"], i["quantity"], i["revenue"]) for i in body["items"]]
    assert shown == [("Alpha", "CNY", "3.00", "300.00"), ("Beta", "CNY", "3.00", "150.00"),
                     ("Gamma", "CNY", "0.00", "0.00"), ("Omega", "USD", "1.00", "100.00")]
    assert [(i["name"], i["currency"]) for i in body["best"]] == [
        ("Alpha", "CNY"), ("Beta", "CNY"), ("Omega", "USD")]
    assert [(i["name"], i["currency"]) for i in body["slowest"]] == [
        ("Gamma", "CNY"), ("Beta", "CNY"), ("Alpha", "CNY"), ("Omega", "USD")]
    mine = _get(client_for(sales.rep_a1), "product-sales")
    assert [(i["name"], i["quantity"]) for i in mine["items"]] == [
        ("Alpha", "3.00"), ("Beta", "2.00"), ("Gamma", "0.00"), ("Omega", "0.00")]
    lead_b = _get(client_for(sales.lead_b), "product-sales", f"{PERIOD}&owner_id={sales.rep_a1.id}")
    assert all(i["quantity"] == "0.00" for i in lead_b["items"])  # no leak, only the catalogue


def _decided(world, client_for):
    """rep_a1: deal 1 Qualification (4 days) -> Proposal -> won; deal 2 Qualification
    (2 days) -> lost (Price, 200.00); deal 3 still open. rep_b1: deal 4 lost (Competitor,
    USD 70.00) and deal 5 lost (Price, 30.00). All closed in the period."""
    stages = {name: uuid.UUID(s["id"])
              for name, s in stages_by_name(client_for(world.rep_a1)).items()}
    one = factories.make_opportunity(world.rep_a1, amount=Decimal("100.00"))
    two = factories.make_opportunity(world.rep_a1, amount=Decimal("200.00"))
    factories.make_opportunity(world.rep_a1, amount=Decimal("5.00"))
    four = factories.make_opportunity(world.rep_b1, amount=Decimal("70.00"), currency="USD")
    five = factories.make_opportunity(world.rep_b1, amount=Decimal("30.00"))
    rep = client_for(world.rep_a1)
    rep.patch(f"{API}/opportunities/{one.id}", json={"stage_id": str(stages["Proposal"])})
    assert rep.post(f"{API}/opportunities/{one.id}/win").status_code == 200
    rep.post(f"{API}/opportunities/{two.id}/lose", json={"reason": "Price"})
    other = client_for(world.rep_b1)
    other.post(f"{API}/opportunities/{four.id}/lose", json={"reason": "Competitor"})
    other.post(f"{API}/opportunities/{five.id}/lose", json={"reason": "Price"})
    for deal, days in ((one, 4), (two, 2)):
        stay = db.session.scalars(select(StageHistory).where(
            StageHistory.opportunity_id == deal.id,
            StageHistory.stage_id == stages["Qualification"])).one()
        stay.left_at = IN_PERIOD
        stay.entered_at = IN_PERIOD - timedelta(days=days)
    db.session.execute(Opportunity.__table__.update()
                       .where(Opportunity.status != "open").values(closed_at=IN_PERIOD))
    db.session.commit()
    return stages


def test_lost_reasons_count_and_sum_per_currency(world, client_for):
    _decided(world, client_for)
    body = _get(client_for(world.manager), "lost-reasons")
    assert body["items"] == [
        {"reason": "Price", "count": 2, "amounts": [{"currency": "CNY", "amount": "230.00"}]},
        {"reason": "Competitor", "count": 1,
         "amounts": [{"currency": "USD", "amount": "70.00"}]}]
    assert _get(client_for(world.lead_a), "lost-reasons")["items"] == [
        {"reason": "Price", "count": 1, "amounts": [{"currency": "CNY", "amount": "200.00"}]}]
    assert _get(client_for(world.manager), "lost-reasons",
                "from=2026-12-01&to=2026-12-31")["items"] == []


def test_stage_performance_win_rate_and_days(world, client_for):
    _decided(world, client_for)
    items = {i["stage"]: i for i in _get(client_for(world.rep_a1), "stage-performance")["items"]}
    assert (items["Qualification"]["entered"], items["Qualification"]["won"],
            items["Qualification"]["lost"], items["Qualification"]["win_rate"],
            items["Qualification"]["avg_days"]) == (2, 1, 1, 0.5, 3.0)
    assert (items["Proposal"]["entered"], items["Proposal"]["win_rate"]) == (1, 1.0)
    assert items["Negotiation"]["entered"] == 0 and items["Negotiation"]["win_rate"] is None
    assert "Won" not in items and "Lost" not in items  # only the stages a deal moves through
    everyone = {i["stage"]: i
                for i in _get(client_for(world.manager), "stage-performance")["items"]}
    qualification = everyone["Qualification"]
    assert (qualification["entered"], qualification["win_rate"]) == (4, 0.25)
    snoop = _get(client_for(world.rep_b1), "stage-performance",
                 f"{PERIOD}&owner_id={world.rep_a1.id}")
    assert all(i["entered"] == 0 for i in snoop["items"])


REPORTS = ("lead-intake", "product-sales", "lost-reasons", "stage-performance")


@pytest.mark.parametrize("report", REPORTS)
def test_bad_input_is_422_never_500(world, client_for, anon, report):
    rep = client_for(world.rep_a1)
    url = f"{API}/reports/{report}"
    assert_error(rep.get(f"{url}?from=2026-12-01&to=2026-01-01"), 422)
    assert_error(rep.get(f"{url}?from=2020-01-01&to=2026-01-01"), 422)  # over three years
    assert_error(rep.get(f"{url}?from=0001-01-01"), 422, location="query")
    assert_error(rep.get(f"{url}?from=yesterday"), 422, ["from"], location="query")
    assert_error(rep.get(f"{url}?team_id=1"), 422, ["team_id"], location="query")
    assert_error(rep.get(f"{url}?owner_id=x&to=2026-02-30"), 422, location="query")
    assert_error(anon.get(url), 401)
    assert rep.get(f"{url}?from=2024-01-01&to=2026-12-31").status_code == 200


def _counts(client, count_queries):
    seen = []
    for report in REPORTS:
        with count_queries() as counted:
            assert client.get(f"{API}/reports/{report}?{PERIOD}").status_code == 200
        seen.append(counted.n)
    return seen


def test_statements_do_not_grow_with_the_data(world, client_for, count_queries):
    manager = client_for(world.manager)
    empty = _counts(manager, count_queries)
    for i in range(6):
        _lead(world.rep_a2, ("referral", "website")[i % 2], IN_PERIOD + timedelta(days=i))
    _decided(world, client_for)
    product = factories.make_product(name="Delta")
    for _ in range(3):
        deal = factories.make_opportunity(world.rep_a2, lines=[
            {"product_id": product.id, "quantity": Decimal("1"), "unit_price": None}])
        _, order = opportunity_service.win_opportunity(world.rep_a2, deal)
        order.ordered_at = IN_PERIOD
        db.session.commit()
    assert _counts(manager, count_queries) == empty
    assert _counts(client_for(world.lead_a), count_queries) == empty
    assert max(empty) <= 4


BIG_TABLES = ("leads", "opportunities", "stage_history", "orders", "order_lines")


def _assert_indexed(statement, lines):
    """No full scan of a big table: SQLite's "SCAN t" (also of a whole index), PostgreSQL's
    "Seq Scan on t" or an index scan with no condition (seqscans off, tests.plans)."""
    text = "\n".join(lines) + f"\n{statement}"
    for table in BIG_TABLES:
        for i, line in enumerate(lines):
            assert not (line.strip() + " ").startswith(f"SCAN {table} "), text
            assert f"Seq Scan on {table} " not in line + " ", text
            if "Index" in line and "Scan" in line and f" on {table} " in line + " ":
                assert "Index Cond" in "\n".join(lines[i + 1:i + 3]), text


@pytest.mark.parametrize("who", ["rep_a1", "lead_a", "manager"])
def test_every_query_reads_an_index(world, client_for, app, who, sales):
    _decided(world, client_for)
    client = client_for(getattr(world, who))
    for report in REPORTS:
        with captured_statements() as statements:
            assert client.get(f"{API}/reports/{report}?from=2024-01-01&to=2026-12-31"
                              ).status_code == 200
        plans = [(s, plan_lines(s, p)) for s, p in statements
                 if s.lstrip().upper().startswith("SELECT") and "user_sessions" not in s]
        db.session.rollback()
        assert plans, report
        for statement, lines in plans:
            _assert_indexed(statement, [str(line) for line in lines])
        if db.engine.dialect.name == "sqlite" and who == "manager":
            text = "\n".join(str(line) for _, lines in plans for line in lines)
            wanted = {"lead-intake": "COVERING INDEX ix_leads_intake",
                      "product-sales": "COVERING INDEX ix_order_lines_sales",
                      "lost-reasons": "ix_opportunities_won",
                      "stage-performance": "COVERING INDEX ix_stage_history_opportunity"}
            assert wanted[report] in text, (report, text)
    assert db.session.query(SalesOrder).count() > 0
