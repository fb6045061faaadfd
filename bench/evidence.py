"""The certification evidence pack exported at a generated organisation: the year before the
generation day, every record the pack cites given a kept PDF first (the generator keeps none:
signing thousands of records would take most of the run), then the export timed in a fresh
process, as the background job runs it (qms.evidence.service.claim + make_export), with the
peak memory of that process and of the PDF rendering process it uses."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta

from bench.common import ROOT, Dataset

# Bytes of each stand-in kept file: about what a signed one-page form weighs.
KEPT_BYTES = 24 * 1024


def _period(dataset: Dataset) -> tuple[date, date]:
    day = date.fromisoformat(dataset.info["generated_on"])
    return day - timedelta(days=364), day


def prepare(dataset: Dataset) -> dict:
    """Give every record the pack of the period cites a kept file (random bytes behind a PDF
    header, unique, stored under their SHA-256 as qms.reports keeps files). Returns counts."""
    from sqlalchemy import insert
    from sqlmodel import Session, select

    from qms import db
    from qms.config import load_settings
    from qms.evidence import service
    from qms.registry import load_models
    from qms.reports.models import KeptRecord

    load_models()
    settings = load_settings(data_dir=dataset.data_dir, database_url=dataset.url)
    engine = db.make_engine(settings)
    start, end = _period(dataset)
    started = time.perf_counter()
    try:
        compiled = []
        for _ in range(3):  # the page's work: the first warms the caches
            with Session(db.read_only(engine)) as session:
                began = time.perf_counter()
                pack = service.compile_pack(session=session, start=start, end=end, today=end)
                compiled.append(time.perf_counter() - began)
        wanted = []
        with Session(db.read_only(engine)) as session:
            service.compile_pack(
                session=session,
                start=start,
                end=end,
                today=end,
                on_record=lambda kind, record_id, clauses: wanted.append((kind, record_id)),
            )
            have = {
                (k, i)
                for k, i in session.exec(select(KeptRecord.record_kind, KeptRecord.record_id)).all()
            }
        settings.files_dir.mkdir(parents=True, exist_ok=True)
        rows, total_bytes = [], 0
        for kind, record_id in wanted:
            if (kind, record_id) in have:
                continue
            data = (
                f"%PDF-1.7\n% bench {kind} {record_id}\n".encode()
                + os.urandom(KEPT_BYTES)
                + b"\n%%EOF\n"
            )
            sha256 = hashlib.sha256(data).hexdigest()
            (settings.files_dir / sha256).write_bytes(data)
            total_bytes += len(data)
            rows.append(
                {
                    "record_kind": kind,
                    "record_id": record_id,
                    "record_code": f"{kind}-{record_id}",
                    "sha256": sha256,
                    "size": len(data),
                    "kept_at": db.utcnow(),
                    "certificate_sha256": "0" * 64,
                }
            )
        with db.unit_of_work(engine) as session:
            for at in range(0, len(rows), 2000):
                session.execute(insert(KeptRecord), rows[at : at + 2000])
    finally:
        engine.dispose()
    return {
        "records": pack.records,
        "gaps": pack.gaps,
        "kept_files": len(wanted),
        "made_files": len(rows),
        "made_mb": total_bytes / 1024 / 1024,
        "seconds": time.perf_counter() - started,
        "compile_s": sorted(compiled[1:])[0],
    }


def export(dataset: Dataset) -> dict:
    """The export in a fresh process: seconds, the ZIP's size, and peak memory."""
    start, end = _period(dataset)
    code = (
        "import json, sys; from bench.evidence import _child; "
        f"print(json.dumps(_child({str(dataset.data_dir)!r}, {dataset.url!r}, "
        f"{start.isoformat()!r}, {end.isoformat()!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**dataset.env(), "QMS_PDF_TIMEOUT": "1800"},
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(data_dir: str, url: str | None, start: str, end: str) -> dict:
    from pathlib import Path

    from sqlmodel import Session

    from bench.common import children, peak_rss_mb
    from qms import db
    from qms.auth import service as auth
    from qms.auth.models import Role
    from qms.config import load_settings
    from qms.evidence import service
    from qms.evidence.models import EvidenceExport
    from qms.registry import load_models
    from qms.reports import pdf

    load_models()
    # A renderer past MAX_IDLE_MB is stopped after its job: kept here so that its peak can
    # be read once the export is done.
    pdf.MAX_IDLE_MB = 1_000_000
    settings = load_settings(data_dir=Path(data_dir), database_url=url)
    engine = db.make_engine(settings)
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    with db.unit_of_work(engine) as session:
        officer = auth.list_users(session=session, role=Role.quality_officer)[0]
        export_id = service.request_export(
            session=session, by=officer, settings=settings, start=first, end=last, lang="vi"
        ).id
    before = peak_rss_mb(os.getpid())
    started = time.perf_counter()
    assert service.claim(engine=engine, export_id=export_id) == export_id
    service.make_export(engine=engine, settings=settings, export_id=export_id, today=last)
    seconds = time.perf_counter() - started
    renderers = [peak_rss_mb(pid) or 0 for pid in children(os.getpid())]
    with Session(engine) as session:
        made = session.get(EvidenceExport, export_id)
        result = {
            "status": made.status,
            "error": made.error,
            "seconds": seconds,
            "records": made.records_total,
            "gaps": made.gaps_total,
            "files": made.files_done,
            "withheld": made.files_withheld,
            "zip_mb": (made.size or 0) / 1024 / 1024,
            "peak_mb_before": before,
            "peak_mb": peak_rss_mb(os.getpid()),
            "renderer_peak_mb": max(renderers, default=0),
        }
        service.export_path(settings, made).unlink(missing_ok=True)
    engine.dispose()
    return result
