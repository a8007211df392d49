"""Clinic and seller links never reach the warehouse (etl/data/withheld_link_hosts.csv).

A curated figure or claim is sometimes first seen on a ketamine clinic's or seller's site. The
number and the publication it names are kept; the link, and every mention of the site's host in
free text (citation text, where the figure was seen, the curator's verification note), are
replaced by a neutral phrase. The list of hosts is data, the one source of truth; the dashboard
never needs it because nothing it reads contains these hosts.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

WITHHELD_PATH = Path(__file__).resolve().parent / "data" / "withheld_link_hosts.csv"
WITHHELD_TEXT = "a clinic or seller site (link withheld)"


@cache
def withheld_hosts(path: Path = WITHHELD_PATH) -> frozenset[str]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frozenset(frame["host"].str.strip().str.lower().str.removeprefix("www."))


def host_of(url: str) -> str:
    host = (urlparse(str(url).strip()).hostname or "").lower()
    return host.removeprefix("www.")


def is_withheld(url: str, hosts: frozenset[str] | None = None) -> bool:
    hosts = withheld_hosts() if hosts is None else hosts
    host = host_of(url)
    return bool(host) and any(host == h or host.endswith("." + h) for h in hosts)


@cache
def mention_pattern(hosts: frozenset[str]) -> re.Pattern[str]:
    """A URL on a withheld host, a bare host name, or the host's name without its domain."""
    names = sorted(hosts | {h.split(".")[0] for h in hosts}, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(
        rf"(?:https?://)?(?:[a-z0-9-]+\.)*(?:{alternatives})(?:\.[a-z]{{2,}})*(?:/[^\s,;)\"']*)?",
        re.I,
    )


def strip_mentions(text: str, hosts: frozenset[str] | None = None) -> str:
    """Replace every mention of a withheld host in free text by a neutral phrase."""
    hosts = withheld_hosts() if hosts is None else hosts
    if not hosts or not text:
        return text
    return mention_pattern(hosts).sub(WITHHELD_TEXT, str(text))


def count_mentions(text: str, hosts: frozenset[str] | None = None) -> int:
    hosts = withheld_hosts() if hosts is None else hosts
    return len(mention_pattern(hosts).findall(str(text))) if hosts else 0
