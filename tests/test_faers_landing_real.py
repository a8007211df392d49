"""FAERS landing page: the link finder on the real list of quarterly files FDA's page gave on
2023-11-08 (tests/fixtures/faers_quarterly/real/SOURCE.md): mixed `q`/`Q` in file names, the
legacy `aers_` prefix, XML and SGML twins left out, newest quarter first.

No saved copy of the page's HTML was found; the page here is rebuilt around the real URLs in the
structure the recorder's scraper reads (a Bootstrap panel per year, one table row per quarter,
an ASCII and an XML link per row), and says so."""

from __future__ import annotations

import csv
from html import escape
from itertools import groupby
from pathlib import Path

from etl.faers.remote import quarter_links
from etl.sources import faers_quarterly

REAL = Path(__file__).parent / "fixtures" / "faers_quarterly" / "real"
with (REAL / "faers-meta-2023-11-08.tsv").open(newline="") as handle:
    ROWS = list(csv.DictReader(handle, delimiter="\t"))


def page(rows: list[dict]) -> str:
    """The panels Yunuuuu/faers R/meta.R reads: `.panel.panel-default` with a `.panel-title`
    year, `tbody > tr` per quarter with the period in a <p> and the files as `td a` whose text
    names the format and size."""
    panels = []
    for year, quarter_rows in groupby(rows, key=lambda r: r["year"]):
        trs = "".join(
            f"<tr><td><p>{escape(r['period'])} {year}</p></td>"
            f'<td><a href="{escape(r["ascii_urls"])}">ASCII ({r["ascii_file_size"]})</a></td>'
            f'<td><a href="{escape(r["xml_urls"])}">XML ({r["xml_file_size"]})</a></td></tr>'
            for r in quarter_rows
        )
        panels.append(
            '<div class="panel panel-default"><div class="panel-heading">'
            f'<h4 class="panel-title">{year}</h4></div>'
            f'<div class="panel-body"><table class="table"><tbody>{trs}</tbody></table></div></div>'
        )
    return f"<!DOCTYPE html><html><body>{''.join(panels)}</body></html>"


def test_every_real_ascii_quarter_is_found_newest_first_with_fdas_own_spelling() -> None:
    links = quarter_links(page(ROWS), faers_quarterly.HOMEPAGE)
    assert [link.url for link in links] == [r["ascii_urls"] for r in ROWS]
    assert len(links) == 70
    assert [link.label for link in links[:4]] == ["2023Q3", "2023Q2", "2023Q1", "2022Q4"]
    # FDA spells some quarters with a capital Q; asking for 'faers_ascii_2023q3.zip' would 404.
    assert [link.file_name for link in links[:4]] == [
        "faers_ascii_2023Q3.zip",
        "faers_ascii_2023q2.zip",
        "faers_ascii_2023q1.zip",
        "faers_ascii_2022Q4.zip",
    ]


def test_legacy_aers_quarters_are_found_and_xml_or_sgml_twins_never() -> None:
    links = quarter_links(page(ROWS), faers_quarterly.HOMEPAGE)
    names = [link.file_name for link in links]
    assert names[43:45] == ["faers_ascii_2012q4.zip", "aers_ascii_2012q3.zip"]
    assert names[-1] == "aers_ascii_2006q2.zip"
    assert not [n for n in names if "xml" in n or "sgml" in n]


def test_relative_hrefs_resolve_against_the_landing_page() -> None:
    """The recorded URLs are absolute; the same page with host-relative hrefs (as the page may
    serve them) must give the same links."""
    relative = [
        r
        | {
            "ascii_urls": r["ascii_urls"].removeprefix("https://fis.fda.gov"),
            "xml_urls": r["xml_urls"].removeprefix("https://fis.fda.gov"),
        }
        for r in ROWS
    ]
    links = quarter_links(page(relative), faers_quarterly.HOMEPAGE)
    assert [link.url for link in links] == [r["ascii_urls"] for r in ROWS]
