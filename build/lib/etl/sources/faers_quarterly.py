"""FDA Adverse Event Reporting System (FAERS) quarterly data extracts: ketamine and esketamine.

What it counts: **de-duplicated spontaneous reports**, not cases of harm and not people. One report
per FAERS case across all loaded quarters (latest `caseversion`, then latest `fda_dt`, then highest
`primaryid`; cases on FDA's deleted-case lists removed), counted in the quarter FDA first received
the case (`init_fda_dt`). No kept report is lost: a quarter file also holds follow-ups of cases
first received years earlier (in the real 2017Q2 sample, 20 of 100 reports were first received in
2015-2017Q1). A report whose first-receipt quarter is not loaded (it predates the earliest loaded
quarter, or falls in a gap between loaded quarters) is counted in the next loaded quarter, and that
quarter is flagged `incomplete` with a note giving how many of its reports were first received
earlier. So the sum of the quarterly counts is the number of kept reports, and the earliest
quarter of a window is not like for like with the others (it carries the window's back-log).
Counting by the quarter of the data file instead was rejected: it would move a case every time a
follow-up version arrives, and the dashboard reads "reports per quarter received".

A report "mentions" ketamine or esketamine when any drug row's `prod_ai` or `drugname` matches
the synonyms in etl/data/faers_synonyms.csv; the role (primary / secondary suspect, concomitant,
interacting) is kept, and the `suspect` series count PS or SS only.

Caveats (FDA's own): reporting is voluntary and stimulated by publicity, litigation and approvals
(Spravato, 2019-03-05, is a reporting break for esketamine); reports are not incidence (no
denominator); duplicates survive when the same event is reported as different cases; a report does
not prove the drug caused the event. The most recent quarters keep receiving follow-ups.

Inputs: `faers_ascii_YYYYqN.zip` (2012Q4 on) and legacy `aers_ascii_YYYYqN.zip` (2004Q1-2012Q3),
or their extracted folders. An online `refresh` reads FDA's landing page and downloads every
quarter from 2004Q1, newest first (`--faers-from 2015Q1` / `--faers-quarters N` hold fewer;
conditional GET, so an unchanged quarter is not downloaded again, and an interrupted download
resumes: etl/faers/remote.py). A mirror (`refresh --mirror DIR`, zips or folders in
`DIR/faers_quarterly/`) is cut to the same window. The seed holds no rows (the published FAERS
summary figures live in the `literature` source), so offline this source is `empty`.

The quarters are merged one at a time into the FAERS store, `faers.duckdb` beside the warehouse
(etl/faers/store.py): a quarter it already holds is not read again, so a refresh that brings one
new quarter reads only that quarter. The published tables are derived from the store and are
small (the reports that mention ketamine or esketamine, and counts), so publishing does not copy
FAERS. `parse` runs the same load on an in-memory database and returns the tables as DataFrames.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from etl import observation_frame, snapshots
from etl.contract import (
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.faers import progress
from etl.faers.comparators import SIGNALS_TABLE as COMPARATOR_SIGNALS
from etl.faers.comparators import build_comparator_signals
from etl.faers.integrity import refuse_sample
from etl.faers.load import TABLES, load_quarters
from etl.faers.remote import QuarterLink, fetch_quarters, in_window, previous_copies, window
from etl.faers.store import store_path
from etl.signals import load_label_expected, mask_expected, signals_from_counts

if TYPE_CHECKING:
    from etl.http import HttpClient

HOMEPAGE = "https://fis.fda.gov/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html"
CITATION = (
    "U.S. Food and Drug Administration. FDA Adverse Event Reporting System (FAERS) Quarterly "
    "Data Extract Files. " + HOMEPAGE
)
INGREDIENTS = ("ketamine", "esketamine")
SIGNALS_TABLE = "faers_signals"
INCOMPLETE = "incomplete"

META = SourceMeta(
    id="faers_quarterly",
    title="FAERS quarterly data extracts (ketamine, esketamine)",
    publisher="U.S. Food and Drug Administration (FDA)",
    homepage=HOMEPAGE,
    licence="U.S. federal government data, public domain in the U.S.",
    citation=CITATION,
    cadence="quarterly",
    domain="adverse_events",
    remote_files=(
        RemoteFile(
            name="quarters",
            url=HOMEPAGE,
            pattern="*aers_ascii_*",
            kind="zip",
            many=True,
            max_bytes=400 << 20,  # quarters are 60-90 MB today
        ),
    ),
    counts="de-duplicated spontaneous adverse-event reports (one per case, latest version)",
    caveats=(
        "Reports are not incidence and not proof of causation; reporting is voluntary and "
        "stimulated (the 2019-03-05 Spravato approval is a reporting break); duplicates remain."
    ),
    allowed_hosts=("fis.fda.gov",),
    detail_tables=(*TABLES, SIGNALS_TABLE, COMPARATOR_SIGNALS),
    # With --faers-quarters N, each new quarter drops the oldest.
    rolling_window=True,
)

_INDICATORS = {
    "all_reports": ("All de-duplicated FAERS reports", "every drug", "any"),
    "ketamine_reports": ("Reports mentioning ketamine", "ketamine", "any"),
    "ketamine_suspect_reports": ("Reports with ketamine as suspect", "ketamine", "suspect"),
    "esketamine_reports": ("Reports mentioning esketamine", "esketamine", "any"),
    "esketamine_suspect_reports": ("Reports with esketamine as suspect", "esketamine", "suspect"),
}


class FaersQuarterly:
    meta = META

    def __init__(self, landing: str = HOMEPAGE) -> None:
        self.landing = landing  # FDA's page linking every quarter's zip (a local server in tests)

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """The wanted quarter zips linked from FDA's page (see etl/faers/remote.py). `dest` is
        a fresh folder inside `data/raw/faers_quarterly/`, beside the last good snapshot; each
        downloaded quarter is moved into the raw store at once (resumable)."""
        in_store = dest.parent.name == META.id
        previous = previous_copies(dest.parent, META) if in_store else {}

        def keep(path: Path, link: QuarterLink) -> Path:
            sidecar = snapshots.read_meta(path)
            extra = {k: sidecar.get(k) for k in ("etag", "last_modified", "content_type")}
            return snapshots.store_raw(
                dest.parent.parent, META, path, url=link.url, original_name=link.file_name,
                origin="live", **extra,
            )  # fmt: skip

        paths = fetch_quarters(
            client,
            dest,
            landing=self.landing,
            wanted=window(),
            previous=previous,
            max_bytes=META.remote_files[0].max_bytes,
            keep=keep if in_store else None,
        )
        return {"quarters": paths}

    def load(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> Tables:
        given, wanted = files.get("quarters", []), window()
        paths = in_window(given, wanted)
        if given and not paths:  # never empty the store for a window that holds nothing
            raise ParseError(
                f"none of the {len(given)} FAERS quarters given is in the window "
                f"(--faers-from {wanted.first}, --faers-quarters {wanted.count})",
                file=given[0].parent,
            )
        quarters = load_quarters(
            con, paths, store_path(con), check=refuse_sample, progress=progress.loader()
        )
        build_signals(con)
        build_comparator_signals(con, load_label_expected())
        counts = con.execute("SELECT * FROM faers_quarterly_counts").df()
        rows = observations(counts).assign(vintage=files_vintage(con))
        notes = [note for quarter in quarters for note in quarter.notes]
        return Tables(observations=rows, indicators=indicators(), notes=notes)

    def parse(self, files: SourceFiles) -> Tables:
        con = duckdb.connect()
        try:
            tables = self.load(con, files)
            tables.details = {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLES}
            for name in (SIGNALS_TABLE, COMPARATOR_SIGNALS):
                tables.details[name] = con.execute(f"SELECT * FROM {name}").df()
            return tables
        finally:
            con.close()


def files_vintage(con: duckdb.DuckDBPyConnection) -> str:
    """Later quarter files update earlier cases, so the release is the newest file loaded."""
    [(first, last, files)] = con.execute(
        "SELECT min(quarter), max(quarter), count(*) FROM faers_loaded_quarters"
    ).fetchall()
    if not files:
        return ""
    span = last if first == last else f"{first}–{last}"
    return f"FAERS quarterly data files {span} ({files} quarter files)"


def build_signals(con: duckdb.DuckDBPyConnection) -> None:
    """`faers_signals`: PRR / ROR / chi² per ingredient (as suspect) and PT vs all other reports,
    with label-expected events flagged (not dropped: the page decides)."""
    counts = con.execute("SELECT * FROM faers_reaction_counts").df()
    frame = mask_expected(signals_from_counts(counts), load_label_expected())
    con.register("_faers_signals_df", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {SIGNALS_TABLE} AS SELECT * FROM _faers_signals_df")
    finally:
        con.unregister("_faers_signals_df")


def indicators() -> pd.DataFrame:
    rows = [
        {
            "id": f"faers_quarterly_{key}",
            "source": META.id,
            "label": label,
            "definition": (
                f"De-duplicated FAERS reports (latest version per case, deleted cases removed) "
                f"{'of any drug' if ing == 'every drug' else f'with {ing} in {role} role'}, "
                "by the quarter FDA first received the case."
            ),
            "unit": "reports",
            "domain": "adverse_events",
            "comparability": (
                "Spontaneous reports: not incidence, no denominator, stimulated reporting. "
                "Legacy AERS (to 2012Q3) and FAERS (2012Q4 on) differ in de-duplication keys."
            ),
            "series_breaks": "2012Q4 AERS -> FAERS; 2019-03-05 Spravato approval (esketamine)",
            "substance": "all drugs" if ing == "every drug" else ing,
        }
        for key, (label, ing, role) in _INDICATORS.items()
    ]
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))


def note(received_earlier: int) -> str:
    text = "FAERS covers reports from every country; counted by quarter first received"
    if not received_earlier:
        return text
    return (
        f"{text}; includes {received_earlier:,} reports first received before this quarter, "
        "in quarters not loaded (follow-ups of older cases), so it is not like for like"
    )


def observations(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter and indicator from `faers_quarterly_counts`."""
    columns = list(OBSERVATION_COLUMNS)
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    wanted = pd.DataFrame(
        [(f"faers_quarterly_{k}", ing if ing != "every drug" else "all", role)
         for k, (_, ing, role) in _INDICATORS.items()],
        columns=["indicator", "ingredient", "role_scope"],
    )  # fmt: skip
    rows = counts.merge(wanted, on=["ingredient", "role_scope"])
    out = observation_frame.observations(
        source=META.id,
        indicator=rows["indicator"],
        geography="World",
        period=rows["quarter"],
        value=rows["reports"],
        unit="reports",
        flags=[INCOMPLETE if n else "" for n in rows["received_earlier"]],
        note=[note(int(n)) for n in rows["received_earlier"]],
        citation=CITATION,
        citation_url=HOMEPAGE,
    )
    return out[columns].sort_values(["indicator", "period_start"]).reset_index(drop=True)


SOURCE = FaersQuarterly()
