"""Chart specs are built once per input and reused (dashboard/common/specs.py), skip the
per-rerun schema check, and still match what Streamlit's own Altair path sends. The schema check
lives here: every spec a page draws validates against the Vega-Lite schema."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from dashboard.common import charts, specs, transforms
from tests.chart_render import spec_problems
from tests.page_kit import page_ids, run_page


def observations(values: list[float]) -> pd.DataFrame:
    years = range(2015, 2015 + len(values))
    return pd.DataFrame(
        {
            "indicator": "x",
            "label": "Series A",
            "geography": "Somewhere",
            "stratum": "all",
            "period_start": [pd.Timestamp(y, 1, 1) for y in years],
            "period_end": [pd.Timestamp(y, 12, 31) for y in years],
            "period_label": [str(y) for y in years],
            "value": values,
            "unit": "reports",
            "flags": "",
            "citation": "Hand-made",
        }
    )


@pytest.mark.parametrize("page", page_ids())
def test_every_drawn_spec_validates_and_keeps_the_chart_rules(
    dashboard_env: Path, page: str
) -> None:
    """Schema-valid, and the rules of tests/chart_render.py: no plot under 40 px tall at a
    desktop or phone width, time axes labelled by year / quarter / month, no overprinted
    labels, a distinct marker per series, no tooltip field that would print null."""
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    schema = load_schema()
    checked = 0
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        validate_jsonschema(spec, schema)  # raises on an invalid spec
        names = {d.name for d in chart.proto.datasets}
        assert names, "the chart's rows travel beside the spec"
        assert all(
            pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.proto.datasets
        )
        drawn = {**spec, "datasets": {d.name: d.data.data for d in chart.proto.datasets}}
        assert spec_problems(drawn) == [], (page, spec.get("title"))
        checked += 1
    assert checked or page == "methods"


def test_a_spec_is_built_once_per_input(monkeypatch: pytest.MonkeyPatch) -> None:
    st.cache_data.clear()
    calls = []

    def counted(**kwargs):
        calls.append(kwargs)
        return charts.sparkline(**kwargs)

    frame = transforms.chart_frame(observations([1, 2, 3]))
    first = specs.chart_spec(counted, data=frame)
    again = specs.chart_spec(counted, data=frame.copy())  # equal rows: reused
    assert len(calls) == 1 and first.spec == again.spec
    changed = specs.chart_spec(counted, data=transforms.chart_frame(observations([1, 2, 4])))
    assert len(calls) == 2 and changed.spec != first.spec
    assert specs.chart_spec(counted, data=frame, colour="#000000").spec != first.spec
    assert len(calls) == 3
    assert isinstance(first.rebuild(), alt.TopLevelMixin)


def test_spec_matches_what_streamlit_sends_for_the_altair_chart() -> None:
    """Same spec as `st.altair_chart` would send, apart from dataset names; same rows."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    frame = transforms.chart_frame(observations([3, 1, 2]))
    chart = charts.time_chart(data=frame, title="T", y_title="reports")
    ours = specs.to_spec(chart)
    theirs = _convert_altair_to_vega_lite_spec(chart)

    def rows(spec: dict) -> list[list]:
        return sorted(
            pa.ipc.open_stream(b).read_all().to_pandas().astype(str).values.tolist()
            for b in spec["datasets"].values()
        )

    def renamed(spec: dict) -> str:
        text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)
        for i, name in enumerate(sorted(spec["datasets"], key=text.find)):
            text = text.replace(name, f"data_{i}")
        return text

    assert rows(ours) == rows(theirs)
    assert renamed(ours) == renamed(theirs)
    assert ours["title"]["text"] == "T"
    assert specs.ChartSpec(spec=ours, rebuild=lambda: chart).title == "T"
