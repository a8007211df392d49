"""Disproportionality measures on 2x2 tables of spontaneous reports.

For a drug D and an event E, counting reports (never drug rows):

                    E        not E
    D               a          b
    comparator      c          d

The comparator is "all other drugs" (every report without D as a suspect) by default, or an
*active comparator*: the reports of another drug with a similar indication (e.g. another
antidepressant for esketamine), which reduces confounding by indication. `table_from_counts`
builds both from marginal counts.

- PRR = [a/(a+b)] / [c/(c+d)]; ROR = (a·d)/(b·c) with the 95% CI
  exp(ln ROR ± 1.96·sqrt(1/a + 1/b + 1/c + 1/d)) (Woolf). The PRR CI uses
  sqrt(1/a − 1/(a+b) + 1/c − 1/(c+d)).
- chi² is Pearson's chi-square with Yates' continuity correction,
  N·(|ad − bc| − N/2)² / ((a+b)(c+d)(a+c)(b+d)). Evans, Waller & Davis (2001), who set the
  criteria PRR ≥ 2, chi² ≥ 4 and a ≥ 3, used the Yates-corrected statistic; it is also the
  conservative choice for the small a this screening deals with. The uncorrected value is
  returned too (`chi2_uncorrected`) for analysts who compare with tools that use it.
- Signal rules: `evans` (all three Evans criteria) and `ror_signal` (lower 95% bound of ROR > 1,
  with a ≥ 3).
- Masking: events expected from the label (dissociation and sedation for Spravato ...) are listed
  as data (etl/data/label_expected_events.csv); `mask_expected` flags or drops them.

Zero cells give inf/NaN rather than an exception (no Haldane correction is applied silently).
All functions are pure; the DataFrame versions are vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
LABEL_EXPECTED_CSV = Path(__file__).parent / "data" / "label_expected_events.csv"


@dataclass(frozen=True)
class Disproportionality:
    a: int
    b: int
    c: int
    d: int
    prr: float
    prr_lower: float
    prr_upper: float
    ror: float
    ror_lower: float
    ror_upper: float
    chi2: float  # Yates-corrected
    chi2_uncorrected: float
    evans: bool  # PRR >= 2, chi2 >= 4, a >= 3
    ror_signal: bool  # ROR lower 95% bound > 1 and a >= 3


def table_from_counts(
    *, a: int, n_drug: int, n_event: int, n_total: int
) -> tuple[int, int, int, int]:
    """(a, b, c, d) against all other reports, from a, reports with the drug, reports with the
    event and all reports. For an active comparator pass the comparator's own a, b directly."""
    b = n_drug - a
    c = n_event - a
    d = n_total - n_drug - c
    if min(a, b, c, d) < 0:
        msg = f"inconsistent counts: a={a} n_drug={n_drug} n_event={n_event} N={n_total}"
        raise ValueError(msg)
    return a, b, c, d


def disproportionality(a: int, b: int, c: int, d: int) -> Disproportionality:
    """All measures for one 2x2 table (see module docstring)."""
    frame = signal_table(pd.DataFrame({"a": [a], "b": [b], "c": [c], "d": [d]}))
    row = frame.iloc[0]
    return Disproportionality(
        a=a,
        b=b,
        c=c,
        d=d,
        **{k: float(row[k]) for k in _FLOAT_OUT},
        evans=bool(row["evans"]),
        ror_signal=bool(row["ror_signal"]),
    )


_FLOAT_OUT = (
    "prr",
    "prr_lower",
    "prr_upper",
    "ror",
    "ror_lower",
    "ror_upper",
    "chi2",
    "chi2_uncorrected",
)


def signal_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Add PRR, ROR (+ 95% CIs), chi² and the signal rules to a frame with columns a, b, c, d."""
    a, b, c, d = (frame[k].to_numpy(dtype="float64") for k in ("a", "b", "c", "d"))
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        prr = (a / (a + b)) / (c / (c + d))
        se_ln_prr = np.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
        ror = (a * d) / (b * c)
        se_ln_ror = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        margins = (a + b) * (c + d) * (a + c) * (b + d)
        diff = np.abs(a * d - b * c)
        chi2_yates = n * np.maximum(diff - n / 2, 0) ** 2 / margins
        chi2_plain = n * diff**2 / margins
        out = frame.copy()
        out["prr"] = prr
        out["prr_lower"] = np.exp(np.log(prr) - Z95 * se_ln_prr)
        out["prr_upper"] = np.exp(np.log(prr) + Z95 * se_ln_prr)
        out["ror"] = ror
        out["ror_lower"] = np.exp(np.log(ror) - Z95 * se_ln_ror)
        out["ror_upper"] = np.exp(np.log(ror) + Z95 * se_ln_ror)
    out["chi2"] = chi2_yates
    out["chi2_uncorrected"] = chi2_plain
    out["evans"] = (prr >= 2) & (chi2_yates >= 4) & (a >= 3)
    out["ror_signal"] = (out["ror_lower"].to_numpy() > 1) & (a >= 3)
    return out


def signals_from_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Signal table from marginal counts: columns a, n_drug, n_event, n_total (vs all others)."""
    out = frame.copy()
    out["b"] = out["n_drug"] - out["a"]
    out["c"] = out["n_event"] - out["a"]
    out["d"] = out["n_total"] - out["n_drug"] - out["c"]
    if (out[["a", "b", "c", "d"]] < 0).to_numpy().any():
        raise ValueError("inconsistent counts: a negative cell in a 2x2 table")
    return signal_table(out)


def signals_vs_active_comparator(
    drug: pd.DataFrame, comparator: pd.DataFrame, *, n_drug: int, n_comparator: int
) -> pd.DataFrame:
    """Signal table against an active comparator.

    `drug` and `comparator` hold per-event report counts (columns `pt`, `reports`); `n_drug` and
    `n_comparator` are the two drugs' report totals. a, b come from the drug, c, d from the
    comparator; an event never seen with the comparator has c = 0."""
    merged = drug.rename(columns={"reports": "a"}).merge(
        comparator.rename(columns={"reports": "c"}), on="pt", how="left"
    )
    merged["c"] = merged["c"].fillna(0).astype("int64")
    merged["b"] = n_drug - merged["a"]
    merged["d"] = n_comparator - merged["c"]
    return signal_table(merged)


def load_label_expected(path: Path = LABEL_EXPECTED_CSV) -> pd.DataFrame:
    """The label-expected events list: ingredient, pt, label_section, citation_url."""
    frame = pd.read_csv(path, dtype=str)
    frame["pt"] = frame["pt"].str.strip().str.upper()
    return frame


def mask_expected(
    frame: pd.DataFrame, expected: pd.DataFrame, *, drop: bool = False
) -> pd.DataFrame:
    """Flag (column `label_expected`) or drop the events listed for each row's ingredient."""
    keys = expected[["ingredient", "pt"]].drop_duplicates().assign(label_expected=True)
    out = frame.drop(columns=["label_expected"], errors="ignore")
    out = out.assign(_pt=out["pt"].astype(str).str.upper())
    out = out.merge(keys.rename(columns={"pt": "_pt"}), on=["ingredient", "_pt"], how="left").drop(
        columns="_pt"
    )
    out["label_expected"] = out["label_expected"].fillna(False).astype(bool)
    return out[~out["label_expected"]].reset_index(drop=True) if drop else out
