"""The year's quality objectives as a PDF (Mục tiêu chất lượng năm …): a table of the
objectives and their indicators, then each indicator's trend chart, through qms.reports.pdf."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlmodel import Session, select

from qms.auth.models import Department, User
from qms.config import Settings
from qms.i18n import N_, Formatter, translations
from qms.objectives import chart, service
from qms.objectives.models import (
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    KIND_LABELS,
    PERIOD_STATUS_LABELS,
    Indicator,
    Measurement,
)
from qms.objectives.states import STATUS_LABELS, Status
from qms.pages import env
from qms.reports.pdf import render_pdf

STYLESHEET = "pdf/objectives.css"


def year_context(
    *,
    session: Session,
    by: User,
    settings: Settings,
    year: int,
    department_id: int | None,
    lang: str,
) -> dict:
    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    objectives, _total, standing = service.list_objectives(
        session=session,
        by=by,
        filters=service.Filters(year=year, department_id=department_id),
        today=settings.today(),
        limit=None,
    )
    objectives = [o for o in objectives if o.status != Status.cancelled]
    ids = [o.id for o in objectives]
    found = service.standings(session=session, objective_ids=ids)
    indicators: dict[int, list[Indicator]] = {i: [] for i in ids}
    measurements: dict[int, list[Measurement]] = {}
    if ids:
        for indicator in session.exec(
            select(Indicator).where(Indicator.objective_id.in_(ids)).order_by(Indicator.id)
        ).all():
            indicators[indicator.objective_id].append(indicator)
            measurements[indicator.id] = []
        for m in session.exec(
            select(Measurement)
            .where(Measurement.indicator_id.in_(list(measurements) or [0]))
            .order_by(Measurement.period_end_on)
        ).all():
            measurements[m.indicator_id].append(m)
    charts = {}
    for objective in objectives:
        for indicator in indicators[objective.id]:
            # Made by an autoescaping template (chart.svg.xml): every text in it is escaped.
            charts[indicator.id] = Markup(  # noqa: S704
                chart.chart_svg(
                    indicator=indicator,
                    year=objective.year,
                    measurements=measurements[indicator.id],
                    gettext=translator.gettext,
                    lang=lang,
                )
            )
    people = {
        u.id: u
        for u in session.exec(
            select(User).where(User.id.in_([o.owner_id for o in objectives] or [0]))
        ).all()
    }
    return {
        "_": _,
        "gettext": _,
        "fmt": Formatter(lang, settings.tz),
        "lang": lang,
        "organisation": settings.organisation,
        "year": year,
        "department": session.get(Department, department_id) if department_id else None,
        "departments": {d.id: d for d in session.exec(select(Department)).all()},
        "objectives": objectives,
        "standing": standing,
        "found": found,
        "indicators": indicators,
        "measurements": measurements,
        "charts": charts,
        "people": people,
        "status_labels": STATUS_LABELS,
        "period_labels": PERIOD_STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "direction_labels": DIRECTION_LABELS,
        "frequency_labels": FREQUENCY_LABELS,
        "printed_at": datetime.now(settings.tz),
    }


def year_report(
    *,
    session: Session,
    user: User,
    settings: Settings,
    year: int,
    department_id: int | None,
    lang: str,
) -> bytes:
    """The objectives of the year (not cancelled) as PDF bytes."""
    context = year_context(
        session=session,
        by=user,
        settings=settings,
        year=year,
        department_id=department_id,
        lang=lang,
    )
    html = env.get_template("pdf/objectives.html").render(context)
    page_label = translations(lang).gettext(N_("Page"))
    css = env.get_template(STYLESHEET).render(page_label=page_label.replace('"', ""))
    return render_pdf(html, stylesheets=[css], timeout=settings.pdf_timeout)
