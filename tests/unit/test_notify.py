"""notify(): a notice is a row in the caller's transaction, deferred out of quiet hours,
added once per dedupe key."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification
from app.services.notifications import notify
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def test_a_notice_waits_for_the_end_of_quiet_hours(app):
    rep = factories.make_user("rep")
    late = datetime(2026, 11, 23, 23, 10, tzinfo=SH)
    notice = notify(rep.id, "test", {"x": 1}, url="/customers", send_at=late)
    db.session.commit()
    stored = db.session.get(Notification, notice.id)
    assert stored.send_at == datetime(2026, 11, 24, 8, 0, tzinfo=SH)
    assert (stored.status, stored.kind, stored.params, stored.url) == \
        ("scheduled", "test", {"x": 1}, "/customers")


def test_no_quiet_hours_sends_at_once(app):
    rep = factories.make_user("rep", quiet_hours_start=time(0, 0), quiet_hours_end=time(0, 0))
    late = datetime(2026, 11, 23, 23, 10, tzinfo=SH)
    assert notify(rep.id, "test", send_at=late).send_at == late


def test_the_same_dedupe_key_adds_nothing(app):
    rep = factories.make_user("rep")
    first = notify(rep.id, "test", dedupe_key="once")
    db.session.commit()
    again = notify(rep.id, "test", dedupe_key="once")
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_rolled_back_with_the_change_that_caused_it(app):
    rep = factories.make_user("rep")
    notify(rep.id, "test")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
