"""The index of the evidence pack as a PDF: the organisation, the period, each clause with
its records and gaps, and the kept files with their SHA-256 (rendered by qms.reports.pdf)."""

from __future__ import annotations

from qms.config import Settings
from qms.db import utcnow
from qms.documents.states import KIND_LABELS as DOCUMENT_KINDS
from qms.evidence.requirements import KIND_LABELS, SOURCE_LABELS
from qms.i18n import N_, Formatter, translations
from qms.pages import env
from qms.reports.pdf import render_pdf
from qms.reports.service import KINDS as KEPT_KINDS

STYLESHEET = "pdf/evidence_index.css"


def render_index(
    *,
    settings: Settings,
    pack,
    files: list[dict],
    files_total: int,
    withheld: list[str],
    withheld_total: int,
    manifest_sha256: str,
    lang: str,
    requester: str = "",
) -> bytes:
    from qms.errors import readable
    from qms.evidence.service import INDEX_ITEMS, WITHHELD

    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    def gap_text(gap) -> str:
        text = translator.gettext(gap.message)
        return text % readable(gap.params, translator.gettext) if gap.params else text

    context = {
        "_": _,
        "gettext": _,
        "gap_text": gap_text,
        "lang": lang,
        "fmt": Formatter(lang, settings.tz),
        "organisation": settings.organisation,
        "pack": pack,
        "made_at": utcnow(),
        "requester": requester,
        "files": files,
        "files_total": files_total,
        "withheld": withheld,
        "withheld_total": withheld_total,
        "withheld_message": WITHHELD,
        "manifest_sha256": manifest_sha256,
        "index_items": INDEX_ITEMS,
        "kind_labels": KIND_LABELS,
        "source_labels": SOURCE_LABELS,
        "document_kinds": DOCUMENT_KINDS,
        "kept_kinds": KEPT_KINDS,
        "page_label": translator.gettext(N_("Page")).replace('"', ""),
    }
    html = env.get_template("pdf/evidence_index.html").render(context)
    css = env.get_template(STYLESHEET).render(page_label=context["page_label"])
    return render_pdf(html, stylesheets=[css], timeout=settings.pdf_timeout)
