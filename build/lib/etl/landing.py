"""Find file links on a publisher's HTML landing page.

Some publishers (FDA's FAERS page, EUDA's wastewater "Source data" section) link their data files
from a page whose file names change with each release. We read the page as text and pick links
by file-name pattern, the same patterns a `--mirror` folder is searched with.
"""

from __future__ import annotations

import fnmatch
import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from etl.http import Download

_HREF = re.compile(r"""(?i)href\s*=\s*["']([^"'#]+)["']""")


def page_links(page: str, page_url: str) -> list[str]:
    """Every href on the page, made absolute, in page order."""
    return [urljoin(page_url, unescape(href).strip()) for href in _HREF.findall(page)]


def file_name(url: str) -> str:
    return unquote(Path(urlparse(url).path).name)


def links_matching(page: str, page_url: str, pattern: str) -> list[str]:
    """Links whose file name matches a glob (case-insensitive), first occurrence kept."""
    seen: dict[str, str] = {}
    for url in page_links(page, page_url):
        name = file_name(url)
        if fnmatch.fnmatch(name.lower(), pattern.lower()):
            seen.setdefault(name.lower(), url)
    return list(seen.values())


def keep_as(download: Download, dest: Path, name: str) -> Path:
    """Give a download its publisher's file name, with a sidecar `<name>.meta.json` (url, etag,
    last_modified, content_type) that `etl.fetch` carries into the raw store."""
    if download.path is None:
        raise ValueError(f"{download.url}: nothing was downloaded")
    target = dest / name
    download.path.replace(target)
    sidecar = {
        "url": download.url,
        "etag": download.etag,
        "last_modified": download.last_modified,
        "content_type": download.content_type,
    }
    target.with_name(target.name + ".meta.json").write_text(json.dumps(sidecar, indent=2))
    return target
