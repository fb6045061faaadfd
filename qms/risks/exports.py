"""The register as CSV and as an Excel workbook, in the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlmodel import Session, select

from qms.auth.models import Department
from qms.config import Settings
from qms.i18n import N_, Formatter, gettext
from qms.risks import service
from qms.risks.models import BAND_OF, KIND_LABELS, LEVEL_LABELS, TREATMENT_LABELS, Level, Risk
from qms.risks.states import STATUS_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = (
    N_("Code"),
    N_("Kind"),
    N_("Status"),
    N_("Title"),
    N_("Department"),
    N_("Process"),
    N_("Cause"),
    N_("Consequence or benefit"),
    N_("Owner"),
    N_("Likelihood"),
    N_("Impact"),
    N_("Score"),
    N_("Level"),
    N_("Treatment"),
    N_("Raised on"),
    N_("Review on"),
    N_("Review overdue"),
)
LEVEL_COLUMN = COLUMNS.index(N_("Level"))


def register_rows(
    *, session: Session, risks: list[Risk], settings: Settings, lang: str
) -> list[list]:
    """A header row, then one row per entry, every word in `lang`."""
    today = datetime.now(settings.tz).date()
    fmt = Formatter(lang, settings.tz)
    people = service.people_named(session=session, ids=[r.owner_id for r in risks])
    departments = {d.id: d for d in session.exec(select(Department)).all()}
    yes, no = gettext(lang, N_("yes")), gettext(lang, N_("no"))
    rows: list[list] = [[gettext(lang, c) for c in COLUMNS]]
    for risk in risks:
        rows.append(
            [
                risk.code,
                gettext(lang, KIND_LABELS[risk.kind]),
                gettext(lang, STATUS_LABELS[risk.status]),
                risk.title,
                departments[risk.department_id].name,
                risk.process,
                risk.cause,
                risk.consequence,
                people[risk.owner_id].full_name,
                risk.likelihood,
                risk.impact,
                risk.score,
                gettext(lang, LEVEL_LABELS[Level(risk.level)]),
                gettext(lang, TREATMENT_LABELS[risk.treatment]) if risk.treatment else "",
                fmt.date(risk.raised_on),
                fmt.date(risk.review_on),
                yes if service.review_overdue(risk, today) else no,
            ]
        )
    return rows


def _cell(value):
    # A spreadsheet runs a cell that starts like a formula: keep such text as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    # The byte-order mark makes Excel read the Vietnamese as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list], *, lang: str, levels: list[str] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = gettext(lang, N_("Risks and opportunities"))[:31]
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # The level cell carries its band's colour, as on the pages.
    for row_number, level in enumerate(levels, start=2):
        sheet.cell(row=row_number, column=LEVEL_COLUMN + 1).fill = level_fill(level)
    sheet.freeze_panes = "A2"
    widths = (14, 12, 12, 40, 24, 20, 40, 40, 24, 8, 8, 8, 12, 14, 12, 12, 10)
    for column, width in zip(sheet.columns, widths, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = width
    return _save(book)


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def level_fill(level: str) -> PatternFill:
    colour = BAND_OF[Level(level)].colour.lstrip("#")
    return PatternFill("solid", start_color=colour, end_color=colour)
