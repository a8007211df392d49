"""What the active-comparator pass costs the FAERS load: the loader with and without
`etl.faers.comparators.create_comparator_counts`, on the same generated quarters, alternating in
rounds, each run in a fresh subprocess. The baseline ("without") replaces the pass with an empty
`faers_comparator_counts`, so everything else (signals included) runs the same.

Caveat: the generator's drug names are synthetic (DRUG0001 ...), so the pass scans every DRUG row
with the group patterns but matches none; with real quarters the REAC count over the matched
comparator reports adds to it.

    python benchmarks/faers_comparators.py --cases 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._child import measure_variant  # noqa: E402


def child(variant: str, data: Path, work: Path) -> None:
    import duckdb

    from etl.faers import comparators, load
    from etl.sources.faers_quarterly import SOURCE

    if variant == "without":

        def empty(con, files) -> None:
            con.execute(
                f"CREATE OR REPLACE TABLE {comparators.COUNTS_TABLE} (comparator VARCHAR, "
                "pt VARCHAR, c BIGINT, n_comparator BIGINT)"
            )

        load.create_comparator_counts = empty
    db = work / f"{variant}.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    SOURCE.load(con, {"quarters": sorted(data.glob("faers_ascii_*"))})
    seconds = time.perf_counter() - started
    reports = con.execute(
        "SELECT sum(reports) FROM faers_quarterly_counts WHERE ingredient = 'all'"
    ).fetchone()[0]
    con.close()
    print(json.dumps({"seconds": seconds, "reports": int(reports)}))


def measure(variant: str, data: Path, work: Path) -> dict:
    """Run one variant in a fresh interpreter; return its result plus peak RSS (MiB)."""
    return measure_variant(__file__, variant, data, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.work)
        return
    data = ROOT / "benchmarks" / "out" / f"faers_{args.cases}"
    if not (data / "expected.json").exists():
        generator = [sys.executable, str(ROOT / "benchmarks" / "faers_generate.py")]
        subprocess.run([*generator, "--out", str(data), "--cases", str(args.cases)], check=True)
    work = data.parent / "work"
    work.mkdir(exist_ok=True)
    times: dict[str, list[float]] = {"with": [], "without": []}
    ratios = []
    for round_ in range(args.repeat):
        order = ("with", "without") if round_ % 2 == 0 else ("without", "with")
        got = {v: measure(v, data, work) for v in order}
        if got["with"]["reports"] != got["without"]["reports"]:
            raise SystemExit("the two variants disagree on the reports loaded")
        for variant, result in got.items():
            times[variant].append(result["seconds"])
        ratios.append(got["with"]["seconds"] / got["without"]["seconds"])
        print(f"round {round_ + 1}: " + ", ".join(f"{v} {r['seconds']:.2f} s "
              f"({r['peak_mib']:.0f} MiB)" for v, r in got.items()), flush=True)  # fmt: skip
    for variant, values in times.items():
        print(f"{variant}: median {statistics.median(values):.2f} s ({min(values):.2f}-"
              f"{max(values):.2f})")  # fmt: skip
    print(f"with / without, median within a round: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
