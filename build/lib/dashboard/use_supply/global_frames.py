"""Pure shaping for the global view: UNODC seizures placed on the world map, ranked by country,
past-year prevalence series per country and age band, expert trends as a table, and the check of
UNODC's transcriptions against the published figures we hold.

Data files beside this module: `unodc_map_ids.csv` (UNODC country name -> ISO 3166 numeric id of
the Natural Earth shape, or blank with the reason: Gibraltar is too small for the 1:50m map, and
parts of the UK are not coloured as the whole country) and `unodc_crosscheck.csv` (which UNODC
series is the same measure, population and age band as a published series we hold).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).resolve().parent
# Kilogram bands for the map: seizures span 0 to over 13,000 kg, so a linear scale would show one
# country; the bands are fixed, so a colour means the same weight in every year.
BANDS = (
    (0.0, "0 kg (reported zero)"),
    (1.0, "under 1 kg"),
    (10.0, "1-10 kg"),
    (100.0, "10-100 kg"),
    (1000.0, "100-1,000 kg"),
    (float("inf"), "1,000 kg or more"),
)
BAND_ORDER = [label for _, label in BANDS]
# Published figures are rounded to one decimal; UNODC often gives more digits.
ROUNDING = 0.05 + 1e-9


@cache
def map_ids() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "unodc_map_ids.csv", dtype=str, keep_default_na=False)


@cache
def crosscheck_rules() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "unodc_crosscheck.csv", dtype=str, keep_default_na=False)


def band(value: float) -> str:
    if value == 0:
        return BANDS[0][1]
    return next(label for upper, label in BANDS[1:] if value < upper)


def seizure_map_frame(seizures: pd.DataFrame, year: int) -> pd.DataFrame:
    """One year's drawn values with the map id of each country (blank when not on the map)."""
    rows = seizures[seizures["year"] == year].copy()
    ids = map_ids().set_index("unodc_name")
    rows["map_id"] = rows["country"].map(ids["map_id"]).fillna("")
    rows["map_note"] = rows["country"].map(ids["why"]).fillna("")
    rows["band"] = rows["value"].map(band)
    return rows.reset_index(drop=True)


def ranked(seizures: pd.DataFrame, year: int, regions: list[str]) -> pd.DataFrame:
    """The year's countries, largest first, in the chosen UNODC regions (all when none)."""
    rows = seizures[seizures["year"] == year]
    if regions:
        rows = rows[rows["region"].isin(regions)]
    rows = rows.sort_values(["value", "country"], ascending=[False, True])
    out = rows[["country", "region", "subregion", "value", "records_in_year", "note"]].copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.rename(columns={"value": "kg", "records_in_year": "records"}).reset_index(drop=True)


def age_of(stratum: str) -> str:
    return str(stratum).rsplit(";", 1)[0].strip()


def sex_of(stratum: str) -> str:
    return str(stratum).rsplit(";", 1)[-1].strip()


def compare_frame(prevalence: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """Past-year prevalence (totals, not by sex) of the chosen countries, one series per country
    and age band: a series never joins two age bands or two countries."""
    rows = prevalence[prevalence["country"].isin(countries)].copy()
    rows = rows[rows["stratum"].map(sex_of) == "total"]
    rows["age_band"] = rows["stratum"].map(age_of)
    rows["series"] = rows["country"] + " · " + rows["age_band"]
    rows["estimate"] = [
        "UNODC's own estimate" if "projected" in str(f) else "survey" for f in rows["flags"]
    ]
    rows["period_mid"] = (
        pd.to_datetime(rows["period_start"])
        + (pd.to_datetime(rows["period_end"]) - pd.to_datetime(rows["period_start"])) / 2
    )
    return rows.sort_values(["series", "period_start"]).reset_index(drop=True)


def default_countries(prevalence: pd.DataFrame, limit: int = 5) -> list[str]:
    """The countries with the most survey years of totals (a starting view, not a ranking)."""
    totals = prevalence[prevalence["stratum"].map(sex_of) == "total"]
    counts = totals.groupby("country")["period_label"].nunique().sort_values(ascending=False)
    return counts.head(limit).index.tolist()


def survey_year(label: str) -> str:
    """'2018-19', '2018/19' and '2022-2023' all as '2018/19'; a single year as itself."""
    text = str(label).strip()
    match = re.fullmatch(r"(\d{4})[-/](\d{2}|\d{4})", text)
    if not match:
        return text
    return f"{match[1]}/{match[2][-2:]}"


def cross_check(unodc: dict[str, pd.DataFrame], published: pd.DataFrame) -> pd.DataFrame:
    """UNODC rows beside the published figure of the same series and survey year: 'agree' when
    they match at the published rounding, 'conflict' otherwise (both shown, both cited)."""
    out = []
    for rule in crosscheck_rules().itertuples():
        rows = unodc.get(rule.population, pd.DataFrame())
        if rows.empty:
            continue
        mine = rows[
            (rows["country"] == rule.unodc_country)
            & (rows["stratum"] == f"{rule.unodc_age}; total")
        ]
        theirs = published[
            (published["geography"] == rule.published_geography)
            & (published["stratum"] == rule.published_stratum)
        ]
        for a in mine.itertuples():
            for b in theirs[
                theirs["period_label"].map(survey_year) == survey_year(a.period_label)
            ].itertuples():
                out.append(
                    {
                        "series": rule.series,
                        "survey year": survey_year(a.period_label),
                        "UNODC (%)": a.value,
                        "published (%)": b.value,
                        "verdict": "agree" if abs(a.value - b.value) <= ROUNDING else "conflict",
                        "published flags": b.flags or "",
                        "UNODC citation": a.citation,
                        "published citation": b.citation,
                    }
                )
    return pd.DataFrame(out)


def trends_table(trends: pd.DataFrame, age_group: str) -> pd.DataFrame:
    """Expert-perceived trend per country (rows) and year (columns), as published words."""
    rows = trends[trends["age_group"] == age_group]
    if rows.empty:
        return pd.DataFrame()
    table = rows.pivot_table(
        index=["region", "country"], columns="year", values="category", aggfunc="first"
    )
    table = table[sorted(table.columns, reverse=True)].fillna("")
    table.columns = [str(c) for c in table.columns]
    return table.reset_index()
