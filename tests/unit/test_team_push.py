"""The team's week and month by push (issue 14): Monday 08:00 local to leads and managers,
"Week 49: team at 25% of target (expected 95%)" with what waits; the first working day of
a month (holidays and weekends skipped), last month's result; once each, never to reps,
and through the usual push delivery.

November 2026 has 21 working days (Mon-Fri); on Monday 30 November at 08:30 in Shanghai
twenty of them are over. Team East's target is 20 visits, its reps made 5."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.models.base import utcnow
from app.push.team_summary import queue_team_summaries
from app.push.texts import render_notice
from app.services import settings as settings_service
from app.services import targets as target_service
from tests import factories
from tests.unit.test_push_dispatch import run_worker, subscribe

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime(2026, 11, 1).date()
MONDAY = datetime(2026, 11, 30, 8, 30, tzinfo=SH)


def _notices(kind=None):
    query = select(Notification).order_by(Notification.kind)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


def _team_with_visits(world, push_receiver):
    target_service.create_target(world.manager, {
        "metric": "visits", "period": NOVEMBER, "team_id": world.team_a.id,
        "value": Decimal(20)})
    db.session.commit()
    for day in (3, 5, 10, 17, 24):
        factories.make_activity(world.rep_a1, kind="visit",
                                occurred_at=datetime(2026, 11, day, 10, tzinfo=SH))
    browsers = {}
    for who in ("lead_a", "manager", "rep_a1"):
        browsers[who] = push_receiver.new_browser()
        subscribe(getattr(world, who), browsers[who])
    return browsers


def test_monday_morning_the_team_against_its_target_once(app, world, push_receiver):
    browsers = _team_with_visits(world, push_receiver)
    assert queue_team_summaries(app, now=MONDAY.replace(hour=7, minute=50)) == 0
    assert queue_team_summaries(app, now=MONDAY) == 2  # the lead and the manager
    assert queue_team_summaries(app, now=MONDAY.replace(hour=11)) == 0  # once a week
    week = _notices("team_week")
    assert {n.user_id for n in week} == {world.lead_a.id, world.manager.id}
    lead = next(n for n in week if n.user_id == world.lead_a.id)
    assert lead.params == {"week": 49, "percent": 25, "expected": 95, "stale": 0, "claims": 0}
    assert render_notice("team_week", "en", lead.params) == (
        "Week 49: team at 25% of target",
        "Expected by now: 95%. Stale deals: 0. Claims waiting: 0.")
    assert render_notice("team_week", "zh-CN", lead.params)[0] == "第 49 周：团队完成目标 25%"
    for notice in week:
        notice.send_at = utcnow()
    db.session.commit()
    run_worker(app)
    [payload] = push_receiver.payloads_for(browsers["lead_a"])
    assert payload["title"] == "Week 49: team at 25% of target" and payload["url"] == "/team"
    assert push_receiver.payloads_for(browsers["rep_a1"]) == []  # reps get none


def test_without_a_team_target_it_says_what_waits(app, world, push_receiver):
    subscribe(world.lead_a, push_receiver.new_browser())
    assert queue_team_summaries(app, now=MONDAY) == 1
    [notice] = _notices()
    assert notice.kind == "team_week_no_target" and "percent" not in notice.params
    assert render_notice(notice.kind, "en", notice.params)[1].startswith("No team target set.")


def test_the_first_working_day_of_a_month_last_months_result(app, world, push_receiver):
    _team_with_visits(world, push_receiver)
    tuesday = datetime(2026, 12, 1, 8, 30, tzinfo=SH)
    assert queue_team_summaries(app, now=tuesday) == 2
    month = _notices("team_month")
    assert {n.params["month"] for n in month} == {"2026-11"}
    lead = next(n for n in month if n.user_id == world.lead_a.id)
    assert lead.params["percent"] == 25
    assert render_notice("team_month", "zh-CN", lead.params)[0] == "2026-11：团队完成目标 25%"
    assert _notices("team_week") == []  # a Tuesday


def test_a_holiday_moves_the_months_result_to_the_next_working_day(app, world,
                                                                   push_receiver):
    _team_with_visits(world, push_receiver)
    settings_service.update_settings(world.admin, {"holidays": ["2026-12-01"]})
    db.session.commit()
    assert queue_team_summaries(app, now=datetime(2026, 12, 1, 9, 0, tzinfo=SH)) == 0
    assert queue_team_summaries(app, now=datetime(2026, 12, 2, 9, 0, tzinfo=SH)) == 2
    assert {n.kind for n in _notices()} == {"team_month"}
