"""FAERS full history on one machine: full load, one-quarter refresh, publish, size, page queries.

In one run, on one synthetic history (benchmarks/faers_history.py: `--quarters` + 1 quarters of
`--reports` DEMO rows each, follow-ups superseding earlier quarters' reports, deleted-case lists
naming earlier cases):

- full: `faers_quarterly.SOURCE.load` of the first `--quarters` quarters into an empty data
  folder (the FAERS store `faers.duckdb` is built beside the warehouse): time and peak RSS;
- incremental: the same folder given all quarters: it reads only the new one (time, CPU time,
  peak RSS);
- alone (the baseline): that new quarter loaded into an empty folder; the ratio incremental /
  alone is the cost of merging into the history (goal <= 1.5). The two run `--rounds` times,
  alternating, the store restored from a copy before each merge; medians, and the median of the
  ratios within a round (the machine may be shared: CPU time is reported beside wall time);
- nothing new: the same folder given the same quarters again (derive the published tables only);
- publish: the default offline warehouse with the full-history FAERS tables vs with empty FAERS;
  in each, `refresh milestones --offline` (carry every other source over, then publish
  atomically), alternating, `--publish-rounds` times each; medians (goal: difference < 2 s);
- size on disk of the warehouse and the store;
- query p95 of the Adverse events page's queries (dashboard/adverse_events/queries.py, via
  benchmarks/dashboard.py's timing, result cache bypassed) on the full-history warehouse.

Every load runs in its own subprocess (peak RSS from os.wait4).

    python benchmarks/faers_incremental.py --quarters 40 --reports 250000 [--readme]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._child import run_json_child  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def child_load(data: Path, quarters: list[Path]) -> dict:
    """In the child: SOURCE.load in one transaction, as the refresh runs it."""
    import duckdb

    from etl.faers import progress
    from etl.sources.faers_quarterly import SOURCE

    read: list[str] = []
    data.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    started = time.perf_counter()
    with progress.listen(lambda p, q, d, t: read.append(q) if d < t else None):
        con.begin()
        tables = SOURCE.load(con, {"quarters": quarters})
        con.register("_obs", tables.observations)
        con.execute("CREATE OR REPLACE TABLE faers_observations AS SELECT * FROM _obs")
        con.commit()
    seconds = time.perf_counter() - started
    [(cases, total)] = con.execute(
        "SELECT (SELECT count(*) FROM faers_cases), (SELECT max(n_total) FROM "
        "faers_reaction_counts)"
    ).fetchall()
    con.close()
    return {"seconds": seconds, "read": len(read), "ketamine_reports": cases, "kept": total}


def run_child(step: str, *args: str) -> dict:
    """Run `step` in a fresh interpreter; its JSON result plus peak RSS."""
    result, usage = run_json_child([__file__, "--child", step, *args], label=f"step {step}")
    cpu = usage.ru_utime + usage.ru_stime
    return {**result, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_seconds": cpu}


def child(step: str, args: list[str]) -> None:
    if step == "load":
        data, quarters = Path(args[0]), [Path(p) for p in args[1:]]
        print(json.dumps(child_load(data, quarters)))
    elif step == "queries":
        import importlib.util

        # benchmarks/dashboard.py (its name is the dashboard package's, so load it by path)
        spec = importlib.util.spec_from_file_location(
            "dashboard_bench", Path(__file__).parent / "dashboard.py"
        )
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        # The page's FAERS panels: suspect role, every received year.
        bench.ARGUMENTS.update(role="suspect", first=None, last=None)
        rows = bench.time_queries(Path(args[0]), ROOT, repeat=30)
        # the Adverse events page's SQL modules (named queries_adverse_events in older trees)
        prefixes = ("adverse_events.queries", "queries_adverse_events.")
        page = [r for r in rows if r["query"].startswith(prefixes)]
        print(json.dumps({"rows": page}))


def with_faers(default: Path, faers_dir: Path | None, target: Path) -> Path:
    """A data folder whose published warehouse is the default one, plus (when `faers_dir`) the
    FAERS tables and observations of that folder's load, registered as the source's."""
    import duckdb

    from etl.contract import Tables
    from etl.faers.load import TABLES
    from etl.sources.faers_quarterly import indicators
    from etl.staging_writes import stage_tables

    target.mkdir(parents=True, exist_ok=True)
    published = target / "warehouse.duckdb"
    shutil.copy(default, published)
    if faers_dir is None:
        return target
    con = duckdb.connect(str(published))
    con.execute(f"ATTACH '{faers_dir / 'warehouse.duckdb'}' AS f (READ_ONLY)")
    for name in (*TABLES, "faers_signals"):
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM f.{name}")
        con.execute("INSERT OR REPLACE INTO detail_tables VALUES (?, 'faers_quarterly')", [name])
    for canonical in ("observations", "indicators"):
        con.execute(f"DELETE FROM {canonical} WHERE source = 'faers_quarterly'")
    observations = con.execute("SELECT * FROM f.faers_observations").df()
    stage_tables(con, "faers_quarterly", Tables(observations=observations, indicators=indicators()))
    con.execute("UPDATE sources SET status = 'ok' WHERE id = 'faers_quarterly'")
    con.close()
    shutil.copy(faers_dir / "faers.duckdb", target / "faers.duckdb")
    return target


def time_publish(folders: dict[str, Path], rounds: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds (this process, all threads) of `refresh milestones`."""
    from etl.refresh import RefreshOptions, refresh
    from etl.sources import SOURCES

    times: dict[str, list[tuple[float, float]]] = {name: [] for name in folders}
    for name in folders:  # warm-up (imports, file cache), not counted
        refresh(SOURCES, ["milestones"], RefreshOptions(mode="offline", data_dir=folders[name]))
    for i in range(rounds):
        order = list(folders) if i % 2 == 0 else list(reversed(folders))
        for name in order:
            wall, cpu = time.perf_counter(), time.process_time()
            refresh(SOURCES, ["milestones"], RefreshOptions(mode="offline", data_dir=folders[name]))
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        name: {"seconds": statistics.median(w for w, _ in values),
               "cpu_seconds": statistics.median(c for _, c in values)}
        for name, values in times.items()
    }  # fmt: skip


def one_quarter(work: Path, paths: list[str], rounds: int) -> tuple[dict, dict]:
    """The new quarter merged into the full store vs loaded alone, `rounds` times, alternating
    (the store restored from a copy before each merge); medians, and the median of the ratios
    within a round. Leaves `work/full` holding every quarter."""
    saved = work / "saved"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(work / "full", saved)
    runs: dict[str, list[dict]] = {"incremental": [], "alone": []}
    for i in range(rounds):
        shutil.rmtree(work / "full", ignore_errors=True)
        shutil.copytree(saved, work / "full")
        shutil.rmtree(work / "alone", ignore_errors=True)
        steps = {
            "incremental": (str(work / "full"), *paths),
            "alone": (str(work / "alone"), paths[-1]),
        }
        for name in list(steps) if i % 2 == 0 else list(reversed(steps)):
            runs[name].append(run_child("load", *steps[name]))
    out = []
    for name in ("incremental", "alone"):
        med = {k: statistics.median(r[k] for r in runs[name]) for k in
               ("seconds", "cpu_seconds", "peak_rss_mb")}  # fmt: skip
        out.append({**runs[name][-1], **med, "rounds": rounds,
                    "all_seconds": [r["seconds"] for r in runs[name]]})  # fmt: skip
    pairs = list(zip(runs["incremental"], runs["alone"], strict=True))
    out[0]["ratio_in_round"] = statistics.median(a["seconds"] / b["seconds"] for a, b in pairs)
    out[0]["cpu_ratio_in_round"] = statistics.median(
        a["cpu_seconds"] / b["cpu_seconds"] for a, b in pairs
    )
    return out[0], out[1]


def measure(args: argparse.Namespace) -> dict:
    from faers_history import generate_history

    work = args.work
    history = work / "history"
    info_file = history / "history.json"
    started = time.perf_counter()
    old = json.loads(info_file.read_text()) if info_file.exists() else {}
    if (len(old.get("quarters", [])), old.get("reports_per_quarter")) != (
        args.quarters + 1,
        args.reports,
    ):
        shutil.rmtree(history, ignore_errors=True)
        generate_history(history, quarters=args.quarters + 1, reports=args.reports)
    info = json.loads(info_file.read_text())
    generated = time.perf_counter() - started
    paths = [str(history / f"faers_ascii_{q.lower()}") for q in info["quarters"]]
    for name in ("full", "alone", "pub_empty", "pub_full", "default"):
        shutil.rmtree(work / name, ignore_errors=True)
    full = run_child("load", str(work / "full"), *paths[:-1])
    incremental, alone = one_quarter(work, paths, args.rounds)
    again = run_child("load", str(work / "full"), *paths)
    sizes = {n: (work / "full" / n).stat().st_size / 2**20 for n in ("warehouse.duckdb",
                                                                       "faers.duckdb")}  # fmt: skip
    from etl.refresh import RefreshOptions, refresh
    from etl.sources import SOURCES

    refresh(SOURCES, None, RefreshOptions(mode="offline", data_dir=work / "default"))
    default = work / "default" / "warehouse.duckdb"
    folders = {
        "empty FAERS": with_faers(default, None, work / "pub_empty"),
        "full-history FAERS": with_faers(default, work / "full", work / "pub_full"),
    }
    publish = time_publish(folders, args.publish_rounds)
    published_mb = {k: (v / "warehouse.duckdb").stat().st_size / 2**20 for k, v in folders.items()}
    queries = run_child("queries", str(work / "pub_full" / "warehouse.duckdb"))["rows"]
    return {
        "info": info, "generate_seconds": generated, "full": full, "incremental": incremental,
        "alone": alone, "again": again, "sizes_mb": sizes, "publish_seconds": publish,
        "published_mb": published_mb, "queries": queries,
    }  # fmt: skip


TARGET_REPORTS = 30_000_000
MACHINE_GB = 24


def report(r: dict, args: argparse.Namespace) -> str:
    info, full, inc, alone = r["info"], r["full"], r["incremental"], r["alone"]
    reports_full = info["demo_rows"] * args.quarters / len(info["quarters"])
    f = TARGET_REPORTS / reports_full
    store_mb, wh_mb = r["sizes_mb"]["faers.duckdb"], r["sizes_mb"]["warehouse.duckdb"]
    pub = r["publish_seconds"]
    diff = pub["full-history FAERS"]["seconds"] - pub["empty FAERS"]["seconds"]
    cpu_diff = pub["full-history FAERS"]["cpu_seconds"] - pub["empty FAERS"]["cpu_seconds"]
    p95 = max(q.get("p95_ms", 0) for q in r["queries"])
    grow = max(full["peak_rss_mb"] - alone["peak_rss_mb"], 0)
    lines = [
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average at the end "
        f"{os.getloadavg()[0]:.1f} (the machine is shared with other jobs).",
        "",
        f"Data: {args.quarters} + 1 quarters ({info['quarters'][0]}–{info['quarters'][-1]}) "
        f"of {args.reports:,} DEMO rows each: {info['demo_rows']:,} DEMO rows in all, "
        f"{info['drug_rows']:,} DRUG rows, {info['reac_rows']:,} REAC rows; "
        f"{info['followups']:,} follow-up versions superseding earlier quarters' reports and "
        f"{info['deleted']:,} deleted-case ids naming earlier cases. Generated in "
        f"{r['generate_seconds']:.0f} s.",
        "",
        "| step | time | peak RSS | notes |",
        "| --- | ---: | ---: | --- |",
        f"| full load, {args.quarters} quarters (~{reports_full / 1e6:.1f}M reports) | "
        f"{full['seconds']:.0f} s ({full['cpu_seconds']:.0f} s CPU) | "
        f"{full['peak_rss_mb']:.0f} MB | {full['read']} quarters read; "
        f"{full['kept']:,} kept reports, {full['ketamine_reports']:,} mention "
        "ketamine/esketamine |",
        f"| incremental refresh, one new quarter (median of {inc['rounds']}) | "
        f"{inc['seconds']:.1f} s ({inc['cpu_seconds']:.1f} s CPU) | "
        f"{inc['peak_rss_mb']:.0f} MB | {inc['read']} quarter read; CPU: the whole process, "
        "imports included; "
        f"**{inc['ratio_in_round']:.2f}x** the quarter alone (median of the ratios within a "
        f"round; {inc['cpu_ratio_in_round']:.2f}x in CPU time; goal <= 1.5x) |",
        f"| baseline: that quarter alone, empty store (median of {alone['rounds']}) | "
        f"{alone['seconds']:.1f} s ({alone['cpu_seconds']:.1f} s CPU) | "
        f"{alone['peak_rss_mb']:.0f} MB | |",
        f"| refresh with nothing new (derive the published tables) | "
        f"{r['again']['seconds']:.1f} s | {r['again']['peak_rss_mb']:.0f} MB | "
        f"{r['again']['read']} quarters read |",
        f"| publish (`refresh milestones --offline`), empty FAERS | "
        f"{pub['empty FAERS']['seconds']:.2f} s ({pub['empty FAERS']['cpu_seconds']:.2f} s CPU) | "
        f"| median of {args.publish_rounds}; warehouse {r['published_mb']['empty FAERS']:.0f} MB |",
        f"| publish, full-history FAERS | {pub['full-history FAERS']['seconds']:.2f} s "
        f"({pub['full-history FAERS']['cpu_seconds']:.2f} s CPU) | | "
        f"difference **{diff:+.2f} s** ({cpu_diff:+.2f} s CPU; goal < 2 s); warehouse "
        f"{r['published_mb']['full-history FAERS']:.0f} MB |",
        "",
        f"On disk: FAERS store `faers.duckdb` {store_mb:.0f} MB (all history's de-dup state, "
        f"per-report reactions, ketamine reports' rows); the FAERS tables in the warehouse "
        f"{wh_mb:.0f} MB. Adverse events page queries on the full-history warehouse "
        f"(30 calls each, result cache bypassed): worst p95 **{p95:.0f} ms** (goal <= 250 ms).",
        "",
        "| query | p50 ms | p95 ms |",
        "| --- | ---: | ---: |",
        *(
            f"| {q['query']} | {q['p50_ms']:.1f} | {q['p95_ms']:.1f} |"
            if "p50_ms" in q
            else f"| {q['query']} | {q['skipped']} | |"
            for q in r["queries"]
        ),
        "",
        f"Linear extrapolation to {TARGET_REPORTS / 1e6:.0f}M reports (x{f:.1f}): full load "
        f"~{full['seconds'] * f / 60:.0f} min, store ~{store_mb * f / 1024:.1f} GB, "
        f"peak RSS ~{(alone['peak_rss_mb'] + grow * f) / 1024:.1f} GB (one quarter's "
        f"{alone['peak_rss_mb']:.0f} MB plus the growth with history, "
        f"{full['peak_rss_mb']:.0f} - {alone['peak_rss_mb']:.0f} MB here, scaled), one new quarter "
        f"~{alone['seconds'] + max(inc['seconds'] - alone['seconds'], 0) * f:.0f} s "
        f"(the merge's extra cost, {inc['seconds'] - alone['seconds']:.1f} s here, scaled).",
    ]
    return "\n".join(lines) + "\n"


def write_readme(text: str, args: argparse.Namespace) -> None:
    readme = ROOT / "benchmarks" / "README.md"
    head = "## FAERS full history: store, one-quarter refresh, publish"
    body = readme.read_text()
    intro = (
        f"{head}\n\nReproduce: `python benchmarks/faers_incremental.py --quarters "
        f"{args.quarters} --reports {args.reports} --readme` (see its docstring for the steps; "
        "every load in its own subprocess, all measured in one run).\n\n"
    )
    marker = "<!-- faers_incremental end -->"
    if head in body:
        start = body.index(head)
        end = body.index(marker, start) + len(marker)
        body = body[:start] + intro + text + "\n" + marker + body[end:]
    else:
        body = body.rstrip("\n") + "\n\n" + intro + text + "\n" + marker + "\n"
    readme.write_text(body)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--reports", type=int, default=250_000)
    parser.add_argument("--publish-rounds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="incremental vs alone rounds")
    parser.add_argument("--work", type=Path, default=OUT / "faers_history")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    result = measure(args)
    (args.work / "result.json").write_text(json.dumps(result, indent=2, default=str))
    text = report(result, args)
    print(text)
    if args.readme:
        write_readme(text, args)


if __name__ == "__main__":
    main()
