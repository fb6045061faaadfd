"""The register as CSV or XLSX (what a quality officer hands the certification auditor)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from qms.auth.models import Department
from qms.documents import service
from qms.documents.models import ControlledDocument
from qms.documents.states import DOCUMENT_STATUS_LABELS, KIND_LABELS, DocumentStatus, Kind
from qms.i18n import N_, Formatter, translations

COLUMNS = [
    N_("Code"),
    ("document", "Title"),  # pgettext("document", "Title"), as on the list
    N_("Kind"),
    N_("Owner department"),
    ("document", "Owner"),
    N_("ISO clauses"),
    N_("Status"),
    N_("Effective issue"),
    N_("Effective date"),
    N_("Review interval (months)"),
    N_("Next review"),
]
# A cell starting with one of these is a formula to a spreadsheet: never let a title run one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(
    *, session: Session, documents: list[ControlledDocument], lang: str, fmt: Formatter
) -> list[list]:
    translator = translations(lang)
    gettext = translator.gettext
    departments = {d.id: d for d in session.exec(select(Department)).all()}
    owners = service.people(session=session, ids=[d.owner_id for d in documents])
    effective = service.effective_revisions_for(
        session=session, document_ids=[d.id for d in documents]
    )
    out = [[translator.pgettext(*c) if isinstance(c, tuple) else gettext(c) for c in COLUMNS]]
    for document in documents:
        revision = effective.get(document.id)
        department = departments.get(document.department_id)
        owner = owners.get(document.owner_id)
        out.append(
            [
                document.code,
                document.title,
                gettext(KIND_LABELS[Kind(document.kind)]),
                f"{department.code} – {department.name}" if department else "",
                owner.full_name if owner else "",
                ", ".join(document.clauses),
                gettext(DOCUMENT_STATUS_LABELS[DocumentStatus(document.status)]),
                revision.label if revision else "",
                fmt.date(revision.effective_on) if revision else "",
                document.review_interval_months,
                fmt.date(document.next_review_on),
            ]
        )
    return out


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(table: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow([_safe(v) for v in row])
    # The BOM makes Excel read the Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: list[list], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in table:
        sheet.append([_safe(v) for v in row])
    for index, _ in enumerate(table[0], start=1):
        width = max(len(str(row[index - 1])) for row in table)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
