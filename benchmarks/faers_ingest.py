"""FAERS ingest benchmark: our loader vs DuckDB's bare read_csv vs a straightforward pandas loader.

In one run, on the same generated quarters (see faers_generate.py), each variant runs in its own
fresh subprocess (so peak RSS is that variant's alone, read with os.wait4). The variants run in
rounds (`--repeat N`), each round all three back to back in a rotating order; the results are
medians over the rounds, and each ratio is also taken within a round (neighbours in time share the
machine's load) and its median reported.

- `loader`: `etl.sources.faers_quarterly.SOURCE.load` into a file-backed DuckDB database: stage
  DEMO/DRUG/REAC/OUTC, de-duplicate, match ketamine, build detail, count and signal tables.
- `bare`: `CREATE TABLE ... AS SELECT * FROM read_csv(file, delim='$')` for the same files, into
  a file-backed database: the floor for reading the bytes with DuckDB, nothing else.
- `pandas`: the straightforward pandas loader: `pd.read_csv(sep='$', dtype=str)` per file,
  concat, drop deleted cases, de-duplicate with sort_values + drop_duplicates, match ketamine on
  the *distinct* prod_ai/drugname values (whole-word regex on the unique names, as the loader does)
  and merge back, count reports per received quarter.

The loader's and pandas' de-duplicated ketamine and total report counts must equal the
generator's known numbers, or the script exits non-zero.

    python benchmarks/faers_ingest.py --cases 900000 [--repeat 5] [--readme]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._child import measure_variant  # noqa: E402

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
            frame["quarter"] = path.parent.parent.name[-6:].upper()
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
    demo = demo.sort_values(["caseid", "caseversion", "fda_dt", "primaryid"])
    first = demo.groupby("caseid")["init_fda_dt"].min().rename("first_dt")
    latest = demo.drop_duplicates("caseid", keep="last").join(first, on="caseid")
    latest["received"] = pd.to_datetime(latest["first_dt"], format="%Y%m%d").dt.to_period("Q")
    # Matching: whole words on the distinct names, merged back onto the drug rows.
    synonyms = pd.read_csv(ROOT / "etl" / "data" / "faers_synonyms.csv", dtype=str)
    words = "|".join(synonyms["name"].str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True))
    names = pd.Series(pd.concat([drug["prod_ai"], drug["drugname"]]).unique(), name="name")
    normed = " " + names.str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip() + " "
    hits = names[normed.str.contains(f" (?:{words}) ", regex=True)].to_frame()
    drug = drug.assign(primaryid=drug["primaryid"].astype("int64"))
    matched = pd.concat(
        [drug.merge(hits, left_on="prod_ai", right_on="name"),
         drug.merge(hits, left_on="drugname", right_on="name")]
    )  # fmt: skip
    matched = matched.merge(
        latest[["primaryid", "quarter", "received"]], on=["primaryid", "quarter"]
    )
    per_quarter = matched.groupby("received")["primaryid"].nunique()
    _ = len(reac) + len(outc)  # loaded like the others
    return {
        "seconds": time.perf_counter() - started,
        "ketamine": int(per_quarter.sum()),
        "reports": len(latest),
    }


VARIANTS = {"loader": run_loader, "bare": run_bare, "pandas": run_pandas}


def child(variant: str, data: Path, work: Path) -> None:
    result = VARIANTS[variant](data, work)
    print(json.dumps(result))


def measure(variant: str, data: Path, work: Path) -> dict:
    """Run one variant in a fresh interpreter; return its result plus peak RSS (MiB)."""
    return measure_variant(__file__, variant, data, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--repeat", type=int, default=5)
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
    order = list(VARIANTS)
    load = [os.getloadavg()[0]]
    for round_ in range(args.repeat):
        for variant in order[round_ % 3 :] + order[: round_ % 3]:
            results[variant].append(measure(variant, data, work))
            load.append(os.getloadavg()[0])
        done = ", ".join(f"{v} {results[v][-1]['seconds']:.2f}s" for v in VARIANTS)
        print(f"round {round_ + 1}: {done}", file=sys.stderr)
    for variant in ("loader", "pandas"):
        for run in results[variant]:
            got = (run["ketamine"], run["reports"])
            want = (expected["ketamine_reports"], expected["deduplicated_reports"])
            if got != want:
                raise SystemExit(f"{variant}: (ketamine, reports) {got} != expected {want}")
    med = {
        v: {
            "seconds": median(r["seconds"] for r in runs),
            "min_seconds": min(r["seconds"] for r in runs),
            "max_seconds": max(r["seconds"] for r in runs),
            "peak_mib": median(r["peak_mib"] for r in runs),
            "max_peak_mib": max(r["peak_mib"] for r in runs),
            "ketamine": runs[0]["ketamine"],
        }
        for v, runs in results.items()
    }
    pairs = list(zip(results["bare"], results["loader"], results["pandas"], strict=True))
    summary = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"DuckDB {version('duckdb')}, pandas {version('pandas')}"
        ),
        "load_average": [round(min(load), 1), round(max(load), 1)],
        "data": {**expected, "text_mib": round(size, 1)},
        "rounds": args.repeat,
        "variants": med,
        "runs": {v: [round(r["seconds"], 2) for r in runs] for v, runs in results.items()},
        "loader_vs_bare": med["loader"]["seconds"] / med["bare"]["seconds"],
        "pandas_vs_loader": med["pandas"]["seconds"] / med["loader"]["seconds"],
        "loader_vs_bare_per_round": median(lo["seconds"] / b["seconds"] for b, lo, _ in pairs),
        "pandas_vs_loader_per_round": median(p["seconds"] / lo["seconds"] for _, lo, p in pairs),
    }
    print(json.dumps(summary, indent=2, default=str))
    if args.readme:
        print(markdown(summary))


def markdown(s: dict) -> str:
    d = s["data"]
    lo, hi = s["load_average"]
    lines = [
        f"{d['demo_rows']:,} DEMO rows ({d['cases']:,} cases), {d['drug_rows']:,} DRUG rows, "
        f"{d['reac_rows']:,} REAC rows, {d['outc_rows']:,} OUTC rows; {d['text_mib']} MiB of "
        f"text in 4 quarters. {s['machine']}; load average {lo}-{hi} during the run; "
        f"median of {s['rounds']} rounds (min-max in brackets).",
        "",
        "| variant | seconds | peak RSS (MiB) | ketamine reports (expected "
        f"{d['ketamine_reports']}) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, label in (
        ("bare", "DuckDB bare `read_csv` (floor)"),
        ("loader", "our loader: read + dedup + match + tables"),
        ("pandas", "pandas `read_csv` + dedup + match"),
    ):
        r = s["variants"][name]
        ket = "—" if r["ketamine"] is None else str(r["ketamine"])
        secs = f"{r['seconds']:.2f} ({r['min_seconds']:.2f}-{r['max_seconds']:.2f})"
        lines.append(f"| {label} | {secs} | {r['peak_mib']:.0f} | {ket} |")
    lines += [
        "",
        f"Loader / bare read_csv: **{s['loader_vs_bare']:.2f}x** of medians, "
        f"{s['loader_vs_bare_per_round']:.2f}x median within a round (target <= 1.5x). "
        f"pandas / loader: **{s['pandas_vs_loader']:.1f}x** of medians, "
        f"{s['pandas_vs_loader_per_round']:.1f}x median within a round (target >= 3x). "
        f"Peak RSS of the loader: {s['variants']['loader']['max_peak_mib']:.0f} MiB at most "
        "(target < 1536 MiB).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
