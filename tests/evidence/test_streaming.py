"""The pack read as a stream: the domains' records a page at a time (here two rows a page, so
that ties of day and page boundaries are crossed), the kept files put into the ZIP a batch at
a time with its central directory written out as it goes: the same clauses, counts and files
as read in one go."""

from __future__ import annotations

import io
import zipfile

from qms import evidence_records
from qms.db import unit_of_work
from qms.evidence import service
from qms.evidence.models import EvidenceExport
from tests.documents import factories as documents
from tests.evidence.builders import clauses, exported, members
from tests.nonconformities.builders import build as build_nc


def _records(world):
    for n in range(3):
        documents.effective_document(world, code=f"QT-5{n}", clauses=["8.5.2", "7.2"])
    # Raised the same day: the pages turn on their ids.
    closed = [build_nc(world, "closed") for _ in range(3)]
    opened = [build_nc(world, "open") for _ in range(2)]
    return closed, opened


def _shape(found):
    return {
        clause: (entry["count"], [i["code"] for i in entry["items"]], entry["gaps_total"])
        for clause, entry in found.items()
    }


def test_paging_by_two_rows_finds_the_same_records_in_the_same_order(world, monkeypatch):
    closed, opened = _records(world)
    whole = _shape(clauses(world))
    monkeypatch.setattr(evidence_records, "PAGE", 2)
    assert _shape(clauses(world)) == whole
    assert whole["10.2"][0] == 5 and set(whole["10.2"][1]) == {nc.code for nc in closed + opened}
    assert whole["8.5.2"][0] == 3


def test_the_listing_is_bounded_and_the_count_is_all(world, monkeypatch):
    _records(world)
    monkeypatch.setattr(service, "PAGE_ITEMS", 2)
    entry = clauses(world)["10.2"]
    assert entry["count"] == 5 and len(entry["items"]) == 2 and entry["more"] == 3


def test_a_zip_written_a_record_at_a_time_holds_every_kept_file_once(world, monkeypatch):
    closed, _opened = _records(world)
    monkeypatch.setattr(evidence_records, "PAGE", 2)
    monkeypatch.setattr(service, "BATCH", 1)
    export_id = exported(world)
    with unit_of_work(world.engine, write=False) as session:
        export = session.get(EvidenceExport, export_id)
        data = service.export_path(world.app.state.settings, export).read_bytes()
    assert export.files_total == export.files_done == 6  # 3 controlled copies, 3 NC forms
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert len(names) == len(set(names)) == 8  # and manifest.csv, index.pdf
    files = members(data)
    for nc in closed:
        assert f"records/nonconformity_form/{nc.code}.pdf" in files
    rows = files["manifest.csv"].decode().splitlines()
    # Each document once, citing every clause its kind and clauses stand for.
    copies = [r for r in rows if ",controlled_copy," in r]
    assert len(copies) == 3 and all("4.4 7.2 8.5.2" in r for r in copies)
