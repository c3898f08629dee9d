"""The migrations build, from an empty database, exactly the schema the models describe."""
import logging
import uuid
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from app.models.search import FTS_TABLES, is_text_index_object

OLD_USER = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables every existing logger;
    returns a function that puts them back."""
    loggers = {name: logger.disabled for name, logger in logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)

    def restore():
        for name, disabled in loggers.items():
            logging.getLogger(name).disabled = disabled
        logging.root.setLevel(root_level)
        logging.root.handlers[:] = root_handlers

    return restore


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def migrated(request, tmp_path_factory):
    """A database upgraded to head from empty, with an app bound to it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'migrated.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database("fieldline_migrations")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    restore = _keep_logging()
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={
                    "compare_type": True, "include_name": _not_text_index})
                app.config["SCHEMA_DIFF"] = compare_metadata(context, db.metadata)
            yield app
        finally:
            restore()
            db.session.remove()
            db.engine.dispose()


def _not_text_index(name, type_, parent_names) -> bool:
    return not is_text_index_object(name, type_)


def _text_index_tables() -> set[str]:
    """The tables SQLite's FTS5 makes for the search index, beside the models' tables."""
    return set(FTS_TABLES) if db.engine.dialect.name == "sqlite" else set()


def _is_missing_team_lead_fk(diff) -> bool:
    return diff[0] == "add_fk" and diff[1].name == "fk_teams_lead_id"


def test_every_model_table_column_and_index_exists(migrated):
    with migrated.app_context():
        inspector = inspect(db.engine)
        tables = set(inspector.get_table_names())
        assert set(db.metadata.tables) | {"alembic_version"} | _text_index_tables() == tables
        for table in db.metadata.sorted_tables:
            columns = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert set(columns) == {c.name for c in table.columns}, table.name
            for column in table.columns:
                assert columns[column.name]["nullable"] == column.nullable, (table, column)
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name


def test_autogenerate_finds_no_other_difference(migrated):
    diff = [d for d in migrated.config["SCHEMA_DIFF"] if not _is_missing_team_lead_fk(d)]
    assert diff == []


def test_upgrading_again_is_a_no_op(migrated):
    restore = _keep_logging()
    with migrated.app_context():
        try:
            before = set(inspect(db.engine).get_table_names())
            flask_migrate.upgrade()
            assert set(inspect(db.engine).get_table_names()) == before
        finally:
            restore()


def test_team_lead_foreign_key_exists(migrated):
    """teams.lead_id -> users.id closes a cycle (users.team_id -> teams.id), so 0001 adds it
    after both tables exist; a key declared inside CREATE TABLE was silently left out on
    PostgreSQL once."""
    assert not any(_is_missing_team_lead_fk(d) for d in migrated.config["SCHEMA_DIFF"])
    with migrated.app_context():
        keys = inspect(db.engine).get_foreign_keys("teams")
        assert any(k["referred_table"] == "users" and k["constrained_columns"] == ["lead_id"]
                   for k in keys)


# Upgrading a database that has data, from each previous head ------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database("fieldline_upgrade")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    restore = _keep_logging()
    with app.app_context():
        try:
            yield app
        finally:
            restore()
            db.session.remove()
            db.engine.dispose()


def insert_old_row(table_name: str, **values) -> None:
    """A row as an older schema had it: only the given columns, typed like the models'
    (no Python-side defaults of columns the old schema did not have yet)."""
    model_table = db.metadata.tables[table_name]
    old_table = table(table_name, *(column(name, model_table.c[name].type) for name in values))
    with db.engine.begin() as connection:
        connection.execute(old_table.insert().values(**values))


def read_old_row(table_name: str, row_id, *names) -> tuple:
    """A row's given columns as an older schema has them (the model may have more now)."""
    model_table = db.metadata.tables[table_name]
    old_table = table(table_name, *(column(name, model_table.c[name].type)
                                    for name in ("id", *names)))
    with db.engine.connect() as connection:
        return tuple(connection.execute(
            select(*(old_table.c[name] for name in names))
            .where(old_table.c.id == row_id)).one())


def test_0002_keeps_users_and_gives_them_reminder_defaults(empty_app):
    """0001 -> 0002 on a database with a user: the user stays, with the default lead time
    and quiet hours; the new tables are there and empty."""
    flask_migrate.upgrade(revision="0001")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0002")
    assert read_old_row("users", OLD_USER, "email", "reminder_lead_minutes",
                        "quiet_hours_start", "quiet_hours_end") == (
        "old@x.test", 15, time(21, 0), time(8, 0))
    for name in ("settings", "push_subscriptions", "notifications", "push_deliveries"):
        assert db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar() == 0


def test_0003_keeps_activities_and_adds_the_sales_tables(empty_app):
    """0002 -> 0003 with a user and an activity: both stay, the activity has no lead, and
    the lead-to-cash tables are there and empty."""
    from app.models import Activity

    flask_migrate.upgrade(revision="0002")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    activity_id = uuid.UUID("00000000-0000-4000-8000-000000000002")
    insert_old_row("activities", id=activity_id, kind="note", owner_id=OLD_USER,
                   occurred_at=now, created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0003")
    # (only the columns 0003 has: later revisions add others to the model)
    activity = db.session.execute(select(Activity.kind, Activity.owner_id, Activity.lead_id)
                                  .where(Activity.id == activity_id)).one()
    assert tuple(activity) == ("note", OLD_USER, None)
    for name in ("leads", "stages", "products", "price_tiers", "opportunities",
                 "opportunity_lines", "stage_history", "orders", "order_lines", "payments",
                 "order_counters"):
        assert db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar() == 0


def test_0004_adds_expense_claims_to_a_database_with_users(empty_app):
    """0002 -> 0004 (through 0003) with a user in it: the user stays and can own a claim
    with items."""
    from decimal import Decimal

    from app.models import ExpenseClaim

    flask_migrate.upgrade(revision="0002")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0004")
    for name in ("expense_claims", "expense_items", "expense_receipts", "expense_steps"):
        assert db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar() == 0
    claim = ExpenseClaim(owner_id=OLD_USER, title="Trip", currency="CNY",
                         total=Decimal("10.05"), status="draft", round=0, flagged=False)
    db.session.add(claim)
    db.session.flush()
    db.session.commit()
    # the item as 0004 had it (later revisions add columns the model has now)
    insert_old_row("expense_items", id=uuid.uuid4(), claim_id=claim.id, position=0,
                   category="meals", amount=Decimal("10.05"), currency="CNY",
                   spent_on=now.date(), over_limit=False)
    assert db.session.get(ExpenseClaim, claim.id).total == Decimal("10.05")
    assert db.session.execute(text("SELECT count(*) FROM expense_items")).scalar() == 1


def test_upgrades_never_cascade_away_rows_that_point_at_rebuilt_tables(empty_app):
    """SQLite rebuilds a table to alter it (copy, drop, rename): with foreign keys on, the
    drop would delete every row pointing at it through ON DELETE CASCADE (sessions of users,
    reminders of activities). Rows of each kind, from 0001 to the head: all still there."""
    flask_migrate.upgrade(revision="0001")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    insert_old_row("user_sessions", token_hash="a" * 64, user_id=OLD_USER, created_at=now,
                   expires_at=datetime(2027, 1, 1, tzinfo=timezone.utc))
    flask_migrate.upgrade(revision="0002")
    activity_id = uuid.UUID("00000000-0000-4000-8000-000000000003")
    insert_old_row("activities", id=activity_id, kind="task", owner_id=OLD_USER,
                   due_at=now, created_at=now, updated_at=now, version=1)
    insert_old_row("notifications", id=uuid.uuid4(), user_id=OLD_USER, kind="reminder",
                   activity_id=activity_id, params={}, url="/today", actions=[],
                   send_at=now, status="scheduled", created_at=now)
    insert_old_row("push_subscriptions", id=uuid.uuid4(), user_id=OLD_USER,
                   endpoint="https://fcm.googleapis.com/x", endpoint_hash="b" * 64,
                   p256dh="k", auth="a", created_at=now)
    flask_migrate.upgrade()
    for name in ("users", "user_sessions", "activities", "notifications", "push_subscriptions"):
        assert db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar() == 1, name


def test_the_text_index_is_built_by_the_migration(migrated):
    """What models.search adds outside the models, there after the migrations as after
    create_all(): FTS5 tables (trigram, grams) and their triggers on SQLite, pg_trgm and
    gram GIN indexes on PostgreSQL."""
    from app.models.search import SEARCH_FIELDS

    with migrated.app_context():
        inspector = inspect(db.engine)
        for name, fields in SEARCH_FIELDS.items():
            if db.engine.dialect.name == "sqlite":
                triggers = set(db.session.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                    {"t": name}).scalars())
                assert triggers == {f"{name}{fts}_{op}" for fts in ("_fts", "_grams_fts")
                                    for op in ("insert", "delete", "update")}
                assert {f"{name}_fts", f"{name}_grams_fts"} <= set(inspector.get_table_names())
            else:
                indexes = {i["name"] for i in inspector.get_indexes(name)}
                assert {f"ix_{name}_{field}_trgm" for field in fields} <= indexes
                assert f"ix_{name}_grams" in indexes


def test_0006_and_0011_index_the_records_already_there(empty_app):
    """0004 -> 0006 (search) with a customer, a contact and a lead: each is found by search after
    the upgrade (the migration indexes what exists); -> 0011 (grams): found by two characters
    from inside a name too; down to 0010, the trigram search still answers; down to 0005,
    nothing of it is left."""
    from app.services.search import contacts_matching, customers_matching, leads_matching

    flask_migrate.upgrade(revision="0004")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    common = {"created_at": now, "updated_at": now, "version": 1}
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True, **common)
    customer_id, contact_id, lead_id = (uuid.UUID(f"00000000-0000-4000-8000-00000000001{i}")
                                        for i in range(3))
    insert_old_row("customers", id=customer_id, name="上海王伟科技有限公司",
                   name_norm="上海王伟科技", city="Shanghai", phone_e164="+8613800138000",
                   owner_id=OLD_USER, status="active", tags=[], **common)
    insert_old_row("contacts", id=contact_id, customer_id=customer_id, name="王伟",
                   mobile_e164="+8613912345678", **common)
    insert_old_row("leads", id=lead_id, name="Zhou Min", city="Ningbo", status="open",
                   activity_count=0, **common)
    flask_migrate.upgrade(revision="0006")

    def trigram_search_finds_them():
        assert db.session.scalars(customers_matching("王伟科")).all() == [customer_id]
        assert db.session.scalars(customers_matching("0013800")).all() == [customer_id]
        assert db.session.scalars(contacts_matching("王伟明")).all() == []
        assert db.session.scalars(leads_matching("ningbo")).all() == [lead_id]
        db.session.rollback()

    trigram_search_finds_them()  # (two characters need 0011's grams)
    flask_migrate.upgrade(revision="0011")
    if db.engine.dialect.name == "sqlite":  # FTS5 agrees with the rows it was added over
        for name in ("customer_search", "contact_search", "lead_search"):
            fts = f"{name}_grams_fts"
            db.session.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')"))
    trigram_search_finds_them()
    assert db.session.scalars(customers_matching("伟科")).all() == [customer_id]
    assert db.session.scalars(customers_matching("hai")).all() == [customer_id]
    assert db.session.scalars(customers_matching("ai")).all() == [customer_id]
    assert db.session.scalars(contacts_matching("王伟")).all() == [contact_id]
    assert db.session.scalars(leads_matching("ou")).all() == [lead_id]
    db.session.rollback()
    flask_migrate.downgrade(revision="0010")
    assert "grams" not in {c["name"] for c in inspect(db.engine).get_columns("customer_search")}
    assert not any("grams" in t for t in inspect(db.engine).get_table_names())
    assert not any("grams" in (i["name"] or "") for i in
                   inspect(db.engine).get_indexes("customer_search"))
    trigram_search_finds_them()
    flask_migrate.downgrade(revision="0005")
    left = {t for t in inspect(db.engine).get_table_names() if "_search" in t}
    assert left == set()


def test_0007_fills_the_activity_rollup_from_the_activities_there(empty_app):
    """0004 -> head (0007) on a database with activities: the rollup counts them on each owner's
    local day (Shanghai and New York), skips tasks, open follow-ups and deleted activities,
    and equals what the app's own rebuild counts."""
    from datetime import date

    from app.models import ActivityDaily
    from app.services.rollups import rebuild_activity_rollups

    flask_migrate.upgrade(revision="0004")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    new_york = uuid.UUID("00000000-0000-4000-8000-000000000009")
    for user_id, zone in ((OLD_USER, "Asia/Shanghai"), (new_york, "America/New_York")):
        insert_old_row("users", id=user_id, email=f"{user_id}@x.test", name="Old",
                       password_hash="h", role="rep", timezone=zone, locale="en",
                       active=True, created_at=now, updated_at=now, version=1,
                       reminder_lead_minutes=15, quiet_hours_start=time(21, 0),
                       quiet_hours_end=time(8, 0))
    evening = datetime(2026, 1, 1, 20, 0, tzinfo=timezone.utc)  # 2 Jan in Shanghai
    rows = [  # (owner, kind, occurred_at, due_at, done_at, deleted_at)
        (OLD_USER, "call", evening, None, None, None),
        (OLD_USER, "call", evening, None, None, None),
        (OLD_USER, "visit", now, None, None, None),
        (OLD_USER, "note", now, None, None, evening),                  # deleted
        (OLD_USER, "task", evening, now, evening, None),               # follow-up done
        (OLD_USER, "task", None, evening, None, None),                 # still open
        (new_york, "meeting", evening, None, None, None),              # 1 Jan in New York
        (new_york, "call", now, now, now, None),     # a call set as a follow-up, done
    ]
    for owner, kind, occurred_at, due_at, done_at, deleted_at in rows:
        insert_old_row("activities", id=uuid.uuid4(), kind=kind, owner_id=owner,
                       occurred_at=occurred_at, due_at=due_at, done_at=done_at,
                       deleted_at=deleted_at, created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade()

    def rollup():
        columns = ("call", "email", "visit", "meeting", "note", "followups_done")
        return {(r.owner_id, r.day): {c: getattr(r, c) for c in columns if getattr(r, c)}
                for r in db.session.scalars(select(ActivityDaily))}

    expected = {
        (OLD_USER, date(2026, 1, 1)): {"visit": 1},
        (OLD_USER, date(2026, 1, 2)): {"call": 2, "followups_done": 1},
        (new_york, date(2026, 1, 1)): {"meeting": 1},
        (new_york, date(2025, 12, 31)): {"call": 1, "followups_done": 1},
    }
    assert rollup() == expected
    assert rebuild_activity_rollups() == 4
    db.session.commit()
    assert rollup() == expected


def test_0012_fills_the_funnel_rollup_from_the_deals_there(empty_app):
    """0011 -> head on a database with deals: the funnel rollup counts each deal once per
    stage on its owner's local creation day (Shanghai and New York), its stays' lengths,
    and equals what the app's own rebuild counts."""
    from datetime import date

    from app.models import FunnelDaily
    from app.services.funnel_rollups import rebuild_funnel_rollups

    flask_migrate.upgrade(revision="0011")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    new_york = uuid.UUID("00000000-0000-4000-8000-000000000009")
    customer = uuid.UUID("00000000-0000-4000-8000-000000000010")
    first, second = (uuid.UUID(f"00000000-0000-4000-8000-00000000002{i}") for i in (1, 2))
    for user_id, zone in ((OLD_USER, "Asia/Shanghai"), (new_york, "America/New_York")):
        insert_old_row("users", id=user_id, email=f"{user_id}@x.test", name="Old",
                       password_hash="h", role="rep", timezone=zone, locale="en",
                       active=True, created_at=now, updated_at=now, version=1,
                       reminder_lead_minutes=15, quiet_hours_start=time(21, 0),
                       quiet_hours_end=time(8, 0))
    insert_old_row("customers", id=customer, name="Acme", name_norm="acme", owner_id=OLD_USER,
                   status="active", tags=[],
                   created_at=now, updated_at=now, version=1)
    for stage_id, name, position in ((first, "Qualification", 1), (second, "Proposal", 2)):
        insert_old_row("stages", id=stage_id, name=name, position=position, probability=10,
                       kind="open", active=True, created_at=now, updated_at=now, version=1)
    evening = datetime(2026, 1, 1, 20, 0, tzinfo=timezone.utc)  # 2 Jan in Shanghai
    deals = [(OLD_USER, evening, "12.34", [(first, 36), (second, 12), (first, None)]),
             (OLD_USER, now, "1.00", [(first, None)]),
             (new_york, evening, "5.50", [(first, 6), (second, None)])]  # 1 Jan there
    for n, (owner, created, amount, stays) in enumerate(deals):
        deal_id = uuid.uuid4()
        insert_old_row("opportunities", id=deal_id, customer_id=customer, name=f"D{n}",
                       owner_id=owner, stage_id=stays[-1][0], amount=Decimal(amount),
                       currency="CNY", status="open", created_at=created, updated_at=created,
                       version=1)
        entered = created
        for stage_id, hours in stays:
            left = entered + timedelta(hours=hours) if hours is not None else None
            insert_old_row("stage_history", id=uuid.uuid4(), opportunity_id=deal_id,
                           stage_id=stage_id, entered_at=entered, left_at=left)
            entered = left
    flask_migrate.upgrade()

    def rollup():
        return {(r.owner_id, r.day, r.stage_id): (r.entered, r.amount_cents, r.stay_us,
                                                  r.stays_ended)
                for r in db.session.scalars(select(FunnelDaily))}

    hour = 3600 * 10**6
    expected = {
        (OLD_USER, date(2026, 1, 2), first): (1, 1234, 36 * hour, 1),
        (OLD_USER, date(2026, 1, 2), second): (1, 1234, 12 * hour, 1),
        (OLD_USER, date(2026, 1, 1), first): (1, 100, 0, 0),
        (new_york, date(2026, 1, 1), first): (1, 550, 6 * hour, 1),
        (new_york, date(2026, 1, 1), second): (1, 550, 0, 0),
    }
    assert rollup() == expected
    db.session.execute(FunnelDaily.__table__.delete())
    assert rebuild_funnel_rollups() == 5
    db.session.commit()
    assert rollup() == expected


def test_0013_copies_each_claims_owner_and_status_onto_its_items(empty_app):
    """0012 -> head with claims: every item gets its claim's owner and status (none for a
    deleted claim's), the same as the app's own rebuild gives."""
    from app.models import ExpenseItem
    from app.services.expense_spend import rebuild_expense_spend

    flask_migrate.upgrade(revision="0012")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1, reminder_lead_minutes=15,
                   quiet_hours_start=time(21, 0), quiet_hours_end=time(8, 0))
    expected = {}
    for status, deleted_at in (("approved", None), ("paid", None), ("draft", now)):
        claim_id = uuid.uuid4()
        insert_old_row("expense_claims", id=claim_id, owner_id=OLD_USER, title=status,
                       currency="CNY", total=Decimal("3.00"), status=status, round=1,
                       flagged=False, deleted_at=deleted_at, created_at=now, updated_at=now,
                       version=1)
        for position in range(2):
            item_id = uuid.uuid4()
            insert_old_row("expense_items", id=item_id, claim_id=claim_id, position=position,
                           category="meals", amount=Decimal("1.50"), currency="CNY",
                           spent_on=now.date(), over_limit=False)
            expected[item_id] = (OLD_USER, None if deleted_at else status)
    flask_migrate.upgrade()

    def copies():
        return {i.id: (i.owner_id, i.claim_status)
                for i in db.session.scalars(select(ExpenseItem))}

    assert copies() == expected
    assert rebuild_expense_spend() == 6
    db.session.commit()
    assert copies() == expected


def test_0015_adds_day_plans_to_a_database_with_users(empty_app):
    """0014 -> 0015 with a user in it: the user stays and can have a day plan; the plan
    tables are there and empty, one plan per owner and day."""
    flask_migrate.upgrade(revision="0014")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0015")
    for name in ("day_plans", "plan_stops", "saved_places"):
        assert db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar() == 0
    plan = {"owner_id": OLD_USER, "day": now.date(), "created_at": now, "updated_at": now,
            "version": 1}
    insert_old_row("day_plans", id=uuid.uuid4(), **plan)
    with pytest.raises(IntegrityError):
        insert_old_row("day_plans", id=uuid.uuid4(), **plan)
    assert db.session.execute(text("SELECT count(*) FROM users")).scalar() == 1


def test_0016_adds_the_geo_and_sync_indexes_to_a_database_with_customers(empty_app):
    """0015 -> 0016 with a placed customer: it stays, and the near-me and sync indexes and
    the (empty) removals table are there."""
    flask_migrate.upgrade(revision="0015")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    customer_id = uuid.UUID("00000000-0000-4000-8000-000000000003")
    insert_old_row("customers", id=customer_id, name="Old Co", name_norm="old co",
                   owner_id=OLD_USER, status="active", tags=[], lat=31.2, lng=121.5,
                   created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0016")
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("customers")}
    assert {"ix_customers_owner_geo", "ix_customers_geo", "ix_customers_owner_updated",
            "ix_customers_updated"} <= indexes
    assert db.session.execute(text("SELECT count(*) FROM customer_removals")).scalar() == 0
    assert db.session.execute(text("SELECT name FROM customers")).scalar() == "Old Co"


def test_0018_indexes_the_activities_and_deals_already_there(empty_app):
    """0017 -> 0018 with a user's logged visit: it stays, and the team home's indexes (a
    rep's activities by kind, done follow-ups, open deals) exist."""
    flask_migrate.upgrade(revision="0017")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    insert_old_row("activities", id=uuid.uuid4(), kind="visit", owner_id=OLD_USER,
                   occurred_at=now, created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0018")
    inspector = inspect(db.engine)
    assert {"ix_activities_owner_kind", "ix_activities_owner_done"} <= {
        i["name"] for i in inspector.get_indexes("activities")}
    assert "ix_opportunities_owner_status" in {
        i["name"] for i in inspector.get_indexes("opportunities")}
    assert db.session.execute(text("SELECT kind FROM activities")).scalar() == "visit"


def test_0019_indexes_the_leads_and_orders_already_there(empty_app):
    """0018 -> 0019 with a lead: it stays, and the analysis reports' covering indexes on
    leads, orders and order lines exist."""
    flask_migrate.upgrade(revision="0018")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("leads", id=uuid.uuid4(), name="Zhou Min", city="Ningbo", status="open",
                   activity_count=0, created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0019")
    inspector = inspect(db.engine)
    assert {"ix_leads_intake", "ix_leads_owner_intake"} <= {
        i["name"] for i in inspector.get_indexes("leads")}
    assert {"ix_orders_ordered", "ix_orders_owner_ordered"} <= {
        i["name"] for i in inspector.get_indexes("orders")}
    assert "ix_order_lines_sales" in {i["name"] for i in inspector.get_indexes("order_lines")}
    assert db.session.execute(text("SELECT name FROM leads")).scalar() == "Zhou Min"


def test_0020_gives_users_an_empty_scope_change(empty_app):
    """-> 0020 with a user: they stay, and nobody's scope has changed yet (no phone is sent
    to download its book again by the upgrade)."""
    flask_migrate.upgrade(revision="0019")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="lead", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0020")
    assert read_old_row("users", OLD_USER, "email", "scope_changed_at") == (
        "old@x.test", None)


def test_0017_adds_targets_and_the_attainment_indexes_to_a_database_with_payments(empty_app):
    """0016 -> 0017 with a customer, an order and its payment: they stay, the targets table
    is there (empty, one target per metric, month, person and currency) and the new
    customers' and payments' indexes exist."""
    flask_migrate.upgrade(revision="0016")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    insert_old_row("users", id=OLD_USER, email="old@x.test", name="Old", password_hash="h",
                   role="rep", timezone="Asia/Shanghai", locale="en", active=True,
                   created_at=now, updated_at=now, version=1)
    customer_id, order_id = uuid.uuid4(), uuid.uuid4()
    insert_old_row("customers", id=customer_id, name="Old Co", name_norm="old co",
                   owner_id=OLD_USER, status="active", tags=[],
                   created_at=now, updated_at=now, version=1)
    insert_old_row("orders", id=order_id, number="SO-2026-00001", customer_id=customer_id,
                   owner_id=OLD_USER, currency="CNY", total=Decimal("10.00"),
                   paid=Decimal("10.00"), status="paid", ordered_at=now,
                   created_at=now, updated_at=now, version=1)
    insert_old_row("payments", id=uuid.uuid4(), order_id=order_id, amount=Decimal("10.00"),
                   received_at=now, method="cash", recorded_by=OLD_USER,
                   created_at=now, updated_at=now, version=1)
    flask_migrate.upgrade(revision="0017")
    inspector = inspect(db.engine)
    assert "ix_customers_owner_created" in {i["name"] for i in inspector.get_indexes("customers")}
    assert "ix_payments_received" in {i["name"] for i in inspector.get_indexes("payments")}
    assert db.session.execute(text("SELECT count(*) FROM targets")).scalar() == 0
    assert db.session.execute(text("SELECT count(*) FROM payments")).scalar() == 1
    target = {"metric": "visits", "period": now.date(), "owner_id": OLD_USER,
              "value": Decimal(40), "currency": "", "created_at": now, "updated_at": now,
              "version": 1}
    insert_old_row("targets", id=uuid.uuid4(), **target)
    with pytest.raises(IntegrityError):
        insert_old_row("targets", id=uuid.uuid4(), **target)
    with pytest.raises(IntegrityError):  # a person's or a team's, never both or neither
        insert_old_row("targets", id=uuid.uuid4(), **{**target, "owner_id": None})
