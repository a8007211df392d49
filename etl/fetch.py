"""Download a source's files from its publisher, or from an http(s) mirror, into a temp folder.

The client only talks to the hosts a source declares (its remote-file URLs plus
`SourceMeta.allowed_hosts`), over HTTPS; an explicit `--mirror http://...` host is the one
exception. A conditional GET reuses the last good file when the publisher says 304.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from etl import snapshots
from etl.contract import ApiSource, Source, SourceMeta
from etl.http import FetchError, HttpClient
from etl.warehouse import WarehousePaths

if TYPE_CHECKING:
    from etl.refresh import RefreshOptions


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


def remote_snapshot(
    source: Source, client: HttpClient, options: RefreshOptions, base: str | None
) -> snapshots.Snapshot | None:
    meta = source.meta
    raw_dir = WarehousePaths(options.data_dir).raw
    (raw_dir / meta.id).mkdir(parents=True, exist_ok=True)
    # Inside the raw store, so a killed refresh's leftovers are found and removed at next start.
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=raw_dir / meta.id))
    origin = "mirror" if base else "live"
    if isinstance(source, ApiSource) and base is None:
        files = source.fetch(client, tmp)
        if not files:
            return None
        urls = {str(p): meta.homepage for paths in files.values() for p in paths}
        return snapshots.Snapshot(
            origin=origin,
            files=files,
            meta={
                "tmpdir": str(tmp),
                "url": meta.homepage,
                "urls": urls,
                "retrieved_at": snapshots.utc_now(),
            },
        )
    previous = snapshots.last_good_snapshot(raw_dir, meta)
    files: dict[str, list[Path]] = {}
    urls: dict[str, str] = {}
    names: dict[str, str] = {}
    extras: dict[str, dict] = {}
    for remote in meta.remote_files:
        if not remote.url:
            continue
        file_name = Path(urlparse(remote.url).path).name
        url = remote.url if base is None else f"{base.rstrip('/')}/{meta.id}/{file_name}"
        known = previous.files.get(remote.name, []) if previous else []
        known_meta = snapshots.read_meta(known[-1]) if known else {}
        try:
            download = client.download(
                url,
                tmp,
                expect=remote.kind,
                header=remote.header,
                etag=known_meta.get("etag"),
                last_modified=known_meta.get("last_modified"),
            )
        except FetchError:
            if remote.optional:
                continue
            raise
        if download.not_modified and known:
            files[remote.name] = known
            continue
        if download.path is None:
            raise FetchError(f"{url}: no file and no earlier copy to reuse")
        files[remote.name] = [download.path]
        urls[str(download.path)] = download.url
        names[str(download.path)] = file_name
        extras[str(download.path)] = {
            "etag": download.etag,
            "last_modified": download.last_modified,
            "content_type": download.content_type,
        }
    if not snapshots.required_present(meta, files):
        return None
    return snapshots.Snapshot(
        origin=origin,
        files=files,
        meta={
            "tmpdir": str(tmp),
            "url": base or meta.homepage,
            "urls": urls,
            "names": names,
            "extras": extras,
            "retrieved_at": snapshots.utc_now(),
        },
    )
