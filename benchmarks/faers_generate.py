"""Write synthetic FAERS-format quarters at scale, with a known number of ketamine reports.

Benchmark input only: the rows are random and never reach the seed or the dashboard.

Shape (defaults): 4 quarters (2020Q1-2020Q4) as extracted folders `faers_ascii_2020qN/ASCII/`,
~900k cases, ~11% of them with a follow-up version in a later quarter (~1M DEMO rows), 1-9 drug
rows per report (~5M DRUG rows), 1-5 reactions per report, ~0.5 outcomes per report, and a
`deleted/` list in the last quarter. Ketamine is planted so that de-duplication matters:

- "true" cases: ketamine (KETAMINE HCL, prod_ai KETAMINE HYDROCHLORIDE) in the latest version;
- decoys: ketamine only in a superseded first version (the follow-up drops it);
- deleted: ketamine cases that appear on FDA's deleted list.

`expected.json` records the de-duplicated ketamine report count (the true cases only), the total
de-duplicated reports, and the row counts. Deterministic for a given --seed.

    python benchmarks/faers_generate.py --out benchmarks/out/faers --cases 900000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

QUARTERS = ("2020Q1", "2020Q2", "2020Q3", "2020Q4")
Q_START = {"2020Q1": 20200101, "2020Q2": 20200401, "2020Q3": 20200701, "2020Q4": 20201001}
DEMO_HEADER = (
    "primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$auth_num"
    "$mfr_num$mfr_sndr$lit_ref$age$age_cod$age_grp$sex$e_sub$wt$wt_cod$rept_dt$to_mfr$occp_cod"
    "$reporter_country$occr_country"
)
DRUG_HEADER = (
    "primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$val_vbm$route$dose_vbm$cum_dose_chr"
    "$cum_dose_unit$dechal$rechal$lot_num$exp_dt$nda_num$dose_amt$dose_unit$dose_form$dose_freq"
)
DEMO_COLS = DEMO_HEADER.split("$")
DRUG_COLS = DRUG_HEADER.split("$")


def generate(out: Path, *, cases: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    caseid = np.arange(1, cases + 1, dtype=np.int64) + 10_000_000
    first_q = rng.integers(0, 4, cases)
    has_followup = (rng.random(cases) < 0.15) & (first_q < 3)
    later = first_q + 1 + rng.integers(0, 3, cases) % np.maximum(3 - first_q, 1)
    second_q = np.where(has_followup, later, -1)
    role = rng.random(cases)
    ket_true = role < 0.004  # ketamine in the latest version
    decoy = (role >= 0.004) & (role < 0.005) & has_followup  # ketamine only in version 1
    deleted = (role >= 0.005) & (role < 0.0055)  # ketamine, but FDA deleted the case
    # Reports: version 1 of every case, version 2 of cases with a follow-up.
    v1 = pd.DataFrame({"caseid": caseid, "caseversion": 1, "q": first_q, "first_q": first_q})
    v2 = pd.DataFrame(
        {"caseid": caseid[has_followup], "caseversion": 2, "q": second_q[has_followup],
         "first_q": first_q[has_followup]}
    )  # fmt: skip
    reports = pd.concat([v1, v2], ignore_index=True)
    reports["primaryid"] = reports["caseid"] * 10 + reports["caseversion"]
    idx = reports["caseid"].to_numpy() - 10_000_001
    latest = (reports["caseversion"] == 2) | ~has_followup[idx]
    reports["ketamine"] = (ket_true[idx] & latest) | (decoy[idx] & ~latest) | deleted[idx]
    expected_ket = int(ket_true[~deleted].sum())
    n_rep = len(reports)
    qstart = np.array([Q_START[q] for q in QUARTERS])
    day = rng.integers(0, 28, n_rep)
    fda_dt = qstart[reports["q"]] + 100 * rng.integers(0, 3, n_rep) + day + 1
    init_dt = qstart[reports["first_q"]] + 1
    ages = rng.integers(1, 95, n_rep)
    demo = pd.DataFrame({c: "" for c in DEMO_COLS}, index=range(n_rep))
    demo["primaryid"], demo["caseid"] = reports["primaryid"], reports["caseid"]
    demo["caseversion"] = reports["caseversion"]
    demo["i_f_code"] = np.where(reports["caseversion"] == 1, "I", "F")
    demo["init_fda_dt"], demo["fda_dt"], demo["rept_dt"] = init_dt, fda_dt, fda_dt
    demo["rept_cod"] = rng.choice(["EXP", "PER", "DIR"], n_rep)
    demo["mfr_sndr"] = rng.choice(["ACME", "GLOBEX", "INITECH", "UMBRELLA"], n_rep)
    demo["age"], demo["age_cod"] = ages, "YR"
    demo["sex"] = rng.choice(["F", "M", ""], n_rep)
    demo["occp_cod"] = rng.choice(["MD", "CN", "HP", "PH", "LW"], n_rep)
    demo["reporter_country"] = demo["occr_country"] = rng.choice(["US", "GB", "DE", "JP"], n_rep)
    # Drugs: 1-9 rows per report; row 0 of a ketamine report is ketamine (role PS or SS or C).
    n_drugs = rng.integers(1, 10, n_rep)
    rep_of_row = np.repeat(np.arange(n_rep), n_drugs)
    seq = np.arange(len(rep_of_row)) - np.repeat(np.cumsum(n_drugs) - n_drugs, n_drugs)
    pool = np.array([f"DRUG{i:04d}" for i in range(2000)])
    names = pool[rng.integers(0, len(pool), len(rep_of_row))]
    ai = np.char.add(names, " SALT")
    is_ket = reports["ketamine"].to_numpy()[rep_of_row] & (seq == 0)
    names = np.where(is_ket, "KETAMINE HCL", names)
    ai = np.where(is_ket, "KETAMINE HYDROCHLORIDE", ai)
    drug = pd.DataFrame({c: "" for c in DRUG_COLS}, index=range(len(rep_of_row)))
    drug["primaryid"] = reports["primaryid"].to_numpy()[rep_of_row]
    drug["caseid"] = reports["caseid"].to_numpy()[rep_of_row]
    drug["drug_seq"] = seq + 1
    drug["role_cod"] = np.where(seq == 0, rng.choice(["PS", "SS", "C"], len(seq)), "C")
    drug["drugname"], drug["prod_ai"] = names, ai
    drug["val_vbm"], drug["route"], drug["dechal"], drug["rechal"] = 1, "Oral", "U", "U"
    drug["q"] = reports["q"].to_numpy()[rep_of_row]
    # Reactions 1-5 per report from 3000 PTs; outcomes for about half the reports.
    n_reac = rng.integers(1, 6, n_rep)
    rep_of_reac = np.repeat(np.arange(n_rep), n_reac)
    reac = pd.DataFrame(
        {"primaryid": reports["primaryid"].to_numpy()[rep_of_reac],
         "caseid": reports["caseid"].to_numpy()[rep_of_reac],
         "pt": np.array([f"PT {i:04d}" for i in range(3000)])[
             rng.integers(0, 3000, len(rep_of_reac))],
         "drug_rec_act": "",
         "q": reports["q"].to_numpy()[rep_of_reac]}
    )  # fmt: skip
    has_outc = rng.random(n_rep) < 0.5
    outc = pd.DataFrame(
        {"primaryid": reports["primaryid"][has_outc], "caseid": reports["caseid"][has_outc],
         "outc_cod": rng.choice(["HO", "OT", "DE", "LT"], int(has_outc.sum())),
         "q": reports["q"][has_outc]}
    )  # fmt: skip
    demo["q"] = reports["q"]
    con = duckdb.connect()
    for i, quarter in enumerate(QUARTERS):
        folder = out / f"faers_ascii_{quarter.lower()}" / "ASCII"
        folder.mkdir(parents=True, exist_ok=True)
        yq = quarter[2:].replace("Q", "Q")
        for kind, frame in (("DEMO", demo), ("DRUG", drug), ("REAC", reac), ("OUTC", outc)):
            part = frame[frame["q"] == i].drop(columns="q")
            con.register("part", part)
            target = folder / f"{kind}{yq}.txt"
            con.execute(
                f"COPY part TO '{target}' (FORMAT csv, DELIMITER '$', HEADER true, QUOTE '')"
            )
            con.unregister("part")
    deleted_dir = out / "faers_ascii_2020q4" / "Deleted"
    deleted_dir.mkdir(parents=True, exist_ok=True)
    (deleted_dir / "DELETE20Q4.txt").write_text("\n".join(str(c) for c in caseid[deleted]) + "\n")
    expected = {
        "seed": seed,
        "cases": cases,
        "deduplicated_reports": int(cases - deleted.sum()),
        "ketamine_reports": expected_ket,
        "demo_rows": n_rep,
        "drug_rows": len(drug),
        "reac_rows": len(reac),
        "outc_rows": len(outc),
        "quarters": list(QUARTERS),
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/faers"))
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--seed", type=int, default=20190305)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, cases=args.cases, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
