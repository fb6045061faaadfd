"""Our audit report at a chosen size: a throwaway database holding one in-progress audit of
N answered items, reported through the audits service (signature, render, keep).

Used by bench.pdf's worker processes; both the naive floor and our report read the same
item texts from this database, so they render the same words.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench import generate


def prepare(items: int) -> Path:
    """A data directory whose database holds one audit of `items` answered items."""
    data_dir = Path(tempfile.mkdtemp(prefix="qms-bench-pdf-"))
    generate.generate(
        scale=0.0005,
        data_dir=data_dir,
        quiet=True,
        options={"audits": 1, "items_per_audit": items, "answer_all": True},
    )
    return data_dir


def _engine(data_dir: Path):
    from qms import db
    from qms.config import load_settings

    settings = load_settings(data_dir=data_dir)
    return settings, db.make_engine(settings, pool=False)


def item_rows(data_dir: Path) -> list[dict]:
    from qms.audits.models import ChecklistItem

    _settings, engine = _engine(data_dir)
    with engine.connect() as conn:
        table = ChecklistItem.__table__
        rows = conn.execute(
            select(table.c.clause, table.c.question_vi, table.c.result, table.c.evidence).order_by(
                table.c.position
            )
        ).all()
    engine.dispose()
    return [{"clause": c, "question": q, "result": r or "", "evidence": e} for c, q, r, e in rows]


def warm_up() -> None:
    """Import what a running server has imported, and start the rendering process with its
    fonts and the report's stylesheet loaded."""
    from qms.audits import pdf as audit_pdf  # noqa: F401
    from qms.audits import service  # noqa: F401
    from qms.reports import pdf

    pdf.render_pdf(
        "<p>Khởi động</p>", stylesheets=[pdf.stylesheet("audit_report.css")], timeout=600
    )


def report(data_dir: Path) -> dict:
    """Report the audit through the service. Returns the seconds of the rendering (context,
    HTML and PDF: what the floor is compared with), of the PAdES signature of the rendered
    PDF (qms.reports.signing), of the whole report (signature, render, sign, keep) and the
    peak memory of the process that rendered."""
    from bench.common import peak_rss_mb
    from qms.audits import pdf as audit_pdf
    from qms.audits import service
    from qms.audits.models import Audit
    from qms.auth.models import User
    from qms.db import unit_of_work
    from qms.reports import pdf, signing

    render = audit_pdf.render_audit_report
    sign = signing.sign_pdf
    timed = {}

    def timing(**kwargs):
        started = time.perf_counter()
        data = render(**kwargs)
        timed["render"] = time.perf_counter() - started
        return data

    def sign_timing(data, **kwargs):
        started = time.perf_counter()
        signed = sign(data, **kwargs)
        timed["sign"] = time.perf_counter() - started
        return signed

    settings, engine = _engine(data_dir)
    # As a running server after its first record: pyHanko imported, the key loaded.
    sign(pdf.render_pdf("<p>Khởi động</p>", timeout=600), settings=settings, reason="warm-up")
    audit_pdf.render_audit_report = timing
    signing.sign_pdf = sign_timing
    pdf.MAX_IDLE_MB = float("inf")  # keep the rendering process, to read its peak
    try:
        with unit_of_work(engine) as session:
            audit = session.get(Audit, 1)
            lead = session.get(User, audit.lead_auditor_id)
            started = time.perf_counter()
            service.report_audit(
                session=session,
                by=lead,
                audit=audit,
                password=generate.PASSWORD,
                summary="Tóm tắt kết quả đánh giá nội bộ.",
                settings=settings,
            )
            seconds = time.perf_counter() - started
            size = audit.report_size
    finally:
        audit_pdf.render_audit_report = render
        signing.sign_pdf = sign
    engine.dispose()
    renderers = [peak_rss_mb(child.process.pid) for child in pdf._idle]
    return {
        "seconds": timed["render"],
        "sign_seconds": timed["sign"],
        "report_seconds": seconds,
        "bytes": size,
        "renderer_peak_mb": max(renderers, default=0.0),
        "audit_id": 1,
    }
