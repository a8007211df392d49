"""EUDA landing page: the link finder on the real 2026-edition links
(tests/fixtures/euda_wastewater/real/SOURCE.md). The page around them is hand-made (no saved copy
of EUDA's page was found); the URLs, their path and the `_en.csv` names are EUDA's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.landing import file_name, links_matching
from etl.sources.euda_wastewater import CITATION_URL, META, edition_vintage

REAL = Path(__file__).parent / "fixtures" / "euda_wastewater" / "real"
LINKS_2026 = (REAL / "links-2026.txt").read_text().split()
PATTERNS = {remote.name: remote.pattern for remote in META.remote_files}


def page(urls: list[str]) -> str:
    items = "".join(f'<li><a href="{u}">{file_name(u)}</a></li>' for u in urls)
    return f"<!DOCTYPE html><html><body><h2>Source data</h2><ul>{items}</ul></body></html>"


def newest(urls: list[str], kind: str) -> list[str]:
    found = links_matching(page(urls), CITATION_URL, PATTERNS[kind])
    return sorted(found, key=file_name)


def test_the_2026_links_are_found_by_the_source_patterns() -> None:
    all_data, site_info = LINKS_2026
    assert newest(LINKS_2026, "loads") == [all_data]
    assert newest(LINKS_2026, "sites") == [site_info]
    assert newest(LINKS_2026, "changes") == []  # optional; no 2026 name was found


def test_the_2026_edition_sorts_after_the_2025_one_despite_the_en_suffix() -> None:
    older = "https://www.euda.europa.eu/system/files/documents/ww2025-all-data.csv"
    assert newest([LINKS_2026[0], older], "loads")[-1] == LINKS_2026[0]
    assert file_name(LINKS_2026[0]) == "ww2026-all-data_en.csv"


def test_the_edition_is_read_from_the_real_2026_name() -> None:
    loads = pd.DataFrame({"year": [2024, 2025]})
    assert edition_vintage(Path(file_name(LINKS_2026[0])), loads) == "2026 edition (data to 2025)"
