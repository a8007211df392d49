"""Write a synthetic FAERS history: many quarters, follow-ups superseding earlier quarters'
reports, and deleted-case lists naming earlier cases. Benchmark and test input only: the rows
are random and never reach the seed or the dashboard.

Each quarter holds `reports` DEMO rows: new cases (version 1), and about `followups` of them
follow-up versions of cases first received in an earlier quarter (a higher `caseversion`, so the
follow-up supersedes the earlier report, and its ketamine mention is drawn afresh: a superseded
report can lose or gain ketamine). Each quarter after the first ships a `Deleted/` list naming
about `deleted` of earlier cases (some of them ketamine cases). Drug rows 1-9 per report (row 0
is ketamine or esketamine in about `ketamine` of reports), reactions 1-5 from 3000 PTs, an
outcome for about half. Deterministic for a given seed; written one quarter at a time, so memory
stays that of one quarter.

    python benchmarks/faers_history.py --out benchmarks/out/history --quarters 40 --reports 250000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from faers_generate import DEMO_COLS, DRUG_COLS  # type: ignore[import-not-found]

PTS = np.array([f"PT {i:04d}" for i in range(3000)])
DRUGS = np.array([f"DRUG{i:04d}" for i in range(2000)])


def labels(first: str, count: int) -> list[str]:
    year, q = int(first[:4]), int(first[-1])
    out = []
    for i in range(count):
        n = (q - 1) + i
        out.append(f"{year + n // 4}Q{n % 4 + 1}")
    return out


def day_in(label: str, offset: np.ndarray) -> np.ndarray:
    """YYYYMMDD dates inside quarter `label`, `offset` days (0-83) after its start."""
    year, q = int(label[:4]), int(label[-1])
    month = 3 * (q - 1) + 1 + offset // 28
    return year * 10000 + month * 100 + offset % 28 + 1


def write_table(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, cols: list[str], target: Path):
    """COPY `frame` as a `$`-delimited FAERS file with header `cols` (missing columns empty)."""
    con.register("part", frame)
    select = ", ".join(f'"{c}"' if c in frame.columns else f"'' AS \"{c}\"" for c in cols)
    con.execute(f"COPY (SELECT {select} FROM part) TO '{target}' "
                "(FORMAT csv, DELIMITER '$', HEADER true, QUOTE '')")  # fmt: skip
    con.unregister("part")


def quarter_reports(rng, i: int, reports: int, followups: float, next_case: int, first_q):
    """This quarter's DEMO keys: new cases and follow-ups of earlier ones."""
    n_follow = int(reports * followups) if i else 0
    new = np.arange(next_case, next_case + reports - n_follow, dtype=np.int64)
    old = np.unique(rng.integers(10_000_001, next_case, n_follow)) if n_follow else new[:0]
    caseid = np.concatenate([new, old])
    version = np.concatenate([np.ones(len(new), np.int64), np.full(len(old), i + 2)])
    first = np.concatenate([np.full(len(new), i), first_q[old - 10_000_001]])
    return caseid, version, first


def write_quarter(con, rng, out: Path, qlabels: list[str], i: int, caseid, version, first, k):
    label = qlabels[i]
    folder = out / f"faers_ascii_{label.lower()}" / "ASCII"
    folder.mkdir(parents=True, exist_ok=True)
    n = len(caseid)
    primaryid = caseid * 100 + version
    init_dt = np.array([day_in(qlabels[f], np.zeros(1, np.int64))[0] for f in range(i + 1)])
    demo = pd.DataFrame({
        "primaryid": primaryid, "caseid": caseid, "caseversion": version,
        "i_f_code": np.where(version == 1, "I", "F"), "init_fda_dt": init_dt[first],
        "fda_dt": day_in(label, rng.integers(0, 84, n)),
        "rept_cod": rng.choice(["EXP", "PER", "DIR"], n), "age": rng.integers(1, 95, n),
        "age_cod": "YR", "sex": rng.choice(["F", "M", ""], n),
        "occp_cod": rng.choice(["MD", "CN", "HP", "PH", "LW"], n),
        "reporter_country": rng.choice(["US", "GB", "DE", "JP"], n),
    })  # fmt: skip
    tag = label[2:4] + "Q" + label[-1]
    write_table(con, demo, DEMO_COLS, folder / f"DEMO{tag}.txt")
    n_drugs = rng.integers(1, 10, n)
    rep = np.repeat(np.arange(n), n_drugs)
    seq = np.arange(len(rep)) - np.repeat(np.cumsum(n_drugs) - n_drugs, n_drugs)
    names = DRUGS[rng.integers(0, len(DRUGS), len(rep))]
    ai = np.char.add(names, " SALT")
    ing = np.where(rng.random(n) < 0.3, "ESKETAMINE", "KETAMINE")[rep]
    planted = k[rep] & (seq == 0)
    drug = pd.DataFrame({
        "primaryid": primaryid[rep], "caseid": caseid[rep], "drug_seq": seq + 1,
        "role_cod": np.where(seq == 0, rng.choice(["PS", "SS", "C"], len(rep)), "C"),
        "drugname": np.where(planted, np.char.add(ing, " HCL"), names),
        "prod_ai": np.where(planted, np.char.add(ing, " HYDROCHLORIDE"), ai),
        "val_vbm": 1, "route": "Oral", "dechal": "U", "rechal": "U",
    })  # fmt: skip
    write_table(con, drug, DRUG_COLS, folder / f"DRUG{tag}.txt")
    n_reac = rng.integers(1, 6, n)
    rrep = np.repeat(np.arange(n), n_reac)
    reac = pd.DataFrame({"primaryid": primaryid[rrep], "caseid": caseid[rrep],
                         "pt": PTS[rng.integers(0, len(PTS), len(rrep))]})  # fmt: skip
    write_table(con, reac, ["primaryid", "caseid", "pt", "drug_rec_act"], folder / f"REAC{tag}.txt")
    has = rng.random(n) < 0.5
    outc = pd.DataFrame(
        {
            "primaryid": primaryid[has],
            "caseid": caseid[has],
            "outc_cod": rng.choice(["HO", "OT", "DE", "LT"], int(has.sum())),
        }
    )
    write_table(con, outc, ["primaryid", "caseid", "outc_cod"], folder / f"OUTC{tag}.txt")
    return len(drug), len(reac)


def generate_history(
    out: Path,
    *,
    quarters: int = 12,
    reports: int = 1000,
    first: str = "2014Q1",
    followups: float = 0.15,
    deleted: float = 0.002,
    ketamine: float = 0.004,
    seed: int = 20190305,
) -> dict:
    """Write `quarters` quarter folders under `out`; returns (and writes) what was generated."""
    rng = np.random.default_rng(seed)
    qlabels = labels(first, quarters)
    first_q = np.zeros(quarters * reports + 1, np.int64)  # caseid - 10_000_001 -> first quarter
    next_case, con = 10_000_001, duckdb.connect()
    totals = {"demo_rows": 0, "drug_rows": 0, "reac_rows": 0, "followups": 0, "deleted": 0}
    for i in range(quarters):
        caseid, version, first_seen = quarter_reports(
            rng, i, reports, followups, next_case, first_q
        )
        fresh = version == 1
        first_q[caseid[fresh] - 10_000_001] = i
        next_case += int(fresh.sum())
        k = rng.random(len(caseid)) < ketamine
        drugs, reacs = write_quarter(con, rng, out, qlabels, i, caseid, version, first_seen, k)
        totals["demo_rows"] += len(caseid)
        totals["drug_rows"] += drugs
        totals["reac_rows"] += reacs
        totals["followups"] += int((~fresh).sum())
        if i:
            # Earlier cases FDA deleted, ketamine cases among them (the list ships with this zip).
            gone = rng.integers(10_000_001, next_case, max(1, int(reports * deleted)))
            listing = out / f"faers_ascii_{qlabels[i].lower()}" / "Deleted"
            listing.mkdir(parents=True, exist_ok=True)
            tag = qlabels[i][2:4] + "Q" + qlabels[i][-1]
            (listing / f"DELETE{tag}.txt").write_text("\n".join(map(str, gone)) + "\n")
            totals["deleted"] += len(gone)
    info = {"quarters": qlabels, "reports_per_quarter": reports, "seed": seed, **totals}
    (out / "history.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/history"))
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--reports", type=int, default=250_000)
    parser.add_argument("--first", default="2014Q1")
    parser.add_argument("--seed", type=int, default=20190305)
    args = parser.parse_args()
    info = generate_history(args.out, quarters=args.quarters, reports=args.reports,
                            first=args.first, seed=args.seed)  # fmt: skip
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
