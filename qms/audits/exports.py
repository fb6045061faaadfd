"""The audits list as CSV and as an Excel workbook, in the reader's language, filtered as
the list is (the other registers' exports, issue 19.10)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from qms.audits import service
from qms.audits.models import RESULT_LABELS, Audit, Result
from qms.audits.states import STATUS_LABELS
from qms.auth import service as auth
from qms.config import Settings
from qms.i18n import N_, Formatter, gettext, translations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The answers counted as findings, each a column of its own.
FINDINGS = (Result.major_nc, Result.minor_nc, Result.observation, Result.improvement)

COLUMNS = (
    N_("Code"),
    None,  # the audit's title: pgettext("audit", "Title"), as on the list
    N_("Auditee"),
    N_("Scope"),
    N_("Audit criteria"),
    N_("Planned start"),
    N_("Planned end"),
    N_("Lead auditor"),
    N_("Audit team"),
    N_("Status"),
    N_("Answered"),
    *(RESULT_LABELS[result] for result in FINDINGS),
    N_("Reported on"),
)


def register_rows(
    *, session: Session, audits: list[Audit], settings: Settings, lang: str
) -> list[list]:
    """A header row, then one row per audit, every word in `lang`."""
    fmt = Formatter(lang, settings.tz)
    words = translations(lang)
    header = [words.pgettext("audit", "Title") if c is None else gettext(lang, c) for c in COLUMNS]
    people = service.people(session=session, ids={i for audit in audits for i in audit.team_ids})
    departments = {d.id: d for d in auth.list_departments(session=session)}
    done = service.progress(session=session, audit_ids=[a.id for a in audits])
    found = service.finding_counts(session=session, audit_ids=[a.id for a in audits])
    rows: list[list] = [header]
    for audit in audits:
        answered, total = done[audit.id]
        department = departments.get(audit.department_id)
        lead = people.get(audit.lead_auditor_id)
        rows.append(
            [
                audit.code,
                audit.title,
                department.name if department else "",
                audit.scope,
                audit.criteria,
                fmt.date(audit.planned_start_on),
                fmt.date(audit.planned_end_on),
                lead.full_name if lead else "",
                ", ".join(people[i].full_name for i in audit.auditor_ids if i in people),
                gettext(lang, STATUS_LABELS[audit.status]),
                f"{answered}/{total}" if total else "",
                *(found[audit.id].get(result.value, 0) for result in FINDINGS),
                fmt.date(audit.reported_at) if audit.reported_at else "",
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
    sheet.title = gettext(lang, N_("Internal audits"))[:31]
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = (13, 40, 24, 40, 30, 12, 12, 24, 30, 12, 10, 8, 8, 8, 8, 12)
    for column, width in zip(sheet.columns, widths, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
