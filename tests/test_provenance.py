"""Exports carry their provenance: footer, citation files with access date, version and file
hashes, and the wide period x series CSV."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.common import export_menu, provenance

FILES = pd.DataFrame(
    {
        "source": ["nflis", "nflis", "cms_partd"],
        "origin": ["mirror", "mirror", "seed"],
        "file": ["a.csv", "b.csv", "c.csv"],
        "sha256": ["a" * 64, "b" * 64, "c" * 64],
    }
)


def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["nflis"] * 4,
            "series": ["ketamine", "ketamine", "PCP", "PCP"],
            "period_label": ["2020", "2021", "2021", "2020"],
            "period_start": pd.to_datetime(
                ["2020-01-01", "2021-01-01", "2021-01-01", "2020-01-01"]
            ),
            "value": [10.0, 12.0, 3.0, 4.0],
            "citation": "NFLIS-Drug annual report",
            "citation_url": "https://example.org/nflis",
            "publisher": "DEA",
            "vintage": "2024 release",
        }
    )


def test_wide_frame_is_one_row_per_period_one_column_per_series() -> None:
    wide = provenance.wide_frame(rows())
    assert wide.columns.tolist() == ["period", "PCP", "ketamine"]
    assert wide["period"].tolist() == ["2020", "2021"]
    assert wide.set_index("period").loc["2021", "ketamine"] == 12.0
    assert wide.set_index("period").loc["2020", "PCP"] == 4.0


def test_wide_frame_refuses_rows_that_are_not_one_number_per_cell() -> None:
    doubled = pd.concat([rows(), rows().head(1)])
    assert provenance.wide_frame(doubled) is None
    assert provenance.wide_frame(rows().drop(columns="series")) is None


def test_footer_names_source_vintage_link_and_version() -> None:
    lines = provenance.footer_lines(
        rows(), link="http://host/use-supply?year=2021", accessed="2026-12-01", version="9.9"
    )
    text = "\n".join(lines)
    assert "Source: NFLIS-Drug annual report" in text
    assert "Vintage: 2024 release" in text
    assert "View: http://host/use-supply?year=2021" in text
    assert "Ketamine Watch 9.9, exported 2026-12-01" in text
    assert all(len(line) <= provenance.FOOTER_CHARS for line in lines)


@pytest.mark.parametrize("maker", ["citation_text", "citation_cff", "citation_bibtex"])
def test_citations_give_access_date_version_and_only_the_rows_file_hashes(maker: str) -> None:
    kwargs = {"files": FILES, "link": "http://host/x?a=1", "accessed": "2026-12-01"}
    if maker != "citation_text":
        kwargs["title"] = "NFLIS reports"
    text = getattr(provenance, maker)(rows(), version="9.9", **kwargs)
    assert "2026-12-01" in text and "9.9" in text and "http://host/x?a=1" in text
    assert "a" * 64 in text and "b" * 64 in text
    assert "c" * 64 not in text  # cms_partd's file is not behind these rows
    assert "NFLIS-Drug annual report" in text


def test_citation_cff_quotes_every_value() -> None:
    text = provenance.citation_cff(
        rows(), files=FILES, title='a "quoted" title', link="", accessed="2026-12-01", version="1"
    )
    lines = text.splitlines()
    assert lines[0] == "cff-version: 1.2.0"
    assert 'title: "Ketamine Watch: a \\"quoted\\" title"' in lines
    assert '      - name: "DEA"' in lines
    assert "references:" in lines


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_export_image_is_landscape_with_the_footer(fmt: str) -> None:
    import altair as alt

    chart = alt.Chart(rows()).mark_line().encode(x="period_label:O", y="value:Q", color="series")
    chart = chart.properties(title="Lab reports", width="container")
    lines = provenance.footer_lines(
        rows(), link="http://h/p?x=1", accessed="2026-12-01", version="1"
    )
    image = export_menu.image(chart, fmt, lines)
    if fmt == "svg":
        svg = image.decode()
        assert "Vintage: 2024 release" in svg and "View: http://h/p?x=1" in svg
        assert "Lab reports" in svg
    else:
        assert image[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
        assert width > height and width >= 2 * provenance.EXPORT_WIDTH


def test_framed_spec_keeps_datasets_at_the_top_and_fixes_container_widths() -> None:
    spec = {
        "$schema": "x",
        "datasets": {"d": []},
        "config": {},
        "layer": [{"mark": "line", "width": "container"}],
        "width": "container",
    }
    framed = provenance.framed_spec(spec, lines=["Source: s"])
    assert framed["datasets"] == {"d": []} and "datasets" not in framed["vconcat"][0]
    assert "container" not in json.dumps(framed)
    assert framed["title"]["text"] == ["Source: s"] and framed["title"]["orient"] == "bottom"
