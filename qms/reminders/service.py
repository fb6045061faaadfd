"""The sweep: from the rules' findings to notification rows (each made once), then e-mail.

A notification's key is unique, and rows are inserted with ON CONFLICT DO NOTHING, so a
sweep run twice, two sweeps at once in two processes, or a sweep re-run after a crash never
make the same reminder twice. E-mail is claimed row by row before sending, so two sweeps
never send the same reminder; a failed send is released and tried at the next sweep.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from qms.auth.models import Role, User, UserRole
from qms.config import Settings
from qms.db import refresh_statistics, unit_of_work, utcnow
from qms.errors import NotFound
from qms.reminders import rules as rules_module
from qms.reminders.models import Notification, SweepRun
from qms.trail import service as trail
from qms.trail.models import TrailEvent

log = logging.getLogger("qms.reminders")
CLAIM_TIMEOUT = timedelta(minutes=15)
MAX_EMAIL_ATTEMPTS = 10


@dataclass(frozen=True)
class Planned:
    key: str
    rule: str
    record_type: str
    record_id: int
    due_on: date
    stage: str
    recipient_id: int
    escalation: bool
    message: str
    params: str
    url: str


def plan(
    *, session: Session, as_of: date, windows: rules_module.Windows | None = None
) -> list[Planned]:
    """Every reminder that should exist as of the day, computed from the records; given
    `windows`, only those whose stage opened in them (the rest exist already)."""
    planned: dict[str, Planned] = {}
    managers: dict[int, list[int]] = {}
    for name, find in rules_module.RULES:
        found = (
            find(session, as_of, windows=windows)
            if windows is not None and rules_module.windows_of(find)
            else find(session, as_of)
        )
        for due in found:
            stage = rules_module.stage_of(due.due_on, as_of)
            if stage is None or (windows is not None and not windows.opens(due.due_on)):
                continue
            recipients = {(uid, False) for uid in due.recipients}
            if rules_module.is_overdue(stage) and due.department_id is not None:
                if not managers:
                    managers = _managers_by_department(session)
                recipients |= {
                    (uid, True)
                    for uid in managers.get(due.department_id, ())
                    if uid not in due.recipients
                }
            for recipient_id, escalation in recipients:
                key = ":".join(
                    (
                        name,
                        due.record_type,
                        str(due.record_id),
                        due.due_on.isoformat(),
                        stage,
                        str(recipient_id),
                    )
                )
                planned[key] = Planned(
                    key=key,
                    rule=name,
                    record_type=due.record_type,
                    record_id=due.record_id,
                    due_on=due.due_on,
                    stage=stage,
                    recipient_id=recipient_id,
                    escalation=escalation,
                    message=due.message,
                    params=trail.canonical_json(due.params),
                    url=due.url,
                )
    return list(planned.values())


def _managers_by_department(session: Session) -> dict[int, list[int]]:
    """The active managers of every department, in one query (`auth.managers_of` for all);
    {-1: []} when there are none, so the caller asks only once."""
    rows = session.exec(
        select(User.department_id, User.id).where(
            col(User.is_active).is_(True),
            col(User.department_id).is_not(None),
            col(User.id).in_(select(UserRole.user_id).where(UserRole.role == Role.manager.value)),
        )
    ).all()
    found: dict[int, list[int]] = {-1: []}
    for department_id, user_id in rows:
        found.setdefault(department_id, []).append(user_id)
    return found


def _insert_new(session: Session, planned: list[Planned], sweep_id: int) -> int:
    """Insert the reminders whose key is new; returns how many were inserted.

    Keys already made are filtered out first (the daily case: nearly every reminder still
    due was made by an earlier sweep), and the rest go in as one executemany. Building a
    500-row multi-VALUES statement per chunk cost 15 s for 9,000 reminders at full size,
    most of it compiling SQL. ON CONFLICT DO NOTHING still covers a concurrent sweep.
    """
    if not planned:
        return 0
    existing: set[str] = set()
    keys = [p.key for p in planned]
    for start in range(0, len(keys), 500):
        existing.update(
            session.exec(
                select(Notification.key).where(col(Notification.key).in_(keys[start : start + 500]))
            ).all()
        )
    fresh = [p for p in planned if p.key not in existing]
    if not fresh:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {
            **p.__dict__,
            "sweep_id": sweep_id,
            "created_at": now,
            "email_attempts": 0,
            "email_error": "",
            "read_at": None,
        }
        for p in fresh
    ]
    statement = (
        insert(Notification)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Notification.id)
    )
    return len(session.execute(statement, rows).all())


def _trail_head(session: Session) -> int:
    return session.exec(select(func.coalesce(func.max(TrailEvent.seq), 0))).one()


def _unchanged_since(session: Session, *, before: int) -> SweepRun | None:
    """The last sweep to finish, when it finished cleanly and no record has changed since
    it planned: all of its day's reminders were made, and only the calendar moved since.

    Reminders are a function of the records and the day; every change to a record goes
    through a service that appends a trail event in the same transaction. So the trail's
    sequence says whether anything changed (one indexed lookup), however large the backlog.
    """
    last = session.exec(
        select(SweepRun)
        .where(SweepRun.id < before, col(SweepRun.finished_at).is_not(None))
        .order_by(col(SweepRun.id).desc())
        .limit(1)
    ).first()
    if last is None or last.error or last.trail_seq is None:
        return None
    changed = session.exec(
        select(TrailEvent.seq)
        .where(TrailEvent.seq > last.trail_seq, TrailEvent.action != "sweep_run")
        .limit(1)
    ).first()
    return last if changed is None else None


def sweep(
    *, engine: Engine, settings: Settings, as_of: date, trigger: str = "manual", mailer=None
) -> SweepRun:
    """One sweep: plan, insert what is new, send e-mail digests; returns its record."""
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        run = SweepRun(as_of=as_of, trigger=trigger, host=socket.gethostname()[:128])
        session.add(run)
        session.flush()
        run_id = run.id
    created = emailed = failures = 0
    error = ""
    trail_seq = None
    unchanged = False
    try:
        with unit_of_work(engine) as session:
            trail_seq = _trail_head(session)
            last = _unchanged_since(session, before=run_id)
            unchanged = last is not None and last.as_of == as_of
            # Only the calendar moved since an earlier day's complete sweep:
            # the reminders new today are those whose stage opened since (the next day's
            # sweep reads a few days of due dates and one day in seven of the backlog).
            windows = (
                rules_module.Windows(
                    after=last.as_of, as_of=as_of, dialect=session.get_bind().dialect.name
                )
                if last is not None and last.as_of < as_of
                else None
            )
            if not unchanged:
                created = _insert_new(
                    session, plan(session=session, as_of=as_of, windows=windows), run_id
                )
        if settings.smtp_host:
            from qms.reminders.delivery import deliver

            emailed, failures = deliver(
                engine=engine, settings=settings, claimer=f"sweep-{run_id}", mailer=mailer
            )
    except Exception as exc:  # the run's record says what stopped it; the next sweep redoes it
        log.exception("reminder sweep %s failed", run_id)
        error = f"{type(exc).__name__}: {exc}"
    try:
        # Nothing changed since the last sweep refreshed them: the statistics still hold
        # (and ANALYZE, even bounded, costs more on a bigger database).
        if not unchanged:
            refresh_statistics(engine)
    except Exception:  # statistics only help the planner: never fail the sweep for them
        log.exception("refreshing the query planner's statistics failed")
    with unit_of_work(engine) as session:
        run = session.get(SweepRun, run_id)
        run.finished_at = utcnow()
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.created, run.emailed, run.email_failures, run.error = created, emailed, failures, error
        run.trail_seq = trail_seq if not error else None
        session.add(run)
        trail.record(
            session=session,
            actor=None,
            action="sweep_run",
            record_type="sweep_run",
            record_id=run_id,
            changes={
                "as_of": [None, as_of],
                "created": [None, created],
                "emailed": [None, emailed],
            },
            reason=error,
        )
    return run


# --- the inbox --------------------------------------------------------------------------


def inbox(
    *, session: Session, user: User, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[Notification]:
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    query = query.order_by(
        col(Notification.read_at).is_(None).desc(), col(Notification.due_on), col(Notification.id)
    )
    return list(session.exec(query.offset(offset).limit(limit)).all())


def inbox_count(*, session: Session, user: User, unread_only: bool = False) -> int:
    """How many reminders the inbox holds (for its pager)."""
    query = select(func.count()).select_from(Notification)
    query = query.where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    return int(session.exec(query).one())


def unread_count(*, session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == user_id, col(Notification.read_at).is_(None))
    ).one()


def unread_count_column():
    """unread_count as a scalar subquery correlated to user_account.id."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == User.id, col(Notification.read_at).is_(None))
        .correlate(User)
        .scalar_subquery()
        .label("unread")
    )


def mark_read(*, session: Session, user: User, notification_id: int) -> Notification:
    notification = session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        # Another person's reminder is not even acknowledged to exist.
        raise NotFound("Notification %(id)s does not exist.", id=notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
    return notification


def mark_all_read(*, session: Session, user: User) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def text_of(notification: Notification, gettext) -> str:
    params = json.loads(notification.params or "{}")
    message = gettext(notification.message)
    try:
        return message % params if params else message
    except (KeyError, TypeError, ValueError):
        return message


# --- the admin view ---------------------------------------------------------------------


def recent_sweeps(*, session: Session, limit: int = 20) -> list[SweepRun]:
    return list(session.exec(select(SweepRun).order_by(col(SweepRun.id).desc()).limit(limit)).all())


def failed_deliveries(*, session: Session, limit: int = 100) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(col(Notification.emailed_at).is_(None), Notification.email_attempts > 0)
            .order_by(col(Notification.id).desc())
            .limit(limit)
        ).all()
    )


def stage_counts(*, session: Session, sweep_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Notification.rule, func.count())
        .where(Notification.sweep_id == sweep_id)
        .group_by(Notification.rule)
    ).all()
    return defaultdict(int, dict(rows))
