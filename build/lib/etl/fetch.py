"""Download a source's files from its publisher, or from an http(s) mirror, into a temp folder.

The client only talks to the hosts a source declares (its remote-file URLs plus
`SourceMeta.allowed_hosts`), over HTTPS; an explicit `--mirror http://...` host is the one
exception. A conditional GET reuses the last good file when the publisher says 304.

An http mirror serves `<base>/<source id>/<file>`. A file is asked for by the publisher's file
name when the source gives a URL whose name matches its pattern; otherwise (curated sources with
no URL, `many` files such as FAERS quarters, or a renamed release) the mirror folder's directory
index is read and the pattern matched against the names it links to, as for a folder mirror.
A publisher URL's name is percent-decoded before it is asked for (`Figure%201%20data.csv` is
the file `Figure 1 data.csv`), and a name the mirror does not have (404) is looked up by pattern
in the index, for optional files too.

Every download is limited to its `RemoteFile.max_bytes` (etl.limits), and the client's deadline
is set to the earlier of the source's and the whole run's (`RefreshOptions`), so no request,
retry or backoff passes either. A file refused for a limit fails the source even when optional:
it is there but hostile, not absent.

Which names an http mirror holds is `etl/http_mirror.py`; the conditional download of each file
and the reuse of the last good copy is `etl/file_download.py`.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from etl import folder_files, snapshots
from etl.contract import ApiSource, RemoteFile, Source, SourceFiles, SourceMeta
from etl.file_download import Fetched, download_targets
from etl.http import Download, FetchError, HttpClient
from etl.http_mirror import mirror_folder, mirror_targets, url_file_name
from etl.limits import Refused
from etl.options import RefreshOptions
from etl.warehouse import WarehousePaths

log = logging.getLogger("etl.fetch")


def make_client(meta: SourceMeta, options: RefreshOptions) -> HttpClient:
    hosts = {urlparse(r.url).hostname for r in meta.remote_files if r.url}
    hosts |= set(meta.allowed_hosts)
    insecure: set[str] = set()
    if options.mirror and options.mirror.startswith(("http://", "https://")):
        mirror = urlparse(options.mirror)
        hosts.add(mirror.hostname or "")
        if mirror.scheme == "http":
            insecure.add(mirror.hostname or "")
    return HttpClient(allowed_hosts=sorted(h for h in hosts if h), allow_insecure_hosts=insecure)


def source_deadline(options: RefreshOptions) -> tuple[float, str]:
    """The time.monotonic() instant a source's fetch must end by, and what it is called: the
    source's own deadline, or the run's when that comes first."""
    at = time.monotonic() + options.source_deadline
    why = f"the per-source deadline of {options.source_deadline:g} s"
    if options.started is not None and options.started + options.deadline < at:
        at = options.started + options.deadline
        why = f"the run's deadline of {options.deadline:g} s (--deadline)"
    return at, why


def remote_snapshot(
    source: Source, client: HttpClient, options: RefreshOptions, base: str | None
) -> snapshots.Snapshot | None:
    """Download every file of `source` into a fresh `.partial-*` folder inside the raw store.

    Files keep the publisher's (or mirror's) name, so parsers that read a name (FAERS quarters)
    and the header/pattern checks work the same as for a folder mirror. On any failure the folder
    is removed; a SIGKILL leaves it for `warehouse.clean_leftovers` at the next start."""
    meta = source.meta
    raw_dir = WarehousePaths(options.data_dir).raw
    (raw_dir / meta.id).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=raw_dir / meta.id))
    set_deadline = getattr(client, "set_deadline", None)
    if set_deadline is not None:
        set_deadline(*source_deadline(options))
    try:
        snap = _download_all(source, client, raw_dir, tmp, base)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if snap is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return snap


def _download_all(
    source: Source, client: HttpClient, raw_dir: Path, tmp: Path, base: str | None
) -> snapshots.Snapshot | None:
    meta = source.meta
    if isinstance(source, ApiSource) and base is None:
        return _api_snapshot(source, client, tmp)
    previous = snapshots.last_good_snapshot(raw_dir, meta)
    files: dict[str, list[Path]] = {}
    provenance = snapshots.Provenance(url=base or meta.homepage, tmpdir=str(tmp))
    listing: dict[str, list[str]] = {}
    skipped: list[str] = []  # optional files that could not be fetched, for the run message
    for remote in meta.remote_files:
        if remote.kind == "folder":
            continue  # folders only come from a directory mirror
        known = previous.files.get(remote.name, []) if previous else []
        try:
            got = fetch_file(client, tmp, meta.id, remote, known, base, listing)
        except OptionalFileMissing as missing:
            log.warning("%s", missing)
            skipped.append(str(missing))
            continue
        if got is None:  # 304 Not Modified: reuse the last good copy
            files[remote.name] = known
            continue
        for path, download, file_name in got:
            files.setdefault(remote.name, []).append(path)
            record_download(provenance, path, download, file_name)
    if not folder_files.required_present(meta, files):
        return None
    provenance = dataclasses.replace(
        provenance, retrieved_at=snapshots.utc_now(), notes=(*provenance.notes, *skipped)
    )
    return snapshots.Snapshot(
        origin="mirror" if base else "live", files=files, provenance=provenance
    )


def _api_snapshot(source: ApiSource, client: HttpClient, tmp: Path) -> snapshots.Snapshot | None:
    """What an ApiSource fetched itself (from the publisher, not a mirror)."""
    files = source.fetch(client, tmp)
    if not files:
        return None
    urls, extras = api_provenance(files, tmp, source.meta.homepage)
    provenance = snapshots.Provenance(
        url=source.meta.homepage,
        retrieved_at=snapshots.utc_now(),
        tmpdir=str(tmp),
        urls=urls,
        extras=extras,
    )
    return snapshots.Snapshot(origin="live", files=files, provenance=provenance)


def record_download(
    provenance: snapshots.Provenance, path: Path, download: Download, file_name: str
) -> None:
    """Note where a downloaded file came from, for the raw store's `.meta.json`."""
    provenance.urls[str(path)] = download.url
    provenance.names[str(path)] = file_name
    provenance.extras[str(path)] = {
        "etag": download.etag,
        "last_modified": download.last_modified,
        "content_type": download.content_type,
    }


class OptionalFileMissing(Exception):
    """An optional file could not be fetched: the source loads without it, and the run message
    says so (a held or thinner load then explains itself)."""

    def __init__(self, remote: RemoteFile, source_id: str, error: FetchError) -> None:
        super().__init__(f"optional file {remote.name} of {source_id} not fetched: {error}")


def fetch_file(
    client: HttpClient,
    tmp: Path,
    source_id: str,
    remote: RemoteFile,
    known: list[Path],
    base: str | None,
    listing: dict[str, list[str]],
) -> Fetched | None:
    """Download one remote file (all its releases when `many`) from the publisher or an http
    mirror. None when unchanged (304) and known; [] when there is nothing to fetch. An optional
    file that could not be fetched raises OptionalFileMissing; a refused file always raises."""
    if base is None:
        if not remote.url:
            return []
        targets = [(remote.url, url_file_name(remote.url))]
    else:
        targets = mirror_targets(client, mirror_folder(base, source_id), remote, listing)
    try:
        return download_targets(client, tmp, remote, targets, known)
    except FetchError as error:
        if isinstance(error, Refused):
            raise
        if base is not None and error.status == 404:
            # The publisher's file name is not in the mirror: look for the pattern instead.
            return fetch_by_pattern(client, tmp, source_id, remote, known, base, listing)
        if not remote.optional:
            raise
        raise OptionalFileMissing(remote, source_id, error) from None


def fetch_by_pattern(
    client: HttpClient,
    tmp: Path,
    source_id: str,
    remote: RemoteFile,
    known: list[Path],
    base: str,
    listing: dict[str, list[str]],
) -> Fetched | None:
    """A mirror file looked up by pattern in the folder's index (its publisher's name was 404)."""
    try:
        targets = mirror_targets(
            client, mirror_folder(base, source_id), remote, listing, by_name=False
        )
        return download_targets(client, tmp, remote, targets, known)
    except FetchError as again:
        if not remote.optional or isinstance(again, Refused):
            raise
        raise OptionalFileMissing(remote, source_id, again) from None


def api_provenance(
    files: SourceFiles, tmp: Path, homepage: str
) -> tuple[dict[str, str], dict[str, dict]]:
    """URL and extras (etag, last_modified ...) per file an ApiSource fetched: from a sidecar
    `<file>.meta.json` it may write beside a download (FAERS zips), else the homepage. Files it
    reused from the raw store (a 304) are already stored with their own meta."""
    urls: dict[str, str] = {}
    extras: dict[str, dict] = {}
    for paths in files.values():
        for path in paths:
            sidecar = snapshots.read_meta(path) if path.is_relative_to(tmp) else {}
            urls[str(path)] = str(sidecar.pop("url", "") or homepage)
            if sidecar:
                extras[str(path)] = sidecar
    return urls, extras
