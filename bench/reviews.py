"""The management review's inputs compiled at a generated organisation, in-process: every
contributing domain's review_inputs over the year before the generation day, timed around
qms.reviews.service.compile_inputs (the work of the inputs page and of holding a review)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from bench.common import Dataset


def compile_inputs(dataset: Dataset, repeats: int = 9) -> dict:
    from sqlmodel import Session

    from qms import db
    from qms.config import load_settings
    from qms.registry import load_models
    from qms.reviews import service
    from qms.reviews.models import ManagementReview

    load_models()
    settings = load_settings(data_dir=dataset.data_dir, database_url=dataset.url)
    engine = db.make_engine(settings)
    day = date.fromisoformat(dataset.info["generated_on"])
    # A review that is never saved: its period is the year before the generation day.
    review = ManagementReview(
        code="XXLD-BENCH",
        period_start=day - timedelta(days=365),
        period_end=day,
        planned_on=day,
        chair_id=0,
    )
    runs, figures = [], []
    try:
        for _ in range(repeats + 1):  # the first warms the caches, as a running server has
            with Session(db.read_only(engine)) as session:
                started = time.perf_counter()
                figures = service.compile_inputs(session=session, review=review, today=day)
                runs.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    measured = sorted(runs[1:])
    return {"median_s": measured[len(measured) // 2], "figures": len(figures)}
