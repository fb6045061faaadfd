"""The sweep: stages, never twice (run twice, two processes, after a crash), catch-up,
escalation, the leader lock, e-mail digests over a real SMTP server, and the inbox."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from sqlmodel import Session, func, select

from qms.auth.models import Role
from qms.config import PROJECT_ROOT
from qms.reminders import service
from qms.reminders.models import Notification, SweepRun
from qms.reminders.rules import stage_of
from tests.reminders.rules import ANCHOR, install_fixed_rule, remove_fixed_rule


@pytest.fixture
def rule():
    install_fixed_rule()
    yield
    remove_fixed_rule()


def _count(engine, **where) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Notification)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return session.exec(query).one()


@pytest.mark.parametrize(
    ("days_before", "stage"),
    [
        (31, None),
        (30, "30d"),
        (8, "30d"),
        (7, "7d"),
        (1, "7d"),
        (0, "due"),
        (-1, "overdue-1"),
        (-7, "overdue-1"),
        (-8, "overdue-2"),
        (-15, "overdue-3"),
    ],
)
def test_stage_of_each_day(days_before, stage):
    due = date(2026, 12, 31)
    assert stage_of(due, due - timedelta(days=days_before)) == stage


def test_a_sweep_run_twice_creates_each_reminder_once(world, engine, settings, rule):
    as_of = ANCHOR - timedelta(days=10)  # department A (id 1) is due in 10 days: stage 30d
    first = service.sweep(engine=engine, settings=settings, as_of=as_of)
    again = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert first.created > 0 and again.created == 0
    assert _count(engine) == first.created
    # department A has the manager, the staff member and auditor.a
    assert _count(engine, record_id=world.dept_a.id, stage="30d") == 3


def test_each_stage_comes_once_and_overdue_escalates_to_the_manager(world, engine, settings, rule):
    dept_b_due = ANCHOR + timedelta(days=world.dept_b.id - 1)
    for day in (
        dept_b_due - timedelta(days=20),
        dept_b_due - timedelta(days=3),
        dept_b_due,
        dept_b_due + timedelta(days=2),
        dept_b_due + timedelta(days=9),
    ):
        service.sweep(engine=engine, settings=settings, as_of=day)
        service.sweep(engine=engine, settings=settings, as_of=day)
    with Session(engine) as session:
        rows = session.exec(
            select(Notification).where(Notification.record_id == world.dept_b.id)
        ).all()
    stages = sorted({r.stage for r in rows})
    assert stages == ["30d", "7d", "due", "overdue-1", "overdue-2"]
    members_b = 5  # admin, qo, auditor, manager_b (all in B) … counted below exactly
    by_stage = {s: [r for r in rows if r.stage == s] for s in stages}
    assert len({r.recipient_id for r in by_stage["due"]}) == len(by_stage["due"]) >= members_b - 1
    # manager_b is a member of B, so overdue adds no one new; in A the overdue adds nobody else either
    assert not any(r.escalation for r in by_stage["30d"])


def test_overdue_reminders_go_to_the_managers_of_a_department_not_members(
    world, engine, settings, rule
):
    from qms.auth import service as auth
    from qms.db import unit_of_work

    with unit_of_work(engine) as session:
        dept = auth.create_department(session=session, by=None, code="C", name="Phòng C")
        dept_id = dept.id
    world.person("member.c@example.org", [Role.staff], dept)
    due = ANCHOR + timedelta(days=dept_id - 1)
    service.sweep(engine=engine, settings=settings, as_of=due + timedelta(days=1))
    with Session(engine) as session:
        rows = session.exec(select(Notification).where(Notification.record_id == dept_id)).all()
    assert [(r.stage, r.escalation) for r in rows] == [("overdue-1", False)]  # C has no manager
    world.person("boss.c@example.org", [Role.manager], dept)
    service.sweep(engine=engine, settings=settings, as_of=due + timedelta(days=8))
    with Session(engine) as session:
        rows = session.exec(
            select(Notification).where(
                Notification.record_id == dept_id, Notification.stage == "overdue-2"
            )
        ).all()
    assert sorted(r.escalation for r in rows) == [False, False]  # the new manager is a member now


def test_a_missed_stage_is_sent_at_the_next_sweep(world, engine, settings, rule):
    # The server was down on the day the 30-day stage opened; the next sweep, 5 days later,
    # finds the record still in that window and sends it.
    due = ANCHOR
    service.sweep(engine=engine, settings=settings, as_of=due - timedelta(days=25))
    assert _count(engine, record_id=world.dept_a.id, stage="30d") == 3
    # Down for the whole 7-day window: on the day itself the "due" stage goes out.
    service.sweep(engine=engine, settings=settings, as_of=due)
    assert _count(engine, record_id=world.dept_a.id, stage="due") == 3


def test_a_crashed_sweep_run_again_creates_nothing_twice(
    world, engine, settings, rule, monkeypatch
):
    as_of = ANCHOR - timedelta(days=3)
    real_insert = service._insert_new
    calls = {"n": 0}

    def crash_after_insert(session, planned, sweep_id):
        real_insert(session, planned, sweep_id)
        calls["n"] += 1
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(service, "_insert_new", crash_after_insert)
    crashed = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert crashed.error.startswith("RuntimeError") and _count(engine) == 0  # rolled back whole
    monkeypatch.setattr(service, "_insert_new", real_insert)
    rerun = service.sweep(engine=engine, settings=settings, as_of=as_of)
    again = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert rerun.created == _count(engine) > 0 and again.created == 0


def _child_env(settings) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env.update(
        QMS_DATA_DIR=str(settings.data_dir),
        QMS_SECRET_KEY=settings.secret_key,
        QMS_DATABASE_URL=settings.database_url or "",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


def test_two_sweeps_in_two_processes_at_once_create_each_reminder_once(
    world, engine, settings, rule
):
    as_of = (ANCHOR - timedelta(days=2)).isoformat()
    command = [sys.executable, "-m", "tests.reminders.sweeper", "sweep", as_of]
    children = [
        subprocess.Popen(
            command, env=_child_env(settings), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=60)[0] for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    created = sorted(int(out.split()[1]) for out in outputs)
    total = _count(engine)
    assert total > 0 and sum(created) == total, (outputs, total)
    with Session(engine) as session:
        keys = session.exec(select(Notification.key)).all()
    assert len(keys) == len(set(keys))


def test_only_one_process_leads_and_a_stopped_leader_is_replaced(engine, settings):
    from qms.reminders.scheduler import LeaderLock

    command = [sys.executable, "-m", "tests.reminders.sweeper", "lead"]
    leader = subprocess.Popen(
        command,
        env=_child_env(settings),
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert leader.stdout.readline().strip() == "leader"
        follower = LeaderLock(engine, settings)
        assert follower.acquire() is False
        leader.kill()
        leader.wait(timeout=30)
        deadline = time.monotonic() + 20
        while not follower.acquire():
            assert time.monotonic() < deadline, "the lock was not released when the leader died"
            time.sleep(0.02)  # poll: free once the server has seen the leader die
        assert follower.held
        follower.release()
    finally:
        if leader.poll() is None:
            leader.kill()


# --- e-mail -----------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

        def prepare_message(self, session, envelope):
            return message_from_bytes(envelope.content, policy=policy.default)

    controller = Controller(Collect(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    controller.received = received
    yield controller
    controller.stop()


def _with_smtp(settings, port: int):
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})


def test_one_digest_per_recipient_in_their_language(world, engine, settings, rule, smtp_server):
    world.api(world.staff).patch(
        f"/api/v1/users/{world.staff.id}", json={"version": 1, "lang": "vi"}
    )
    mail_settings = _with_smtp(settings, smtp_server.port)
    run = service.sweep(engine=engine, settings=mail_settings, as_of=ANCHOR + timedelta(days=1))
    assert run.emailed == run.created > 0 and run.email_failures == 0
    by_recipient = {m["To"]: m for m in smtp_server.received}
    assert len(by_recipient) == len(smtp_server.received)  # one digest each
    staff_mail = by_recipient["staff@example.org"]
    text = staff_mail.get_body(("plain",)).get_content()
    assert "nhắc việc" in staff_mail["Subject"] and "quá hạn từ" in text
    assert "Review department A" in text and "/admin/departments#d" in text
    manager_mail = by_recipient["manager@example.org"].get_body(("plain",)).get_content()
    assert "overdue since" in manager_mail
    again = service.sweep(engine=engine, settings=mail_settings, as_of=ANCHOR + timedelta(days=1))
    assert again.emailed == 0 and len(smtp_server.received) == len(by_recipient)


def test_people_who_turned_email_off_get_only_the_inbox(world, engine, settings, rule, smtp_server):
    world.api(world.staff).patch(
        f"/api/v1/users/{world.staff.id}", json={"version": 1, "email_notifications": False}
    )
    mail_settings = _with_smtp(settings, smtp_server.port)
    service.sweep(engine=engine, settings=mail_settings, as_of=ANCHOR)
    assert "staff@example.org" not in {m["To"] for m in smtp_server.received}
    assert _count(engine, recipient_id=world.staff.id) > 0


def test_a_failed_smtp_server_loses_nothing(world, engine, settings, rule, smtp_server):
    dead_port = _free_port()  # nothing listens there
    down = service.sweep(engine=engine, settings=_with_smtp(settings, dead_port), as_of=ANCHOR)
    assert down.created > 0 and down.emailed == 0 and down.email_failures == down.created
    assert not down.error  # the sweep and the inbox went on
    assert world.api(world.staff).get("/api/v1/notifications").json()
    with Session(engine) as session:
        failed = session.exec(select(Notification).where(Notification.email_attempts == 1)).all()
    assert len(failed) == down.created and all(n.email_error for n in failed)
    page = world.browser(world.admin).get("/admin/reminders")
    assert "Failed deliveries" in page.text and "ConnectionRefusedError" in page.text

    up = service.sweep(engine=engine, settings=_with_smtp(settings, smtp_server.port), as_of=ANCHOR)
    assert up.created == 0 and up.emailed == down.created
    assert len(smtp_server.received) == len({m["To"] for m in smtp_server.received})


def test_two_deliveries_never_send_the_same_reminder(world, engine, settings, rule, smtp_server):
    from qms.reminders.delivery import deliver

    service.sweep(engine=engine, settings=settings, as_of=ANCHOR)  # no SMTP host: inbox only
    mail_settings = _with_smtp(settings, smtp_server.port)
    first = deliver(engine=engine, settings=mail_settings, claimer="a")
    second = deliver(engine=engine, settings=mail_settings, claimer="b")
    assert first[0] > 0 and second == (0, 0)


def test_user_text_in_a_digest_is_escaped(world, engine, settings, rule, smtp_server):
    from qms.auth import service as auth
    from qms.db import unit_of_work

    with unit_of_work(engine) as session:
        evil = auth.create_department(session=session, by=None, code="X", name="<script>x</script>")
    world.person("member.x@example.org", [Role.staff], evil)
    mail_settings = _with_smtp(settings, smtp_server.port)
    service.sweep(engine=engine, settings=mail_settings, as_of=ANCHOR + timedelta(days=30))
    html = "".join(m.get_body(("html",)).get_content() for m in smtp_server.received)
    assert "<script>x" not in html, html
    assert "&lt;script&gt;x" in html, html


# --- inbox and command line -------------------------------------------------------------


def test_the_inbox_shows_reminders_and_the_header_counts_them(world, engine, settings, rule):
    service.sweep(engine=engine, settings=settings, as_of=ANCHOR)
    api = world.api(world.staff)
    inbox = api.get("/api/v1/notifications").json()
    assert (
        inbox
        and inbox[0]["text"] == "Review department A – Phòng A"
        and inbox[0]["status"] == "unread"
    )
    browser = world.browser(world.staff)
    home = browser.get("/").text
    assert 'class="count overdue"' in home
    read = api.post(f"/api/v1/notifications/{inbox[0]['id']}/read")
    assert read.status_code == 200 and read.json()["status"] == "read"
    assert api.get("/api/v1/notifications", params={"unread": True}).json() == []
    assert 'class="count overdue"' not in browser.get("/").text
    # someone else's reminder does not exist for you
    assert (
        world.api(world.manager_b).post(f"/api/v1/notifications/{inbox[0]['id']}/read").status_code
        == 404
    )


def test_remind_now_prints_what_it_created(world, cli, engine, rule):
    code, output = cli("remind", "--now", "--as-of", (ANCHOR - timedelta(days=5)).isoformat())
    assert code == 0, output
    assert "Review department A" in output and "reminders created" in output
    with Session(engine) as session:
        run = session.exec(select(SweepRun)).one()
    assert run.trigger == "cli" and run.created == _count(engine) > 0
    code, output = cli("remind")
    assert code == 2


def test_a_second_sweep_the_same_day_with_nothing_changed_plans_nothing(
    world, engine, settings, rule, monkeypatch
):
    as_of = ANCHOR - timedelta(days=10)
    first = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert first.created > 0 and first.trail_seq

    def no_planning(**_kwargs):
        raise AssertionError("planned although nothing changed")

    monkeypatch.setattr(service, "plan", no_planning)
    again = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert again.error == "" and again.created == 0
    # Another day is planned: stages move with the calendar.
    later = service.sweep(engine=engine, settings=settings, as_of=as_of + timedelta(days=1))
    assert "planned although nothing changed" in later.error


def test_a_change_since_the_last_sweep_is_reminded_the_same_day(world, engine, settings):
    from tests.nonconformities import builders

    today = builders.today(world)
    as_of = today + timedelta(days=10)
    assert service.sweep(engine=engine, settings=settings, as_of=as_of).created == 0
    builders.build(world, "action_planned")  # two actions due in 14 days: stage 7d
    again = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert again.created > 0
    assert _count(engine, rule="corrective_action_due", stage="7d") == again.created


def test_a_failed_sweep_is_no_reason_to_skip_the_next(world, engine, settings, rule, monkeypatch):
    as_of = ANCHOR - timedelta(days=10)
    real_plan = service.plan

    def failing(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "plan", failing)
    crashed = service.sweep(engine=engine, settings=settings, as_of=as_of)
    assert crashed.error and crashed.trail_seq is None
    monkeypatch.setattr(service, "plan", real_plan)
    assert service.sweep(engine=engine, settings=settings, as_of=as_of).created > 0
