"""Latency of the pages and API calls people wait on, against a real uvicorn on loopback.

One worker, one client, requests one after another: the figure is the time one request
takes, not queueing. Warm-up first, then N requests per endpoint; p50, p95, p99 in ms.
Each endpoint is measured on the database at 1/10 and at full size; the ratio of the
medians says whether the work grows with the size of the whole table (goal: under 2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.common import Dataset, percentile, server

PAGE_GOAL_MS = 100
API_GOAL_MS = 50


@dataclass
class Endpoint:
    name: str
    kind: str  # "page" or "api"
    role: str
    method: str
    # (dataset, iteration) -> (path, json body or None)
    target: Callable[[Dataset, int], tuple[str, dict | None]]
    needs: str = "user_account"  # a table that must hold rows for this endpoint to exist

    @property
    def goal_ms(self) -> int:
        return PAGE_GOAL_MS if self.kind == "page" else API_GOAL_MS


def _fixed(path: str):
    return lambda _ds, _i: (path, None)


def _nc_page(ds: Dataset, i: int):
    count = ds.info["counts"]["nonconformity"]
    return f"/nonconformities/{(i * 7919) % count + 1}", None


def _raise_nc(ds: Dataset, i: int):
    return "/api/v1/nonconformities", {
        "source": "process_monitoring",
        "department_id": 1 + i % 20,
        "clause": "8.5.1",
        "severity": "minor",
        "description": f"Benchmark: hồ sơ trả kết quả trễ hạn lần {i}",
    }


SEARCH_TERMS = ["quy trình", "hồ sơ", "kiểm soát", "đánh giá", "khách hàng", "lưu trữ"]


def _docs(prefix: str, extra: str = ""):
    def target(_ds: Dataset, i: int):
        term = SEARCH_TERMS[i % len(SEARCH_TERMS)]
        return f"{prefix}?q={term}{extra}", None

    return target


def _doc_page(ds: Dataset, i: int):
    count = ds.info["counts"]["controlled_document"]
    return f"/documents/{(i * 7919) % count + 1}", None


def _checklist_page(ds: Dataset, i: int):
    audits = ds.info.get("started_audits") or [1]
    return f"/audits/{audits[i % len(audits)]}/checklist", None


def _answer(ds: Dataset, i: int):
    items = ds.info["answerable_items"]
    item_id = items[i % len(items)]
    return f"/api/v1/checklist-items/{item_id}", {
        "result": "conform" if i % 2 else "observation",
        "evidence": f"Benchmark evidence {i}",
    }


def _indicator_page(ds: Dataset, i: int):
    count = ds.info.get("objective_indicators") or 1
    return f"/indicators/{(i * 7919) % count + 1}", None


ENDPOINTS = [
    Endpoint("home: admin", "page", "admin", "GET", _fixed("/")),
    Endpoint("home: quality officer", "page", "quality_officer", "GET", _fixed("/")),
    Endpoint("home: manager", "page", "manager", "GET", _fixed("/")),
    Endpoint("home: auditor", "page", "auditor", "GET", _fixed("/")),
    Endpoint("home: staff", "page", "staff", "GET", _fixed("/")),
    Endpoint(
        "document register: search + filter",
        "page",
        "staff",
        "GET",
        _docs("/documents", "&status=effective&department_id=3"),
        "controlled_document",
    ),
    Endpoint(
        "document register", "page", "staff", "GET", _fixed("/documents"), "controlled_document"
    ),
    Endpoint("document page", "page", "staff", "GET", _doc_page, "controlled_document"),
    Endpoint(
        "audit checklist page (120 items)",
        "page",
        "auditor",
        "GET",
        _checklist_page,
        "audit_checklist_item",
    ),
    Endpoint(
        "nonconformity register: dept + overdue",
        "page",
        "manager",
        "GET",
        _fixed("/nonconformities?department_id=1&overdue=true"),
        "nonconformity",
    ),
    Endpoint(
        "nonconformity register",
        "page",
        "quality_officer",
        "GET",
        _fixed("/nonconformities"),
        "nonconformity",
    ),
    Endpoint("nonconformity page", "page", "manager", "GET", _nc_page, "nonconformity"),
    Endpoint(
        "notifications page", "page", "manager", "GET", _fixed("/notifications"), "notification"
    ),
    Endpoint(
        "API GET /documents?q=",
        "api",
        "staff",
        "GET",
        _docs("/api/v1/documents"),
        "controlled_document",
    ),
    Endpoint(
        "API PATCH checklist item (save answer)",
        "api",
        "auditor",
        "PATCH",
        _answer,
        "audit_checklist_item",
    ),
    Endpoint(
        "API GET /nonconformities?dept&overdue",
        "api",
        "manager",
        "GET",
        _fixed("/api/v1/nonconformities?department_id=1&overdue=true"),
        "nonconformity",
    ),
    Endpoint(
        "API GET /nonconformities/{id}",
        "api",
        "manager",
        "GET",
        lambda ds, i: ("/api/v1" + _nc_page(ds, i)[0], None),
        "nonconformity",
    ),
    Endpoint(
        "API POST /nonconformities (raise)", "api", "auditor", "POST", _raise_nc, "nonconformity"
    ),
    Endpoint("risk register", "page", "quality_officer", "GET", _fixed("/risks"), "risk"),
    Endpoint(
        "risk register: dept + level + overdue review",
        "page",
        "manager",
        "GET",
        _fixed("/risks?department_id=1&level=high&overdue_review=true"),
        "risk",
    ),
    Endpoint("risk heat map page", "page", "manager", "GET", _fixed("/risks/heatmap"), "risk"),
    Endpoint(
        "risk page",
        "page",
        "manager",
        "GET",
        lambda ds, i: (f"/risks/{(i * 7919) % ds.info['counts']['risk'] + 1}", None),
        "risk",
    ),
    Endpoint(
        "API GET /risks?level&active",
        "api",
        "manager",
        "GET",
        _fixed("/api/v1/risks?level=critical&active=true"),
        "risk",
    ),
    Endpoint(
        "API GET /risks/heatmap", "api", "manager", "GET", _fixed("/api/v1/risks/heatmap"), "risk"
    ),
    Endpoint(
        "objectives register", "page", "quality_officer", "GET", _fixed("/objectives"), "objective"
    ),
    Endpoint(
        "indicator page (chart, 12 periods)", "page", "manager", "GET", _indicator_page, "indicator"
    ),
    Endpoint(
        "API GET /indicators/{id}",
        "api",
        "staff",
        "GET",
        lambda ds, i: ("/api/v1" + _indicator_page(ds, i)[0], None),
        "indicator",
    ),
    Endpoint(
        "API GET /notifications",
        "api",
        "manager",
        "GET",
        _fixed("/api/v1/notifications"),
        "notification",
    ),
]


def available(dataset: Dataset, only: tuple[str, ...] = ()) -> tuple[list[Endpoint], list[str]]:
    """The endpoints this dataset can serve; with `only`, those whose name contains one of
    its words (case-insensitive)."""
    tables = set(dataset.info["tables"])
    present, missing = [], []
    words = [word.lower() for word in only]
    for endpoint in ENDPOINTS:
        if words and not any(word in endpoint.name.lower() for word in words):
            continue
        if endpoint.needs in tables:
            if endpoint.needs == "audit_checklist_item" and not dataset.info.get(
                "answerable_items"
            ):
                missing.append(f"{endpoint.name}: no checklist item to answer")
                continue
            present.append(endpoint)
        else:
            missing.append(f"{endpoint.name}: not measured ({endpoint.needs} not in this schema)")
    return present, missing


def _client(base: str, dataset: Dataset, endpoint: Endpoint) -> httpx.Client:
    if endpoint.kind == "api":
        headers = {"Authorization": f"Bearer {dataset.token(endpoint.role)}"}
        return httpx.Client(base_url=base, headers=headers, timeout=30)
    return httpx.Client(
        base_url=base, cookies={"qms_session": dataset.cookie(endpoint.role)}, timeout=30
    )


def _send(client: httpx.Client, endpoint: Endpoint, dataset: Dataset, i: int, versions: dict):
    path, body = endpoint.target(dataset, i)
    if endpoint.method == "PATCH" and body is not None:
        # Optimistic locking: send the version last seen for this record.
        body = {**body, "version": versions.get(path, 1)}
    response = client.request(endpoint.method, path, json=body)
    if endpoint.method == "PATCH" and response.status_code == 409:
        current = client.get(path)
        versions[path] = current.json().get("version", 1) if current.status_code == 200 else 1
        response = client.request(endpoint.method, path, json={**body, "version": versions[path]})
    if response.status_code >= 400:
        raise RuntimeError(
            f"{endpoint.name}: {endpoint.method} {path} -> {response.status_code}: {response.text[:300]}"
        )
    if endpoint.method == "PATCH":
        versions[path] = response.json().get("version", versions.get(path, 1) + 1)
    return response


def measure_on(
    base: str, dataset: Dataset, *, requests: int, warmup: int, only: tuple[str, ...] = ()
) -> dict:
    """Measure every endpoint present (or those `only` names) against a server at `base`."""
    endpoints, missing = available(dataset, only)
    results = {}
    for endpoint in endpoints:
        versions: dict = {}
        with _client(base, dataset, endpoint) as client:
            for i in range(warmup):
                _send(client, endpoint, dataset, 10_000 + i, versions)
            times = []
            for i in range(requests):
                started = time.perf_counter()
                _send(client, endpoint, dataset, i, versions)
                times.append((time.perf_counter() - started) * 1000)
        results[endpoint.name] = {
            "kind": endpoint.kind,
            "goal_ms": endpoint.goal_ms,
            "n": len(times),
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "p99": percentile(times, 99),
        }
    return {"endpoints": results, "missing": missing}


def measure(dataset: Dataset, *, requests: int, warmup: int, only: tuple[str, ...] = ()) -> dict:
    """{endpoint name: {p50, p95, p99, n, kind, goal_ms}} and the endpoints not measured."""
    with server(dataset, workers=1) as (base, _process):
        return measure_on(base, dataset, requests=requests, warmup=warmup, only=only)
