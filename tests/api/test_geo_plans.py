"""Near me and the delta sync at a company's shape (issue 13): thousands of customers around
ten cities, open follow-ups, a history of removals, and the databases' statistics of them
(ANALYZE). Planned by SQLite and by PostgreSQL as they are (sequential scans allowed), the
near page reads the box from the index matching the scope, the follow-up counts only the
open follow-ups' index, and each half of a sync page its own (owner, time) index; neither
reads a whole table."""
import math
import random
import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from sqlalchemy import insert, select, text, update

from app.demo.content import CITIES
from app.demo.planner import offset_point
from app.extensions import db
from app.models import Activity, Customer, CustomerRemoval, User
from app.services.activities import distance_m
from app.services.normalize import company_key
from app.services.scoping import visible_customers
from tests import factories
from tests.plans import captured_statements, plan_lines
from tests.api.helpers import API

CITY = CITIES["Shanghai"]
PER_OWNER = 500


@pytest.fixture
def company(world):
    """12 owners of 500 customers each, 80% around a home city (Shanghai for team East);
    1 in 10 without a position, 1 in 30 deleted; an open follow-up on 1 in 5 and three
    logged activities on each; 3,000 removals over a year."""
    rng = random.Random(13)
    cities = list(CITIES.values())
    owners = [world.rep_a1, world.rep_a2, world.lead_a, world.rep_b1, world.lead_b]
    owners += [factories.make_user("rep", world.team_a if i % 2 else world.team_b)
               for i in range(7)]
    now = datetime.now(timezone.utc)
    customers, activities, removals = [], [], []
    for o, owner in enumerate(owners):
        east = owner in (world.rep_a1, world.rep_a2, world.lead_a)
        home = CITY if east else cities[o % len(cities)]
        for i in range(PER_OWNER):
            city = home if rng.random() < 0.8 else rng.choice(cities)
            lat, lng = offset_point(city.lat, city.lng, rng.uniform(300, 15000),
                                    rng.uniform(0, 6.283))
            placed = rng.random() >= 0.1
            changed = now - timedelta(days=rng.uniform(0, 1000))
            name = f"Plan {o}-{i} Trading"
            cid = uuid.uuid4()
            customers.append({
                "id": cid, "name": name, "name_norm": company_key(name), "owner_id": owner.id,
                "status": "active", "tags": [], "city": city.name, "version": 1,
                "lat": lat if placed else None, "lng": lng if placed else None,
                "created_at": changed, "updated_at": changed,
                "deleted_at": changed if rng.random() < 1 / 30 else None})
            for k in range(4 if rng.random() < 0.2 else 3):
                open_followup = k == 3
                activities.append({
                    "id": uuid.uuid4(), "kind": "task" if open_followup else "call",
                    "owner_id": owner.id, "customer_id": cid, "occurred_at": changed,
                    "due_at": now + timedelta(days=k) if open_followup else None,
                    "version": 1, "created_at": changed, "updated_at": changed})
            if i < 250:
                removals.append({"id": uuid.uuid4(), "customer_id": cid, "owner_id": owner.id,
                                 "removed_at": now - timedelta(days=rng.uniform(0, 365))})
    db.session.execute(insert(Customer.__table__), customers)
    db.session.execute(insert(Activity.__table__), activities)
    db.session.execute(insert(CustomerRemoval.__table__), removals)
    # The world's teams were just given their leads, which marks the leads' scope as changed
    # (their next sync would be 410): as if that was long ago.
    db.session.execute(update(User).values(scope_changed_at=None))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    yield world
    _forget_activities()


def _forget_activities():
    """On SQLite, each activity deleted is checked against every activity's followup_of
    (a foreign key without an index): emptying 20,000 takes 20 s. Delete them here with the
    checks off (nothing refers to them by then) before the usual emptying."""
    db.session.rollback()
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql("DELETE FROM activities")
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _statements(client, url):
    with captured_statements(lambda s: re.search(r"\bFROM (customers|activities)\b", s)) \
            as seen:
        response = client.get(url)
    assert response.status_code == 200, response.json
    assert response.json["items"], url
    return seen, response.json


def _plan(statement, parameters, seqscan=True):
    lines = plan_lines(statement, parameters, seqscan=seqscan)
    db.session.rollback()
    return lines


def _no_scan_even_if_small(statement, parameters, *tables):
    """No table scanned, also where PostgreSQL would rather scan this test's 6,000 rows than
    fetch a page's 50 by key (at 100,000 it fetches them): planned with scans off."""
    _no_scan(_plan(statement, parameters, seqscan=False), *tables)


def _reads(plan, table, index) -> bool:
    text_ = "\n".join(plan)
    if db.engine.dialect.name == "sqlite":
        return re.search(rf"SEARCH {table} USING (COVERING )?INDEX {index} \(", text_) is not None
    return re.search(rf"(Index Scan|Index Only Scan) using {index} on {table}"
                     rf"|Bitmap Index Scan on {index}\b", text_) is not None


def _no_scan(plan, *tables):
    for table in tables:
        for line in plan:
            assert not line.startswith(f"SCAN {table}"), "\n".join(plan)
            assert f"Seq Scan on {table} " not in line + " ", "\n".join(plan)


# A lead's team is a share of the company: the planner may read the company's box and keep
# the team's, or each member's box; reading the company's changes in order and keeping the
# team's stops at the page as soon as reading each member's. Both are bounded by the box or
# the page, so either is fine.
EITHER_BOX = "(ix_customers_owner_geo|ix_customers_geo)"
EITHER_CHANGES = "(ix_customers_owner_updated|ix_customers_updated)"
EITHER_REMOVALS = "(ix_customer_removals_owner|ix_customer_removals_removed)"


@pytest.mark.parametrize("who, index", [
    ("rep_a1", "ix_customers_owner_geo"), ("lead_a", EITHER_BOX),
    ("manager", "ix_customers_geo")])
@pytest.mark.parametrize("radius_m", [1000, 5000, 20000])
def test_near_reads_the_box_from_the_scopes_index(company, client_for, who, index, radius_m):
    client = client_for(getattr(company, who))
    seen, body = _statements(
        client, f"{API}/customers/near?lat={CITY.lat}&lng={CITY.lng}&radius_m={radius_m}")
    probe, page, counts = seen
    assert "FROM customers" in page[0] and "FROM activities" in counts[0]
    plan = _plan(*probe)  # counts in the small squares, at most a page each
    assert _reads(plan, "customers", index), "\n".join(plan)
    _no_scan_even_if_small(*probe, "customers")
    plan = _plan(*page)
    assert _reads(plan, "customers", index), "\n".join(plan)
    # (orders is empty here: the RFM plans are tested elsewhere)
    _no_scan_even_if_small(*page, "customers")
    if db.engine.dialect.name == "sqlite":  # a range of latitudes, read from the index alone
        assert re.search(rf"COVERING INDEX {index} \((owner_id=\? AND )?lat>\? AND lat<\?\)",
                         "\n".join(plan)), "\n".join(plan)
    plan = _plan(*counts)
    assert _reads(plan, "activities", "ix_activities_customer_open_followups"), "\n".join(plan)
    _no_scan(plan, "activities")


# Removals are few (a rep loses a handful a month): with a window of days, reading the
# company's from the cursor on and keeping the rep's costs PostgreSQL's planner the same as
# reading the rep's, and it may take either.
@pytest.mark.parametrize("who, changes, removals", [
    ("rep_a1", "ix_customers_owner_updated", EITHER_REMOVALS),
    ("lead_a", EITHER_CHANGES, EITHER_REMOVALS),
    ("manager", "ix_customers_updated", "ix_customer_removals_removed")])
@pytest.mark.parametrize("days", [None, 30, 89])
def test_a_sync_page_reads_each_half_from_its_index(company, client_for, who, changes,
                                                    removals, days):
    """A first download (from 2000), and syncs of a month and of nearly the 90 days the
    removals are kept."""
    client = client_for(getattr(company, who))
    since = quote((datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
                  if days else "2000-01-01T00:00:00+00:00")
    url = f"{API}/customers?updated_since={since}&limit=10"
    first, body = _statements(client, url)
    pages = [first]
    if days is None:
        # a full sync's later page (a later page of the last month's few changes sits at the
        # end of this test's data, where every plan is estimated at one row and any will do)
        pages.append(_statements(client, f"{url}&cursor={body['next_cursor']}")[0])
    for page, rows in pages:
        plan = _plan(*page)
        text_ = "\n".join(plan)
        assert _reads(plan, "customers", changes), text_
        assert _reads(plan, "customer_removals", removals), text_
        _no_scan_even_if_small(*page, "customers", "customer_removals")
        _no_scan_even_if_small(*rows, "customers")   # the page's changed customers, by key


@pytest.mark.parametrize("who", ["rep_a1", "lead_a", "manager"])
@pytest.mark.parametrize("radius_m, limit", [(5000, 5), (5000, 50), (20000, 200), (1000, 1)])
def test_near_in_a_dense_city_answers_as_over_the_whole_radius(company, client_for, who,
                                                               radius_m, limit):
    """Thousands of customers inside 5 km of People's Square: the page read from the
    probe's smaller circle is exactly the nearest of everyone in scope (checked against
    every placed customer's haversine distance here), ties by id."""
    user = getattr(company, who)
    client = client_for(user)
    here = offset_point(CITY.lat, CITY.lng, 1200, 2.0)
    body = client.get(f"{API}/customers/near?lat={here[0]}&lng={here[1]}"
                      f"&radius_m={radius_m}&limit={limit}").json
    rows = db.session.execute(visible_customers(
        select(Customer.id, Customer.lat, Customer.lng), user)
        .where(Customer.lat.is_not(None), Customer.lng.is_not(None))).all()
    # ordered by the exact distance (two may round to the same metre), then by id
    nearest = sorted((_metres(here, lat, lng), str(cid)) for cid, lat, lng in rows
                     if _metres(here, lat, lng) <= radius_m)[:limit]
    expected = [(distance_m(*here, *_point(rows, cid)), cid) for _, cid in nearest]
    assert len(expected) == limit  # the city is dense enough to fill every page
    assert [(item["distance_m"], item["id"]) for item in body["items"]] == expected


def _metres(here, lat, lng) -> float:
    """Haversine metres, not rounded (as the database orders them)."""
    p1, p2 = math.radians(here[0]), math.radians(lat)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng - here[1]) / 2) ** 2)
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _point(rows, cid):
    return next((lat, lng) for id_, lat, lng in rows if str(id_) == cid)
