"""Chart builders: pure specs with the shared theme, tooltips, CI bands, provisional shading,
breaks and milestones; images export as real PNG and SVG; colours meet contrast rules."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.common import charts, components, transforms
from dashboard.common.charts import theme
from dashboard.common.charts.timeseries import label_rows


def frame(ci: bool = True, provisional: bool = True, breaks: str = "") -> pd.DataFrame:
    rows = []
    for series, offset in (("A", 0), ("B", 5)):
        for year in range(2015, 2023):
            rows.append(
                {
                    "indicator": f"test_{series}",
                    "label": f"Series {series}",
                    "geography": "Testland",
                    "stratum": "all",
                    "period_start": pd.Timestamp(year, 1, 1),
                    "period_end": pd.Timestamp(year, 12, 31),
                    "period_label": str(year),
                    "value": 10.0 + offset + year % 3,
                    "lower": 8.0 + offset if ci else None,
                    "upper": 14.0 + offset if ci else None,
                    "unit": "percent",
                    "flags": "provisional" if provisional and year == 2022 else "",
                    "citation": f"Publication {series}",
                    "series_breaks": breaks,
                }
            )
    return transforms.chart_frame(pd.DataFrame(rows))


MILESTONES = pd.DataFrame(
    {
        "date": pd.to_datetime(["2019-03-05", "2019-04-01", "2030-01-01"]),
        "date_label": ["2019-03-05", "2019-04", "2030"],
        "category": ["approval", "scheduling", "approval"],
        "event": ["Approval of a thing", "Scheduling of a thing", "Outside the range"],
        "agency": ["FDA", "DEA", "FDA"],
    }
)


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def marks(chart_spec: dict) -> list[str]:
    out = []
    for layer in chart_spec.get("layer", []):
        mark = layer["mark"]
        out.append(mark if isinstance(mark, str) else mark["type"])
    return out


def test_time_chart_has_every_layer_and_the_theme() -> None:
    chart = charts.time_chart(
        data=frame(breaks="2019-01-01: method change"),
        title="T",
        y_title="percent",
        milestones=MILESTONES,
    )
    s = spec(chart)
    kinds = marks(s)
    assert kinds.count("rect") == 1  # provisional shading
    assert "area" in kinds and kinds.count("rule") >= 3  # CI band, CI whiskers, break, milestone
    assert "line" in kinds and "point" in kinds
    assert s["config"]["range"]["category"] == theme.PALETTE
    assert s["config"]["font"] == theme.FONT
    texts = json.dumps(s)
    assert "provisional" in texts and "FDA approval" in texts and "DEA scheduling" in texts
    assert "Outside the range" not in texts  # milestones outside the data are left out
    assert "method change" in texts


def test_tooltip_carries_value_unit_ci_flags_and_citation() -> None:
    s = spec(charts.time_chart(data=frame(), title="T", y_title="percent"))
    points = [layer for layer in s["layer"] if layer["mark"]["type"] == "point"]
    fields = [{t["field"] for t in point["encoding"]["tooltip"]} for point in points]
    every = {"value", "unit", "lower", "upper", "citation", "period_label"}
    assert all(every <= f for f in fields)
    # Flags only where a row has some (the provisional year), never an empty "Flags:" line.
    assert [("flags" in f) for f in fields] == [False, True]


def test_series_differ_by_shape_and_dash_not_colour_alone() -> None:
    s = spec(charts.time_chart(data=frame(), title="T", y_title="percent"))
    line = next(layer for layer in s["layer"] if layer["mark"]["type"] == "line")
    point = next(layer for layer in s["layer"] if layer["mark"]["type"] == "point")
    assert line["encoding"]["strokeDash"]["field"] == "series"
    dashes = line["encoding"]["strokeDash"]["scale"]["range"]
    assert dashes[0] != dashes[1]
    assert point["encoding"]["shape"]["field"] == "series"
    shapes = point["encoding"]["shape"]["scale"]["range"]
    assert shapes[0] != shapes[1]
    # Provisional points are hollow (white fill), not just a different colour.
    assert "datum.provisional" in json.dumps(point["encoding"]["fill"])


def test_no_ci_layers_without_intervals() -> None:
    kinds = marks(spec(charts.time_chart(data=frame(ci=False), title="T", y_title="x")))
    assert "area" not in kinds


def test_break_gap_splits_the_line() -> None:
    data = frame(breaks="2019-01-01: method change")
    a = data[data["series"] == "Series A"]
    assert a["segment_key"].nunique() == 2


def test_milestone_labels_do_not_overprint() -> None:
    start, end = pd.Timestamp(2019, 1, 1), pd.Timestamp(2021, 12, 31)
    dates = pd.to_datetime(["2019-03-05", "2019-03-20", "2019-04-01", "2019-04-10", "2021-06-01"])
    rows = label_rows(dates, pd.Series(["FDA approval"] * 5), start=start, end=end, width_px=900)
    assert rows[:3] == [0, 1, 2]
    assert rows[3] == -1  # no free row: rule and tooltip only
    assert rows[4] == 0


def test_sparkline_spec() -> None:
    s = spec(charts.sparkline(data=frame().query("series == 'Series A'")))
    # The line, its dots (rows with and without flags apart, so no empty "Flags:"), the latest.
    assert marks(s) == ["line", "point", "point", "point"]
    assert s["layer"][-1]["data"] != s["layer"][1]["data"]
    assert s["config"]["font"] == theme.FONT


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_chart_image_exports(fmt: str) -> None:
    chart = charts.time_chart(
        data=frame(), title="Export", y_title="percent", milestones=MILESTONES
    )
    image = components.chart_image(chart, fmt)
    if fmt == "png":
        assert image[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(image) > 5_000
    else:
        text = image.decode("utf-8")
        assert text.lstrip().startswith("<svg") and "Export" in text


def test_text_colours_meet_wcag_aa_and_first_five_series_meet_3_to_1() -> None:
    for colour in (theme.TEXT, theme.MUTED, theme.MILESTONE, theme.BREAK):
        assert theme.contrast_ratio(colour) >= 4.5, colour
    for colour in theme.PALETTE[:5]:
        assert theme.contrast_ratio(colour) >= 3.0, colour
    assert theme.contrast_ratio("#000000") == pytest.approx(21.0)
    assert len(theme.SHAPES) == len(theme.DASHES) == len(theme.PALETTE)


def test_export_columns_and_citation_file() -> None:
    data = frame().assign(
        source_title="Test source", publisher="Pub", vintage="2024", citation_url="http://x"
    )
    shown = components.export_columns(data)
    assert not {"segment", "segment_key", "period_mid", "span_days"} & set(shown.columns)
    assert len(shown) == len(data)
    text = components.citation_text(data)
    assert text.count("\n- ") == 2  # one line per distinct citation
    assert "Publication A" in text and "vintage: 2024" in text
    caption = components.caption_for(data, "what it counts")
    assert "[Publication A](http://x)" in caption and "Vintage: 2024" in caption
