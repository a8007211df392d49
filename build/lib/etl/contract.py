"""The contract between a source and the refresh.

A source declares where its data lives (`SourceMeta`, `RemoteFile`) and turns the raw files it is
handed into canonical tables (`Tables`). It never touches the network, the warehouse or the disk
outside the files it is given: fetching, snapshots, validation and publishing belong to the refresh.
Sources whose data comes from a paginated API rather than fixed files also implement `fetch`
(see `ApiSource`): it writes the raw pages to a folder and returns them, so they are snapshotted and
parsed like any downloaded file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import pandas as pd

from etl.errors import ParseError as ParseError  # raised by sources; defined apart for etl.limits

if TYPE_CHECKING:
    import duckdb

    from etl.http import HttpClient

Domain = Literal[
    "misuse",
    "poison_center",
    "adverse_events",
    "mortality",
    "supply",
    "wastewater",
    "therapeutic",
    "context",
]
DOMAINS: tuple[str, ...] = Domain.__args__  # type: ignore[attr-defined]

FileKind = Literal["csv", "tsv", "txt", "json", "xlsx", "zip", "html", "folder"]

# Flags a published number can carry. Stored in `observations.flags` as a ';'-joined sorted string.
FLAGS: tuple[str, ...] = (
    "provisional",  # still filling in (reporting lag)
    "suppressed",  # publisher suppresses small counts (< 10)
    "unreliable",  # rate from fewer than 20 events, or publisher's own reliability warning
    "projected",  # a projection, not an observed count
    "secondary",  # the figure was read in a secondary source, or its citation is doubtful
    "approximate",  # published as "about", "around", "more than"
    "proxy",  # the category is wider than ketamine (e.g. "club drugs")
    "not_quantified",  # published as 0 on every day measured: nothing quantified, not "none"
    "incomplete",  # not like its neighbours: e.g. FAERS's earliest loaded quarter, which also
    # holds the reports first received before it (their own quarters are not loaded)
)

OBSERVATION_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",
    "indicator": "VARCHAR",
    "geography": "VARCHAR",
    "period_start": "DATE",
    "period_end": "DATE",
    "period_label": "VARCHAR",
    "stratum": "VARCHAR",
    "value": "DOUBLE",
    "lower": "DOUBLE",
    "upper": "DOUBLE",
    "unit": "VARCHAR",
    "flags": "VARCHAR",
    "note": "VARCHAR",
    "citation": "VARCHAR",
    "citation_url": "VARCHAR",
    # The publisher's release this number comes from (edition, data-file version, release date,
    # publication): never blank, never the date a file was curated or fetched.
    "vintage": "VARCHAR",
}

INDICATOR_COLUMNS: dict[str, str] = {
    "id": "VARCHAR",
    "source": "VARCHAR",
    "label": "VARCHAR",
    "definition": "VARCHAR",
    "unit": "VARCHAR",
    "domain": "VARCHAR",
    "comparability": "VARCHAR",
    "series_breaks": "VARCHAR",
    # What the indicator counts: one of FOCUS_SUBSTANCES, CONTEXT_SUBSTANCE, or a named comparator
    # ("cocaine", "club drugs (incl. ketamine)"). `role` is derived from it when staged.
    "substance": "VARCHAR",
    "role": "VARCHAR",
}

# Headlines and default views show only these; everything else is a labelled comparator, and
# all-drug totals are context on their own axis or panel.
FOCUS_SUBSTANCES: tuple[str, ...] = (
    "ketamine",
    "esketamine",
    "ketamine and esketamine",
    "ketamine analogues",
)
CONTEXT_SUBSTANCE = "all drugs"
ROLES: tuple[str, ...] = ("focus", "comparator", "context")


def substance_role(substance: str) -> str:
    """'focus' for ketamine and esketamine, 'context' for all-drug totals, else 'comparator'."""
    text = str(substance).strip().lower()
    if text in FOCUS_SUBSTANCES:
        return "focus"
    if text == CONTEXT_SUBSTANCE:
        return "context"
    return "comparator"


EVENT_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",
    "date": "DATE",
    "date_label": "VARCHAR",
    "precision": "VARCHAR",
    "category": "VARCHAR",
    "event": "VARCHAR",
    "agency": "VARCHAR",
    "citation_url": "VARCHAR",
}


@dataclass(frozen=True)
class RemoteFile:
    """One file a source reads, where the publisher serves it, and how to recognise it.

    `pattern` is a glob matched case-insensitively against file names in a mirror folder, so a
    publisher's renamed release (`RY24...DY22` -> `RY25...DY23`) is still found. `header` lists
    columns the file must contain; it tells look-alike files apart and rejects an HTML error page.
    `max_bytes` is the most one download of it may be (streamed to disk, refused past it); None
    takes the default for its kind (`etl.limits.DEFAULT_MAX_BYTES`). Size it to the file.
    """

    name: str
    url: str
    pattern: str
    kind: FileKind
    header: tuple[str, ...] = ()
    optional: bool = False
    many: bool = False  # several files match (FAERS quarters); all are passed to parse
    max_bytes: int | None = None


@dataclass(frozen=True)
class SourceMeta:
    id: str
    title: str
    publisher: str
    homepage: str
    licence: str
    citation: str
    cadence: str
    domain: Domain
    remote_files: tuple[RemoteFile, ...] = ()
    counts: str = ""  # what one unit of the data is: "exposure calls", "lab reports" ...
    caveats: str = ""
    allowed_hosts: tuple[str, ...] = ()  # extra hosts beyond those in remote_files' URLs
    detail_tables: tuple[str, ...] = ()  # detail tables this source owns, carried over on failure
    # The shrink guard (etl/shrink.py) holds a refresh that loses more than this share of the
    # source's published rows; a rolling window (newest N quarters) may drop its oldest years.
    shrink_tolerance: float = 0.05
    rolling_window: bool = False
    # What `scripts/build_seeds.py` puts in `data/seed/<id>/`: the curated reference files it
    # copies from shared/data/reference, or (where the licence allows) the publisher's own files,
    # described by `seed_release` (which release, where our copy came from). Neither: the seed
    # folder holds only a note saying how to load the source.
    seed_reference: tuple[str, ...] = ()
    seed_release: str = ""


def _empty(columns: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})


@dataclass
class Tables:
    """What a source's parse returns: canonical rows plus any detail tables it owns.

    Detail tables are named `<source id>_<what>` or listed in the source's own docstring; the
    warehouse replaces them wholesale for that source on each successful refresh.
    """

    observations: pd.DataFrame = field(default_factory=lambda: _empty(OBSERVATION_COLUMNS))
    indicators: pd.DataFrame = field(default_factory=lambda: _empty(INDICATOR_COLUMNS))
    events: pd.DataFrame = field(default_factory=lambda: _empty(EVENT_COLUMNS))
    details: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Warnings that do not stop the load (a few FAERS report ids without DEMO): they reach the
    # refresh's message and the run log.
    notes: list[str] = field(default_factory=list)

    def row_count(self) -> int:
        return (
            len(self.observations)
            + len(self.events)
            + sum(len(frame) for frame in self.details.values())
        )


SourceFiles = Mapping[str, list[Path]]
"""Remote-file name -> local paths found for it (one, or several for `many` files)."""


@runtime_checkable
class Source(Protocol):
    """Every source module exposes one object satisfying this protocol."""

    meta: SourceMeta

    def parse(self, files: SourceFiles) -> Tables:
        """Turn raw files into canonical tables. Pure: reads only the given files."""
        ...


@runtime_checkable
class ApiSource(Source, Protocol):
    """A source whose live data comes from an API rather than fixed file URLs."""

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """Write the raw API responses under `dest` and return them keyed like `remote_files`."""
        ...


@runtime_checkable
class DatabaseSource(Source, Protocol):
    """A source whose files are too large for pandas (FAERS quarters): it loads them with DuckDB's
    own readers straight into the staging database."""

    def load(self, con: duckdb.DuckDBPyConnection, files: SourceFiles) -> Tables:
        """Create the tables named in `meta.detail_tables` on `con` and return the canonical rows.

        Runs inside a transaction that the refresh rolls back if this raises."""
        ...
