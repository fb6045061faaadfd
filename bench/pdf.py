"""PDF records: our audit report against the floor, WeasyPrint rendering a plain HTML table
of the same text in the same run.

Each rendering runs in a fresh process (`python -m bench.pdf --worker KIND --items N`), so
its peak memory (VmHWM) is its own (ours renders in qms.reports.pdf's child process, whose
peak is read too). Inside, a one-row document is rendered first (fonts loaded, caches warm,
the modules a server has imported), then the measured one.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import yaml

from bench.common import ROOT, peak_rss_mb, percentile
from bench.generate import PASSWORD

RESULTS = ["conform", "conform", "conform", "observation", "minor_nc", "improvement"]
RATIO_GOAL = 0.8
# A signed report takes at most this many times the unsigned render (issue 16).
SIGNED_GOAL = 1.1
PEAK_GOAL_MB = 300


def checklist_texts(n: int) -> list[dict]:
    """n checklist rows (clause, question, result, evidence) from the shipped ISO template."""
    template = yaml.safe_load((ROOT / "audits" / "iso9001-2015.yaml").read_text())
    questions = [
        (section["clause"], item["question"]["vi"], item["guidance"]["vi"])
        for section in template["sections"]
        for item in section["items"]
    ]
    rows = []
    for i in range(n):
        clause, question, guidance = questions[i % len(questions)]
        rows.append(
            {
                "clause": clause,
                "question": question,
                "result": RESULTS[i % len(RESULTS)],
                "evidence": guidance[:120],
            }
        )
    return rows


def naive_html(rows: list[dict]) -> str:
    """The floor: a plain auto-layout table, no stylesheet but the browser's defaults."""
    body = "".join(
        f"<tr><td>{html.escape(r['clause'])}</td><td>{html.escape(r['question'])}</td>"
        f"<td>{r['result']}</td><td>{html.escape(r['evidence'])}</td></tr>"
        for r in rows
    )
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>'
        "<table><tr><th>Điều khoản</th><th>Câu hỏi</th><th>Kết quả</th><th>Bằng chứng</th></tr>"
        f"{body}</table></body></html>"
    )


def render_naive(rows: list[dict]) -> bytes:
    from weasyprint import HTML

    return HTML(string=naive_html(rows)).write_pdf()


def ours_available() -> bool:
    return find_spec("qms.audits") is not None and find_spec("qms.audits.pdf") is not None


def worker(kind: str, items: int, data_dir: Path | None) -> dict:
    """Render one document of `items` rows in this process, after a warm-up render. With a
    data directory (one audit of `items` answered items), both read its item texts."""
    if data_dir is not None:
        from bench import audit_report

        rows = audit_report.item_rows(data_dir)
    else:
        rows = checklist_texts(items)
    if kind == "naive":
        render_naive(checklist_texts(1))  # fonts, caches
        started = time.perf_counter()
        size = len(render_naive(rows))
        seconds = time.perf_counter() - started
    else:
        from bench import audit_report

        audit_report.warm_up()
        done = audit_report.report(data_dir)
        seconds, size = done["seconds"], done["bytes"]
    out = {"kind": kind, "items": items, "seconds": seconds, "bytes": size}
    own = peak_rss_mb(os.getpid())
    if kind == "naive":
        out["peak_mb"] = own
    else:
        # Ours renders in a child process: its peak is the rendering's, this process's
        # is the server side (the records, the HTML). The goal is on the larger.
        out["report_seconds"] = done["report_seconds"]
        out["sign_seconds"] = done["sign_seconds"]
        # Signed against unsigned: (render + sign) / render, goal SIGNED_GOAL.
        out["signed_ratio"] = (seconds + done["sign_seconds"]) / seconds
        out["renderer_peak_mb"] = done["renderer_peak_mb"]
        out["caller_peak_mb"] = own
        out["peak_mb"] = max(own, done["renderer_peak_mb"])
    return out


def run_worker(kind: str, items: int, data_dir: Path | None) -> dict:
    command = [sys.executable, "-m", "bench.pdf", "--worker", kind, "--items", str(items)]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"pdf worker {kind} {items} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def serving(items: int) -> dict:
    """Against a real server (1 worker): the latency of a small API call while a report of
    `items` renders (does rendering block other requests?), and of serving the kept PDF."""
    import threading

    import httpx

    from bench import audit_report
    from bench.common import Dataset, server

    data_dir = audit_report.prepare(items)
    dataset = Dataset.load(data_dir)
    auth = {"Authorization": f"Bearer {dataset.token('auditor')}"}
    try:
        with (
            server(dataset, workers=1) as (base, _process),
            httpx.Client(base_url=base, headers=auth, timeout=300) as client,
        ):

            def timed(path: str) -> float:
                started = time.perf_counter()
                response = client.get(path)
                response.raise_for_status()
                return (time.perf_counter() - started) * 1000

            for _ in range(5):
                timed("/api/v1/users/me")
            idle = [timed("/api/v1/users/me") for _ in range(30)]
            outcome = {}

            def render():
                with httpx.Client(base_url=base, headers=auth, timeout=600) as other:
                    started = time.perf_counter()
                    response = other.post(
                        "/api/v1/audits/1/report",
                        json={"password": PASSWORD, "summary": "Tóm tắt kết quả đánh giá."},
                    )
                    outcome["status"] = response.status_code
                    outcome["seconds"] = time.perf_counter() - started

            thread = threading.Thread(target=render)
            thread.start()
            time.sleep(0.3)
            during = []
            while thread.is_alive():
                during.append(timed("/api/v1/users/me"))
            thread.join()
            if outcome.get("status") != 200:
                raise RuntimeError(f"reporting the audit answered {outcome.get('status')}")
            timed("/api/v1/audits/1.pdf")
            kept = [timed("/api/v1/audits/1.pdf") for _ in range(30)]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "items": items,
        "render_s": outcome["seconds"],
        "idle_p50": percentile(idle, 50),
        "during_p50": percentile(during, 50),
        "during_p95": percentile(during, 95),
        "during_n": len(during),
        "kept_p50": percentile(kept, 50),
        "kept_p95": percentile(kept, 95),
    }


def measure(sizes: list[int]) -> dict:
    out = {"sizes": {}, "ours": ours_available()}
    for n in sizes:
        data_dir = None
        if out["ours"]:
            from bench import audit_report

            # One database per size: the floor reads its texts, then ours reports it.
            data_dir = audit_report.prepare(n)
        try:
            row = {"naive": run_worker("naive", n, data_dir)}
            if out["ours"]:
                row["ours"] = run_worker("ours", n, data_dir)
                row["ratio"] = row["ours"]["seconds"] / row["naive"]["seconds"]
        finally:
            if data_dir is not None:
                shutil.rmtree(data_dir, ignore_errors=True)
        out["sizes"][n] = row
    if out["ours"]:
        out["serving"] = serving(min(sizes))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=["naive", "ours"], required=True)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(worker(args.worker, args.items, args.data_dir)))


if __name__ == "__main__":
    main()
