"""Sales reports and RFM at any company size: after random sequences of deal changes the
funnel, forecast and leaderboard equal an oracle computed from the raw tables, nobody counts
deals outside their scope, the statements are few and constant, and every plan reads the
big tables (opportunities, stage_history, orders) through an index, never a full scan."""
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Opportunity, SalesOrder, Stage, StageHistory, User
from app.services import opportunities as opportunity_service
from app.services import pipeline as pipeline_service
from app.services import orders as order_service
from app.services import reports
from tests.plans import captured_statements, plan_lines
from tests import factories
from tests.api.helpers import API

NOW = datetime.now(timezone.utc)
TODAY = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()  # the readers' (factories) today
BIG_TABLES = ("opportunities", "stage_history", "orders")
CENT = Decimal("0.01")


def _money(value) -> str:
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _shuffle_history(world, seed: int, n_deals: int = 24):
    """Deals of three reps through random creates, stage moves, amount changes, wins,
    losses and reopens (through the services), then spread over the last 200 days."""
    rnd = random.Random(seed)
    reps = [world.rep_a1, world.rep_a2, world.rep_b1]
    pipeline_service.ensure_default_stages()
    open_stages = db.session.scalars(select(Stage).where(Stage.kind == "open")
                                     .order_by(Stage.position)).all()
    deals = []
    for _ in range(n_deals):
        owner = rnd.choice(reps)
        deals.append(factories.make_opportunity(
            owner, amount=Decimal(rnd.randint(1, 99999)) / 100,
            currency=rnd.choice(("CNY", "CNY", "USD")),
            expected_close_date=TODAY + timedelta(days=rnd.randint(-10, 120)),
            probability=rnd.choice((None, None, 35))))
    for _ in range(n_deals * 4):
        deal = db.session.get(Opportunity, rnd.choice(deals).id)
        owner = db.session.get(User, deal.owner_id)
        action = rnd.choice(("stage", "stage", "amount", "win", "lose", "reopen"))
        if deal.status == "open" and action == "stage":
            opportunity_service.update_opportunity(
                owner, deal, {"stage_id": rnd.choice(open_stages).id})
        elif deal.status == "open" and action == "amount":
            opportunity_service.update_opportunity(owner, deal,
                                            {"amount": Decimal(rnd.randint(1, 99999)) / 100})
        elif deal.status == "open" and action == "win":
            opportunity_service.win_opportunity(owner, deal)
        elif deal.status == "open" and action == "lose":
            opportunity_service.lose_opportunity(owner, deal, "Price", None)
        elif deal.status == "lost" and action == "reopen":
            opportunity_service.reopen_opportunity(world.manager, deal,
                                            rnd.choice((None, rnd.choice(open_stages).id)))
        db.session.commit()
    # Spread the history back in time (creation, stays, closing): some deals fall before
    # the default 90 days, and stays last whole days.
    for deal in deals:
        shift = timedelta(days=rnd.randint(0, 200), hours=rnd.randint(0, 23))
        row = db.session.get(Opportunity, deal.id)
        row.created_at = row.created_at - shift - timedelta(days=30)
        row.closed_at = row.closed_at - shift if row.closed_at else None
        stays = db.session.scalars(select(StageHistory).where(
            StageHistory.opportunity_id == deal.id).order_by(StageHistory.entered_at)).all()
        start = NOW - shift - timedelta(days=30)
        for stay in stays:
            stay.entered_at = start
            if stay.left_at is not None:
                start = start + timedelta(days=rnd.randint(0, 9), hours=rnd.randint(0, 23))
                stay.left_at = start
    db.session.commit()
    return deals


def _oracle_funnel(owner_ids, low, high):
    stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()
    deals = {o.id: o for o in db.session.scalars(select(Opportunity))
             if o.owner_id in owner_ids and low <= o.created_at < high}
    entered, days = defaultdict(set), defaultdict(list)
    for stay in db.session.scalars(select(StageHistory)):
        if stay.opportunity_id in deals:
            entered[stay.stage_id].add(stay.opportunity_id)
            if stay.left_at is not None:
                days[stay.stage_id].append((stay.left_at - stay.entered_at).total_seconds()
                                           / 86400)
    result = {}
    for stage in stages:
        ids = entered.get(stage.id, set())
        result[stage.name] = (len(ids), _money(sum((deals[i].amount for i in ids), Decimal(0))),
                              round(sum(days[stage.id]) / len(days[stage.id]), 1)
                              if days[stage.id] else None)
    return result


def _oracle_won(owner_ids, low, high):
    won = defaultdict(lambda: [0, Decimal(0)])
    for deal in db.session.scalars(select(Opportunity).where(Opportunity.status == "won")):
        if deal.owner_id in owner_ids and low <= deal.closed_at < high:
            won[(deal.owner_id, deal.currency)][0] += 1
            won[(deal.owner_id, deal.currency)][1] += deal.amount
    return {key: (n, _money(total)) for key, (n, total) in won.items()}


def _oracle_forecast(owner_ids, start, end):
    stages = {s.id: s for s in db.session.scalars(select(Stage))}
    months = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for deal in db.session.scalars(select(Opportunity).where(Opportunity.status == "open")):
        if deal.owner_id in owner_ids and start <= deal.expected_close_date <= end:
            probability = deal.probability_override
            if probability is None:
                probability = stages[deal.stage_id].probability
            month = months[(deal.expected_close_date.strftime("%Y-%m"), deal.currency)]
            month[0] += 1
            month[1] += deal.amount
            month[2] += deal.amount * probability / 100
    return {key: (n, _money(amount), _money(weighted))
            for key, (n, amount, weighted) in months.items()}


def _scopes(world):
    everyone = {world.rep_a1.id, world.rep_a2.id, world.rep_b1.id}
    return [(world.rep_a1, {}, {world.rep_a1.id}),
            (world.lead_a, {}, {world.rep_a1.id, world.rep_a2.id}),
            (world.manager, {}, everyone),
            (world.manager, {"team_id": world.team_b.id}, {world.rep_b1.id}),
            (world.manager, {"owner_id": world.rep_a2.id}, {world.rep_a2.id}),
            (world.rep_b1, {"team_id": world.team_a.id}, set())]


@pytest.mark.parametrize("seed", [1, 2])
def test_reports_equal_the_raw_tables_after_random_changes(world, seed):
    _shuffle_history(world, seed)
    today = TODAY
    start, end = today - timedelta(days=90), today
    ahead = today + timedelta(days=90)
    for actor, filters, owner_ids in _scopes(world):
        low, high = reports.period_bounds(start, end, actor.timezone)
        funnel = reports.funnel(actor, start, end, **filters)
        assert {s["name"]: (s["entered"], s["amount"], s["avg_days_in_stage"])
                for s in funnel["stages"]} == _oracle_funnel(owner_ids, low, high)
        board = reports.leaderboard(actor, start, end, **filters)
        assert {(p["owner_id"], p["currency"]): (p["deals"], p["amount"])
                for p in board["people"]} == _oracle_won(owner_ids, low, high)
        forecast = reports.forecast(actor, today, ahead, **filters)
        assert {(m["month"], m["currency"]): (m["deals"], m["amount"], m["weighted"])
                for m in forecast["months"]} == _oracle_forecast(owner_ids, today, ahead)
        won_low, won_high = reports.period_bounds(today, ahead, actor.timezone)
        by_currency = defaultdict(lambda: [0, Decimal(0)])
        for (_, currency), (n, amount) in _oracle_won(owner_ids, won_low, won_high).items():
            by_currency[currency][0] += n
            by_currency[currency][1] += Decimal(amount)
        assert {w["currency"]: (w["deals"], w["amount"]) for w in forecast["won"]} == {
            c: (n, _money(a)) for c, (n, a) in by_currency.items()}


def test_a_deal_reentering_a_stage_counts_once_with_every_stay_averaged(world):
    pipeline_service.ensure_default_stages()
    stages = {s.name: s for s in db.session.scalars(select(Stage))}
    deal = factories.make_opportunity(world.rep_a1, amount=Decimal("40.00"))
    for stage in ("Proposal", "Qualification", "Proposal"):
        opportunity_service.update_opportunity(world.rep_a1, db.session.get(Opportunity, deal.id),
                                        {"stage_id": stages[stage].id})
    opportunity_service.lose_opportunity(
        world.rep_a1, db.session.get(Opportunity, deal.id), "Price", None)
    opportunity_service.reopen_opportunity(world.manager, db.session.get(Opportunity, deal.id))
    db.session.commit()
    stays = db.session.scalars(select(StageHistory).where(StageHistory.opportunity_id == deal.id)
                               .order_by(StageHistory.entered_at)).all()
    start = NOW - timedelta(days=20)
    for i, stay in enumerate(stays):  # stays of 1, 2, 3, ... days
        stay.entered_at = start
        if stay.left_at is not None:
            start = stay.left_at = start + timedelta(days=i + 1)
    db.session.commit()
    body = reports.funnel(world.rep_a1, TODAY - timedelta(days=90), TODAY)
    rows = {s["name"]: s for s in body["stages"]}
    # Qualification (1 d, then 3 d), Proposal (2 d, 4 d, then reopened into it: still open)
    assert (rows["Qualification"]["entered"], rows["Qualification"]["amount"],
            rows["Qualification"]["avg_days_in_stage"]) == (1, "40.00", 2.0)
    assert (rows["Proposal"]["entered"], rows["Proposal"]["avg_days_in_stage"]) == (1, 3.0)
    assert rows["Lost"]["entered"] == 1


def test_report_statements_stay_few_and_constant(world, client_for, count_queries):
    client = client_for(world.manager)
    urls = [f"{API}/reports/{name}" for name in ("funnel", "forecast", "leaderboard")]

    def measure():
        counts = []
        for url in urls:
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            counts.append(counted.n)
        return counts

    empty = measure()
    _shuffle_history(world, 3, n_deals=30)
    assert measure() == empty == [3, 3, 2]  # the session, then the report's own


# Plans ----------------------------------------------------------------------------------

def _plans(statements):
    """(statement, plan lines) for each SELECT, planned by the database with its
    parameters (``tests.plans.plan_lines``)."""
    plans = [(statement, [str(line) for line in plan_lines(statement, params)])
             for statement, params in statements
             if statement.lstrip().upper().startswith("SELECT")
             and "user_sessions" not in statement]
    db.session.rollback()
    return plans


def _assert_no_full_scan(plans):
    for statement, lines in plans:
        for line in lines:
            for table in BIG_TABLES:
                # SQLite: "SCAN t" (also "SCAN t USING [COVERING] INDEX": the whole index);
                # PostgreSQL: "Seq Scan on t", or an index scan with no condition
                assert not line.strip().startswith(f"SCAN {table}"), (line, statement)
                assert f"Seq Scan on {table} " not in line + " ", (line, statement)
        text = "\n".join(lines)
        for i, line in enumerate(lines):
            if "Index Scan" in line and any(f" on {t} " in line + " " for t in BIG_TABLES):
                assert "Index Cond" in "\n".join(lines[i + 1:i + 3]), (text, statement)


def _statements_of(app, call):
    with captured_statements() as captured:
        call()
    return captured


@pytest.mark.parametrize("who", ["rep_a1", "lead_a", "manager"])
def test_report_plans_use_an_index(world, client_for, app, who):
    _shuffle_history(world, 4, n_deals=12)
    client = client_for(getattr(world, who))
    for url in ("funnel", "forecast", "leaderboard", f"funnel?team_id={world.team_a.id}",
                f"leaderboard?owner_id={world.rep_a1.id}", "funnel?from=2024-01-01"):
        statements = _statements_of(app, lambda u=url: client.get(f"{API}/reports/{u}"))
        plans = _plans(statements)
        assert plans, url
        _assert_no_full_scan(plans)
        text = "\n".join(line for _, lines in plans for line in lines)
        if url.startswith("funnel"):  # the rollup only, never the deals nor their stays
            assert "funnel_daily" in text, (url, text)
            assert "opportunities" not in text and "stage_history" not in text, (url, text)
            assert "SCAN funnel_daily" not in text, (url, text)
        else:
            assert "opportunities" in text, (url, text)


def test_rfm_plans_read_only_the_returned_customers_orders(world, client_for, app):
    customer = factories.make_customer(world.rep_a1)
    deal = factories.make_opportunity(world.rep_a1, customer, amount=Decimal("12.00"))
    opportunity_service.win_opportunity(world.rep_a1, deal)
    db.session.commit()
    for who in (world.rep_a1, world.lead_a, world.manager):
        client = client_for(who)
        for url in (f"{API}/customers?limit=50", f"{API}/customers/{customer.id}"):
            plans = _plans(_statements_of(app, lambda u=url, c=client: c.get(u)))
            rfm = [(s, lines) for s, lines in plans if "FROM orders" in s]
            assert rfm, url
            _assert_no_full_scan(rfm)
            assert "ix_orders_customer_ordered" in "\n".join(rfm[0][1]), rfm


def test_rfm_equals_a_group_by_over_the_raw_orders(world, client_for):
    """Customers with orders of several ages, one cancelled: the list and the card show
    what a GROUP BY over all orders says."""
    rnd = random.Random(5)
    customers = [factories.make_customer(world.rep_a1, name=f"RFM {i}") for i in range(6)]
    for customer in customers[:5]:
        for _ in range(rnd.randint(1, 4)):
            deal = factories.make_opportunity(world.rep_a1, customer,
                                              amount=Decimal(rnd.randint(100, 9999)) / 100)
            _, order = opportunity_service.win_opportunity(world.rep_a1, deal)
            order.ordered_at = NOW - timedelta(days=rnd.choice((5, 60, 100, 200, 400)))
            if rnd.random() < 0.2:
                order_service.cancel_order(world.manager, order)
            db.session.commit()
    year_ago = NOW - timedelta(days=365)
    expected = {}
    for customer in customers:
        orders = db.session.scalars(select(SalesOrder).where(
            SalesOrder.customer_id == customer.id, SalesOrder.status != "cancelled")).all()
        recent = [o for o in orders if o.ordered_at >= year_ago]
        last = max((o.ordered_at for o in orders), default=None)
        first = min((o.ordered_at for o in orders), default=None)
        expected[str(customer.id)] = (
            last.isoformat().replace("+00:00", "Z")[:19] if last else None, len(recent),
            _money(sum((o.total for o in recent), Decimal(0))),
            order_service.rfm_segment(last, first, len(recent)))
    client = client_for(world.rep_a1)

    def shown(item):
        last = item["last_order_at"]
        return (last[:19] if last else None, item["orders_12m"], item["revenue_12m"],
                item["rfm_segment"])

    page = client.get(f"{API}/customers?limit=50&fields=full").json["items"]
    listed = {i["id"]: shown(i) for i in page}
    assert listed == expected
    for customer in customers:
        card = client.get(f"{API}/customers/{customer.id}").json
        assert shown(card.get("customer", card)) == expected[str(customer.id)]


@pytest.mark.parametrize("who", ["rep_a1", "lead_a", "manager"])
def test_funnel_and_forecast_read_their_rows_from_the_index_alone(world, client_for, app, who):
    """At scale a period holds tens of thousands of deals: the forecast must not look each
    one up in its table after the index (migration 0008), nor the funnel its rollup rows
    (migration 0012)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL picks among the indexes by table statistics, which a test "
                    "company does not have; test_report_plans_use_an_index covers it")
    _shuffle_history(world, 6, n_deals=12)
    client = client_for(getattr(world, who))
    # the funnel over everyone's days from the covering index; a rep's or a team's by
    # owner from the primary key (a few hundred rows per person a quarter)
    funnel_index = ("COVERING INDEX ix_funnel_daily_day_counts" if who == "manager" else
                    "INDEX sqlite_autoindex_funnel_daily_1 (owner_id=?")
    for url, wanted in (("forecast", "COVERING INDEX ix_opportunities_open_close"),
                        ("funnel", funnel_index)):
        plans = _plans(_statements_of(app, lambda u=url: client.get(f"{API}/reports/{u}")))
        text = "\n".join(line for _, lines in plans for line in lines)
        assert f"USING {wanted}" in text, (url, text)
