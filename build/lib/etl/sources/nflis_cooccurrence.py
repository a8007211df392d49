"""NFLIS fentanyl co-occurrence files of Lim et al. (2024): monthly national, and state x year.

Helpers of the `nflis` source (not a source of their own). What they count: NFLIS-Drug SAMPLES
(items submitted to labs) in a drug category, and how many of them also contained fentanyl.

- `Figure 1 data.csv`: monthly, national, nine categories. Published columns: total samples,
  samples with fentanyl, the monthly share and the authors' centred 12-month average (NA at the
  ends). Each becomes its own indicator per category: a count, a count, a percent, a smoothed
  percent. The smoothed share is the authors' statistic, kept apart so it is never drawn as if
  it were the monthly figure.
- `Figure 3 data.csv`: annual by state (the mirror copy holds only the club-drug rows; the
  publisher's file holds all nine categories, and all are read).

Choices:
- "Club drugs" is Lim et al.'s category of ketamine + MDA + MDMA + ethylone + methylone +
  N-cyclohexylmethylone. It is wider than ketamine: every club-drug row is flagged `proxy` and
  the label says so. Other categories are loaded for comparison (`etl/data/nflis_categories.csv`).
- State rows go into `observations` with geography = ISO 3166-2 code (`US-TN` from the published
  `TN`), not into a detail table: they have the same shape as every other series (place x period
  x value, unit, flags, citation), so the trend, export and cross-stream queries read them
  without a special case, and a map only needs to filter on geography.
- A share computed from fewer than 20 samples is flagged `unreliable`; the latest year is
  `provisional` (lab reporting lag), as in the annual file.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import INDICATOR_COLUMNS, ParseError
from etl.observation_frame import observations
from etl.rawcsv import read_strict_csv, to_numbers, to_years

CATEGORIES_PATH = Path(__file__).resolve().parent.parent / "data" / "nflis_categories.csv"
MONTHLY_COLUMNS = (
    "Drug.sample",
    "Time",
    "Total_samples",
    "Fent_present_samples",
    "Percent_fent_cooccurrence_monthly",
)
STATE_COLUMNS = (
    "State",
    "Drug.sample",
    "Year",
    "Total_samples",
    "Fent_present_samples",
    "Percent_fent_cooccurrence",
)
SMALL_BASE = 20
MEASURES = {
    "samples": ("samples", "NFLIS samples in the category"),
    "fentanyl_samples": ("samples", "NFLIS samples in the category that also contained fentanyl"),
    "fentanyl_pct": ("percent", "share of the category's samples that also contained fentanyl"),
    "fentanyl_pct_12m": (
        "percent",
        "share with fentanyl (authors' centred 12-month moving average; smoothed)",
    ),
}


@cache
def categories() -> pd.DataFrame:
    return pd.read_csv(CATEGORIES_PATH, dtype=str, keep_default_na=False).set_index("category")


def category_suffix(name: str) -> str:
    known = categories()["suffix"]
    return known.get(name, re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"))


def is_proxy(name: str) -> bool:
    return categories()["proxy"].get(name, "no") == "yes"


def read_monthly(path: Path) -> pd.DataFrame:
    raw = read_strict_csv(path, MONTHLY_COLUMNS)
    months = raw["Time"].str.strip()
    bad = ~months.str.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])")
    if bad.any():
        row = raw.loc[bad].iloc[0]
        raise ParseError(f"Time '{row['Time']}' is not YYYY-MM", file=path, line=int(row["line"]))
    start = pd.to_datetime(months + "-01")
    smoothed = (
        to_numbers(
            raw, "Percent_fent_12month_average", path, blank_ok=True, na=("NA",), unit="percent"
        )
        if "Percent_fent_12month_average" in raw
        else pd.Series(float("nan"), index=raw.index)
    )
    return pd.DataFrame(
        {
            "category": raw["Drug.sample"].str.strip(),
            "period_start": start.dt.date,
            "period_end": (start + pd.offsets.MonthEnd(0)).dt.date,
            "period_label": months,
            "year": start.dt.year,
            "geography": "United States",
            "samples": to_numbers(raw, "Total_samples", path, unit="samples"),
            "fentanyl_samples": to_numbers(raw, "Fent_present_samples", path, unit="samples"),
            "fentanyl_pct": to_numbers(
                raw, "Percent_fent_cooccurrence_monthly", path, na=("NA",), unit="percent"
            ),
            "fentanyl_pct_12m": smoothed,
            "line": raw["line"],
        }
    )


def read_states(path: Path) -> pd.DataFrame:
    raw = read_strict_csv(path, STATE_COLUMNS)
    years = to_years(raw, "Year", path)
    states = raw["State"].str.strip()
    bad = ~states.str.fullmatch(r"[A-Z]{2}")
    if bad.any():
        row = raw.loc[bad].iloc[0]
        raise ParseError(
            f"State '{row['State']}' is not a 2-letter code", file=path, line=int(row["line"])
        )
    return pd.DataFrame(
        {
            "category": raw["Drug.sample"].str.strip(),
            "period_start": pd.to_datetime(years.astype(str) + "-01-01").dt.date,
            "period_end": pd.to_datetime(years.astype(str) + "-12-31").dt.date,
            "period_label": years.astype(str),
            "year": years,
            "geography": "US-" + states,
            "samples": to_numbers(raw, "Total_samples", path, unit="samples"),
            "fentanyl_samples": to_numbers(raw, "Fent_present_samples", path, unit="samples"),
            "fentanyl_pct": to_numbers(
                raw, "Percent_fent_cooccurrence", path, na=("NA",), unit="percent"
            ),
            "line": raw["line"],
        }
    )


def cooccurrence_observations(
    frame: pd.DataFrame, *, prefix: str, latest_year: int, citation: str, citation_url: str
) -> pd.DataFrame:
    """Wide published rows -> one observation per measure (NA cells are not observations)."""
    pieces = []
    for measure, (unit, _) in MEASURES.items():
        if measure not in frame:
            continue
        part = frame[frame[measure].notna()]
        flags = []
        for row in part.itertuples():
            row_flags = []
            if is_proxy(row.category):
                row_flags.append("proxy")
            if row.year >= latest_year:
                row_flags.append("provisional")
            if unit == "percent" and row.samples < SMALL_BASE:
                row_flags.append("unreliable")
            flags.append(";".join(sorted(row_flags)))
        pieces.append(
            observations(
                source="nflis",
                indicator=[f"{prefix}_{category_suffix(c)}_{measure}" for c in part["category"]],
                geography=part["geography"],
                period=part["period_label"],
                stratum="all samples in the data file",
                value=part[measure],
                unit=unit,
                flags=flags,
                note=[
                    f"base {int(n)} samples" if unit == "percent" else "" for n in part["samples"]
                ],
                citation=citation,
                citation_url=citation_url,
            )
        )
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


def cooccurrence_indicators(
    observations: pd.DataFrame, *, seen: list[str], prefix: str, grain: str
) -> pd.DataFrame:
    """Indicator rows for every category seen in the file (unknown ones get a plain label)."""
    present = set(observations["indicator"]) if not observations.empty else set()
    known = categories()
    rows = []
    for category in sorted(set(seen)):
        for measure, (unit, what) in MEASURES.items():
            indicator = f"{prefix}_{category_suffix(category)}_{measure}"
            if indicator not in present:
                continue
            label = known["label"].get(category, category)
            members = known["members"].get(category, "as defined by Lim et al. 2024")
            proxy = is_proxy(category)
            rows.append(
                {
                    "id": indicator,
                    "source": "nflis",
                    "label": f"NFLIS {grain}: {label}, {what}",
                    "definition": f"{what}; category {category} = {members}",
                    "unit": unit,
                    "domain": "supply",
                    "comparability": (
                        "PROXY: the club-drug category mixes ketamine with MDMA and others; "
                        if proxy
                        else "Comparison category, not ketamine; "
                    )
                    + "samples are lab items, not seizures or people (Lim et al. 2024)",
                    "series_breaks": "",
                    "substance": ("club drugs (incl. ketamine)" if proxy else str(label).lower()),
                }
            )
    return pd.DataFrame(rows).reindex(columns=list(INDICATOR_COLUMNS))
