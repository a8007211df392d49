"""Dashboard benchmark: page draw and filter redraw in a real browser, and every query's latency.

In one run, per warehouse (the default seed warehouse, and optionally a large one with FAERS
quarters from benchmarks/faers_generate.py loaded into a copy of it):

- pages: on a warm `streamlit run` (every page visited once first), load each page in the browser
  (Debian chromium via Playwright) until every chart on it has drawn its SVG; 5 loads per page.
- redraw: on the Overview, pick another definition in the selectbox and time until the explored
  chart's SVG changed and the script run finished; 6 changes.
- queries: every public function of dashboard/queries*.py that can be called with the arguments
  below, with the result cache bypassed (the cost after a publish invalidates it), 30 calls each;
  p50 and p95. Each code version keeps its own connection design: the baseline opens a connection
  per query; a version with a shared connection per warehouse version reuses it, and what opening
  it costs (once per publish) is reported on its own line.

    python benchmarks/dashboard.py [--warehouse W.duckdb] [--faers DIR | --large L.duckdb]
        [--root OTHER_CHECKOUT ...] [--rounds N]

`--root` names code trees to compare (e.g. a `git worktree` at the baseline commit, and this one):
each is served and queried against the same warehouse files, alternating, in one run.

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
SKIP = {
    "run_query",
    "connect",
    "warehouse_path",
    "warehouse_version",
    "_cached",
    "_shared",
    "clear_cache",
}


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


def query_functions(root: Path) -> list[tuple[str, object]]:
    import importlib

    found = []
    for path in sorted((root / "dashboard").rglob("queries*.py")):
        dotted = ".".join(path.relative_to(root).with_suffix("").parts)
        module = importlib.import_module(dotted)
        short = dotted.removeprefix("dashboard.")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and name not in SKIP:
                found.append((f"{short}.{name}", fn))
    return found


def time_queries(warehouse: Path, root: Path, repeat: int = 30) -> list[dict]:
    os.environ["KETAMINE_WATCH_WAREHOUSE"] = str(warehouse)
    sys.path.insert(0, str(root))  # the code tree under test, ahead of this one
    import importlib

    # a baseline tree from before the page folders keeps its modules directly in dashboard/
    shared = "dashboard.common" if (root / "dashboard" / "common").is_dir() else "dashboard"
    queries = importlib.import_module(f"{shared}.queries")
    folder = root / Path(*shared.split("."))
    # older trees still define the cache in queries.py
    has_connection = (folder / "connection.py").exists()
    connection = importlib.import_module(f"{shared}.connection") if has_connection else queries

    assert Path(queries.__file__).resolve().is_relative_to(root.resolve()), queries.__file__
    # Measure the SQL, not the result cache: run_query looks `_cached` up in the connection
    # module, so replace it there with the undecorated function.
    connection._cached = connection._cached.__wrapped__
    results = []
    opens = []
    for _ in range(repeat):
        started = time.perf_counter()
        queries.connect().close()
        opens.append((time.perf_counter() - started) * 1000)
    opens.sort()
    results.append(
        {
            "query": "connect() (open the warehouse; per query in the baseline, once per publish "
            "with a shared connection)",
            "p50_ms": statistics.median(opens),
            "p95_ms": opens[int(0.95 * (len(opens) - 1))],
        }
    )
    for label, fn in query_functions(root):
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


def time_pages(warehouse: Path, root: Path, loads: int = 5, changes: int = 6) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KETAMINE_WATCH_WAREHOUSE": str(warehouse)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "dashboard" / "app.py"),
         "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
         "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
            # The methods page draws no chart: waiting for "at least one chart" there never ends.
            charted = {stem: stem != "methods" for stem, _ in targets}
            for stem, url in targets:  # warm the server's caches
                tab.goto(url)
                settle(tab, charts=charted[stem])
            for stem, url in targets:
                times = []
                for _ in range(loads):
                    started = time.perf_counter()
                    tab.goto(url)
                    tab.wait_for_selector("h1")
                    times.append(settle(tab, charts=charted[stem]) - started)
                out["pages"][stem] = {"charts": tab.locator(CHART).count(), "times": times}
            tab.goto(base)
            settle(tab)
            for i in range(changes):
                before = tab.locator(CHART).last.inner_html()
                box = tab.locator('[data-testid="stSelectbox"]').filter(has_text="Definition")
                option = tab.locator('[role="option"]').nth(1 + i % 2)
                for _ in range(5):  # a click while the page still settles may not open the list
                    box.get_by_role("combobox").click()
                    tab.keyboard.press("ArrowDown")  # a click alone may focus without opening
                    try:
                        option.wait_for(timeout=5_000)
                        break
                    except PlaywrightTimeout:
                        tab.keyboard.press("Escape")
                started = time.perf_counter()
                option.click()
                tab.wait_for_function(
                    "([sel, old]) => { const c = document.querySelectorAll(sel);"
                    " return c.length && c[c.length - 1].innerHTML !== old; }",
                    arg=[CHART, before],
                )
                out["redraw"].append(settle(tab) - started)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    return out


def _p(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], ordered[-1]


def report(name: str, runs: dict[str, list[tuple[dict, list[dict]]]]) -> str:
    """One section per warehouse: pages, redraw and queries, a column pair per code tree."""
    trees = list(runs)
    head = " | ".join(f"{t} median / max (s)" for t in trees)
    lines = [f"### {name}", "", f"| page | charts | {head} | target 2 s |",
             "|---|---:|" + "---:|" * len(trees) + "---|"]  # fmt: skip
    last = trees[-1]
    for stem in runs[last][0][0]["pages"]:
        cells, charts, worst_last = [], "", 0.0
        for tree in trees:
            times = [
                t
                for pages_, _ in runs[tree]
                for t in pages_["pages"].get(stem, {}).get("times", [])
            ]
            counts = {p["pages"][stem]["charts"] for p, _ in runs[tree] if stem in p["pages"]}
            charts = "/".join(str(c) for c in sorted(counts))
            med, _, worst = _p(times) if times else (float("nan"),) * 3
            cells.append(f"{med:.2f} / {worst:.2f}")
            worst_last = worst
        lines.append(
            f"| {stem} | {charts} | {' | '.join(cells)} |"
            f" {'met' if worst_last <= 2 else '**missed**'} ({last}) |"
        )
    lines.append("")
    for tree in trees:
        redraw = [t for pages_, _ in runs[tree] for t in pages_["redraw"]]
        med, p95, worst = _p(redraw)
        lines.append(
            f"- {tree}: Overview filter change to redraw median {med:.2f} s, max {worst:.2f} s "
            f"({len(redraw)} changes; target 0.5 s: {'met' if worst <= 0.5 else '**missed**'})."
        )
    head = " | ".join(f"{t} p50 / p95 (ms)" for t in trees)
    lines += ["", f"| query | {head} |", "|---|" + "---:|" * len(trees)]
    labels = list(dict.fromkeys(r["query"] for _, q in runs[last] for r in q))
    for tree in trees:
        labels += [r["query"] for _, q in runs[tree] for r in q if r["query"] not in labels]
    for label in labels:
        cells = []
        for tree in trees:
            rows = [r for _, q in runs[tree] for r in q if r["query"] == label]
            timed = [r for r in rows if "skipped" not in r]
            if timed:
                p50 = statistics.median(r["p50_ms"] for r in timed)
                p95 = max(r["p95_ms"] for r in timed)
                cells.append(f"{p50:.1f} / {p95:.1f}")
            else:
                cells.append(f"not timed: {rows[0]['skipped']}" if rows else "—")
        lines.append(f"| `{label}` | {' | '.join(cells)} |")
    return "\n".join(lines)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="default warehouse (else built offline)")
    parser.add_argument("--faers", type=Path, help="generated FAERS quarters for the large run")
    parser.add_argument("--large", type=Path, help="an already built large warehouse")
    parser.add_argument(
        "--root", type=Path, action="append", help="code tree(s) to compare (default: this one)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per tree")
    parser.add_argument("--loads", type=int, default=5, help="loads per page per round")
    args = parser.parse_args()
    roots = [r.resolve() for r in (args.root or [ROOT])]
    names = {r: ("this tree" if r == ROOT else r.name) for r in roots}
    sections = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; chromium headless; `python benchmarks/dashboard.py "
        f"{' '.join(sys.argv[1:])}`; load average at start {load_average()}."
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        default = args.warehouse or build_default(work)
        warehouses = [("Default warehouse", default)]
        if args.large:
            warehouses.append((f"Large warehouse ({args.large.name})", args.large))
        elif args.faers:
            large, info = build_large(default, args.faers, work)
            warehouses.append(
                (
                    f"Large warehouse: {info.get('drug_rows', '?'):,} generated FAERS drug "
                    f"rows ({info.get('demo_rows', '?'):,} DEMO rows), loaded in "
                    f"{info['load_seconds']:.0f} s",
                    large,
                )
            )
        for name, warehouse in warehouses:
            runs: dict[str, list] = {names[r]: [] for r in roots}
            for round_ in range(args.rounds):
                order = roots if round_ % 2 == 0 else roots[::-1]
                for root in order:
                    # Queries in a child process so each tree imports its dashboard afresh.
                    result = subprocess.run(
                        [sys.executable, __file__, "--queries-only", str(warehouse), str(root)],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    queries_ = json.loads(result.stdout.strip().splitlines()[-1])
                    pages_ = time_pages(warehouse, root, loads=args.loads)
                    runs[names[root]].append((pages_, queries_))
                    print(f"{name} {names[root]} round {round_ + 1}: load {load_average()}",
                          file=sys.stderr, flush=True)  # fmt: skip
            sections.append(report(name, runs))
    sections.append(f"Load average at end: {load_average()}.")
    print("\n\n".join(sections))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--queries-only":
        print(json.dumps(time_queries(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
