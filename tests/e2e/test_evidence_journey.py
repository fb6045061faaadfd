"""Journey: the quality officer opens the certification evidence of the demo office, sees its
clauses and gaps, starts the export, follows its progress and downloads the ZIP."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest


@pytest.mark.e2e
def test_the_quality_officer_exports_the_evidence_pack(journey, tmp_path):
    officer = journey(lang="en")
    page = officer.sign_in("chatluong@ubnd.demo.vn")
    officer.goto("/evidence")
    main = page.inner_text("main")
    assert "Certification evidence" in main
    # The demo's scope and quality policy are in force; its management review is of 2020.
    assert "PV-01" in page.inner_text("#evidence-4\\.3")
    assert "CS-01" in page.inner_text("#evidence-5\\.2")
    assert "No management review was held" in page.inner_text("#evidence-9\\.3")
    assert int(page.inner_text("#gap-count")) > 0
    officer.shot("evidence")

    officer.submit("form[action='/evidence/exports']")
    assert "/evidence/exports/" in page.url
    officer.shot("export-started")
    # The page refreshes itself until the pack is ready (no script of ours).
    page.wait_for_selector("text=Download the ZIP", timeout=120_000)
    officer.shot("export-ready")
    with page.expect_download() as info:
        page.click("text=Download the ZIP")
    target = tmp_path / "pack.zip"
    info.value.save_as(target)
    data = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
        assert {"index.pdf", "manifest.csv"} <= names
        assert rows and all(r["status"] == "included" for r in rows)
        for row in rows:
            assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"]
    assert any(r["record_code"].startswith("PV-01") for r in rows)
    page.reload()
    assert hashlib.sha256(data).hexdigest() in page.inner_text("main")
    assert "Remove the file" in page.inner_text("main")
