"""The register as CSV and as an Excel workbook, in the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, select

from qms.auth.models import Department
from qms.config import Settings
from qms.i18n import N_, Formatter, gettext
from qms.nonconformities import service
from qms.nonconformities.models import SEVERITY_LABELS, SOURCE_LABELS, Nonconformity
from qms.nonconformities.states import STATUS_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = (
    N_("Code"),
    N_("Status"),
    N_("Raised on"),
    N_("Age (days)"),
    N_("Overdue"),
    N_("Source"),
    N_("Severity"),
    N_("Department"),
    N_("Clause"),
    N_("Description"),
    N_("Owner"),
    N_("Reporter"),
    N_("Actions done"),
    N_("Effectiveness check due"),
    N_("Closed on"),
)


def register_rows(
    *, session: Session, ncs: list[Nonconformity], settings: Settings, lang: str
) -> list[list]:
    """A header row, then one row per nonconformity, every word in `lang`."""
    today = datetime.now(settings.tz).date()
    fmt = Formatter(lang, settings.tz)
    ids = [nc.id for nc in ncs]
    overdue = service.overdue_ids(session=session, ids=ids, today=today)
    people = service.people_named(
        session=session, ids=[nc.owner_id for nc in ncs] + [nc.reporter_id for nc in ncs]
    )
    departments = {d.id: d for d in session.exec(select(Department)).all()}
    progress = service.action_progress(session=session, ids=ids)
    yes, no = gettext(lang, N_("yes")), gettext(lang, N_("no"))
    rows: list[list] = [[gettext(lang, c) for c in COLUMNS]]
    for nc in ncs:
        done, total = progress.get(nc.id, (0, 0))
        rows.append(
            [
                nc.code,
                gettext(lang, STATUS_LABELS[nc.status]),
                fmt.date(nc.raised_on),
                service.age_days(nc, today=today, tz=settings.tz),
                yes if nc.id in overdue else no,
                gettext(lang, SOURCE_LABELS[nc.source]),
                gettext(lang, SEVERITY_LABELS[nc.severity]),
                departments[nc.department_id].name,
                nc.clause,
                nc.description,
                people[nc.owner_id].full_name,
                people[nc.reporter_id].full_name,
                f"{done}/{total}",
                fmt.date(nc.check_due_on),
                fmt.date(nc.closed_at),
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


def to_xlsx(rows: list[list], *, lang: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = gettext(lang, N_("Nonconformities"))[:31]
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = (14, 16, 12, 10, 10, 20, 10, 30, 8, 60, 24, 24, 10, 14, 12)
    for column, width in zip(sheet.columns, widths, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
