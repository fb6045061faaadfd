"""The corrective-action request form (Phiếu yêu cầu hành động khắc phục) rendered as PDF
through qms.reports.pdf (its time limit, its fetcher, its bounded rendering processes)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from qms.auth.models import Department, User
from qms.auth.permissions import require
from qms.config import Settings
from qms.i18n import N_, Formatter, translations
from qms.nonconformities import service
from qms.nonconformities.models import (
    METHOD_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
)
from qms.nonconformities.states import STATUS_LABELS
from qms.pages import env
from qms.reports import service as reports
from qms.reports.pdf import render_pdf

STYLESHEET = "pdf/nonconformity.css"
KEPT_KIND = "nonconformity_form"


def _context(session: Session, nc, settings: Settings, lang: str) -> dict:
    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    actions = service.actions_of(session=session, nc=nc)
    checks = service.checks_of(session=session, nc=nc)
    attached = service.files_of(session=session, actions=actions)
    people = service.people_named(
        session=session,
        ids=[nc.owner_id, nc.reporter_id]
        + [a.owner_id for a in actions]
        + [c.verifier_id for c in checks],
    )
    signature, signature_state = service.closure_signature(session=session, nc=nc)
    return {
        "_": _,
        "gettext": _,
        "fmt": Formatter(lang, settings.tz),
        "lang": lang,
        "organisation": settings.organisation,
        "nc": nc,
        "department": session.get(Department, nc.department_id),
        "people": people,
        "actions": actions,
        "attached": attached,
        "checks": checks,
        "signature": signature,
        "signature_state": signature_state,
        "document_ids": service.document_ids_of(session=session, nc=nc),
        "status_labels": STATUS_LABELS,
        "source_labels": SOURCE_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "method_labels": METHOD_LABELS,
        "result_labels": RESULT_LABELS,
        "printed_at": datetime.now(settings.tz),
    }


def _render(context: dict, settings: Settings, lang: str) -> bytes:
    html = env.get_template("pdf/nonconformity.html").render(context)
    page_label = translations(lang).gettext(N_("Page"))
    css = env.get_template(STYLESHEET).render(page_label=page_label.replace('"', ""))
    return render_pdf(html, stylesheets=[css], timeout=settings.pdf_timeout)


def keep_closed_form(*, session: Session, nc, settings: Settings, by: User):
    """At closing: the form rendered once (in the organisation's language), signed and kept."""
    context = _context(session, nc, settings, settings.lang)
    context["signature_block"] = reports.signature_block(settings)
    return reports.keep_signed(
        session=session,
        settings=settings,
        record_kind=KEPT_KIND,
        record_id=nc.id,
        record_code=nc.code,
        pdf_bytes=_render(context, settings, settings.lang),
        by=by,
    )


def form_for(
    *, session: Session, user: User, settings: Settings, nonconformity_id: int, lang: str
) -> tuple[bytes, str]:
    """The form of one nonconformity as PDF bytes, and its code (for the file name): a closed
    one's kept, signed file; an open one's rendered now, in the reader's language."""
    require(user, "nonconformity.read")
    nc = service.get_nonconformity(session=session, nonconformity_id=nonconformity_id)
    kept = reports.current(session=session, record_kind=KEPT_KIND, record_id=nc.id)
    if kept is not None:
        return reports.kept_file(settings=settings, kept=kept), nc.code
    return _render(_context(session, nc, settings, lang), settings, lang), nc.code
