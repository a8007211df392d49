"""What the EUDA wastewater source is: the publisher's files (name patterns and headers), the
landing pages that link them, the unit, the substances and `META` (licence, citation, hosts).
The package docstring says what it counts and its caveats."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import RemoteFile, SourceMeta

DATA = Path(__file__).resolve().parents[2] / "data"
CITATION = (
    "European Union Drugs Agency (EUDA) and SCORE group. Wastewater analysis and drugs: a European "
    "multi-city study. Reproduction authorised provided the source is acknowledged."
)
CITATION_URL = "https://www.euda.europa.eu/publications/html/pods/waste-water-analysis_en"
# Where the "Source data" links are looked for, in order. Projects that downloaded the 2026
# edition cite the page without `/html/` (tests/fixtures/euda_wastewater/real/SOURCE.md); the
# address our 2025 files came from is kept as the second try.
LANDING_PAGES = (
    "https://www.euda.europa.eu/publications/pods/waste-water-analysis_en",
    CITATION_URL,
)
UNIT = "mg per 1,000 people per day"
DAYS = ("Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday")
LOAD_COLUMNS = ("Year", "Metabolite", "Site ID", "Country", "City", "Daily mean")
SITE_COLUMNS = ("SiteID", "Country", "City", "Latitude", "Longitude", "Population")
CHANGE_COLUMNS = (
    "country",
    "city",
    "metabolite",
    "value_current",
    "value_previous",
    "year_current",
    "year_previous",
    "change_percent",
    "change_percent2",
    "SiteID",
)
# EUDA's exports have come in UTF-8 and, reportedly for the 2026 edition, in Windows-1252
# (Western European city names); both are read. "NA" marks a value not measured: missing,
# never zero (a zero is "below the limit of quantification", a different statement).
ENCODINGS = ("utf-8-sig", "cp1252")
NOT_MEASURED = ("NA",)

META = SourceMeta(
    id="euda_wastewater",
    title="EUDA / SCORE wastewater analysis (mass loads per city)",
    publisher="European Union Drugs Agency (EUDA) with the SCORE network",
    homepage=CITATION_URL,
    licence="EUDA: reproduction authorised provided the source is acknowledged",
    citation=CITATION,
    cadence="annual (spring sampling campaign, published the following year)",
    domain="wastewater",
    counts="mg of drug residue per 1,000 people served per day (one week's mean), per city",
    caveats=(
        "A changing panel of cities (ketamine from 2022); loads measure consumption in the "
        "catchment, not users; loads of different substances are not comparable."
    ),
    remote_files=(
        RemoteFile("loads", "", "*all-data*.csv", "csv", header=LOAD_COLUMNS),
        RemoteFile("sites", "", "*site-info*.csv", "csv", header=SITE_COLUMNS, optional=True),
        RemoteFile("changes", "", "*changes*.csv", "csv", header=CHANGE_COLUMNS, optional=True),
    ),
    detail_tables=("wastewater_loads", "wastewater_sites", "wastewater_changes"),
    # d9www: the data host one project records for the 2026 files.
    allowed_hosts=("www.euda.europa.eu", "d9www.euda.europa.eu"),
    seed_release=(
        "EUDA wastewater 2025 edition (data to 2024), ww2025 files as published, unmodified"
    ),
)


@cache
def metabolites() -> pd.DataFrame:
    return pd.read_csv(DATA / "euda_metabolites.csv", dtype=str, keep_default_na=False)


def suffix_of(metabolite: str) -> str:
    known = metabolites().set_index("metabolite")["suffix"]
    return known.get(metabolite, re.sub(r"[^a-z0-9]+", "_", metabolite.lower()).strip("_"))
