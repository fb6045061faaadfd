"""The corrective-action request form (Phiếu yêu cầu hành động khắc phục) rendered as PDF.

A small renderer of its own, for now: it can be folded into qms/reports when that lands.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlmodel import Session
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

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
from qms.pages import TEMPLATES_DIR, env

STATIC_DIR = (TEMPLATES_DIR / "static").resolve()
# Relative URLs in the template resolve against this; nothing is fetched from it but the
# app's own static files.
BASE_URL = "http://qms.invalid/"
STYLESHEET = "pdf/nonconformity.css"
# WeasyPrint is single-threaded and heavy: a few renders at once, the rest wait.
_RENDERS = threading.BoundedSemaphore(2)


class StaticOnlyFetcher(URLFetcher):
    """Serves the app's static files; refuses file://, data from elsewhere and the network."""

    def fetch(self, url, headers=None):
        prefix = BASE_URL + "static/"
        if not url.startswith(prefix):
            raise ValueError(f"refused to fetch {url}")
        target = (STATIC_DIR / url[len(prefix) :].split("?")[0]).resolve()
        if not target.is_relative_to(STATIC_DIR) or not target.is_file():
            raise ValueError(f"refused to fetch {url}")
        return URLFetcherResponse(url, body=target.read_bytes())


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


def render(html: str, css: str) -> bytes:
    with _RENDERS:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
        return document.write_pdf(stylesheets=[CSS(string=css, base_url=BASE_URL)])


def form_for(
    *, session: Session, user: User, settings: Settings, nonconformity_id: int, lang: str
) -> tuple[bytes, str]:
    """The form of one nonconformity as PDF bytes, and its code (for the file name)."""
    require(user, "nonconformity.read")
    nc = service.get_nonconformity(session=session, nonconformity_id=nonconformity_id)
    context = _context(session, nc, settings, lang)
    html = env.get_template("pdf/nonconformity.html").render(context)
    page_label = translations(lang).gettext(N_("Page"))
    css = env.get_template(STYLESHEET).render(page_label=page_label.replace('"', ""))
    return render(html, css), nc.code
