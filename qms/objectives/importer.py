"""Reading a file of measurements (CSV or XLSX) into the rows `service.import_measurements`
takes: the sheet's first row names the columns."""

from __future__ import annotations

import csv
import io
import zipfile

from qms.errors import Invalid
from qms.objectives import service

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 1_000


def read_table(content: bytes, filename: str | None = None) -> list[list]:
    """The file's cells, row by row: an XLSX workbook's first sheet, or CSV text."""
    if not content:
        raise Invalid("The file is empty.", field="file")
    if content.startswith(XLSX_MAGIC):
        return _xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "Send a CSV file in UTF-8 or an Excel workbook (.xlsx).", field="file"
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) > MAX_ROWS + 1:
        raise Invalid("The file has too many rows (at most %(most)s).", field="file", most=MAX_ROWS)
    return rows


def _xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Invalid("The Excel workbook cannot be read.", field="file") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise Invalid(
                    "The file has too many rows (at most %(most)s).", field="file", most=MAX_ROWS
                )
        return rows
    finally:
        book.close()


def import_file(*, session, indicator, by, content: bytes, filename: str | None = None):
    """Every row of the file entered, or none."""
    rows = service.parse_rows(read_table(content, filename))
    return service.import_measurements(session=session, indicator=indicator, by=by, rows=rows)
