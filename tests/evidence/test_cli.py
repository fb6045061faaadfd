"""`qms evidence export`: the same pack as the page's export, written where the caller says."""

from __future__ import annotations

import csv
import hashlib
import io

from sqlmodel import select

from qms.db import unit_of_work
from qms.evidence.models import EvidenceExport
from tests.evidence.builders import members, this_year
from tests.nonconformities.builders import build as build_nc


def test_the_cli_writes_the_zip_with_the_kept_records_and_their_hashes(world, cli, tmp_path):
    nc = build_nc(world, "closed")
    start, end = this_year(world)
    target = tmp_path / "pack.zip"
    code, output = cli(
        "evidence",
        "export",
        "--from",
        start.isoformat(),
        "--to",
        end.isoformat(),
        "-o",
        str(target),
    )
    assert code == 0, output
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() in output
    files = members(data)
    rows = list(csv.DictReader(io.StringIO(files["manifest.csv"].decode("utf-8"))))
    assert [r["record_code"] for r in rows] == [nc.code]
    assert hashlib.sha256(files[rows[0]["file"]]).hexdigest() == rows[0]["sha256"]
    with unit_of_work(world.engine, write=False) as session:
        export = session.exec(select(EvidenceExport)).one()
        # The caller holds the pack: its copy in the data directory is removed.
        assert export.status == "removed" and export.downloaded_at is not None


def test_the_cli_refuses_a_period_that_ends_before_it_starts(world, cli, tmp_path):
    code, output = cli(
        "evidence",
        "export",
        "--from",
        "2026-06-01",
        "--to",
        "2026-01-01",
        "-o",
        str(tmp_path / "x.zip"),
    )
    assert code == 1 and "must start on or before" in output and "(from)" in output
    assert not (tmp_path / "x.zip").exists()


def test_the_cli_refuses_someone_who_may_not_export(world, cli, tmp_path):
    code, output = cli(
        "evidence",
        "export",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-01",
        "-o",
        str(tmp_path / "x.zip"),
        "--as",
        world.auditor.email,
    )
    assert code == 1 and "Only a quality officer or an administrator" in output
