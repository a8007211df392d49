"""Live fetch of the newest FAERS quarterly ASCII zips from FDA's landing page.

FDA publishes the quarterly extracts on one HTML page
(https://fis.fda.gov/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html) that links each quarter's zip,
`https://fis.fda.gov/content/Exports/faers_ascii_YYYYqN.zip` (the XML twin is not wanted). The
page is read as text (it is HTML by design, so no CSV/JSON content check applies), the ASCII zip
links are collected, and the wanted quarters are downloaded newest first: by default every quarter
from 2004Q1 (legacy AERS to 2012Q3, then FAERS; each zip is 50-90 MB), or those from
`KETAMINE_WATCH_FAERS_FROM` (`--faers-from 2015Q1`), at most the newest
`KETAMINE_WATCH_FAERS_QUARTERS` (`--faers-quarters N`).

Each zip is asked for with a conditional GET (If-None-Match / If-Modified-Since from the
`.meta.json` of the copy in the last good raw snapshot): a 304 reuses that stored copy, so an
unchanged quarter is not downloaded again. Every downloaded zip gets a sidecar
`<zip>.meta.json` (url, etag, last_modified, content_type) that `etl.fetch` carries into the raw
store, where the next refresh finds it. Each quarter is put in the raw store as soon as it has
been downloaded, so an interrupted refresh resumes: the next one finds the finished quarters and
asks for them conditionally (a 304, not 60 MB).

De-duplication runs over the quarters held: a case whose earlier versions sit in quarter files
older than the window is kept once, as its latest version inside the window. It is counted by the
quarter FDA first received it when that quarter is in the window; a case first received before
the window is counted in the window's earliest quarter, which is then flagged `incomplete` (see
etl/sources/faers_quarterly.py). No kept report is dropped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from etl import snapshots
from etl.contract import SourceMeta
from etl.faers import progress
from etl.faers.locate import expand, quarter_name
from etl.http import FetchError, HttpClient
from etl.landing import file_name, keep_as, page_links

QUARTERS_ENV = "KETAMINE_WATCH_FAERS_QUARTERS"
FROM_ENV = "KETAMINE_WATCH_FAERS_FROM"
MAX_QUARTERS = 200  # FAERS + legacy AERS together are about 90 quarters
FIRST_QUARTER = "2004Q1"  # the oldest quarter FDA publishes (legacy AERS)
_ZIP_NAME = re.compile(r"(?i)^(f?aers)_ascii_(\d{4})q([1-4])\.zip$")
_LABEL = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class QuarterLink:
    label: str  # '2024Q1'
    url: str  # absolute
    file_name: str  # 'faers_ascii_2024q1.zip', as the publisher names it


@dataclass(frozen=True)
class Window:
    """Which quarters to hold: from `first` on (None: 2004Q1), at most the newest `count`
    (None: all). The default is the full history."""

    first: str | None = None
    count: int | None = None

    def select(self, labels: list[str]) -> list[str]:
        """The wanted labels among `labels`, newest first."""
        chosen = sorted((x for x in labels if not self.first or x >= self.first), reverse=True)
        return chosen if self.count is None else chosen[: self.count]


def quarters_wanted(environ: Mapping[str, str] = os.environ) -> int | None:
    """N from `KETAMINE_WATCH_FAERS_QUARTERS` (`--faers-quarters`); unset: every quarter."""
    raw = environ.get(QUARTERS_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_QUARTERS:
        msg = f"{QUARTERS_ENV}={raw!r}: give a whole number of quarters from 1 to {MAX_QUARTERS}"
        raise ValueError(msg)
    return int(raw)


def first_wanted(environ: Mapping[str, str] = os.environ) -> str | None:
    """The first quarter from `KETAMINE_WATCH_FAERS_FROM` (`--faers-from 2015Q1`); unset: 2004Q1."""
    raw = environ.get(FROM_ENV, "").strip().upper()
    if not raw:
        return None
    if not _LABEL.match(raw) or raw < FIRST_QUARTER:
        msg = f"{FROM_ENV}={raw!r}: give a quarter such as 2015Q1, from {FIRST_QUARTER} on"
        raise ValueError(msg)
    return raw


def window(environ: Mapping[str, str] = os.environ) -> Window:
    return Window(first=first_wanted(environ), count=quarters_wanted(environ))


def quarter_links(page: str, page_url: str) -> list[QuarterLink]:
    """The ASCII quarter zips linked from the landing page, newest first, one per quarter."""
    found: dict[str, QuarterLink] = {}
    for url in page_links(page, page_url):
        name = file_name(url)
        match = _ZIP_NAME.match(name)
        if not match:
            continue
        label = f"{match.group(2)}Q{match.group(3)}"
        found.setdefault(label, QuarterLink(label=label, url=url, file_name=name))
    return [found[label] for label in sorted(found, reverse=True)]


def previous_copies(raw_source_dir: Path, meta: SourceMeta) -> dict[str, Path]:
    """Publisher file name (lower case) -> stored copy: the last good raw snapshot's, or a newer
    one stored since (each quarter is stored as soon as it is downloaded, so a refresh that was
    interrupted left the quarters it finished, and the next one asks for them conditionally)."""
    out: dict[str, tuple[str, Path]] = {}
    snap = snapshots.last_good_snapshot(raw_source_dir.parent, meta)
    candidates = list(snap.files.get("quarters", [])) if snap else []
    if raw_source_dir.is_dir():
        candidates += sorted(raw_source_dir.glob("*aers_ascii_*.zip"))
    for path in candidates:
        info = snapshots.read_meta(path)
        name = str(info.get("original_name") or path.name).lower()
        when = str(info.get("retrieved_at") or "")
        if name not in out or when > out[name][0]:
            out[name] = (when, path)
    return {name: path for name, (_, path) in out.items()}


def fetch_quarters(
    client: HttpClient,
    dest: Path,
    *,
    landing: str,
    wanted: Window,
    previous: Mapping[str, Path],
    max_bytes: int | None = None,
    keep: Callable[[Path, QuarterLink], Path] | None = None,
) -> list[Path]:
    """Download the `wanted` quarters linked from `landing` into `dest`, newest first; a quarter
    the server reports unchanged (304) is the stored copy from `previous` instead."""
    page = client.get_text(landing)
    links = quarter_links(page, landing)
    if not links:
        msg = (
            f"GET {landing}: no faers_ascii_YYYYqN.zip link on the page "
            "(has FDA changed the page? load quarters with `refresh --mirror DIR` meanwhile)"
        )
        raise FetchError(msg, url=landing)
    dest.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    chosen = set(wanted.select([link.label for link in links]))
    todo = [link for link in links if link.label in chosen]
    for i, link in enumerate(todo):
        progress.report("download", link.label, i, len(todo))
        known = previous.get(link.file_name.lower())
        known_meta = snapshots.read_meta(known) if known else {}
        download = client.download(
            link.url,
            dest,
            expect="zip",
            etag=known_meta.get("etag"),
            last_modified=known_meta.get("last_modified"),
            max_bytes=max_bytes,
        )
        if download.not_modified and known is not None:
            paths.append(known)
            continue
        if download.path is None:
            raise FetchError(f"{link.url}: no file and no earlier copy to reuse", url=link.url)
        target = keep_as(download, dest, link.file_name)
        paths.append(keep(target, link) if keep else target)
    if todo:
        progress.report("download", todo[-1].label, len(todo), len(todo))
    return sorted(paths, key=lambda p: p.name.lower())


def in_window(paths: list[Path], wanted: Window) -> list[Path]:
    """The quarter zips/folders among `paths` that `wanted` holds (a mirror may hold more)."""
    named = [(quarter_name(p.name), p) for p in expand(paths)]
    labels = [label for label, _ in named]
    if None in labels or len(set(labels)) < len(labels):
        return paths  # an unnamed quarter, or one given twice: the load says which
    chosen = set(wanted.select([str(label) for label in labels]))
    return [p for label, p in named if label in chosen]
