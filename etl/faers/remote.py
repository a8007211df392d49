"""Live fetch of the newest FAERS quarterly ASCII zips from FDA's landing page.

FDA publishes the quarterly extracts on one HTML page
(https://fis.fda.gov/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html) that links each quarter's zip,
`https://fis.fda.gov/content/Exports/faers_ascii_YYYYqN.zip` (the XML twin is not wanted). The
page is read as text (it is HTML by design, so no CSV/JSON content check applies), the ASCII zip
links are collected, and the newest N quarters are downloaded (N from the environment variable
`KETAMINE_WATCH_FAERS_QUARTERS`, default 4: a year of reports; each zip is 50-90 MB).

Each zip is asked for with a conditional GET (If-None-Match / If-Modified-Since from the
`.meta.json` of the copy in the last good raw snapshot): a 304 reuses that stored copy, so an
unchanged quarter is not downloaded again. Every downloaded zip gets a sidecar
`<zip>.meta.json` (url, etag, last_modified, content_type) that `etl.fetch` carries into the raw
store, where the next refresh finds it.

De-duplication runs over the quarters loaded together: a case whose earlier versions sit in quarter
files older than the window is kept once, as its latest version inside the window. It is counted
by the quarter FDA first received it when that quarter is in the window; a case first received
before the window is counted in the window's earliest quarter, which is then flagged `incomplete`
(see etl/sources/faers_quarterly.py). No kept report is dropped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from etl import snapshots
from etl.contract import SourceMeta
from etl.http import FetchError, HttpClient
from etl.landing import file_name, keep_as, page_links

QUARTERS_ENV = "KETAMINE_WATCH_FAERS_QUARTERS"
DEFAULT_QUARTERS = 4
MAX_QUARTERS = 200  # FAERS + legacy AERS together are about 90 quarters
_ZIP_NAME = re.compile(r"(?i)^(f?aers)_ascii_(\d{4})q([1-4])\.zip$")


@dataclass(frozen=True)
class QuarterLink:
    label: str  # '2024Q1'
    url: str  # absolute
    file_name: str  # 'faers_ascii_2024q1.zip', as the publisher names it


def quarters_wanted(environ: Mapping[str, str] = os.environ) -> int:
    """N from `KETAMINE_WATCH_FAERS_QUARTERS` (default 4); a bad value is a clear error."""
    raw = environ.get(QUARTERS_ENV, "").strip()
    if not raw:
        return DEFAULT_QUARTERS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_QUARTERS:
        msg = f"{QUARTERS_ENV}={raw!r}: give a whole number of quarters from 1 to {MAX_QUARTERS}"
        raise ValueError(msg)
    return int(raw)


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
    """Publisher file name (lower case) -> stored copy, from the last good raw snapshot."""
    snap = snapshots.last_good_snapshot(raw_source_dir.parent, meta)
    if snap is None:
        return {}
    out: dict[str, Path] = {}
    for path in snap.files.get("quarters", []):
        name = str(snapshots.read_meta(path).get("original_name") or path.name)
        out[name.lower()] = path
    return out


def fetch_quarters(
    client: HttpClient,
    dest: Path,
    *,
    landing: str,
    count: int,
    previous: Mapping[str, Path],
    max_bytes: int | None = None,
) -> list[Path]:
    """Download the newest `count` quarters linked from `landing` into `dest`; a quarter the
    server reports unchanged (304) is the stored copy from `previous` instead."""
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
    for link in links[:count]:
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
        paths.append(target)
    return sorted(paths, key=lambda p: p.name.lower())
