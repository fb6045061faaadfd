"""E-mail digests: one message per recipient per sweep, in the recipient's language."""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import Engine, or_, update
from sqlmodel import col, select

from qms.auth.models import User
from qms.config import Settings
from qms.db import unit_of_work, utcnow
from qms.i18n import Formatter, translations
from qms.pages import env as templates
from qms.reminders.models import Notification
from qms.reminders.service import CLAIM_TIMEOUT, MAX_EMAIL_ATTEMPTS, text_of

log = logging.getLogger("qms.reminders")


def smtp_send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        smtp.send_message(message)


def _claim(engine: Engine, claimer: str) -> dict[int, list[int]]:
    """Take the pending reminders for this sweep: each row is claimed by one sweep only."""
    now = utcnow()
    with unit_of_work(engine) as session:
        pending = session.exec(
            select(Notification.id)
            .join(User, col(User.id) == Notification.recipient_id)
            .where(
                col(Notification.emailed_at).is_(None),
                Notification.email_attempts < MAX_EMAIL_ATTEMPTS,
                col(User.email_notifications).is_(True),
                col(User.is_active).is_(True),
                or_(
                    col(Notification.email_claimed_at).is_(None),
                    col(Notification.email_claimed_at) < now - CLAIM_TIMEOUT,
                ),
            )
        ).all()
        if not pending:
            return {}
        session.execute(
            update(Notification)
            .where(
                col(Notification.id).in_(pending),
                col(Notification.emailed_at).is_(None),
                or_(
                    col(Notification.email_claimed_at).is_(None),
                    col(Notification.email_claimed_at) < now - CLAIM_TIMEOUT,
                ),
            )
            .values(email_claimed_by=claimer, email_claimed_at=now)
        )
    with unit_of_work(engine, write=False) as session:
        rows = session.exec(
            select(Notification.recipient_id, Notification.id).where(
                Notification.email_claimed_by == claimer, col(Notification.emailed_at).is_(None)
            )
        ).all()
    claimed: dict[int, list[int]] = defaultdict(list)
    for recipient_id, notification_id in rows:
        claimed[recipient_id].append(notification_id)
    return claimed


def digest(settings: Settings, user: User, notifications: list[Notification]) -> EmailMessage:
    lang = user.lang or settings.lang
    gettext = translations(lang).gettext
    fmt = Formatter(lang, settings.tz)
    items = [
        {
            "text": text_of(n, gettext),
            "url": settings.base_url.rstrip("/") + n.url,
            "due": fmt.date(n.due_on),
            "overdue": n.stage.startswith("overdue"),
            "escalation": n.escalation,
        }
        for n in sorted(notifications, key=lambda n: n.due_on)
    ]
    context = {
        "_": lambda message, **params: gettext(message) % params if params else gettext(message),
        "user": user,
        "items": items,
        "organisation": settings.organisation,
        "inbox_url": settings.base_url.rstrip("/") + "/notifications",
    }
    message = EmailMessage()
    message["Subject"] = gettext("[QMS] %(count)s reminders: what is due") % {"count": len(items)}
    message["From"] = settings.smtp_from
    message["To"] = user.email
    message["Message-ID"] = make_msgid(domain="qms.local")
    message.set_content(templates.get_template("reminders/digest.txt").render(context))
    message.add_alternative(
        templates.get_template("reminders/digest.html").render(context), subtype="html"
    )
    return message


def deliver(*, engine: Engine, settings: Settings, claimer: str, mailer=None) -> tuple[int, int]:
    """Send one digest per recipient; returns (reminders e-mailed, reminders that failed)."""
    send = mailer or smtp_send
    sent = failed = 0
    for recipient_id, ids in _claim(engine, claimer).items():
        with unit_of_work(engine, write=False) as session:
            user = session.get(User, recipient_id)
            notifications = list(
                session.exec(select(Notification).where(col(Notification.id).in_(ids))).all()
            )
            message = digest(settings, user, notifications)
        try:
            send(settings, message)
        except Exception as exc:  # kept for the next sweep; never blocks the sweep or the inbox
            log.warning("e-mail to %s failed: %s", user.email, exc)
            with unit_of_work(engine) as session:
                session.execute(
                    update(Notification)
                    .where(col(Notification.id).in_(ids))
                    .values(
                        email_claimed_by=None,
                        email_claimed_at=None,
                        email_attempts=Notification.email_attempts + 1,
                        email_error=f"{type(exc).__name__}: {exc}"[:1000],
                    )
                )
            failed += len(ids)
            continue
        with unit_of_work(engine) as session:
            session.execute(
                update(Notification)
                .where(col(Notification.id).in_(ids))
                .values(emailed_at=utcnow(), email_error="")
            )
        sent += len(ids)
    return sent, failed
