"""FAERS ingest benchmark: our loader vs DuckDB's bare read_csv vs a straightforward pandas loader.

In one run, on the same generated quarters (see faers_generate.py), each variant runs in its own
subprocess (so peak RSS is that variant's alone, read with os.wait4):

- `loader`: `etl.sources.faers_quarterly.SOURCE.load` into a file-backed DuckDB database: stage
  DEMO/DRUG/REAC/OUTC, de-duplicate, match ketamine, build detail, count and signal tables.
- `bare`: `CREATE TABLE ... AS SELECT * FROM read_csv(file, delim='$')` for the same files, into
  a file-backed database: the floor for reading the bytes with DuckDB, nothing else.
- `pandas`: `pd.read_csv(sep='$', dtype=str)` per file, concat, de-duplicate with sort_values +
  drop_duplicates, match ketamine on prod_ai/drugname, count reports.

The loader's and pandas' de-duplicated ketamine counts must equal the generator's known number.

    python benchmarks/faers_ingest.py --cases 900000 [--repeat 3] [--readme]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def run_loader(data: Path, work: Path) -> dict:
    import duckdb

    from etl.sources.faers_quarterly import SOURCE

    db = work / "loader.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    quarters = sorted(p for p in data.iterdir() if p.name.startswith("faers_ascii_"))
    SOURCE.load(con, {"quarters": quarters})
    ketamine = con.execute(
        "SELECT sum(reports) FROM faers_quarterly_counts "
        "WHERE ingredient = 'ketamine' AND role_scope = 'any'"
    ).fetchone()[0]
    total = con.execute(
        "SELECT sum(reports) FROM faers_quarterly_counts WHERE ingredient = 'all'"
    ).fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "ketamine": ketamine, "reports": total}


def run_bare(data: Path, work: Path) -> dict:
    import duckdb

    db = work / "bare.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    for i, path in enumerate(sorted(data.glob("faers_ascii_*/ASCII/*.txt"))):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{path}', delim='$')")
    con.close()
    return {"seconds": time.perf_counter() - started, "ketamine": None, "reports": None}


def run_pandas(data: Path, work: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()

    def read(kind: str) -> pd.DataFrame:
        frames = []
        for path in sorted(data.glob(f"faers_ascii_*/ASCII/{kind}*.txt")):
            frame = pd.read_csv(path, sep="$", dtype=str, keep_default_na=False)
            frame["quarter"] = path.parent.parent.name[-6:]
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    demo, drug, reac, outc = read("DEMO"), read("DRUG"), read("REAC"), read("OUTC")
    deleted = set()
    for path in data.glob("faers_ascii_*/Deleted/*.txt"):
        deleted |= set(path.read_text().split())
    demo = demo[~demo["caseid"].isin(deleted)]
    demo = demo.assign(
        caseversion=demo["caseversion"].astype(int), primaryid=demo["primaryid"].astype("int64")
    )
    latest = demo.sort_values(["caseid", "caseversion", "fda_dt", "primaryid"]).drop_duplicates(
        "caseid", keep="last"
    )
    drug = drug.assign(primaryid=drug["primaryid"].astype("int64"))
    drug = drug[drug["primaryid"].isin(latest["primaryid"])]
    pattern = r"(?:^|[^A-Z0-9])KETAMINE(?:[^A-Z0-9]|$)"
    hit = drug["prod_ai"].str.upper().str.contains(pattern)
    hit |= drug["drugname"].str.upper().str.contains(pattern)
    ketamine = drug.loc[hit, "primaryid"].nunique()
    _ = len(reac) + len(outc)  # loaded like the others
    return {"seconds": time.perf_counter() - started, "ketamine": ketamine, "reports": len(latest)}


VARIANTS = {"loader": run_loader, "bare": run_bare, "pandas": run_pandas}


def child(variant: str, data: Path, work: Path) -> None:
    sys.path.insert(0, str(ROOT))
    result = VARIANTS[variant](data, work)
    print(json.dumps(result))


def measure(variant: str, data: Path, work: Path) -> dict:
    """Run one variant in a fresh interpreter; return its result plus peak RSS (MiB)."""
    cmd = [sys.executable, __file__, "--child", variant, "--data", str(data), "--work", str(work)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"{variant} failed (status {status})")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--readme", action="store_true", help="print a markdown results table")
    parser.add_argument("--child")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.work)
        return
    data = OUT / f"faers_{args.cases}"
    expected_path = data / "expected.json"
    if not expected_path.exists():
        # In a subprocess: a child inherits the parent's peak RSS across fork + exec on Linux,
        # so the parent must stay small for the children's peaks to mean anything.
        generator = [sys.executable, str(ROOT / "benchmarks" / "faers_generate.py")]
        args_gen = ["--out", str(data), "--cases", str(args.cases), "--seed", "20190305"]
        subprocess.run(generator + args_gen, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    expected = json.loads(expected_path.read_text())
    work = OUT / "faers_work"
    work.mkdir(parents=True, exist_ok=True)
    size = sum(p.stat().st_size for p in data.rglob("*.txt")) / 2**20
    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for _ in range(args.repeat):
        for variant in ("bare", "loader", "pandas"):
            results[variant].append(measure(variant, data, work))
    best = {v: min(runs, key=lambda r: r["seconds"]) for v, runs in results.items()}
    for variant in ("loader", "pandas"):
        got = best[variant]["ketamine"]
        if got != expected["ketamine_reports"]:
            want = expected["ketamine_reports"]
            raise SystemExit(f"{variant}: ketamine {got} != expected {want}")
    summary = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "data": {**expected, "text_mib": round(size, 1)},
        "best_of": args.repeat,
        "variants": best,
        "loader_vs_bare": best["loader"]["seconds"] / best["bare"]["seconds"],
        "pandas_vs_loader": best["pandas"]["seconds"] / best["loader"]["seconds"],
    }
    print(json.dumps(summary, indent=2, default=str))
    if args.readme:
        print(markdown(summary))


def markdown(s: dict) -> str:
    d = s["data"]
    lines = [
        f"{d['demo_rows']:,} DEMO rows ({d['cases']:,} cases), {d['drug_rows']:,} DRUG rows, "
        f"{d['reac_rows']:,} REAC rows, {d['outc_rows']:,} OUTC rows; {d['text_mib']} MiB of "
        f"text in 4 quarters. {s['machine']}; best of {s['best_of']}.",
        "",
        "| variant | seconds | peak RSS (MiB) | ketamine reports (expected "
        f"{d['ketamine_reports']}) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, label in (
        ("bare", "DuckDB bare `read_csv` (floor)"),
        ("loader", "our loader: stage + dedup + match + tables"),
        ("pandas", "pandas `read_csv` + dedup + match"),
    ):
        r = s["variants"][name]
        ket = "—" if r["ketamine"] is None else str(r["ketamine"])
        lines.append(f"| {label} | {r['seconds']:.2f} | {r['peak_mib']:.0f} | {ket} |")
    lines += [
        "",
        f"Loader / bare read_csv: **{s['loader_vs_bare']:.2f}x** (target <= 1.5x). "
        f"pandas / loader: **{s['pandas_vs_loader']:.1f}x** (target >= 3x).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
