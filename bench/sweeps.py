"""Sweeps and imports: the reminder sweep, `qms docs import` of many files, `qms backup`.

The reminder sweep runs twice as of the same day: the first creates what is due (the
whole backlog of a fresh database), the second finds nothing new — the daily case, whose
time should not grow with the size of the tables (goal: full / tenth under 2).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib.util import find_spec
from pathlib import Path

from bench.common import ROOT, Dataset


def _qms(dataset: Dataset, *args: str, timeout: int = 900) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qms", *args],
        env=dataset.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"qms {' '.join(args)} failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def reminder_sweep(dataset: Dataset) -> dict:
    """In-process (the sweep's own figure, without interpreter start-up): first and repeat."""
    from qms import db
    from qms.config import load_settings
    from qms.registry import load_models
    from qms.reminders import service

    load_models()
    settings = load_settings(data_dir=dataset.data_dir, database_url=dataset.url)
    engine = db.make_engine(settings)
    day = date.fromisoformat(dataset.info["generated_on"])
    try:
        started = time.perf_counter()
        first = service.sweep(engine=engine, settings=settings, as_of=day, trigger="bench")
        first_s = time.perf_counter() - started
        repeats = []
        for _ in range(3):
            started = time.perf_counter()
            again = service.sweep(engine=engine, settings=settings, as_of=day, trigger="bench")
            repeats.append(time.perf_counter() - started)
        # The next day: the calendar moves, so stages are planned again (weekly overdue
        # reminders of the whole backlog fall due one day in seven).
        started = time.perf_counter()
        next_day = service.sweep(
            engine=engine, settings=settings, as_of=day + timedelta(days=1), trigger="bench"
        )
        next_day_s = time.perf_counter() - started
        if first.error or again.error or next_day.error:
            raise RuntimeError(f"sweep failed: {first.error or again.error or next_day.error}")
    finally:
        engine.dispose()
    return {
        "first_s": first_s,
        "first_created": first.created,
        "repeat_s": sorted(repeats)[1],
        "repeat_created": again.created,
        "next_day_s": next_day_s,
        "next_day_created": next_day.created,
    }


def procedure_files(target: Path, count: int) -> None:
    """`count` procedure files made from the shipped ones, each with its own code."""
    sources = sorted((ROOT / "procedures_docs").glob("*.md"))
    for i in range(count):
        text = sources[i % len(sources)].read_text()
        code = f"BQT-{i + 1:04d}"
        text = re.sub(r"^code: .*$", f"code: {code}", text, count=1, flags=re.M)
        text = re.sub(
            r"^department: .*$", f"department: P{i % 20 + 1:02d}", text, count=1, flags=re.M
        )
        (target / f"{code.lower()}.md").write_text(text)


def docs_import(dataset: Dataset, count: int) -> dict:
    if find_spec("qms.documents") is None:
        return {"skipped": "not measured: documents domain not merged"}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        procedure_files(folder, count)
        elapsed, out = _qms(dataset, "docs", "import", str(folder))
    return {"files": count, "seconds": elapsed, "output": out.strip().splitlines()[-1:]}


def backup(dataset: Dataset) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "qms-backup.tar.gz"
        elapsed, out = _qms(dataset, "backup", str(target))
        size = target.stat().st_size
    database = dataset.data_dir / "qms.sqlite3"
    return {
        "seconds": elapsed,
        "archive_mb": size / 1e6,
        "database_mb": database.stat().st_size / 1e6 if not dataset.url else None,
        "output": out.strip(),
        "pg_dump": shutil.which("pg_dump") if dataset.url else None,
    }
