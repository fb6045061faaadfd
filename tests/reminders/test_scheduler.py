"""APScheduler runs the sweep daily at the configured hour in QMS_TIMEZONE."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from fastapi.testclient import TestClient

from qms.reminders.scheduler import LeaderLock, configure


def test_the_sweep_is_scheduled_daily_at_the_hour_in_the_office_time_zone(engine, settings):
    tuned = settings.model_copy(update={"reminder_hour": 6, "timezone": "Asia/Ho_Chi_Minh"})
    scheduler = configure(BackgroundScheduler(), engine, tuned, LeaderLock(engine, tuned))
    scheduler.start(paused=True)
    job = scheduler.get_job("reminder-sweep")
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 26, 7, 0, tzinfo=hanoi))
    assert fire == datetime(2026, 11, 27, 6, 0, tzinfo=hanoi)
    assert job.misfire_grace_time == 3600 and job.coalesce and job.max_instances == 1
    assert scheduler.get_job("leader-lock") is not None
    scheduler.shutdown(wait=False)


def test_serve_starts_the_scheduler_when_it_is_on(settings):
    from qms.app import create_app

    app = create_app(settings.model_copy(update={"scheduler": "on"}))
    with TestClient(app):
        scheduler = app.state.scheduler
        assert scheduler.running and scheduler.get_job("reminder-sweep")
        other = LeaderLock(app.state.engine, settings)
        assert other.acquire() is False  # this process leads
    assert not scheduler.running
    assert other.acquire() is True
    other.release()


def test_the_scheduler_is_off_by_default(app):
    with TestClient(app):
        assert getattr(app.state, "scheduler", None) is None
