"""What a screen reader hears for a chart: one sentence-length summary, not every tick.

The summary names the chart, its latest figure (value, unit, period) and the change since the
earliest figure of the same series, then says where the numbers are (the data table under the
chart). It becomes the chart's accessible name (Streamlit's `alt`, the chart's `aria-label`)
while the chart's marks, axes and legends are left out of the accessibility tree
(`aria: false` in `charts.theme.config`), so a chart is one stop, not one per point. Pure.
"""

from __future__ import annotations

import pandas as pd

TABLE_HINT = "The data table below the chart lists every number."
# Columns that tell one series from another, most specific first.
SERIES_COLUMNS = ("series", "label", "indicator")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _period(rows: pd.DataFrame) -> pd.Series:
    if "period_label" in rows:
        return rows["period_label"].astype(str)
    if "period_start" in rows:
        return pd.to_datetime(rows["period_start"]).dt.strftime("%Y-%m-%d")
    return pd.Series("", index=rows.index)


def _one_series(data: pd.DataFrame) -> bool:
    present = [c for c in SERIES_COLUMNS if c in data]
    return not present or data[present[0]].nunique() <= 1


def latest_and_change(data: pd.DataFrame) -> str:
    """'Latest: 2,031 reports in 2023, up 113% from 953 in 2013.' for one time series; for
    several, how many and the periods they span; '' when the rows have no values or periods."""
    if data.empty or "value" not in data or not {"period_start", "period_label"} & set(data):
        return ""
    rows = data.dropna(subset=["value"])
    if "period_start" in rows:
        rows = rows.assign(_when=pd.to_datetime(rows["period_start"])).sort_values("_when")
    if rows.empty:
        return ""
    periods = _period(rows)
    if periods.nunique() == 1 and "geography" in rows and rows["geography"].nunique() > 1:
        return cross_section(rows, period=periods.iloc[0])
    if not _one_series(rows):
        column = next(c for c in SERIES_COLUMNS if c in rows)
        return (
            f"{rows[column].nunique()} series, {periods.iloc[0]} to {periods.iloc[-1]}."
            if periods.iloc[0] != periods.iloc[-1]
            else f"{rows[column].nunique()} series, {periods.iloc[-1]}."
        )
    unit = f" {rows['unit'].iloc[-1]}" if "unit" in rows and pd.notna(rows["unit"].iloc[-1]) else ""
    last, first = float(rows["value"].iloc[-1]), float(rows["value"].iloc[0])
    text = f"Latest: {_number(last)}{unit} in {periods.iloc[-1]}"
    if len(rows) > 1 and periods.iloc[0] != periods.iloc[-1]:
        if first:
            change = (last - first) / abs(first) * 100
            direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
            amount = f" {abs(change):,.0f}%" if change else ""
            text += f", {direction}{amount} from {_number(first)} in {periods.iloc[0]}"
        else:
            text += f", from {_number(first)} in {periods.iloc[0]}"
    return text + "."


def cross_section(rows: pd.DataFrame, *, period: str) -> str:
    """'50 places in 2022; highest: Connecticut, 47.1 percent; lowest: ...' (a map)."""
    unit = f" {rows['unit'].iloc[0]}" if "unit" in rows and pd.notna(rows["unit"].iloc[0]) else ""
    name = rows["state"] if "state" in rows else rows.get("city", rows["geography"])
    name = name.fillna(rows["geography"]).astype(str)
    top, bottom = rows["value"].idxmax(), rows["value"].idxmin()
    return (
        f"{len(rows)} places in {period}; highest: {name[top]}, "
        f"{_number(float(rows['value'][top]))}{unit}; lowest: {name[bottom]}, "
        f"{_number(float(rows['value'][bottom]))}{unit}."
    )


def describe(title: str | None, data: pd.DataFrame) -> str:
    """The chart's accessible description: title, count, latest figure and change, table hint."""
    name = str(title).strip() if title else "Chart"
    parts = [f"{name}.", f"{len(data)} published numbers."]
    summary = latest_and_change(data)
    if summary:
        parts.append(summary)
    parts.append(TABLE_HINT)
    return " ".join(parts)


def quiet_spec(spec: dict) -> dict:
    """The Vega-Lite spec with its title out of the accessibility tree: the chart's accessible
    name is the description (Streamlit's `alt`), and Vega-Lite does not pass
    `config.title.aria` on, so the title would otherwise be read a second time."""
    out = dict(spec)
    title = out.get("title")
    if isinstance(title, str | list):
        out["title"] = {"text": title, "aria": False}
    elif isinstance(title, dict):
        out["title"] = {**title, "aria": False}
    return out
