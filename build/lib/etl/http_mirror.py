"""Which files an http mirror folder holds for a remote file: the publisher's file name when it
fits the pattern, else the names the folder's directory index links to, matched by pattern (the
newest release by the year in its name, or every match for `many` files)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from etl import folder_files
from etl.contract import RemoteFile
from etl.http import FetchError, HttpClient


def mirror_folder(base: str, source_id: str) -> str:
    return f"{base.rstrip('/')}/{source_id}/"


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
