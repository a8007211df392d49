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

from pathlib import Path

from etl.contract import SourceFiles, Tables
from etl.http import FetchError, HttpClient
from etl.landing import file_name, keep_as, links_matching
from etl.limits import max_bytes_for
from etl.sources.euda_wastewater.load_series import indicators, load_observations
from etl.sources.euda_wastewater.loads import edition_vintage, read_loads
from etl.sources.euda_wastewater.meta import CITATION, CITATION_URL, LANDING_PAGES, META
from etl.sources.euda_wastewater.sites import read_changes, read_sites

__all__ = [
    "CITATION_URL",
    "META",
    "SOURCE",
    "EudaWastewater",
    "edition_vintage",
    "indicators",
]


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


SOURCE = EudaWastewater()
