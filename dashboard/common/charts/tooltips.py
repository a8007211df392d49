"""Tooltips that never print an empty field ("95% CI lower: null", "Flags: ").

Vega-Lite writes a missing value as the text 'null', so a field goes into a tooltip only for the
rows that have it: `tooltip_groups` splits the rows by which of the tooltip's fields they fill,
and the chart draws one layer per group, each with only its filled fields. Pure functions."""

from __future__ import annotations

import altair as alt
import pandas as pd


def field_of(tooltip: alt.Tooltip) -> str:
    return str(tooltip.to_dict()["field"])


def filled(column: pd.Series) -> pd.Series:
    """True where a value would print as something (not null, NaN or blank text)."""
    present = column.notna()
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        present &= column.astype(str).str.strip().ne("")
    return present


def tooltip_groups(
    data: pd.DataFrame, tooltips: list[alt.Tooltip]
) -> list[tuple[pd.DataFrame, list[alt.Tooltip]]]:
    """[(rows, the tooltip fields every one of those rows fills)], covering every row once.

    Fields the frame does not have are left out; so are fields no row fills. Rows are grouped by
    which fields they fill, in the frame's order of first appearance."""
    present = [t for t in tooltips if field_of(t) in data.columns]
    if data.empty or not present:
        return [(data, present)]
    mask = pd.DataFrame({field_of(t): filled(data[field_of(t)]) for t in present}, index=data.index)
    pattern = mask.apply(lambda row: tuple(bool(v) for v in row), axis=1)
    groups = []
    for key in dict.fromkeys(pattern.tolist()):
        rows = data[pattern == key]
        fields = [t for t, keep in zip(present, key, strict=True) if keep]
        groups.append((rows, fields))
    return groups
