"""Search of customers, contacts and leads through the text index (services.search): the
same answers on SQLite (FTS5 trigram and gram tables) and PostgreSQL (pg_trgm, GIN over
the grams), kept current by every
write, rebuilt after bulk loads, constant statements, and plans that use the index."""
import random
import re
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

from app.extensions import db
from app.models import Contact, Customer, Lead
from app.models.search import SEARCH_TABLES
from app.services.normalize import company_key
from app.services.search import (
    contacts_matching, customers_matching, leads_matching, rebuild_search_index,
)
from tests.plans import captured_statements, plan_text
from tests import factories
from tests.api.helpers import API, ids


def _search(client, resource, q):
    response = client.get(f"{API}/{resource}", query_string={"q": q, "limit": 200})
    assert response.status_code == 200, response.json
    return set(ids(response.json["items"]))


@pytest.fixture
def book(world):
    """The same records on both databases: Chinese and Latin names, cities, phones."""
    rep = world.rep_a1
    c = {
        "wangwei": factories.make_customer(rep, name="王伟贸易", city="上海",
                                           phone="021-6234 5678"),
        "shanghai_wangwei": factories.make_customer(rep, name="上海王伟科技有限公司",
                                                    city="上海", phone="13912345678"),
        "acme": factories.make_customer(rep, name="Acme Co., Ltd.", city="Shanghai",
                                        phone="13800138000", email="Wei@Acme.cn"),
        "globex": factories.make_customer(rep, name="Globex", city="Suzhou",
                                          phone="0512-6666-1234", email="sales@globex.com"),
        "huawei": factories.make_customer(rep, name="上海华为科技有限公司", city="深圳",
                                          phone="0755-2878 0808", email="Hua@QQ.com"),
    }
    factories.make_customer(world.rep_b1, name="王伟物流", city="上海", phone="13800138001",
                            email="wang@acme.cn")  # someone else's: never found by rep_a1
    k = {
        "wangwei": factories.make_contact(rep, c["acme"], name="王伟", mobile="13700137000"),
        "li_wangwei": factories.make_contact(rep, c["acme"], name="李王伟",
                                             email="li@globex.com"),
        "wei": factories.make_contact(rep, c["globex"], name="Wang Wei", phone="0512-6666-9999"),
        "xiaoming": factories.make_contact(rep, c["huawei"], name="王小明",
                                           email="xm@qq.com"),
    }
    leads = {
        "wangwei": factories.make_lead(rep, name="王伟", company="上海明珠有限公司", city="上海",
                                       phone="13612345678"),
        "pearl": factories.make_lead(rep, name="Zhou Min", company="Pearl Trading Co.",
                                     city="Ningbo", email="min@pearl.cn"),
    }
    factories.make_lead(world.rep_b1, name="王伟", city="上海")  # someone else's
    return {"customers": c, "contacts": k, "leads": leads}


def _ids(records, *names):
    return {str(records[name].id) for name in names}


CUSTOMER_CASES = [
    ("王伟", ["wangwei", "shanghai_wangwei"]),          # 2: anywhere in a name
    ("上海", ["wangwei", "shanghai_wangwei", "huawei"]),  # city, and names
    ("华为", ["huawei"]),                               # inside 上海华为科技有限公司
    ("科技", ["shanghai_wangwei", "huawei"]),
    ("为科", ["huawei"]),
    ("深圳", ["huawei"]),                               # a whole city of 2
    ("qq", ["huawei"]),                                # inside an email
    ("a@", ["huawei", "acme"]),      # a gram with punctuation; as a company name: "a"
    ("@q", ["huawei"]),
    ("ai", ["acme"]),                                  # inside Shanghai
    ("上", ["wangwei", "shanghai_wangwei", "huawei"]),   # 1: the start of name or city
    ("海", []),                                        # 1, not at a start
    ("王伟科", ["shanghai_wangwei"]),                   # 3 or more: anywhere
    ("王伟科技有限公司", ["shanghai_wangwei"]),          # the legal form is not searched
    ("上海王伟", ["shanghai_wangwei"]),
    ("贸易", ["wangwei"]),                              # 2, at the end
    ("伟贸易", ["wangwei"]),
    ("acme co ltd", ["acme"]),
    ("ACME", ["acme"]),
    ("ghai", ["acme"]),                                # city, anywhere
    ("su", ["globex"]),                                # city, start
    ("h", ["huawei"]),                                 # 1: hua@qq.com, not Shanghai
    ("zh", ["globex"]),
    ("SUZHOU", ["globex"]),
    ("wei@acme", ["acme"]),
    ("acme.cn", ["acme"]),
    ("0013800", ["acme"]),                             # phone digits from the middle
    ("138 0013 8000", ["acme"]),
    ("6234 56", ["wangwei"]),
    ("+86 139", ["shanghai_wangwei"]),
    ("12", []),                                        # too few digits to be a phone
    ("13", []),                                        # 2 digits: never a phone search
    ("07", []),
    ("gl", ["globex"]),
    ("lobex", ["globex"]),
    ("lo", ["globex"]),                                # 2: inside the name
    ('"', []),
    ("%", []),
    ("_", []),
    ("x" * 100, []),
]


CONTACT_CASES = [
    ("王伟", ["wangwei", "li_wangwei"]),   # 2: anywhere in a name
    ("王", ["wangwei", "xiaoming"]),     # 1: the start of a name only
    ("李王伟", ["li_wangwei"]),
    ("小明", ["xiaoming"]),               # inside 王小明
    ("qq", ["xiaoming"]),                 # inside an email
    ("37", []),                           # 2 digits of a mobile: not a phone search
    ("伟明", []),
    ("wang wei", ["wei"]),
    ("WEI", ["wei"]),
    ("li@glo", ["li_wangwei"]),
    ("0137000", ["wangwei"]),       # mobile
    ("6666 99", ["wei"]),           # phone
    ("6666", ["wei"]),
]


LEAD_CASES = [
    ("王伟", ["wangwei"]),
    ("上海", ["wangwei"]),           # city (and the company's start)
    ("明珠", ["wangwei"]),            # 2: inside the company
    ("珠", []),                      # 1, not at a start
    ("bo", ["pearl"]),               # inside Ningbo
    ("rl", ["pearl"]),               # inside the company and the email
    ("上海明珠", ["wangwei"]),        # company, without its legal form
    ("pearl trading", ["pearl"]),
    ("ningbo", ["pearl"]),
    ("min@", ["pearl"]),
    ("zhou", ["pearl"]),
    ("1234 5678", ["wangwei"]),
]


def test_the_same_answers_on_both_databases(book, world, client_for):
    """Every case below runs on SQLite and on PostgreSQL with the same data and the same
    expected ids: two characters or more match anywhere, one matches a start."""
    client = client_for(world.rep_a1)
    for resource, cases in (("customers", CUSTOMER_CASES), ("contacts", CONTACT_CASES),
                            ("leads", LEAD_CASES)):
        wrong = [(q, sorted(expected), found)
                 for q, expected in cases
                 if (found := _search(client, resource, q)) != _ids(book[resource], *expected)]
        assert wrong == [], resource


SYLLABLES = ("an", "bo", "chen", "da", "feng", "gao", "hua", "jin", "kai", "long", "ming",
             "ning", "ping", "qing", "rui", "shan", "tai", "wen", "xin", "yang", "zhi", "guo")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def _bulk(world, n, seed=11):
    """n customers, n contacts and n leads with varied names, cities and phones, inserted
    with Core as a bulk load does, then indexed with rebuild_search_index()."""
    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    owners = [world.rep_a1, world.rep_a2, world.rep_b1, world.lead_a]
    customers, contacts, leads = [], [], []

    def word():
        return "".join(rng.choice(SYLLABLES) for _ in range(3)).title()

    def person():
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))

    def phone():
        return f"+861{rng.randint(3, 8)}{rng.randint(0, 999_999_999):09d}"

    for i in range(n):
        cid = uuid.uuid4()
        name = f"{word()} {word()} Co., Ltd." if i % 2 else f"{person()}{word()}有限公司"
        common = {"version": 1, "created_at": now, "updated_at": now}
        customers.append({"id": cid, "name": name, "name_norm": company_key(name),
                          "city": word(), "phone_e164": phone(),
                          "email_norm": f"{word().lower()}@{word().lower()}.cn",
                          "owner_id": owners[i % len(owners)].id, "status": "active",
                          "tags": [], **common})
        contacts.append({"id": uuid.uuid4(), "customer_id": cid, "name": person(),
                         "mobile_e164": phone(), **common})
        leads.append({"id": uuid.uuid4(), "name": person(), "company": f"{word()} Trading",
                      "company_norm": company_key(f"{word()} Trading"), "city": word(),
                      "phone_e164": phone(), "owner_id": owners[i % len(owners)].id,
                      "status": "open", "activity_count": 0, **common})
    db.session.execute(insert(Customer), customers)
    db.session.execute(insert(Contact), contacts)
    db.session.execute(insert(Lead), leads)
    written = rebuild_search_index()
    db.session.commit()
    return customers, contacts, leads, written


def _plan(statement, params) -> str:
    with db.engine.connect() as connection:
        return plan_text(statement, params, connection)


RECORD_TABLES = "customers|contacts|leads"


def _assert_index_plan(plan: str, search_table: str, grams: bool = False) -> None:
    """The text index (trigram, the grams of a 2-character query -- with ``grams``, only
    those --, or the B-tree range of a 1-character one) is in the plan, and customers,
    contacts and leads are only read by key (a rep's book: by owner)."""
    if db.engine.dialect.name == "sqlite":
        fts = "_grams_fts" if grams else "(_grams)?_fts"
        assert (re.search(rf"SCAN {search_table}{fts} VIRTUAL TABLE INDEX 0:M", plan)
                or not grams and f"SEARCH {search_table} USING INDEX ix_{search_table}_"
                in plan), plan
        assert not re.search(rf"\bSCAN ({RECORD_TABLES}|{search_table})\b", plan), plan
        return
    index = f"ix_{search_table}_grams" if grams else rf"ix_{search_table}_\w+"
    assert re.search(rf"Bitmap Index Scan on {index}\b", plan), plan
    lines = plan.splitlines()
    for i, line in enumerate(lines):
        node = re.search(rf"(Seq Scan|Index Scan|Index Only Scan)( Backward)?"
                         rf"( using \S+)? on ({RECORD_TABLES})\b", line)
        if node:
            detail = []
            for after in lines[i + 1:]:
                if "->" in after:
                    break
                detail.append(after)
            assert any("Index Cond" in d for d in detail), (line, plan)


def test_search_plans_use_the_text_index(world, client_for):
    customers, contacts, leads, _ = _bulk(world, 3000)
    if db.engine.dialect.name == "postgresql":
        autocommit = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    customer, contact, lead = customers[1235], contacts[2345], leads[456]
    searches = [
        ("customers", "customer_search", customer["name_norm"][2:9]),
        ("customers", "customer_search", customer["phone_e164"][5:12]),   # middle digits
        ("customers", "customer_search", customers[1234]["name_norm"][:1]),  # 王: a prefix
        ("contacts", "contact_search", contact["name"]),                  # 2-3 characters
        ("contacts", "contact_search", contact["mobile_e164"][4:11]),
        ("leads", "lead_search", lead["company"][:6]),
        ("leads", "lead_search", lead["phone_e164"][6:13]),
    ]
    for user in (world.rep_a1, world.lead_a, world.manager):
        client = client_for(user)
        for resource, search_table, q in searches:
            with captured_statements() as seen:
                response = client.get(f"{API}/{resource}", query_string={"q": q})
            assert response.status_code == 200, response.json
            statement, params = next((s, p) for s, p in seen if search_table in s)
            _assert_index_plan(_plan(statement, params), search_table)
    # Two characters from inside a field, as rare as a person's name: the gram index alone.
    # (A gram in hundreds of rows, like "an", is cheaper read from a rep's own book, by
    # owner: PostgreSQL's planner rightly does that.)
    grams = [
        ("customers", "customer_search", customers[1234]["name_norm"][1:3], customers[1234]["id"]),
        ("contacts", "contact_search", contact["name"][-2:], contact["id"]),
        ("leads", "lead_search", lead["name"][-2:], lead["id"]),
    ]
    for user in (world.rep_a1, world.manager):
        client = client_for(user)
        for resource, search_table, q, _ in grams:
            with captured_statements() as seen:
                response = client.get(f"{API}/{resource}", query_string={"q": q})
            assert response.status_code == 200, response.json
            statement, params = next((s, p) for s, p in seen if search_table in s)
            _assert_index_plan(_plan(statement, params), search_table, grams=True)
    matching = {"customers": customers_matching, "contacts": contacts_matching,
                "leads": leads_matching}
    for resource, _, q, record_id in grams:  # all matches, not the first page
        assert record_id in db.session.scalars(matching[resource](q)).all(), (resource, q)
    manager = client_for(world.manager)
    assert str(customer["id"]) in _search(manager, "customers", customer["phone_e164"][5:12])
    assert str(contact["id"]) in _search(manager, "contacts", contact["mobile_e164"][4:11])
    assert str(lead["id"]) in _search(manager, "leads", lead["phone_e164"][6:13])


def test_matches_sorted_together_are_read_from_the_text_index(world, client_for):
    """A 2-character query whose matches all sort at the end of the name order (names that
    start with one rare character): the planner must not walk the name index expecting the
    matches spread along it (PostgreSQL did at 100,000 customers: it read half of them to
    fill a page; its planner does so only at that size, which bench/ measures). Here: the
    pages come out whole and in order, and from the index."""
    _bulk(world, 3000)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    late = [{"id": uuid.uuid4(), "name": f"龟华联贸易{i:03d}", "name_norm": f"龟华联贸易{i:03d}",
             "owner_id": world.rep_a1.id, "status": "active", "tags": [], "version": 1,
             "created_at": now, "updated_at": now} for i in range(60)]
    db.session.execute(insert(Customer), late)
    rebuild_search_index()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        autocommit = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    expected = [str(c["id"]) for c in late]  # in name order already
    for user in (world.rep_a1, world.manager):
        client = client_for(user)
        with captured_statements() as seen:
            first = client.get(f"{API}/customers", query_string={"q": "华联", "limit": 50})
        assert first.status_code == 200, first.json
        statement, params = next((s, p) for s, p in seen if "customer_search" in s)
        _assert_index_plan(_plan(statement, params), "customer_search", grams=True)
        rest = client.get(f"{API}/customers", query_string={
            "q": "华联", "limit": 50, "cursor": first.json["next_cursor"]})
        assert rest.json["next_cursor"] is None
        assert [c["id"] for c in first.json["items"] + rest.json["items"]] == expected


def test_rebuild_indexes_records_inserted_in_bulk(world, client_for):
    customers, contacts, leads, written = _bulk(world, 40)
    assert written == {"customer_search": 40, "contact_search": 40, "lead_search": 40}
    manager = client_for(world.manager)
    q = customers[7]["phone_e164"][4:12]
    assert _search(manager, "customers", q) == {str(customers[7]["id"])}
    for search_table in SEARCH_TABLES:
        db.session.execute(search_table.delete())
    db.session.commit()
    assert _search(manager, "customers", q) == set()
    assert rebuild_search_index() == written
    db.session.commit()
    assert _search(manager, "customers", q) == {str(customers[7]["id"])}
    assert str(contacts[3]["id"]) in _search(manager, "contacts", contacts[3]["name"])
    assert str(leads[5]["id"]) in _search(manager, "leads", leads[5]["phone_e164"][3:10])


def test_every_write_keeps_the_index_current(book, world, client_for):
    client = client_for(world.rep_a1)
    acme, wang = book["customers"]["acme"], book["contacts"]["wangwei"]
    lead = book["leads"]["pearl"]
    assert client.patch(f"{API}/customers/{acme.id}", json={
        "name": "Initech", "city": "Xiamen", "phone": "0592-555-0199"},
        headers={"If-Match": '"1"'}).status_code == 200
    assert _search(client, "customers", "acme co ltd") == set()
    assert _search(client, "customers", "ghai") == set()
    assert _search(client, "customers", "0013800") == set()
    assert _search(client, "customers", "initech") == {str(acme.id)}
    assert _search(client, "customers", "xia") == {str(acme.id)}
    assert _search(client, "customers", "555 01") == {str(acme.id)}
    assert client.patch(f"{API}/contacts/{wang.id}", json={"mobile": "13311112222"},
                        headers={"If-Match": '"1"'}).status_code == 200
    assert _search(client, "contacts", "0137000") == set()
    assert _search(client, "contacts", "1111222") == {str(wang.id)}
    assert client.patch(f"{API}/leads/{lead.id}", json={"company": "Harbour Logistics"},
                        headers={"If-Match": '"1"'}).status_code == 200
    assert _search(client, "leads", "pearl trading") == set()
    assert _search(client, "leads", "harbour") == {str(lead.id)}
    assert client.delete(f"{API}/customers/{acme.id}",
                         headers={"If-Match": '"2"'}).status_code == 204
    assert _search(client, "customers", "initech") == set()


def test_search_statements_are_constant(world, client_for, count_queries):
    client = client_for(world.manager)
    counts = {}
    for size in (1, 30):
        _bulk(world, size, seed=size)
        for url in ("customers", "customers?q=an", "customers?q=shan", "customers?q=138 1",
                    "contacts", "contacts?q=王", "contacts?q=1390", "leads", "leads?q=trading"):
            with count_queries() as counted:
                assert client.get(f"{API}/{url}").status_code == 200
            counts.setdefault(url, set()).add(counted.n)
    assert all(len(n) == 1 for n in counts.values()), counts
    plain = {"customers": counts["customers"], "contacts": counts["contacts"],
             "leads": counts["leads"]}
    for url, n in counts.items():
        assert n == plain[url.split("?")[0]], (url, n)


def test_rebuild_search_command(app, world, client_for):
    customers, *_ = _bulk(world, 5)
    for search_table in SEARCH_TABLES:
        db.session.execute(search_table.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-search"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "customer_search: 5, contact_search: 5, lead_search: 5"
    found = _search(client_for(world.manager), "customers", customers[2]["phone_e164"][3:11])
    assert found == {str(customers[2]["id"])}
