"""Vega-Lite specs from the pure chart builders, made once per (builder, data, options) and reused
on every rerun.

Why: `st.altair_chart` turns the Altair object into a spec with `to_dict()` on every rerun, and
that validates the whole spec against the Vega-Lite JSON schema (about a second for the Overview's
eight charts), after the builder has spent as long again constructing Altair channel objects.
Here the builder runs only when its inputs change: `chart_spec(charts.time_chart, data=frame,
title=...)` hashes the arguments (DataFrames included, by content) and returns the cached spec.
The spec is made with `to_dict(validate=False)`: the builders are pure and covered by
tests/test_charts.py, which validates their output, so the schema check adds nothing per rerun.

The spec matches what `st.altair_chart` would send: Altair's "none" theme (Streamlit sizes the
chart) and the data as named datasets serialised to Arrow, which `st.vega_lite_chart` moves onto
the element beside the spec. The builders stay pure, keyword-only and return Altair charts;
`ChartSpec.rebuild()` makes the chart again for PNG/SVG export (only when a download is clicked).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import streamlit as st
from streamlit import dataframe_util

# Altair's theme and data-transformer registries are process-wide; hold this while switching them.
_ALTAIR_LOCK = threading.Lock()
_TRANSFORMER = "ketamine_watch_arrow"


def _to_arrow_dataset(data: Any, datasets: dict[str, bytes]) -> dict[str, str]:
    """Altair data transformer: store the rows as Arrow IPC bytes under a content-hash name."""
    payload = dataframe_util.convert_anything_to_arrow_bytes(data)
    name = hashlib.md5(payload, usedforsecurity=False).hexdigest()
    datasets[name] = payload
    return {"name": name}


alt.data_transformers.register(_TRANSFORMER, _to_arrow_dataset)


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec as Streamlit would send it, without schema validation."""
    datasets: dict[str, bytes] = {}
    with (
        _ALTAIR_LOCK,
        alt.theme.enable("none"),
        alt.data_transformers.enable(_TRANSFORMER, datasets=datasets),
    ):
        spec = chart.to_dict(validate=False)
    spec["datasets"] = {**(spec.get("datasets") or {}), **datasets}
    return spec


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_spec(name: str, _builder: Callable[..., alt.TopLevelMixin], kwargs: dict) -> dict:
    # `name` stands for the builder in the cache key (a leading underscore is not hashed).
    return to_spec(_builder(**kwargs))


@dataclass(frozen=True)
class ChartSpec:
    """A built spec plus how to make the Altair chart again (for export)."""

    spec: dict
    rebuild: Callable[[], alt.TopLevelMixin]

    @property
    def title(self) -> str | None:
        title = self.spec.get("title")
        text = title.get("text") if isinstance(title, dict) else title
        if isinstance(text, list):
            text = " ".join(str(t) for t in text)
        return str(text) if text else None


def chart_spec(builder: Callable[..., alt.TopLevelMixin], /, **kwargs: Any) -> ChartSpec:
    """`builder(**kwargs)` as a spec, made once per distinct arguments and reused."""
    name = f"{builder.__module__}.{builder.__qualname__}"
    return ChartSpec(spec=_cached_spec(name, builder, kwargs), rebuild=lambda: builder(**kwargs))
