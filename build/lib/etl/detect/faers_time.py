"""FAERS disproportionality over time: for ketamine and esketamine (as suspect) and each reaction
of interest (etl/data/faers_reactions_of_interest.csv), the cumulative 2x2 table at the end of each
loaded quarter, its PRR and ROR with 95 % CIs (etl/signals.py), and the first quarter in which
the Evans criteria (PRR ≥ 2, χ² ≥ 4, a ≥ 3) were met: the "time to signal". Label-expected
reactions (etl/data/label_expected_events.csv, the masking list) are flagged, not dropped.

Read from the published FAERS tables (`faers_cases`, `faers_drugs`, `faers_reactions`,
`faers_quarterly_counts`, `faers_reaction_counts`), never from the loader. Reports are placed in
the quarter they were first received (a report received before the first loaded quarter counts
in it, as in `faers_quarterly_counts`).

Caveat: the loader keeps the background count of each reaction (n_event) for the whole loaded
window only, not per quarter; the cumulative n_event at a quarter is estimated as the window's
n_event times the share of all reports received by then (a constant background proportion). a,
n_drug and the total are exact per quarter.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from etl.detect import words
from etl.signals import load_label_expected, mask_expected, signal_table

INTEREST_CSV = Path(__file__).resolve().parent.parent / "data" / "faers_reactions_of_interest.csv"
INGREDIENTS = ("ketamine", "esketamine")
HISTORY_COLUMNS = words(
    "ingredient pt quarter a n_drug n_event n_total prr prr_lower prr_upper ror ror_lower "
    "ror_upper chi2 evans ror_signal label_expected"
)
FIRST_COLUMNS = words(
    "ingredient pt first_signal_quarter a prr prr_lower ror ror_lower label_expected"
)

A_SQL = """
    WITH quarters AS (SELECT DISTINCT quarter FROM faers_quarterly_counts),
    suspect AS (
        SELECT DISTINCT d.primaryid, d.ingredient FROM faers_drugs d
        JOIN faers_cases c ON c.primaryid = d.primaryid AND c.file_quarter = d.quarter
        WHERE d.ingredient IN ('ketamine', 'esketamine') AND upper(d.role_cod) IN ('PS', 'SS')
    ),
    placed AS (
        SELECT c.primaryid, coalesce(
            (SELECT min(q.quarter) FROM quarters q WHERE q.quarter >= c.received_quarter),
            c.file_quarter) AS quarter
        FROM faers_cases c
    ),
    hits AS (
        SELECT DISTINCT s.ingredient, upper(trim(r.pt)) AS pt, p.quarter, s.primaryid
        FROM suspect s JOIN placed p USING (primaryid)
        JOIN faers_reactions r ON r.primaryid = s.primaryid
        WHERE upper(trim(r.pt)) IN (SELECT pt FROM _interest)
    )
    SELECT ingredient, pt, quarter, count(*) AS a FROM hits GROUP BY ALL
"""
TOTALS_SQL = """
    SELECT quarter, ingredient, reports FROM faers_quarterly_counts
    WHERE (ingredient = 'all' AND role_scope = 'any')
       OR (ingredient IN ('ketamine', 'esketamine') AND role_scope = 'suspect')
"""


def reactions_of_interest(path: Path = INTEREST_CSV) -> list[str]:
    return pd.read_csv(path, dtype=str)["pt"].str.strip().str.upper().tolist()


def cumulative_tables(
    a: pd.DataFrame, totals: pd.DataFrame, events: pd.DataFrame, pts: list[str]
) -> pd.DataFrame:
    """Cumulative a, n_drug, n_event (estimated, see top) and n_total per ingredient, PT and
    quarter: a pure function of the three count frames."""
    quarters = sorted(totals["quarter"].unique())
    wide = totals.pivot_table(index="quarter", columns="ingredient", values="reports",
                              aggfunc="sum").reindex(quarters).fillna(0).cumsum()  # fmt: skip
    grid = pd.MultiIndex.from_product([INGREDIENTS, pts, quarters],
                                      names=["ingredient", "pt", "quarter"])  # fmt: skip
    out = (
        a.set_index(["ingredient", "pt", "quarter"])["a"].reindex(grid).fillna(0)
        .groupby(level=["ingredient", "pt"]).cumsum().reset_index()
    )  # fmt: skip
    out["n_total"] = out["quarter"].map(wide["all"])
    pairs = zip(out["quarter"], out["ingredient"], strict=True)
    out["n_drug"] = [wide.at[q, i] if i in wide else 0 for q, i in pairs]
    share = out["n_total"] / wide["all"].iloc[-1]
    window = events.drop_duplicates("pt").set_index("pt")["n_event"]
    estimate = np.round(out["pt"].map(window).fillna(0) * share)
    out["n_event"] = np.maximum(estimate, out["a"])
    return out.astype({k: "int64" for k in ("a", "n_total", "n_drug", "n_event")})


def with_measures(table: pd.DataFrame) -> pd.DataFrame:
    frame = table.assign(
        b=table["n_drug"] - table["a"],
        c=table["n_event"] - table["a"],
        d=table["n_total"] - table["n_drug"] - (table["n_event"] - table["a"]),
    )
    frame = frame[(frame[["b", "c", "d"]] >= 0).all(axis=1) & (frame["n_drug"] > 0)]
    measured = mask_expected(signal_table(frame), load_label_expected())
    return measured.reindex(columns=HISTORY_COLUMNS).reset_index(drop=True)


def first_signals(history: pd.DataFrame) -> pd.DataFrame:
    met = history[history["evans"].astype(bool)].sort_values("quarter")
    first = met.groupby(["ingredient", "pt"], as_index=False).first()
    first = first.rename(columns={"quarter": "first_signal_quarter"})
    return first.reindex(columns=FIRST_COLUMNS).reset_index(drop=True)


def signal_history(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, first signals) from the staged FAERS tables; empty when FAERS is not loaded."""
    empty = pd.DataFrame(columns=HISTORY_COLUMNS), pd.DataFrame(columns=FIRST_COLUMNS)
    pts = reactions_of_interest()
    con.register("_interest", pd.DataFrame({"pt": pts}))
    try:
        a = con.execute(A_SQL).df()
        totals = con.execute(TOTALS_SQL).df()
        events = con.execute("SELECT DISTINCT pt, n_event FROM faers_reaction_counts").df()
    except duckdb.Error:  # FAERS not loaded in this warehouse
        return empty
    finally:
        con.unregister("_interest")
    if totals.empty:
        return empty
    history = with_measures(cumulative_tables(a, totals, events, pts))
    return history, first_signals(history)


def signal_alerts(first: pd.DataFrame) -> pd.DataFrame:
    """First signals as alert rows (etl/detect/store.py adds ids and runs)."""
    if first.empty:
        return pd.DataFrame(columns=["series_key", "period_label"])
    labelled = np.where(first["label_expected"].astype(bool), "labelled reaction",
                        "not on the label")  # fmt: skip
    return pd.DataFrame(
        {
            "series_key": "faers_signal|" + first["ingredient"] + "|" + first["pt"],
            "source": "faers_quarterly",
            "indicator": "faers_signal",
            "label": "FAERS disproportionality: " + first["ingredient"] + " × " + first["pt"],
            "geography": "United States",
            "stratum": first["ingredient"],
            "unit": "PRR",
            "period_label": first["first_signal_quarter"],
            "value": first["prr"],
            "expected": 1.0,
            "threshold": 2.0,
            "method": "disproportionality (Evans 2001: PRR ≥ 2, χ² ≥ 4, a ≥ 3), cumulative",
            "rule": "faers_time_to_signal",
            "reason": [
                f"{i} × {pt}: signal criteria first met in {q} (cumulative a = {a}, PRR "
                f"{prr:.2f}, lower 95% {lo:.2f}; {lab})"
                for i, pt, q, a, prr, lo, lab in zip(
                    first["ingredient"],
                    first["pt"],
                    first["first_signal_quarter"],
                    first["a"],
                    first["prr"],
                    first["prr_lower"],
                    labelled,
                    strict=True,
                )
            ],
        }
    )
