"""UNODC World Drug Report, Statistical Annex: ketamine seizures and prevalence by country.

What it counts:
- Table 7.1 (`*seizure*.xlsx`, sheet found by its header Country / DrugName / Reference year /
  Kilograms): kilograms of "ketamine and phencyclidine-type substances" seized per country and
  year (2019-2023 in the 2025 annex: 203 records, 57 countries). A seizure measures enforcement
  activity, not use, and ketamine is pooled with PCP-type substances (every row is flagged
  `proxy`). Some country-years have two to four records (Hong Kong 2020: 472.9, 472.87 and
  31.73 kg): every record is kept in the detail table `unodc_wdr_seizures` (`record`,
  `records_in_year`, `shown`), and the observation is the largest record, a lower bound, with the
  others listed in its note. Records are never summed: some repeat one another. Zeros are
  reported zeros; blank records are kept in the detail table and never drawn.
- Tables 1.2 (general population) and 1.4 (youth and students) (`*prevalence*general*.xlsx`,
  `*prevalence*youth*.xlsx`, sheet found by header): lifetime / past-year / past-month
  prevalence (two header rows: period x Total/Male/Female) for the rows whose Substance is
  Ketamine. One observation per published cell; the age band or grade and the sex are the
  stratum ("16-59; total"), so age bands and populations are never merged. Each row is cited to
  its national source from the `Source` column ("ARQ" = the government's Annual Report
  Questionnaire reply) and to UNODC as compiler. Rows whose Source says UNODC derived them (the
  US 2022 and 2023 15-64 values, from published 12+ prevalence) are flagged `projected`. Survey
  years are kept as published (`2018-19` is a survey year, April to March; `2022/23`).
  Cells published as a symbol ('@' = less than 0.005) are not loaded and are listed in the
  refresh notes.
- Table 2.1 (`*expert*perception*.xlsx`): experts' perceived trend in ketamine use, qualitative
  categories ("Large increase (>10%)") per country, year and age group, in the detail table
  `unodc_wdr_trends`; never a number on an axis.

Vintage: the annex edition is read from the seizure years (the annex runs two years behind its
edition: seizures to 2023 = World Drug Report 2025).

Live: the annex page links every table; files are taken from its links by the same name
patterns a `--mirror DIR/unodc_wdr/` folder is searched with, and each workbook is recognised by
its header row inside, so the next edition's renamed files (`7.1_Drug_seizures_2020-2024.xlsx`)
still match. Terms: UN copyright, reproduction for non-profit and educational purposes with
acknowledgement; the seed therefore carries no UNODC file, only a note on how to load it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.http import FetchError, HttpClient
from etl.landing import file_name, keep_as, links_matching
from etl.limits import max_bytes_for
from etl.sources.unodc_wdr import prevalence, seizures, trends

CITATION_URL = "https://www.unodc.org/unodc/en/data-and-analysis/world-drug-report-2025-annex.html"
# The next edition's page is tried first; the 2025 page, which linked the files we hold, second.
LANDING_PAGES = (
    "https://www.unodc.org/unodc/en/data-and-analysis/world-drug-report-2026-annex.html",
    CITATION_URL,
)
CITATION = "UNODC, World Drug Report, Statistical Annex"
MB = 1 << 20
META = SourceMeta(
    id="unodc_wdr",
    title="UNODC World Drug Report statistical annex (ketamine seizures and prevalence)",
    publisher=(
        "United Nations Office on Drugs and Crime (UNODC), Research and Trend Analysis Branch"
    ),
    homepage=CITATION_URL,
    licence=(
        "United Nations copyright: reproduction for non-profit and educational purposes with "
        "acknowledgement of the source; no commercial use without permission"
    ),
    citation=CITATION,
    cadence="annual (each June, data two years behind)",
    domain="supply",
    counts=(
        "kg seized per country and year (ketamine pooled with PCP-type substances); survey "
        "prevalence (%) per country, survey year and age band"
    ),
    caveats=(
        "Seizures measure enforcement, not use; several records per country-year are kept apart "
        "(the largest is drawn); prevalence rows transcribe national surveys with their own age "
        "bands and years."
    ),
    remote_files=(
        RemoteFile("seizures", "", "*seizure*.xlsx", "xlsx", max_bytes=16 * MB),
        RemoteFile(
            "prevalence_general",
            "",
            "*prevalence*general*.xlsx",
            "xlsx",
            optional=True,
            max_bytes=16 * MB,
        ),
        RemoteFile(
            "prevalence_youth",
            "",
            "*prevalence*youth*.xlsx",
            "xlsx",
            optional=True,
            max_bytes=16 * MB,
        ),
        RemoteFile(
            "trends", "", "*expert*perception*.xlsx", "xlsx", optional=True, max_bytes=16 * MB
        ),
    ),
    allowed_hosts=("www.unodc.org",),
    detail_tables=("unodc_wdr_seizures", "unodc_wdr_trends"),
)


class UnodcWdr:
    """Live: the annex page's links, matched by file-name pattern; newest name wins."""

    meta = META

    def __init__(self, landings: tuple[str, ...] = LANDING_PAGES) -> None:
        self.landings = landings
        self.landing = landings[0]  # the address `doctor` names first

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        tried: list[str] = []
        for landing in self.landings:
            try:
                page = client.get_text(landing)
            except FetchError as error:
                tried.append(str(error))
                continue
            if links_matching(page, landing, META.remote_files[0].pattern):
                return self.download_linked(client, page, landing, dest)
            tried.append(f"{landing}: no link matching {META.remote_files[0].pattern}")
        raise FetchError(
            "; ".join(tried) + "; load the annex by hand with --mirror DIR/unodc_wdr/",
            url=self.landings[-1],
        )

    def download_linked(
        self, client: HttpClient, page: str, landing: str, dest: Path
    ) -> SourceFiles:
        files: dict[str, list[Path]] = {}
        for remote in self.meta.remote_files:
            links = sorted(links_matching(page, landing, remote.pattern), key=file_name)
            if not links:
                continue  # the seizures link was checked by fetch; the others are optional
            download = client.download(
                links[-1], dest, expect="xlsx", max_bytes=max_bytes_for("xlsx", remote.max_bytes)
            )
            files[remote.name] = [keep_as(download, dest, file_name(links[-1]))]
        return files

    def parse(self, files: SourceFiles) -> Tables:
        records = seizures.read_seizures(files["seizures"][0])
        years = records["year"]
        edition, first, last = years.max() + 2, years.min(), years.max()
        vintage = f"World Drug Report {edition} statistical annex (seizures {first}-{last})"
        cite = f"UNODC, {vintage.split(' (')[0]}"
        frames = [
            seizures.observations(records).assign(citation=f"{cite}, table 7.1", vintage=vintage)
        ]
        # Prevalence rows are national surveys of their own years, compiled in the same annex.
        compiled = f"World Drug Report {edition} statistical annex (prevalence tables 1.2, 1.4)"
        notes: list[str] = []
        for name, population in (
            ("prevalence_general", prevalence.GENERAL),
            ("prevalence_youth", prevalence.YOUTH),
        ):
            if files.get(name):
                frame, skipped = prevalence.read_prevalence(files[name][0], population, cite)
                frames.append(frame.drop(columns=["line"]).assign(vintage=compiled))
                notes.extend(skipped)
        observations = pd.concat(frames, ignore_index=True).assign(citation_url=CITATION_URL)
        tables = Tables(
            observations=observations.reindex(columns=list(OBSERVATION_COLUMNS)),
            indicators=indicator_frame(),
            notes=notes,
        )
        tables.details["unodc_wdr_seizures"] = records
        if files.get("trends"):
            tables.details["unodc_wdr_trends"] = trends.read_trends(files["trends"][0])
        check_unique(tables.observations, files["seizures"][0])
        return tables


def indicator_frame() -> pd.DataFrame:
    rows = [seizures.indicator(), *prevalence.indicators()]
    frame = pd.DataFrame(rows).assign(source=META.id, series_breaks="")
    return frame.reindex(columns=list(INDICATOR_COLUMNS))


def check_unique(observations: pd.DataFrame, path: Path) -> None:
    """Two published cells for one country, survey year, age band and sex would be one point
    twice: refused with the key, rather than dropped silently."""
    key = ["indicator", "geography", "period_label", "stratum"]
    twice = observations[observations.duplicated(key, keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        raise ParseError(
            f"two values for {first['indicator']} / {first['geography']} / "
            f"{first['period_label']} / {first['stratum']}",
            file=path,
        )


SOURCE = UnodcWdr()
