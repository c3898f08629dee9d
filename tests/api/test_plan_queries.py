"""Day plans read by index: every statement a plan's GET, PUT and optimise run (as the
driver received them) is planned by the database with an index, never a scan of a table
(SQLite: no ``SCAN``; PostgreSQL with sequential scans off: no ``Seq Scan``). The
company settings are read whole: a row per setting an administrator changed, a few dozen
at most."""
import re

from app.extensions import db
from tests import factories
from tests.api.helpers import API
from tests.plans import captured_statements, plan_lines

PLAN = f"{API}/plans/2026-12-10"


def _reads(statement) -> bool:
    return bool(re.match(r"\s*(SELECT|DELETE|WITH)\b", statement, re.IGNORECASE)) \
        and not re.search(r"FROM settings\s*$", statement)


def test_every_plan_statement_reads_an_index(world, client_for):
    rep = world.rep_a1
    customers = [factories.make_customer(rep, name=f"Stop {i}", lat=31.2 + i / 100, lng=121.4)
                 for i in range(4)]
    followup = factories.make_followup(rep, customers[0])
    for other in (world.rep_a2, world.rep_b1):  # rows that are not the rep's
        factories.make_followup(other, factories.make_customer(other, lat=31.3, lng=121.5))
    client = client_for(rep)
    client.patch(f"{API}/me/places", json={"home": {"lat": 31.23, "lng": 121.47}})
    body = {"start": {"place": "home"}, "end": None,
            "stops": [{"customer_id": str(c.id)} for c in customers]}
    body["stops"][0]["followup_id"] = str(followup.id)
    lead = client_for(world.lead_a)

    with captured_statements(_reads) as seen:
        assert client.put(PLAN, json=body).status_code == 201
        assert client.post(f"{PLAN}/optimise").status_code == 200
        assert client.get(PLAN).status_code == 200
        assert lead.get(f"{PLAN}?owner_id={rep.id}").status_code == 200
        assert client.get(f"{API}/me/places").status_code == 200
    assert any("day_plans" in s for s, _ in seen) and any("plan_stops" in s for s, _ in seen)
    scans = {}
    for statement, parameters in seen:
        plan = plan_lines(statement, parameters)
        if db.engine.dialect.name == "sqlite":
            bad = [line for line in plan if re.match(r"SCAN \w+", line)
                   and not line.startswith("SCAN CONSTANT")]
        else:
            bad = [line for line in plan if "Seq Scan" in line]
        if bad:
            scans[statement] = plan
    db.session.rollback()
    assert scans == {}
