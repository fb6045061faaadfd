"""Run the benchmarks and write bench/RESULTS.md.

    python -m bench.run             # full: ~10 minutes on a 2-core machine
    python -m bench.run --quick     # tiny scale, short load: under a minute, proves the harness
    python -m bench.run --db postgres   # PostgreSQL beside SQLite (--pg is the same)

Sections: data generation (1/10 and full), latency of pages and API (at both sizes, with
the ratio of the medians), throughput and worker memory under load, the reminder sweep,
`qms docs import`, `qms backup`, and PDF rendering against the naive-table floor.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import evidence, generate, latency, pdf, reviews, sweeps, throughput
from bench.common import ROOT, Dataset, machine


@dataclass(frozen=True)
class Plan:
    scales: tuple[float, float]  # (small, large): the ratio compares them
    latency_requests: int
    latency_requests_small: int  # at the small scale, only for the ratio of the medians
    latency_warmup: int
    load_seconds: float
    pdf_sizes: tuple[int, ...]
    import_files: int


FULL = Plan((0.1, 1.0), 100, 40, 10, 60, (150, 300, 1000), 1000)
QUICK = Plan((0.002, 0.02), 6, 6, 1, 5, (10,), 10)


def _fmt(value, digits=1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


class Report:
    """Figures as they are measured: printed at once, and kept for RESULTS.md."""

    def __init__(self):
        self.rows: list[
            tuple[str, str, str, str, str]
        ] = []  # section, figure, value, goal, verdict
        self.notes: list[str] = []
        self.data: dict = {}

    def add(self, section, figure, value, goal="", met: bool | None = None, unit=""):
        verdict = "" if met is None else ("met" if met else "**not met**")
        text = _fmt(value) + (f" {unit}" if unit and value is not None else "")
        self.rows.append((section, figure, text, goal, verdict))
        print(f"  {section:<12} {figure:<52} {text:>14}  {goal:<18} {verdict}", flush=True)

    def note(self, text: str):
        self.notes.append(text)
        print(f"  note: {text}", flush=True)


def _pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _pg(command: str, name: str) -> None:
    subprocess.run(
        [command, "-h", "127.0.0.1", "-U", "postgres", name], check=True, capture_output=True
    )


def section_generate(report: Report, plan: Plan, root: Path, url_for) -> dict[float, Dataset]:
    print("\n== data at scale", flush=True)
    datasets = {}
    for scale in plan.scales:
        data_dir = root / f"scale-{scale}"
        if data_dir.exists():
            shutil.rmtree(data_dir)
        url = url_for(scale)
        summary = generate.generate(scale=scale, data_dir=data_dir, url=url, quiet=True)
        rows = sum(summary["counts"].values())
        report.add(
            "generate", f"scale {scale}: {rows:,} rows, all tables", summary["seconds"], unit="s"
        )
        report.data.setdefault("generate", {})[scale] = summary
        for note in summary["notes"]:
            report.note(f"generator, {note}")
        datasets[scale] = Dataset.load(data_dir, url)
    counts = report.data["generate"][plan.scales[1]]["counts"]
    report.note("full-scale rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items() if n))
    return datasets


def section_latency(
    report: Report,
    plan: Plan,
    datasets: dict[float, Dataset],
    label: str = "SQLite",
    only: tuple[str, ...] = (),
) -> None:
    print(f"\n== latency on {label} (1 worker, sequential requests)", flush=True)
    small, large = plan.scales
    results = {}
    for scale in (small, large):
        requests = plan.latency_requests if scale == large else plan.latency_requests_small
        results[scale] = latency.measure(
            datasets[scale], requests=requests, warmup=plan.latency_warmup, only=only
        )
    if label == "SQLite":
        report.data["latency"] = results
    else:
        report.data.setdefault("latency_by_db", {})[label] = results
    # SQLite's rows keep their names (earlier runs compare with them); others are prefixed.
    prefix = "" if label == "SQLite" else f"{label}: "
    for name, figures in results[large]["endpoints"].items():
        goal = figures["goal_ms"]
        report.add(
            "latency",
            f"{prefix}{name}: p50 / p95 / p99",
            f"{figures['p50']:.0f} / {figures['p95']:.0f} / {figures['p99']:.0f}",
            f"p95 < {goal} ms",
            figures["p95"] < goal,
            unit="ms",
        )
    for name, figures in results[large]["endpoints"].items():
        ratio = figures["p50"] / results[small]["endpoints"][name]["p50"]
        report.add("size ratio", f"{prefix}{name}: p50 full / p50 tenth", ratio, "< 2", ratio < 2)
    for missing in results[large]["missing"]:
        report.note(f"latency: {missing}")


def section_throughput(report: Report, plan: Plan, dataset: Dataset, label: str) -> None:
    print(f"\n== throughput on {label} (uvicorn 2 workers, 50 clients, 90/10)", flush=True)
    result = throughput.measure(dataset, seconds=plan.load_seconds)
    report.data.setdefault("throughput", {})[label] = result
    report.add(
        "throughput",
        f"{label}: requests per second",
        result["rps"],
        f"≥ {throughput.RPS_GOAL}",
        result["rps"] >= throughput.RPS_GOAL,
    )
    report.add(
        "throughput",
        f"{label}: p50 / p95 / p99",
        f"{result['p50']:.0f} / {result['p95']:.0f} / {result['p99']:.0f}",
        f"p95 < {throughput.P95_GOAL_MS} ms",
        result["p95"] < throughput.P95_GOAL_MS,
        unit="ms",
    )
    report.add(
        "throughput",
        f"{label}: errors (of {result['requests']:,}; {result['writes']:,} writes)",
        result["errors"],
        "0",
        result["errors"] == 0,
    )
    if result["error_samples"]:
        report.note(f"throughput {label}: first errors: {result['error_samples'][:3]}")
    rss = result["peak_rss_mb"]
    report.add(
        "memory",
        f"{label}: peak RSS of a worker under load",
        rss,
        f"< {throughput.RSS_GOAL_MB} MB",
        rss is not None and rss < throughput.RSS_GOAL_MB,
        unit="MB",
    )


def section_sweeps(report: Report, plan: Plan, datasets: dict[float, Dataset], label: str) -> None:
    print(f"\n== reminder sweep on {label}", flush=True)
    small, large = plan.scales
    runs = {scale: sweeps.reminder_sweep(datasets[scale]) for scale in (small, large)}
    report.data.setdefault("sweep", {})[label] = runs
    full = runs[large]
    report.add(
        "sweep",
        f"{label}: first sweep at full size ({full['first_created']:,} reminders)",
        full["first_s"],
        unit="s",
    )
    report.add("sweep", f"{label}: daily sweep, nothing new, full size", full["repeat_s"], unit="s")
    ratio = full["repeat_s"] / runs[small]["repeat_s"]
    report.add("size ratio", f"{label}: daily sweep full / tenth", ratio, "< 2", ratio < 2)
    report.add(
        "sweep",
        f"{label}: next day's sweep, full size ({full['next_day_created']:,} reminders)",
        full["next_day_s"],
        unit="s",
    )
    ratio = full["next_day_s"] / runs[small]["next_day_s"]
    report.add("size ratio", f"{label}: next day's sweep full / tenth", ratio)


def section_reviews(report: Report, plan: Plan, datasets: dict[float, Dataset]) -> None:
    print("\n== management review inputs", flush=True)
    small, large = plan.scales
    runs = {scale: reviews.compile_inputs(datasets[scale]) for scale in (small, large)}
    report.data["review_inputs"] = runs
    full = runs[large]
    # In ms: at these sizes the figure is well under a second, and "0.0 s" says nothing.
    report.add(
        "review",
        f"inputs of a year compiled, full size ({full['figures']} figures), median",
        full["median_s"] * 1000,
        "< 1 s",
        full["median_s"] < 1,
        unit="ms",
    )
    report.add(
        "review",
        "inputs of a year compiled, tenth size, median",
        runs[small]["median_s"] * 1000,
        unit="ms",
    )
    ratio = full["median_s"] / runs[small]["median_s"]
    report.add("size ratio", "review inputs full / tenth", ratio, "< 2", ratio < 2)


def section_evidence(report: Report, plan: Plan, datasets: dict[float, Dataset]) -> None:
    print("\n== certification evidence pack", flush=True)
    runs = {}
    for scale in plan.scales:
        prepared = evidence.prepare(datasets[scale])
        runs[scale] = {"prepared": prepared, "export": evidence.export(datasets[scale])}
    report.data["evidence"] = runs
    small, large = (runs[s]["export"] for s in plan.scales)
    for scale, label in zip(
        plan.scales, ("tenth" if plan is not QUICK else "small", "full"), strict=True
    ):
        run = runs[scale]["export"]
        report.add(
            "evidence",
            f"clauses compiled for the page, {label} (best of 2 after a warm-up)",
            runs[scale]["prepared"]["compile_s"],
            unit="s",
        )
        report.add(
            "evidence",
            f"export, {label} ({run['records']:,} records, {run['files']:,} kept PDFs, "
            f"{run['zip_mb']:,.0f} MB ZIP)",
            run["seconds"],
            unit="s",
        )
        report.add(
            "evidence",
            f"peak memory of the exporting process, {label} (after start-up "
            f"{run['peak_mb_before']:,.0f} MB)",
            run["peak_mb"],
            "< 250 MB",
            run["peak_mb"] < 250,
            unit="MB",
        )
        report.add(
            "evidence",
            f"peak memory of the PDF renderer, {label}",
            run["renderer_peak_mb"],
            unit="MB",
        )
    grown = large["peak_mb"] - large["peak_mb_before"]
    grown_small = small["peak_mb"] - small["peak_mb_before"]
    # The files are streamed: the memory added follows the records listed (their codes,
    # titles, links), not the bytes put in the ZIP.
    report.add(
        "evidence",
        f"memory the export added, full: {grown:,.0f} MB for a {large['zip_mb']:,.0f} MB ZIP "
        f"({small['zip_mb']:,.0f} MB ZIP: {grown_small:,.0f} MB)",
        grown / max(large["zip_mb"], 1.0),
        "< 0.5 MB per MB",
        grown / max(large["zip_mb"], 1.0) < 0.5,
    )
    # Flat when streamed: the memory the full pack adds beyond the tenth's, per 1,000 more
    # records (start-up, the renderer's answer and the bounded listings are in both).
    more = max(large["records"] - small["records"], 1)
    report.add(
        "evidence",
        "memory added per 1,000 more records, full against tenth",
        (grown - grown_small) / more * 1000,
        "< 0.2 MB",
        (grown - grown_small) / more * 1000 < 0.2,
        unit="MB",
    )


def section_imports(report: Report, plan: Plan, dataset: Dataset) -> None:
    print("\n== imports and backup", flush=True)
    imported = sweeps.docs_import(dataset, plan.import_files)
    report.data["docs_import"] = imported
    if "skipped" in imported:
        report.add("import", f"qms docs import of {plan.import_files:,} files", None)
        report.note(f"qms docs import: {imported['skipped']}")
    else:
        report.add(
            "import",
            f"qms docs import of {plan.import_files:,} files",
            imported["seconds"],
            unit="s",
        )
    backup = sweeps.backup(dataset)
    report.data["backup"] = backup
    size = f", database {backup['database_mb']:.0f} MB" if backup["database_mb"] else ""
    report.add(
        "backup",
        f"qms backup, full size (archive {backup['archive_mb']:.0f} MB{size})",
        backup["seconds"],
        unit="s",
    )


def section_pdf(report: Report, plan: Plan) -> None:
    print("\n== PDF records against the naive table", flush=True)
    result = pdf.measure(list(plan.pdf_sizes))
    report.data["pdf"] = result
    for n, row in result["sizes"].items():
        report.add("pdf", f"naive table, {n} rows (floor)", row["naive"]["seconds"], unit="s")
        if "ours" in row:
            report.add(
                "pdf", f"audit report, {n} items: rendered", row["ours"]["seconds"], unit="s"
            )
            report.add(
                "pdf",
                f"audit report, {n} items: PAdES signature of the rendered PDF",
                row["ours"]["sign_seconds"],
                unit="s",
            )
            report.add(
                "pdf",
                f"audit report, {n} items: (rendered + signed) / rendered",
                row["ours"]["signed_ratio"],
                f"≤ {pdf.SIGNED_GOAL}",
                row["ours"]["signed_ratio"] <= pdf.SIGNED_GOAL,
            )
            report.add(
                "pdf",
                f"audit report, {n} items: signed, rendered and kept",
                row["ours"]["report_seconds"],
                unit="s",
            )
            report.add(
                "pdf",
                f"audit report / naive table, {n} items",
                row["ratio"],
                f"≤ {pdf.RATIO_GOAL}",
                row["ratio"] <= pdf.RATIO_GOAL,
            )
            report.add(
                "pdf",
                f"audit report, {n} items: peak memory (renderer {row['ours']['renderer_peak_mb']:.0f} MB)",
                row["ours"]["peak_mb"],
                f"< {pdf.PEAK_GOAL_MB} MB",
                row["ours"]["peak_mb"] < pdf.PEAK_GOAL_MB,
                unit="MB",
            )
    serve = result.get("serving")
    if serve:
        n = serve["items"]
        report.add(
            "pdf",
            f"small API call while a {n}-item report renders: p50 / p95 (idle p50 {serve['idle_p50']:.0f})",
            f"{serve['during_p50']:.0f} / {serve['during_p95']:.0f}",
            "not blocked",
            serve["during_p95"] < 10 * max(serve["idle_p50"], 10),
            unit="ms",
        )
        report.add(
            "pdf",
            "serving the kept report: p50 / p95",
            f"{serve['kept_p50']:.0f} / {serve['kept_p95']:.0f}",
            "< 20 ms",
            serve["kept_p95"] < 20,
            unit="ms",
        )
    if not result["ours"]:
        report.note(
            "PDF audit report: not measured: audits domain not merged (the naive-table floor is measured)"
        )


def side_by_side(data: dict) -> list[str]:
    """SQLite and PostgreSQL in one table, when both were measured in this run."""
    other = data.get("latency_by_db", {})
    if "latency" not in data or not other:
        return []
    label = next(iter(other))
    sqlite, pg = data["latency"], other[label]
    small, large = sorted(sqlite)
    lines = [
        f"## SQLite and {label} side by side",
        "",
        f"| endpoint | SQLite p50 / p95 ms | {label} p50 / p95 ms | SQLite ratio | {label} ratio |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in sqlite[large]["endpoints"].items():
        theirs = pg[large]["endpoints"].get(name)
        if theirs is None:
            continue
        ratio = figures["p50"] / sqlite[small]["endpoints"][name]["p50"]
        their_ratio = theirs["p50"] / pg[small]["endpoints"][name]["p50"]
        lines.append(
            f"| {name} | {figures['p50']:.0f} / {figures['p95']:.0f} "
            f"| {theirs['p50']:.0f} / {theirs['p95']:.0f} | {ratio:.1f} | {their_ratio:.1f} |"
        )
    runs = data.get("throughput", {})
    if "SQLite" in runs and label in runs:
        a, b = runs["SQLite"], runs[label]
        lines.append(
            f"| throughput: requests per second, p95 ms, errors | {a['rps']:.1f}, {a['p95']:.0f}, "
            f"{a['errors']} | {b['rps']:.1f}, {b['p95']:.0f}, {b['errors']} | | |"
        )
    return [*lines, ""]


def write_results(report: Report, info: dict, args, started: float, path: Path) -> None:
    elapsed = time.perf_counter() - started
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench.run{' --quick' if args.quick else ''}"
        f"{' --db postgres' if args.pg else ''}{' --skip ' + args.skip if args.skip else ''}"
        f"{f' --only-endpoints {args.only_endpoints!r}' if args.only_endpoints else ''}` "
        f"on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the run took {elapsed / 60:.1f} minutes. "
        "See bench/README.md for what each figure means.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in info.items()),
        "",
        "## Figures",
        "",
        "| section | figure | value | goal | |",
        "| --- | --- | ---: | --- | --- |",
        *(f"| {s} | {f} | {v} | {g} | {m} |" for s, f, v, g, m in report.rows),
        "",
    ]
    lines += side_by_side(report.data)
    if report.notes:
        lines += ["## Notes", "", *(f"- {n}" for n in report.notes), ""]
    if args.analysis and args.analysis.exists():
        lines += [args.analysis.read_text().strip(), ""]
    path.write_text("\n".join(lines))
    print(f"\nwrote {path} ({elapsed:.0f} s)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny scale, 5 s of load")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="postgres: also generate both sizes on PostgreSQL and measure its latency, "
        "size ratios and throughput beside SQLite's",
    )
    parser.add_argument("--pg", action="store_true", help="the same as --db postgres")
    parser.add_argument("--pg-url", default=None, help="an empty database to use (else created)")
    parser.add_argument(
        "--pg-prefix", default="qms_bench", help="name of the PostgreSQL databases created"
    )
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--results", type=Path, default=None, help="default bench/RESULTS.md")
    parser.add_argument(
        "--analysis",
        type=Path,
        default=ROOT / "bench" / "ANALYSIS.md",
        help="appended to RESULTS.md: what the profiles show (written by hand)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: latency,throughput,sweeps,reviews,evidence,imports,pdf",
    )
    parser.add_argument(
        "--only-endpoints",
        default="",
        help="comma-separated words: latency measures only the endpoints whose name has one",
    )
    args = parser.parse_args(argv)
    only = tuple(w.strip() for w in args.only_endpoints.split(",") if w.strip())
    args.pg = args.pg or args.db == "postgres"
    plan = QUICK if args.quick else FULL
    skip = set(filter(None, args.skip.split(",")))
    results_path = args.results or (
        ROOT / "var" / "bench" / "RESULTS-quick.md" if args.quick else ROOT / "bench" / "RESULTS.md"
    )
    args.work_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # One PostgreSQL database per size (created and dropped here unless --pg-url names the
    # full-size one: then only it is used, for the throughput).
    pg_names: list[str] = []
    pg_urls: dict[float, str] = {}
    pg_url = args.pg_url
    if args.pg and pg_url is None:
        for scale in plan.scales:
            name = f"{args.pg_prefix}_{os.getpid()}_{str(scale).replace('.', '_')}"
            _pg("createdb", name)
            pg_names.append(name)
            pg_urls[scale] = _pg_url(name)
        pg_url = pg_urls[plan.scales[1]]
    info = machine(pg_url)
    info["scale"] = f"{plan.scales[0]} and {plan.scales[1]} of the issue's organisation"
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    report = Report()
    failures = []

    spent: dict[str, float] = {}

    def attempt(name, fn, *a):
        if name in skip:
            return None
        began = time.perf_counter()
        try:
            return fn(*a)
        except Exception as exc:
            traceback.print_exc()
            failures.append(name)
            report.note(f"{name} failed: {type(exc).__name__}: {str(exc)[:300]}")
            return None
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - began

    try:
        began = time.perf_counter()
        datasets = section_generate(report, plan, args.work_dir, lambda _s: None)
        spent["generate"] = time.perf_counter() - began
        large = datasets[plan.scales[1]]
        attempt("sweeps", section_sweeps, report, plan, datasets, "SQLite")
        attempt("reviews", section_reviews, report, plan, datasets)
        attempt("evidence", section_evidence, report, plan, datasets)
        attempt("latency", section_latency, report, plan, datasets, "SQLite", only)
        attempt("throughput", section_throughput, report, plan, large, "SQLite")
        attempt("imports", section_imports, report, plan, large)
        if args.pg:
            print("\n== PostgreSQL", flush=True)
            pg_datasets = {}
            for scale in plan.scales if pg_urls else plan.scales[1:]:
                data_dir = args.work_dir / f"pg-{scale}"
                url = pg_urls.get(scale, pg_url)
                summary = generate.generate(scale=scale, data_dir=data_dir, url=url, quiet=True)
                report.add("generate", f"PostgreSQL scale {scale}", summary["seconds"], unit="s")
                pg_datasets[scale] = Dataset.load(data_dir, url)
            if len(pg_datasets) == 2:
                attempt("sweeps", section_sweeps, report, plan, pg_datasets, "PostgreSQL")
                attempt("latency", section_latency, report, plan, pg_datasets, "PostgreSQL", only)
            attempt(
                "throughput",
                section_throughput,
                report,
                plan,
                pg_datasets[plan.scales[1]],
                "PostgreSQL",
            )
        attempt("pdf", section_pdf, report, plan)
    finally:
        for name in pg_names:
            try:
                _pg("dropdb", name)
            except subprocess.CalledProcessError as exc:
                print(f"could not drop {name}: {exc.stderr}")
    report.note(
        "wall time by section: "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in spent.items())
    )
    (args.work_dir / "results.json").write_text(json.dumps(report.data, indent=1, default=str))
    write_results(report, info, args, started, results_path)
    if failures:
        raise SystemExit(f"sections failed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
