"""What the benchmark sections share: a real uvicorn server, percentiles, the machine."""

from __future__ import annotations

import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8131, 8140)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8131-8139")


@dataclass
class Dataset:
    """A generated database: where it is, and the people and ids the benchmarks act with."""

    data_dir: Path
    url: str | None
    info: dict

    @classmethod
    def load(cls, data_dir: Path, url: str | None = None) -> Dataset:
        return cls(data_dir, url, json.loads((data_dir / "bench.json").read_text()))

    def env(self) -> dict:
        env = {
            **os.environ,
            "QMS_DATA_DIR": str(self.data_dir),
            "QMS_SCHEDULER": "off",
            "QMS_LANG": "vi",
        }
        env.pop("QMS_DATABASE_URL", None)
        if self.url:
            env["QMS_DATABASE_URL"] = self.url
        return env

    def token(self, role: str) -> str:
        return self.info["tokens"][str(self.info["cast"][role])]

    def cookie(self, role: str) -> str:
        return self.info["cookies"][str(self.info["cast"][role])]


@contextmanager
def server(dataset: Dataset, *, workers: int = 1):
    """`uvicorn qms.app:create_app --factory` on a loopback port; yields (base url, process)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "qms.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    log = (dataset.data_dir / f"uvicorn-{port}.log").open("w")
    process = subprocess.Popen(command, env=dataset.env(), cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: see {log.name}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not answer in 60 s: see {log.name}")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def children(pid: int) -> list[int]:
    """The worker processes uvicorn started (direct children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the process's peak resident set so far, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def machine(pg_url: str | None = None) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    info = {
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    if pg_url:
        try:
            from sqlalchemy import create_engine, text

            engine = create_engine(pg_url)
            with engine.connect() as conn:
                info["postgresql"] = conn.execute(text("SHOW server_version")).scalar_one()
            engine.dispose()
        except Exception as exc:
            info["postgresql"] = f"unavailable ({type(exc).__name__})"
    try:
        import weasyprint

        info["weasyprint"] = weasyprint.__version__
    except ImportError:
        pass
    return info
