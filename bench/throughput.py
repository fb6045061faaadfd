"""Throughput: uvicorn with 2 workers under 50 concurrent loopback clients (90 % reads).

The load generator runs as a separate process (bench.load). While it runs, the peak
resident memory (VmHWM) of each uvicorn worker is read from /proc.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.common import ROOT, Dataset, children, peak_rss_mb, server

RPS_GOAL = 300
P95_GOAL_MS = 300
RSS_GOAL_MB = 250


def measure(dataset: Dataset, *, seconds: float, clients: int = 50, workers: int = 2) -> dict:
    with server(dataset, workers=workers) as (base, process):
        time.sleep(1.0)  # let every worker finish starting
        workers_pids = children(process.pid)
        # Warm every worker (imports, template compilation, connection pool).
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.load",
                "--base",
                base,
                "--data-dir",
                str(dataset.data_dir),
                *(["--url", dataset.url] if dataset.url else []),
                "--clients",
                "8",
                "--seconds",
                "2",
            ],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
        command = [
            sys.executable,
            "-m",
            "bench.load",
            "--base",
            base,
            "--data-dir",
            str(dataset.data_dir),
            *(["--url", dataset.url] if dataset.url else []),
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
        ]
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120
        )
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
        result = json.loads(done.stdout)
        rss = [r for r in (peak_rss_mb(pid) for pid in workers_pids) if r is not None]
        result["workers"] = workers
        result["worker_pids"] = workers_pids
        result["peak_rss_mb"] = max(rss) if rss else None
        result["peak_rss_each_mb"] = [round(r, 1) for r in rss]
    return result
