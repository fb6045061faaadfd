"""The objectives register as CSV and as an Excel workbook, in the reader's language: one row
per indicator, with its objective and its year to date."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, select

from qms.auth.models import Department
from qms.i18n import N_, gettext
from qms.nonconformities.exports import XLSX, _cell, to_csv  # noqa: F401  (one dialect for all)
from qms.objectives import service
from qms.objectives.models import (
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    PERIOD_STATUS_LABELS,
    Indicator,
    Kind,
    Objective,
)
from qms.objectives.states import STATUS_LABELS

COLUMNS = (
    N_("Code"),
    N_("Year"),
    N_("Objective"),
    N_("Status"),
    N_("Standing"),
    N_("Department"),
    N_("Owner"),
    N_("Due date"),
    N_("Indicator"),
    N_("Indicator name"),
    N_("Frequency"),
    N_("Direction"),
    N_("Target"),
    N_("Periods measured"),
    N_("Year to date"),
    N_("Year-to-date result"),
)


def register_rows(*, session: Session, objectives: list[Objective], lang: str) -> list[list]:
    """A header row, then one row per indicator (or per objective without one)."""
    _ = lambda msgid: gettext(lang, msgid)  # noqa: E731
    ids = [o.id for o in objectives]
    found = service.standings(session=session, objective_ids=ids)
    indicators: dict[int, list[Indicator]] = {i: [] for i in ids}
    if ids:
        for indicator in session.exec(
            select(Indicator).where(Indicator.objective_id.in_(ids)).order_by(Indicator.id)
        ).all():
            indicators[indicator.objective_id].append(indicator)
    people = service.people_named(session=session, ids=[o.owner_id for o in objectives])
    departments = {d.id: d.name for d in session.exec(select(Department)).all()}
    whole = _(N_("Whole organisation"))
    rows: list[list] = [[_(c) for c in COLUMNS]]
    for objective in objectives:
        standing = service.standing_of(found[objective.id])
        head = [
            objective.code,
            objective.year,
            objective.title,
            _(STATUS_LABELS[objective.status]),
            _(PERIOD_STATUS_LABELS[standing]) if standing else "",
            departments.get(objective.department_id, whole),
            people[objective.owner_id].full_name,
            objective.due_on.isoformat(),
        ]
        if not indicators[objective.id]:
            rows.append(head + [""] * 8)
        for indicator in indicators[objective.id]:
            ytd = found[objective.id][indicator.id]
            if ytd.value is None:
                shown = ""
            elif indicator.kind == Kind.ratio:
                shown = f"{ytd.value:.1f} % ({ytd.numerator}/{ytd.denominator})"
            else:
                shown = f"{ytd.value:g}"
            rows.append(
                [
                    *head,
                    indicator.code,
                    indicator.name,
                    _(FREQUENCY_LABELS[indicator.frequency]),
                    _(DIRECTION_LABELS[indicator.direction]),
                    indicator.target,
                    ytd.periods,
                    shown,
                    _(PERIOD_STATUS_LABELS[ytd.status]) if ytd.status else "",
                ]
            )
    return rows


def to_xlsx(rows: list[list], *, lang: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = gettext(lang, N_("Quality objectives"))[:31]
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = (12, 6, 50, 14, 12, 28, 24, 12, 14, 40, 12, 16, 8, 8, 22, 14)
    for column, width in zip(sheet.columns, widths, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
