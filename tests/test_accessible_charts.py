"""What a screen reader and a phone get from a chart: a one-sentence description, marks and
axes out of the accessibility tree, readable data tables, bar labels within 40 % of the width."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc

from dashboard.adverse_events import charts as adverse_events_charts
from dashboard.common import chart_summary, tables
from dashboard.common.charts.theme import BAR_LABEL_SHARE, config
from dashboard.poison_deaths import charts as harm_charts
from tests.chart_render import items, plot_groups, render


def series(values: list[float], *, label: str = "NFLIS lab reports: Ketamine") -> pd.DataFrame:
    years = range(2013, 2013 + len(values))
    return pd.DataFrame(
        {
            "indicator": "nflis_reports_ketamine",
            "label": label,
            "geography": "United States",
            "period_start": pd.to_datetime([f"{y}-01-01" for y in years]),
            "period_end": pd.to_datetime([f"{y}-12-31" for y in years]),
            "period_label": [str(y) for y in years],
            "value": values,
            "unit": "reports",
            "flags": "",
        }
    )


def test_description_gives_latest_value_and_change_not_every_tick() -> None:
    text = chart_summary.describe("NFLIS lab reports", series([953.0, 868.0, 2031.0]))
    assert text.startswith("NFLIS lab reports. 3 published numbers.")
    assert "Latest: 2,031 reports in 2015, up 113% from 953 in 2013." in text
    assert text.endswith(chart_summary.TABLE_HINT)
    falling = chart_summary.describe("x", series([10.0, 5.0]))
    assert "down 50% from 10 in 2013" in falling


def test_description_of_several_series_and_of_a_map() -> None:
    both = pd.concat([series([1.0, 2.0]), series([3.0, 4.0], label="other")])
    assert "2 series, 2013 to 2014." in chart_summary.describe("t", both)
    places = pd.DataFrame(
        {
            "geography": ["US-TN", "US-AK"],
            "state": ["Tennessee", "Alaska"],
            "period_label": "2022",
            "value": [10.0, 20.0],
            "unit": "percent",
        }
    )
    text = chart_summary.describe("map", places)
    assert "2 places in 2022; highest: Alaska, 20 percent; lowest: Tennessee, 10 percent." in text


def test_quiet_spec_hides_the_title_from_the_tree() -> None:
    spec = chart_summary.quiet_spec({"title": "T", "mark": "bar"})
    assert spec["title"] == {"text": "T", "aria": False}
    nested = chart_summary.quiet_spec({"title": {"text": "T", "subtitle": "S"}})
    assert nested["title"] == {"text": "T", "subtitle": "S", "aria": False}


def test_theme_keeps_marks_axes_and_legends_out_of_the_accessibility_tree() -> None:
    frame = series([1.0, 2.0, 3.0])
    spec = harm_charts.share_bars(
        data=frame.assign(stratum="", citation="c", source="s"), title="t"
    ).to_dict()
    vega = vlc.vegalite_to_vega(json.dumps(chart_summary.quiet_spec(spec)))
    assert vega["title"]["aria"] is False
    assert all(m.get("aria") is False for m in vega["marks"] if m.get("type") != "group")
    # Vega applies its config to every axis and legend at run time
    assert vega["config"]["axis"]["aria"] is False and vega["config"]["legend"]["aria"] is False
    assert config()["legend"]["aria"] is False


def test_table_leads_with_label_period_value_unit_flags_and_formats_dates() -> None:
    frame = series([1.0, 2.0]).assign(source="nflis", citation="c", extra="e")
    shown = tables.readable(frame)
    assert list(shown.columns[:6]) == [
        "label",
        "geography",
        "period_label",
        "value",
        "unit",
        "flags",
    ]
    assert list(shown.columns[-3:]) == ["citation", "source", "indicator"]
    assert shown["period_start"].tolist() == ["2013-01-01", "2014-01-01"]
    assert "00:00:00" not in shown.to_csv()
    timed = tables.date_text(pd.Series(pd.to_datetime(["2024-01-01 05:31", "2024-01-02 00:00"])))
    assert timed.tolist() == ["2024-01-01 05:31", "2024-01-02 00:00"]


LONG = "a very long published figure label that names its study and its period " * 2


@pytest.mark.parametrize("builder", ["share_bars", "published_values"])
def test_bar_labels_take_at_most_forty_percent_of_a_phone_width(builder: str) -> None:
    frame = pd.DataFrame(
        {
            "label": [f"{LONG} [study {i}]" for i in range(3)],
            "figure": [f"{LONG} {i}" for i in range(3)],
            "period_label": "2020",
            "value": [5.0, 3.0, 1.0],
            "unit": "cases",
            "stratum": "",
            "flags": "",
            "citation": "c",
            "source": "s",
        }
    )
    if builder == "share_bars":
        spec = harm_charts.share_bars(data=frame, title="t").to_dict()
    else:
        spec = adverse_events_charts.published_values(
            data=frame, title="t", x_title="cases"
        ).to_dict()
    width = 330
    # vl-convert has no page container (containerSize() is 0): stand in the phone's width
    text = json.dumps(spec).replace("containerSize()[0]", str(width))
    assert str(width) in text
    graph = render(json.loads(text), width)
    limits = [
        item["limit"]
        for node, _ in items(graph)
        if node.get("role") == "axis-label"
        for item in node["items"]
        if item.get("align") == "right"
        and item.get("x", 0) < 0  # left of the plot: the bars' labels
    ]
    assert limits and max(limits) <= BAR_LABEL_SHARE * width
    (plot,) = plot_groups(graph)
    assert plot["width"] >= 0.45 * width  # the bars keep most of the width
