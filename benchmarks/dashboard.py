"""Dashboard benchmark: page draw and filter redraw in a real browser, and every query's latency.

In one run, per warehouse (the default seed warehouse, and optionally a large one with FAERS
quarters from benchmarks/faers_generate.py loaded into a copy of it):

- pages: on a warm `streamlit run` (every page visited once first), load each page in the browser
  (Debian chromium via Playwright) until every chart on it has drawn its SVG; 5 loads per page.
- redraw: on the Overview, pick another definition in the selectbox and time until the explored
  chart's SVG changed and the script run finished; 6 changes.
- queries: every public function of dashboard/queries*.py that can be called with the arguments
  below, uncached (the cost after a publish invalidates the cache), 30 calls each; p50 and p95.

    python benchmarks/dashboard.py [--faers benchmarks/out/faers_3600000] [--readme]

Targets (issue 6): every page drawn within 2 s, a redraw within 0.5 s, query p95 < 50 ms on the
default warehouse and < 250 ms with 20M FAERS drug rows.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_browser import (  # noqa: E402
    CHART,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    pages,
    settle,
    wait_healthy,
)

# Arguments for query functions, by parameter name (functions needing others are reported).
ARGUMENTS = {
    "ingredients": ("ketamine", "esketamine"),
    "ingredient": "ketamine",
    "source_id": "faers_quarterly",
    "dimensions": ("sex", "age_group", "reporter", "outcome"),
    "mask": True,
    "domain": None,
    "categories": (),
    "name": "observations",
    "geography": "United States",
    "stratum": "all laboratories in the data file",
    "indicator": "nflis_reports_ketamine",
    "indicator_ids": ("nflis_reports_ketamine",),
    "limit": 15,
    "product": "spravato",
    "agency": "FDA",
}
SKIP = {"run_query", "connect", "warehouse_path", "warehouse_version", "_cached"}


def build_default(work: Path) -> Path:
    from etl.refresh import RefreshOptions, refresh
    from etl.sources import SOURCES

    refresh(SOURCES, None, RefreshOptions(mode="offline", data_dir=work / "default"))
    return work / "default" / "warehouse.duckdb"


def build_large(default: Path, faers: Path, work: Path) -> tuple[Path, dict]:
    """A copy of the default warehouse with the generated FAERS quarters loaded by our loader."""
    import duckdb

    from etl.sources.faers_quarterly import SOURCE

    large = work / "large.duckdb"
    shutil.copy(default, large)
    con = duckdb.connect(str(large))
    started = time.perf_counter()
    quarters = sorted(p for p in faers.iterdir() if p.name.startswith("faers_ascii_"))
    tables = SOURCE.load(con, {"quarters": quarters})
    for table, frame in (("observations", tables.observations), ("indicators", tables.indicators)):
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        con.register("incoming", frame[[c for c in columns if c in frame.columns]])
        names = ", ".join(c for c in columns if c in frame.columns)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming")
        con.unregister("incoming")
    con.execute("UPDATE sources SET status = 'ok' WHERE id = 'faers_quarterly'")
    con.close()
    expected = json.loads((faers / "expected.json").read_text())
    return large, {"load_seconds": time.perf_counter() - started, **expected}


def query_functions() -> list[tuple[str, object]]:
    import importlib

    found = []
    for path in sorted((ROOT / "dashboard").glob("queries*.py")):
        module = importlib.import_module(f"dashboard.{path.stem}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and name not in SKIP:
                found.append((f"{path.stem}.{name}", fn))
    return found


def time_queries(warehouse: Path, repeat: int = 30) -> list[dict]:
    os.environ["KETAMINE_WATCH_WAREHOUSE"] = str(warehouse)
    from dashboard import queries

    def uncached(sql: str, params: tuple, version: object):
        con = queries.connect()
        try:
            return con.execute(sql, list(params)).df()
        finally:
            con.close()

    queries._cached = uncached  # measure the SQL, not the cache
    results = []
    for label, fn in query_functions():
        params = inspect.signature(fn).parameters
        kwargs, missing = {}, []
        for pname, param in params.items():
            if pname in ARGUMENTS:
                kwargs[pname] = ARGUMENTS[pname]
            elif param.default is inspect.Parameter.empty:
                missing.append(pname)
        if missing:
            results.append({"query": label, "skipped": f"needs {', '.join(missing)}"})
            continue
        try:
            fn(**kwargs)
        except Exception as error:  # report, do not stop the benchmark
            results.append({"query": label, "skipped": f"{type(error).__name__}: {error}"[:80]})
            continue
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn(**kwargs)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append(
            {
                "query": label,
                "p50_ms": statistics.median(times),
                "p95_ms": times[int(0.95 * (len(times) - 1))],
            }
        )
    return results


def time_pages(warehouse: Path, loads: int = 5, changes: int = 6) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KETAMINE_WATCH_WAREHOUSE": str(warehouse)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
         "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out: dict = {"pages": {}, "redraw": []}
    try:
        wait_healthy(base, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 2600})
            tab = context.new_page()
            tab.set_default_timeout(60_000)
            targets = [(s, base if s == "overview" else f"{base}/{u}") for s, u in pages()]
            for _, url in targets:  # warm the server's caches
                tab.goto(url)
                settle(tab)
            for stem, url in targets:
                times = []
                for _ in range(loads):
                    started = time.perf_counter()
                    tab.goto(url)
                    tab.wait_for_selector("h1")
                    settle(tab)
                    times.append(time.perf_counter() - started)
                out["pages"][stem] = {"charts": tab.locator(CHART).count(), "times": times}
            tab.goto(base)
            settle(tab)
            for i in range(changes):
                before = tab.locator(CHART).last.inner_html()
                box = tab.locator('[data-testid="stSelectbox"]').filter(has_text="Definition")
                box.click()
                option = tab.locator('[role="option"]').nth(1 + i % 2)
                started = time.perf_counter()
                option.click()
                tab.wait_for_function(
                    "([sel, old]) => { const c = document.querySelectorAll(sel);"
                    " return c.length && c[c.length - 1].innerHTML !== old; }",
                    arg=[CHART, before],
                )
                settle(tab)
                out["redraw"].append(time.perf_counter() - started)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    return out


def report(name: str, pages_: dict, queries_: list[dict]) -> str:
    lines = [f"### {name}", "", "| page | charts | median load (s) | max (s) | target 2 s |",
             "|---|---:|---:|---:|---|"]  # fmt: skip
    for stem, row in pages_["pages"].items():
        worst = max(row["times"])
        lines.append(
            f"| {stem} | {row['charts']} | {statistics.median(row['times']):.2f} | {worst:.2f} |"
            f" {'met' if worst <= 2 else '**missed**'} |"
        )
    redraw = pages_["redraw"]
    lines += [
        "",
        f"Overview filter change to redraw: median {statistics.median(redraw):.2f} s, "
        f"max {max(redraw):.2f} s (target 0.5 s: "
        f"{'met' if max(redraw) <= 0.5 else '**missed**'}).",
        "",
        "| query | p50 (ms) | p95 (ms) |",
        "|---|---:|---:|",
    ]
    for row in queries_:
        if "skipped" in row:
            lines.append(f"| `{row['query']}` | — | not timed: {row['skipped']} |")
        else:
            lines.append(f"| `{row['query']}` | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faers", type=Path, help="generated FAERS quarters for the large run")
    parser.add_argument("--readme", action="store_true", help="print the README section")
    args = parser.parse_args()
    sections = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; chromium headless; `python benchmarks/dashboard.py"
        f"{' --faers ' + str(args.faers) if args.faers else ''}`."
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        default = build_default(work)
        runs = [("Default warehouse (offline seed)", default)]
        if args.faers:
            large, info = build_large(default, args.faers, work)
            runs.append(
                (
                    f"Large warehouse: seed + {info.get('drug_rows', '?'):,} generated FAERS drug "
                    f"rows ({info.get('demo_rows', '?'):,} DEMO rows), loaded in "
                    f"{info['load_seconds']:.0f} s",
                    large,
                )
            )
        for name, warehouse in runs:
            # Queries in a child process so each run imports dashboard.queries afresh.
            result = subprocess.run(
                [sys.executable, __file__, "--queries-only", str(warehouse)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            queries_ = json.loads(result.stdout.strip().splitlines()[-1])
            sections.append(report(name, time_pages(warehouse), queries_))
    text = "\n\n".join(sections)
    print(text)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--queries-only":
        print(json.dumps(time_queries(Path(sys.argv[2]))))
    else:
        main()
