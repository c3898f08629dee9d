"""The expense report over a few years of claims: the same numbers as counting the items by
hand, two statements for the spend and the revenue whoever reads, and plans that read the
period's items from one covering index, never their claims nor a whole table."""
import random
import re
import uuid
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem
from app.services import expense_reports as report_service
from app.services.expense_spend import rebuild_expense_spend
from tests.plans import captured_statements, plan_text
from tests.api.helpers import API

START, END = date(2025, 7, 1), date(2025, 9, 30)


@pytest.fixture
def claims(world):
    """300 claims of three items each per person, over three years, in two currencies and
    every status; returns the claims as (owner_id, status, currency, [(day, category,
    amount)])."""
    rng = random.Random(7)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    made, claim_rows, item_rows = [], [], []
    for owner in (world.rep_a1, world.rep_a2, world.rep_b1, world.lead_a):
        for _ in range(300):
            claim_id = uuid.uuid4()
            first = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1000))
            status = rng.choice(("draft", "pending", "approved", "paid", "paid"))
            currency = rng.choice(("CNY", "CNY", "USD"))
            items = [(first + timedelta(days=p), rng.choice(("meals", "travel", "fuel")),
                      Decimal(rng.randint(1, 99999)) / 100) for p in range(3)]
            made.append((owner.id, status, currency, items))
            claim_rows.append({"id": claim_id, "owner_id": owner.id, "title": "Trip",
                               "currency": currency, "total": sum(i[2] for i in items),
                               "status": status, "round": 0 if status == "draft" else 1,
                               "flagged": False, "created_at": now, "updated_at": now,
                               "version": 1})
            item_rows += [{"id": uuid.uuid4(), "claim_id": claim_id, "position": p,
                           "category": category, "amount": amount, "currency": currency,
                           "spent_on": day, "over_limit": False}
                          for p, (day, category, amount) in enumerate(items)]
    db.session.execute(ExpenseClaim.__table__.insert(), claim_rows)
    db.session.execute(ExpenseItem.__table__.insert(), item_rows)
    rebuild_expense_spend()  # Core inserts bypass the session: copy the claims onto the items
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return made


def test_the_numbers_are_the_items_counted_by_hand(world, claims, client_for):
    by_rep, claims_of, by_category = defaultdict(Decimal), Counter(), defaultdict(Decimal)
    by_month = defaultdict(Decimal)
    for owner_id, status, currency, items in claims:
        counted = False
        for day, category, amount in items:
            if status in ("approved", "paid") and START <= day <= END:
                by_rep[(str(owner_id), currency)] += amount
                by_category[(category, currency)] += amount
                by_month[(f"{day:%Y-%m}", currency)] += amount
                counted = True
        claims_of[(str(owner_id), currency)] += counted
    response = client_for(world.manager).get(
        f"{API}/reports/expenses?from={START}&to={END}")
    assert response.status_code == 200, response.json
    report = response.json
    assert {(r["owner_id"], r["currency"]): Decimal(r["total"]) for r in report["by_rep"]} \
        == by_rep
    assert {(r["owner_id"], r["currency"]): r["claims"] for r in report["by_rep"]} == {
        k: n for k, n in claims_of.items() if n}
    assert {(r["category"], r["currency"]): Decimal(r["total"])
            for r in report["by_category"]} == by_category
    assert {(r["month"], r["currency"]): Decimal(r["total"]) for r in report["by_month"]} \
        == by_month
    assert [r["month"] for r in report["by_month"]] == sorted(r["month"]
                                                              for r in report["by_month"])
    totals = [Decimal(r["total"]) for r in report["by_rep"]]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize("reader", ["manager", "lead_a", "rep_a1", "finance", "cashier"])
def test_an_empty_report_is_two_statements(world, client_for, count_queries, reader):
    client = client_for(getattr(world, reader))
    url = f"{API}/reports/expenses?from={START}&to={END}"
    with count_queries() as empty:
        assert client.get(url).status_code == 200
    assert empty.n == 2  # the session, the spend (no one spent: no revenue to look up)


@pytest.mark.parametrize("reader", ["manager", "lead_a", "rep_a1", "finance", "cashier"])
def test_statements_do_not_grow_with_the_claims(world, claims, client_for, count_queries,
                                                 reader):
    client = client_for(getattr(world, reader))
    with count_queries() as counted:
        response = client.get(f"{API}/reports/expenses?from={START}&to={END}")
    assert response.status_code == 200
    # the session, the spend, the revenue of the reps who spent (none seen: no revenue)
    assert counted.n == (3 if response.json["by_rep"] else 2) <= 4, counted.statements


def _statements(actor):
    with captured_statements() as seen:
        report_service.expense_report(actor, START, END)
    return seen


@pytest.mark.parametrize("reader", ["manager", "lead_a", "rep_a1", "finance", "cashier"])
def test_the_spend_plan_reads_the_periods_items_by_index(world, claims, reader):
    spend = [s for s in _statements(getattr(world, reader)) if "expense_items" in s[0]]
    assert len(spend) == 1
    plan = plan_text(*spend[0])
    # the period's items from a covering index (by day, or by owner), the claims never
    assert "expense_claims" not in plan, plan
    if db.engine.dialect.name == "sqlite":
        assert re.search(r"SEARCH expense_items USING COVERING INDEX "
                         r"ix_expense_items_spend_(day|owner) ", plan), plan
        assert "SCAN expense_items" not in plan, plan
    else:
        assert re.search(r"(Index (Only )?Scan using|Bitmap Index Scan on) "
                         r"ix_expense_items_spend_(day|owner)", plan), plan
        assert "Seq Scan" not in plan, plan
