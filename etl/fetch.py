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
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
import re
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from etl import folder_files, snapshots
from etl.contract import ApiSource, RemoteFile, Source, SourceFiles, SourceMeta
from etl.http import Download, FetchError, HttpClient
from etl.limits import Refused, max_bytes_for
from etl.options import RefreshOptions
from etl.warehouse import WarehousePaths

log = logging.getLogger("etl.fetch")

Fetched = list[tuple[Path, Download, str]]  # (file in the temp folder, its download, its name)


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
    for remote in meta.remote_files:
        if remote.kind == "folder":
            continue  # folders only come from a directory mirror
        known = previous.files.get(remote.name, []) if previous else []
        got = fetch_file(client, tmp, meta.id, remote, known, base, listing)
        if got is None:  # 304 Not Modified: reuse the last good copy
            files[remote.name] = known
            continue
        for path, download, file_name in got:
            files.setdefault(remote.name, []).append(path)
            record_download(provenance, path, download, file_name)
    if not folder_files.required_present(meta, files):
        return None
    provenance = dataclasses.replace(provenance, retrieved_at=snapshots.utc_now())
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
    mirror. None when unchanged (304) and known; [] when there is nothing to fetch, or an
    optional file could not be (logged). A refused file always raises."""
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
        log.warning("optional file %s of %s not fetched: %s", remote.name, source_id, error)
        return []


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
        log.warning("optional file %s of %s not fetched: %s", remote.name, source_id, again)
        return []


def mirror_folder(base: str, source_id: str) -> str:
    return f"{base.rstrip('/')}/{source_id}/"


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


def download_targets(
    client: HttpClient,
    tmp: Path,
    remote: RemoteFile,
    targets: list[tuple[str, str]],
    known: list[Path],
) -> Fetched | None:
    """Download each (url, name); None when a single file is unchanged (304) and known."""
    known_meta = snapshots.read_meta(known[-1]) if known and len(targets) == 1 else {}
    got = []
    for url, file_name in targets:
        download = client.download(
            url,
            tmp,
            expect=remote.kind,
            header=remote.header,
            etag=known_meta.get("etag"),
            last_modified=known_meta.get("last_modified"),
            max_bytes=max_bytes_for(remote.kind, remote.max_bytes),
        )
        if download.not_modified and known:
            return None
        if download.path is None:
            raise FetchError(f"{url}: no file and no earlier copy to reuse", url=url)
        got.append((named_copy(download.path, tmp, file_name), download, file_name))
    return got


def mirror_targets(
    client: HttpClient,
    folder: str,
    remote: RemoteFile,
    listing: dict[str, list[str]],
    *,
    by_name: bool = True,
) -> list[tuple[str, str]]:
    """(url, file name) pairs to download for `remote` from an http mirror folder: the
    publisher's file name when it fits the pattern, else what the folder's index lists."""
    direct = url_file_name(remote.url) if remote.url else ""
    pattern = remote.pattern.lower()
    if by_name and direct and not remote.many and fnmatch.fnmatch(direct.lower(), pattern):
        return [(folder + quote(direct), direct)]
    if folder not in listing:
        try:
            listing[folder] = mirror_listing(client, folder)
        except FetchError as error:
            if error.status != 404:
                raise
            listing[folder] = []  # the mirror does not carry this source, as with a folder
    matched = sorted(
        (n for n in listing[folder] if fnmatch.fnmatch(n.lower(), pattern)),
        # one file: the newest release by the year in its name (headers are not read yet)
        key=str.lower if remote.many else lambda n: (folder_files.release_year(n), n.lower()),
    )
    if not matched:
        return []  # not in the mirror: the next origin (snapshot, seed) is tried
    chosen = matched if remote.many else matched[-1:]
    return [(folder + quote(name), name) for name in chosen]


def url_file_name(url: str) -> str:
    """The file name a URL points at, percent-decoded: quoting it again for a mirror request
    must not turn `Figure%201` into `Figure%25201`."""
    return unquote(Path(urlparse(url).path).name)


def named_copy(downloaded: Path, tmp: Path, file_name: str) -> Path:
    """Move `<sha256>.<kind>` to `<tmp>/f<unique>/<publisher's name>` (one folder per file, so
    two files of the same name from different URLs cannot collide)."""
    safe = Path(file_name).name or downloaded.name
    # A fresh folder per file. Counting `f*` entries collided whenever a downloaded file's
    # sha256 name also started with "f".
    folder = Path(tempfile.mkdtemp(prefix="f", dir=tmp))
    target = folder / safe
    downloaded.replace(target)
    return target


_HREF = re.compile(r"""(?i)href\s*=\s*["']([^"'#?]+)["']""")


def mirror_listing(client: HttpClient, folder_url: str) -> list[str]:
    """File names linked from an http mirror's directory index (`python -m http.server`,
    nginx `autoindex`, Apache): the last path segment of each relative link, decoded."""
    page = client.get_text(folder_url)
    names = []
    for href in _HREF.findall(page):
        if "://" in href or href.startswith(("/", "..")) or href.endswith("/"):
            continue
        names.append(unquote(href.rsplit("/", 1)[-1]))
    return sorted(set(names))
