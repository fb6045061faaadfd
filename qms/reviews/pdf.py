"""The minutes of a management review (Biên bản họp xem xét của lãnh đạo) as a PDF record,
rendered through qms.reports.pdf, signed and kept by qms.reports.service.keep_signed."""

from __future__ import annotations

from sqlmodel import Session

from qms.i18n import N_, Formatter, translations
from qms.pages import env
from qms.reports.pdf import render_pdf
from qms.reports.service import signature_block
from qms.reviews.models import KIND_LABELS, ManagementReview
from qms.trail.models import Signature

STYLESHEET = "pdf/management_review.css"


def minutes_context(
    *, session: Session, review: ManagementReview, signature: Signature | None, settings, lang: str
) -> dict:
    from qms.reviews import service

    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    outputs = service.outputs_of(session=session, review=review)
    named = service.people(
        session=session, ids=[review.chair_id, *review.attendee_ids, *(o.owner_id for o in outputs)]
    )
    figures = service.frozen_inputs(review) or []
    return {
        "_": _,
        "gettext": _,
        "lang": lang,
        "fmt": Formatter(lang, settings.tz),
        "organisation": settings.organisation,
        "review": review,
        "chair": named.get(review.chair_id),
        "attendees": [named[i] for i in review.attendee_ids if i in named],
        "sections": service.sections(figures),
        "outputs": outputs,
        "people": named,
        "kind_labels": KIND_LABELS,
        "signature": signature,
        "page_label": translator.gettext(N_("Page")).replace('"', ""),
        "signature_block": signature_block(settings) if signature is not None else None,
    }


def render_minutes(
    *, session: Session, review: ManagementReview, signature: Signature | None, settings
) -> bytes:
    context = minutes_context(
        session=session, review=review, signature=signature, settings=settings, lang=settings.lang
    )
    html = env.get_template("pdf/management_review.html").render(context)
    css = env.get_template(STYLESHEET).render(page_label=context["page_label"])
    return render_pdf(html, stylesheets=[css], timeout=settings.pdf_timeout)
