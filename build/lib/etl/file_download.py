"""Download a remote file's targets into the temp folder, each under the publisher's name. A
single file is asked for conditionally (the last good copy's ETag and Last-Modified), and a 304
answer means that copy is reused."""

from __future__ import annotations

import tempfile
from pathlib import Path

from etl import snapshots
from etl.contract import RemoteFile
from etl.http import Download, FetchError, HttpClient
from etl.limits import max_bytes_for

Fetched = list[tuple[Path, Download, str]]  # (file in the temp folder, its download, its name)


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
