"""Where the FAERS loader spends its time: wall-clock per SQL statement of one load.

Runs `etl.sources.faers_quarterly.SOURCE.load` on the generated quarters (faers_generate.py)
through a connection proxy that times every `execute`, then prints the statements grouped by
step (the first words of the SQL) with their share of the total. Python time between statements
(locating files, the encoding scan, signals in pandas) is reported as "outside SQL".

    python benchmarks/faers_profile.py --cases 900000 [--explain]

`--explain` also prints DuckDB's `EXPLAIN ANALYZE` of the slowest statements (re-run on the
loaded tables; CREATE statements are explained as their SELECT).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class TimedConnection:
    """Forwards to a DuckDB connection; records (seconds, sql) for every execute."""

    def __init__(self, con) -> None:
        self._con = con
        self.log: list[tuple[float, str]] = []

    def execute(self, sql: str, *args, **kwargs):
        started = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        self.log.append((time.perf_counter() - started, sql))
        return result

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def label(sql: str) -> str:
    text = " ".join(sql.split())
    m = re.search(r"(?i)(?:TABLE|INTO)\s+(\w+)", text)
    target = m.group(1) if m else text[:40]
    if "read_csv(" in text and target.startswith("faers_stage_"):
        return f"read_csv -> {target}"
    return f"{text.split()[0].upper()} {target}"


def main() -> None:
    import duckdb

    from etl.sources.faers_quarterly import SOURCE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    data = ROOT / "benchmarks" / "out" / f"faers_{args.cases}"
    work = ROOT / "benchmarks" / "out" / "faers_work"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "profile.duckdb"
    db.unlink(missing_ok=True)
    quarters = sorted(p for p in data.iterdir() if p.name.startswith("faers_ascii_"))
    started = time.perf_counter()
    con = TimedConnection(duckdb.connect(str(db)))
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    SOURCE.load(con, {"quarters": quarters})
    con.close()
    total = time.perf_counter() - started
    steps: dict[str, float] = defaultdict(float)
    for seconds, sql in con.log:
        steps[label(sql)] += seconds
    in_sql = sum(steps.values())
    print(f"total {total:.2f} s; SQL {in_sql:.2f} s; outside SQL {total - in_sql:.2f} s")
    for name, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.05:
            print(f"{seconds:7.2f} s {100 * seconds / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
