"""EUDA / SCORE wastewater analysis: drug mass loads in sewage, per city and year.

What it counts: the mass of a drug (or its metabolite) reaching a wastewater treatment plant,
in mg per 1,000 people served per day, averaged over one week of daily composite samples in
the spring campaign (the EUDA "mass load"). It is a population-level measure of consumption
plus any dumping; it is not a number of users, and loads of different substances are not
comparable with each other (excretion rates differ).

Files (the 2025 edition, data to 2024), found by name pattern and header:
- `ww2025-all-data.csv` -> observations `euda_wastewater_load_<substance>` (daily mean, one
  row per site and year; geography "City (CC)") and the detail table `wastewater_loads`
  (each weekday, weekday and weekend means, site id), which the dashboard map reads.
- `ww2025-site-info-table.csv` -> detail table `wastewater_sites` (coordinates, population
  served, plant, institution). Optional: without it the map has no points.
- `ww2025-changes-all-substances.csv` -> detail table `wastewater_changes` (2024 vs 2023 per
  site, the EUDA's increase / decrease / stable category). Optional.

Choices and caveats:
- Ketamine is monitored only from 2022 (27 sites), 2023 (59) and 2024 (103): a growing and
  changing panel of cities, so a count or mean over "all cities" is not a trend. Each city is
  its own series; other substances stay available, each as its own indicator.
- Some `City` values group several plants ("Australia (59 sites)"); they are kept as published
  and noted.
- Country code `H` (site H001, Debrecen) is an upstream typo for Hungary. It is MAPPED to `HU`
  by the rule in `etl/data/euda_country_fixes.csv` (checked on the site id and city, so another
  `H` site would not be mapped silently), and each affected row's note says so; the published
  code stays in `country_published` of the detail tables.
- Population is sometimes published rounded in scientific notation (`3e+05`, `2e+05`); it is
  read as a number and flagged `population_rounded` in `wastewater_sites`.
- Editions differ in bytes, not only in years: the 2023 edition (data 2011-2022, 27 ketamine
  rows) is reported to have a site table with CRLF line ends and a non-breaking space (no copy
  of it was found to test on; tests use the real 2025 file rewritten that way). Files are read
  by their header (never by position), U+00A0 in text becomes an ordinary space (in numbers it
  is dropped), and the edition comes from the file name (`ww2023` -> "2023 edition (data to
  2022)").
- Live fetch: the EUDA page (waste-water-analysis_en) is HTML; the CSVs are linked from its
  "Source data" section and their names change with each edition. The live fetch reads the page
  and takes the links whose file names match the same patterns a mirror folder is searched with
  (newest edition by name). If the page stops linking them, the refresh says so and falls back
  to the last good snapshot, then the seed; `--mirror DIR` (files under `DIR/euda_wastewater/`)
  loads an edition by hand.
- Seed: the one published city/year load read in a news report (Brno 2022, 1.28 mg/1,000/day,
  flagged `secondary`), routed here from the reference figures because it has this source's
  shape; the EUDA file itself gives Brno 2022 = 1.28, the same number.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.http import FetchError, HttpClient
from etl.landing import file_name, keep_as, links_matching
from etl.limits import max_bytes_for
from etl.observation_frame import observations
from etl.rawcsv import read_strict_csv, to_numbers, to_years
from etl.sources.euda_sites import (
    CHANGE_COLUMNS,
    ENCODINGS,
    NOT_MEASURED,
    SITE_COLUMNS,
    fix_country,
    geography,
    read_changes,
    read_sites,
    text,
)

DATA = Path(__file__).resolve().parent.parent / "data"
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


class EudaWastewater:
    """Live: the EUDA page's "Source data" links, found by file-name pattern (each edition renames
    the files: `ww2025-all-data.csv` becomes `ww2026-...`); the newest edition wins."""

    meta = META

    def __init__(self, landing: str | None = None, landings: tuple[str, ...] = ()) -> None:
        self.landings = landings or ((landing,) if landing else LANDING_PAGES)
        self.landing = self.landings[0]

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """Download the newest edition's files from the first landing page that links them."""
        tried: list[str] = []
        for landing in self.landings:
            try:
                page = client.get_text(landing)
            except FetchError as error:
                if landing == self.landings[-1]:
                    raise
                tried.append(str(error))
                continue
            required = [r for r in self.meta.remote_files if not r.optional]
            if landing != self.landings[-1] and not all(
                links_matching(page, landing, r.pattern) for r in required
            ):
                tried.append(f"{landing}: no source-data links")
                continue
            self.landing = landing
            return self.download_linked(client, page, dest)
        raise FetchError("; ".join(tried), url=self.landings[-1])

    def download_linked(self, client: HttpClient, page: str, dest: Path) -> SourceFiles:
        files: dict[str, list[Path]] = {}
        for remote in self.meta.remote_files:
            links = sorted(links_matching(page, self.landing, remote.pattern), key=file_name)
            if not links:
                if remote.optional:
                    continue
                raise FetchError(
                    f"{self.landing}: no link matching {remote.pattern} on the EUDA page; load an "
                    "edition with --mirror DIR/euda_wastewater/",
                    url=self.landing,
                )
            download = client.download(
                links[-1],
                dest,
                expect="csv",
                header=remote.header,
                max_bytes=max_bytes_for(remote.kind, remote.max_bytes),
            )
            files[remote.name] = [keep_as(download, dest, file_name(links[-1]))]
        return files

    def parse(self, files: SourceFiles) -> Tables:
        loads = read_loads(files["loads"][0])
        unmeasured = loads["daily_mean"].isna()
        loads = loads[~unmeasured]
        vintage = edition_vintage(files["loads"][0], loads)
        observations = load_observations(loads).assign(
            vintage=vintage, citation=f"{CITATION} Edition: {vintage}."
        )
        tables = Tables(observations=observations, indicators=indicators(loads))
        if unmeasured.any():
            tables.notes.append(
                f"{int(unmeasured.sum())} site-years with daily mean NA (not measured) left out"
            )
        tables.details["wastewater_loads"] = loads.drop(columns=["line", "fix_note"])
        if files.get("sites"):
            tables.details["wastewater_sites"] = read_sites(files["sites"][0])
        if files.get("changes"):
            tables.details["wastewater_changes"] = read_changes(files["changes"][0])
        return tables


def edition_vintage(path: Path, loads: pd.DataFrame) -> str:
    """'2025 edition (data to 2024)': the edition is in the publisher's file name (`ww2025-...`),
    the data year in the file; a renamed file still says which data year it holds."""
    last = int(loads["year"].max())
    edition = re.search(r"ww(\d{4})", path.name.lower())
    if edition:
        return f"{edition[1]} edition (data to {last})"
    return f"edition with data to {last}"


def suffix_of(metabolite: str) -> str:
    known = metabolites().set_index("metabolite")["suffix"]
    return known.get(metabolite, re.sub(r"[^a-z0-9]+", "_", metabolite.lower()).strip("_"))


def read_loads(path: Path) -> pd.DataFrame:
    raw = read_strict_csv(path, LOAD_COLUMNS, ENCODINGS)
    frame = pd.DataFrame(
        {
            "year": to_years(raw, "Year", path),
            "metabolite": text(raw, "Metabolite"),
            "site_id": text(raw, "Site ID"),
            "country_published": text(raw, "Country"),
            "city": text(raw, "City"),
        }
    )
    fixed = [
        fix_country(c, s, y)
        for c, s, y in zip(frame["country_published"], frame["site_id"], frame["city"], strict=True)
    ]
    frame["country"] = [code for code, _ in fixed]
    frame["fix_note"] = [note for _, note in fixed]
    frame["geography"] = [
        geography(c, k) for c, k in zip(frame["city"], frame["country"], strict=True)
    ]
    for day in DAYS:
        column = day.lower()
        frame[column] = (
            to_numbers(raw, day, path, blank_ok=True, na=NOT_MEASURED, unit=UNIT)
            if day in raw
            else float("nan")
        )
    for column in ("Weekday mean", "Weekend mean"):
        name = column.lower().replace(" ", "_")
        frame[name] = (
            to_numbers(raw, column, path, blank_ok=True, na=NOT_MEASURED, unit=UNIT)
            if column in raw
            else float("nan")
        )
    frame["daily_mean"] = to_numbers(raw, "Daily mean", path, na=NOT_MEASURED, unit=UNIT)
    frame["unit"] = UNIT
    frame["line"] = raw["line"]
    duplicated = frame.duplicated(["year", "metabolite", "site_id"], keep="first")
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise ParseError(
            f"site {row['site_id']} has two {row['metabolite']} rows for {row['year']}",
            file=path,
            line=int(row["line"]),
        )
    return frame


def load_observations(loads: pd.DataFrame) -> pd.DataFrame:
    years = loads["year"].astype(str)
    notes = [
        "; ".join(
            filter(
                None,
                [
                    f"site {site}",
                    "aggregate of several treatment plants" if "sites)" in city else "",
                    fix,
                ],
            )
        )
        for site, city, fix in zip(loads["site_id"], loads["city"], loads["fix_note"], strict=True)
    ]
    frame = observations(
        source=META.id,
        indicator="euda_wastewater_load_" + loads["metabolite"].map(suffix_of),
        geography=loads["geography"],
        period=years,
        stratum="daily mean of the sampling week",
        value=loads["daily_mean"],
        unit=UNIT,
        flags=["not_quantified" if zero else "" for zero in not_quantified(loads)],
        note=notes,
        citation=CITATION,
        citation_url=CITATION_URL,
    )
    return frame.sort_values(["indicator", "geography", "period_start"], ignore_index=True)


def not_quantified(loads: pd.DataFrame) -> pd.Series:
    """A load published as 0 on every day measured. The file does not say whether the drug was
    absent or below the laboratory's limit of quantification, so it is flagged, never read as a
    fall to nothing (a 'down 100%' headline)."""
    days = [day.lower() for day in DAYS if day.lower() in loads]
    measured = loads[days].fillna(0) if days else pd.DataFrame(index=loads.index)
    return (loads["daily_mean"] == 0) & (measured == 0).all(axis=1)


def indicators(loads: pd.DataFrame | None = None) -> pd.DataFrame:
    """One indicator per substance in the file (every known substance when called without)."""
    known = metabolites().set_index("metabolite")
    present = known.index if loads is None else loads["metabolite"].unique()
    rows = []
    for metabolite in sorted(present):
        label = known["label"].get(metabolite, metabolite)
        measured = known["measured_as"].get(metabolite, metabolite)
        years = (
            loads.loc[loads["metabolite"] == metabolite, "year"]
            if loads is not None
            else pd.Series(dtype=int)
        )
        span = f"; monitored {years.min()}-{years.max()} in this file" if len(years) else ""
        rows.append(
            {
                "id": f"euda_wastewater_load_{suffix_of(metabolite)}",
                "source": META.id,
                "label": f"Wastewater mass load: {label}",
                "definition": (
                    f"Mass of {measured} in wastewater, mg per 1,000 people served per day, mean "
                    "of the daily composite samples of one sampling week, per treatment plant"
                ),
                "unit": UNIT,
                "domain": "wastewater",
                "comparability": (
                    "Compare cities and years of the same substance only; the set of cities "
                    f"changes each year{span}"
                ),
                "series_breaks": "",
                "substance": known["substance"].get(metabolite, str(metabolite).lower()),
            }
        )
    return pd.DataFrame(rows).reindex(columns=list(INDICATOR_COLUMNS))


SOURCE = EudaWastewater()
