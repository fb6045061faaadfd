"""The register of a year with its heat map, rendered as PDF through qms.reports.pdf (its
time limit, its fetcher, its bounded rendering processes)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from qms.auth.models import Department
from qms.config import Settings
from qms.i18n import N_, Formatter, translations
from qms.pages import env
from qms.reports.pdf import render_pdf
from qms.risks import service
from qms.risks.models import BAND_OF, BANDS, KIND_LABELS, LEVEL_LABELS, TREATMENT_LABELS, Risk
from qms.risks.states import ACTIVE, STATUS_LABELS

STYLESHEET = "pdf/risk_register.css"


def entries_of_year(*, session: Session, year: int) -> list[Risk]:
    """The entries raised in the year, and those raised before it still active."""
    return list(
        session.exec(
            select(Risk)
            .where(
                Risk.raised_on <= date(year, 12, 31),
                or_(
                    Risk.raised_on >= date(year, 1, 1),
                    col(Risk.status).in_([s.value for s in ACTIVE]),
                    Risk.closed_on >= date(year, 1, 1),
                ),
            )
            .order_by(col(Risk.score).desc(), col(Risk.id))
        ).all()
    )


def register_html(*, session: Session, by, settings: Settings, year: int, lang: str) -> str:
    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    today = settings.today()
    cells = service.heatmap(session=session, by=by, today=today, raised_to=date(year, 12, 31))
    risks = entries_of_year(session=session, year=year)
    context = {
        "_": _,
        "gettext": _,
        "fmt": Formatter(lang, settings.tz),
        "lang": lang,
        "organisation": settings.organisation,
        "year": year,
        "risks": risks,
        "rows": [cells[i : i + 5] for i in range(0, 25, 5)],
        "bands": BANDS,
        "band_of": BAND_OF,
        "people": service.people_named(session=session, ids=[r.owner_id for r in risks]),
        "departments": {d.id: d for d in session.exec(select(Department)).all()},
        "kind_labels": KIND_LABELS,
        "level_labels": LEVEL_LABELS,
        "status_labels": STATUS_LABELS,
        "treatment_labels": TREATMENT_LABELS,
        "printed_at": datetime.now(settings.tz),
    }
    return env.get_template("pdf/risk_register.html").render(context)


def register_pdf(*, session: Session, by, settings: Settings, year: int, lang: str) -> bytes:
    html = register_html(session=session, by=by, settings=settings, year=year, lang=lang)
    page_label = translations(lang).gettext(N_("Page"))
    css = env.get_template(STYLESHEET).render(page_label=page_label.replace('"', ""))
    return render_pdf(html, stylesheets=[css], timeout=settings.pdf_timeout)
