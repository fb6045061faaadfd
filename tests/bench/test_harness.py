"""The benchmark harness works (at a tiny scale): it measures nothing worth reporting.

Speed is measured by `make bench`, never by timed assertions here.
"""

import asyncio

from sqlmodel import Session

from bench import generate, latency, load, pdf
from bench.common import Dataset, percentile, server
from qms import db
from qms.config import load_settings
from qms.trail import service as trail


def test_generated_data_chains_and_serves(tmp_path):
    summary = generate.generate(scale=0.002, data_dir=tmp_path, quiet=True)
    assert summary["counts"]["user_account"] == 200
    assert summary["counts"]["nonconformity"] == 40
    assert summary["counts"]["risk"] == 10

    engine = db.make_engine(load_settings(data_dir=tmp_path), pool=False)
    with Session(engine) as session:
        result = trail.verify(session=session)
    engine.dispose()
    assert result.ok, result.problem
    assert result.count == summary["counts"]["trail_event"]

    dataset = Dataset.load(tmp_path)
    with server(dataset, workers=1) as (base, _process):
        measured = latency.measure_on(base, dataset, requests=1, warmup=0)
        assert measured["endpoints"]["home: quality officer"]["n"] == 1
        loaded = asyncio.run(load.run(base, dataset, clients=4, seconds=1, write_share=0.2))
    assert loaded["requests"] > 0
    assert loaded["errors"] == 0, loaded["error_samples"]


def test_pdf_floor_and_percentiles():
    assert pdf.render_naive(pdf.checklist_texts(3)).startswith(b"%PDF")
    assert percentile([5, 1, 4, 2, 3], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95


def test_review_inputs_compile_at_a_generated_organisation(tmp_path):
    from bench import reviews

    generate.generate(scale=0.002, data_dir=tmp_path, quiet=True)
    measured = reviews.compile_inputs(Dataset.load(tmp_path), repeats=1)
    assert measured["figures"] > 20 and measured["median_s"] > 0
