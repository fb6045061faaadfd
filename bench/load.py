"""The load generator: N concurrent keep-alive clients on loopback for a fixed time.

    python -m bench.load --base http://127.0.0.1:8131 --data-dir DIR --clients 50 --seconds 60

Runs in its own process, beside the server. Each client is an asyncio task with one
keep-alive HTTP/1.1 connection, written directly on asyncio streams: httpx costs about a
millisecond of CPU a request, which on a 2-core machine shared with the server would
measure the client rather than the app. 90 % of requests read (pages and API), 10 % write
through the API with a bearer token. Prints one JSON object: count, errors, p50/p95/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import Dataset, percentile


def mix(dataset: Dataset) -> tuple[list[tuple], list[tuple]]:
    """(reads, writes): each a (method, path, headers, body factory or None)."""
    info, counts = dataset.info, dataset.info["counts"]

    def cookie(role):
        return {"Cookie": f"qms_session={dataset.cookie(role)}"}

    def bearer(role):
        return {"Authorization": f"Bearer {dataset.token(role)}"}

    reads = [("GET", "/", cookie(role), None) for role in info["cast"]]
    if "notification" in info["tables"]:
        reads.append(("GET", "/notifications", cookie("manager"), None))
        reads.append(("GET", "/api/v1/notifications", bearer("manager"), None))
    writes = []
    if counts.get("nonconformity"):
        n = counts["nonconformity"]
        reads += [
            ("GET", "/nonconformities?department_id=1&overdue=true", cookie("manager"), None),
            ("GET", "/nonconformities", cookie("quality_officer"), None),
            (
                "GET",
                "/api/v1/nonconformities?department_id=1&overdue=true",
                bearer("manager"),
                None,
            ),
        ]
        reads += [
            ("GET", f"/nonconformities/{1 + (i * 7919) % n}", cookie("manager"), None)
            for i in range(20)
        ]
        reads += [
            ("GET", f"/api/v1/nonconformities/{1 + (i * 104729) % n}", bearer("staff"), None)
            for i in range(20)
        ]

        def raise_body(i=[0]):  # noqa: B006 - a counter shared by the calls
            i[0] += 1
            return {
                "source": "customer_complaint",
                "department_id": 1 + i[0] % 20,
                "clause": "8.2.1",
                "severity": "minor",
                "description": f"Tải thử: phản ánh của người dân số {i[0]}",
            }

        writes.append(("POST", "/api/v1/nonconformities", bearer("auditor"), raise_body))
    if counts.get("controlled_document"):
        n = counts["controlled_document"]
        reads += [
            ("GET", "/documents?q=quy%20tr%C3%ACnh", cookie("staff"), None),
            ("GET", "/api/v1/documents?q=h%E1%BB%93%20s%C6%A1", bearer("staff"), None),
        ]
        reads += [
            ("GET", f"/documents/{1 + (i * 7919) % n}", cookie("staff"), None) for i in range(10)
        ]
    if info.get("answerable_items"):
        items = info["answerable_items"]
        reads += [
            ("GET", f"/audits/{a}/checklist", cookie("auditor"), None)
            for a in info["started_audits"][:5]
        ]

        def answer_target(i=[0]):  # noqa: B006
            i[0] += 1
            return items[i[0] % len(items)]

        writes.append(("PATCH-ITEM", None, bearer("auditor"), answer_target))
    return reads, writes


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes | None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        if "content-length" in fields:
            payload = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            payload = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                payload += chunk[:-2]
        else:
            payload = b""
        if fields.get("connection") == "close":
            self.close()
        return status, payload

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client(conn, reads, writes, deadline, write_share, rnd, out, versions):
    while time.perf_counter() < deadline:
        write = writes and rnd.random() < write_share
        method, path, headers, body_of = rnd.choice(writes if write else reads)
        body = None
        if method == "PATCH-ITEM":
            item = body_of()
            method, path = "PATCH", f"/api/v1/checklist-items/{item}"
            body = {"result": "conform", "evidence": "load", "version": versions.get(item, 1)}
        elif body_of is not None:
            body = body_of()
        started = time.perf_counter()
        try:
            status, payload = await conn.request(
                method, path, headers, json.dumps(body).encode() if body is not None else None
            )
            if method == "PATCH" and status == 409:
                # Another client answered the same item first: not an error of the app.
                versions.pop(item, None)
                status2, current = await conn.request("GET", path, headers, None)
                if status2 == 200:
                    versions[item] = json.loads(current).get("version", 1)
                out["conflicts"] += 1
                continue
            if method == "PATCH" and status == 200:
                versions[item] = json.loads(payload).get("version", 1)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            conn.close()
            out["errors"] += 1
            out["error_samples"].append(f"{method} {path}: {type(exc).__name__}")
            continue
        elapsed = (time.perf_counter() - started) * 1000
        out["times"].append(elapsed)
        out["writes" if write else "reads"] += 1
        if status >= 400:
            out["errors"] += 1
            if len(out["error_samples"]) < 10:
                out["error_samples"].append(f"{method} {path}: {status} {payload[:200]!r}")
    conn.close()


async def run(base: str, dataset: Dataset, clients: int, seconds: float, write_share: float):
    parts = urlsplit(base)
    reads, writes = mix(dataset)
    out = {"times": [], "errors": 0, "reads": 0, "writes": 0, "conflicts": 0, "error_samples": []}
    versions: dict = {}
    started = time.perf_counter()
    deadline = started + seconds
    rnd = random.Random(9)
    await asyncio.gather(
        *(
            client(
                Connection(parts.hostname, parts.port),
                reads,
                writes,
                deadline,
                write_share,
                random.Random(rnd.random()),
                out,
                versions,
            )
            for _ in range(clients)
        )
    )
    elapsed = time.perf_counter() - started
    times = out.pop("times")
    return {
        **out,
        "requests": len(times),
        "seconds": round(elapsed, 2),
        "rps": len(times) / elapsed,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "clients": clients,
        "write_share_actual": out["writes"] / max(len(times), 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--url", default=None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--write-share", type=float, default=0.1)
    args = parser.parse_args(argv)
    dataset = Dataset.load(args.data_dir, args.url)
    result = asyncio.run(run(args.base, dataset, args.clients, args.seconds, args.write_share))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
