""" "Since year X": each yearly series indexed to its own value in a chosen base year, and a
per-series table of what changed since then. Pure functions: no Streamlit, no SQL.

What the index counts: value / value in the base year x 100, per series, in that series' own
unit and definition. Caveats kept here, not on the page:
- a documented method change (`series_breaks`, kinds 'break' and 'stop') cuts a series: only
  the points on the same side of every break as the base year are indexed, the others are left
  out (a gap), and no change is computed across a break;
- a series with no value in the base year, or a base value of 0 (nothing quantified), is not
  indexed: the page names it instead of drawing it;
- a year counts by the start of its period (the rows are yearly periods).
"""

from __future__ import annotations

import pandas as pd

from dashboard.common import transforms

KEY = "series"


def with_year(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(year=pd.to_datetime(frame["period_start"]).dt.year.astype(int))


def series_years(frame: pd.DataFrame, *, key: str = KEY) -> pd.DataFrame:
    """One row per (series, year with a value)."""
    return with_year(frame)[[key, "year"]].drop_duplicates()


def year_coverage(frame: pd.DataFrame, *, key: str = KEY) -> pd.Series:
    """Year -> how many series have a value in it, for every year any series has (by year)."""
    if frame.empty:
        return pd.Series(dtype=int)
    return series_years(frame, key=key).groupby("year")[key].nunique().sort_index()


def default_base_year(frame: pd.DataFrame, *, key: str = KEY) -> int | None:
    """The year from which the most series show a change: they have a value in it and a later
    one. Among equals, the year the most series share, then the earliest (the longest view
    back). A year every series shares is often their latest, where every change is +0 %."""
    coverage = year_coverage(frame, key=key)
    if coverage.empty:
        return None
    years = series_years(frame, key=key)
    latest = years.groupby(key)["year"].transform("max")
    with_later = years[years["year"] < latest].groupby("year")[key].nunique()
    changes = with_later.reindex(coverage.index, fill_value=0)
    ranked = sorted(coverage.index, key=lambda y: (-changes[y], -coverage[y], y))
    return int(ranked[0])


def base_year_choice(frame: pd.DataFrame, wanted: int | None, *, key: str = KEY) -> dict:
    """What the page should index to: `wanted` when every series has it, else the nearest
    year (fewest years away, then earliest) shared by the most series.

    Returns {'year', 'shared' (series with a value in it), 'total', 'common' (every series has
    it), 'nearest' (a year all series share nearest to `wanted`, or None)}.
    """
    coverage = year_coverage(frame, key=key)
    total = int(frame[key].nunique()) if not frame.empty else 0
    if coverage.empty:
        return {"year": None, "shared": 0, "total": total, "common": False, "nearest": None}
    year = int(wanted) if wanted is not None and wanted in coverage.index else None
    if year is None:
        year = default_base_year(frame, key=key)
    full = [int(y) for y in coverage.index if coverage[y] == total]
    nearest = min(full, key=lambda y: (abs(y - year), y)) if full else None
    return {
        "year": year,
        "shared": int(coverage[year]),
        "total": total,
        "common": year in full,
        "nearest": nearest,
    }


def _era(starts: pd.Series, breaks: list[pd.Timestamp]) -> pd.Series:
    """How many method breaks fall on or before each period start: points with the same era
    are on the same side of every break."""
    return starts.map(lambda s: sum(1 for b in breaks if b <= s))


def index_since(frame: pd.DataFrame, base_year: int, *, key: str = KEY) -> pd.DataFrame:
    """Rows of `frame` (from `transforms.chart_frame`) with `index` (value / base value x 100)
    and `base_year`, kept only where the series has a non-zero value in `base_year` and the row
    is on the base year's side of every method break. Lines stay cut where `chart_frame` cut
    them (gaps and breaks)."""
    if frame.empty:
        return frame.assign(index=pd.Series(dtype=float), base_year=pd.Series(dtype=int))
    out = with_year(frame)
    kept = []
    for _, rows in out.groupby(key, sort=False):
        starts = pd.to_datetime(rows["period_start"])
        era = _era(starts, transforms.method_breaks(rows))
        base_rows = rows[rows["year"] == base_year]
        if base_rows.empty or not base_rows["value"].iloc[0]:
            continue
        base_era = era[base_rows.index[0]]
        same = rows[era == base_era]
        kept.append(same.assign(index=same["value"] / float(base_rows["value"].iloc[0]) * 100))
    if not kept:
        return out.iloc[0:0].assign(index=pd.Series(dtype=float), base_year=base_year)
    return pd.concat(kept).assign(base_year=base_year)


def _breaks_between(rows: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> str:
    """The method changes dated after `first` and on or before `last`, as 'YYYY: what'."""
    text = rows["series_breaks"].dropna().astype(str) if "series_breaks" in rows else []
    found = []
    for entry in dict.fromkeys(text):
        for when, what in transforms.parse_breaks(entry):
            kind = transforms.BREAK_KIND.match(what)
            if kind is not None and kind.group(1).lower() not in ("break", "stop"):
                continue
            low, high = min(first, last), max(first, last)
            if low < when <= high:
                found.append(f"{when.year}: {transforms.BREAK_KIND.sub('', what).strip()}")
    return "; ".join(dict.fromkeys(found))


def direction(change_pct: float | None) -> str:
    if change_pct is None or pd.isna(change_pct):
        return "not comparable"
    if abs(change_pct) < 0.5:
        return "about the same"
    return "up" if change_pct > 0 else "down"


def _row(name: str, rows: pd.DataFrame, base_year: int) -> dict:
    rows = rows.sort_values("period_start")
    first, latest = rows.iloc[0], rows.iloc[-1]
    base_rows = rows[rows["year"] == base_year]
    base = base_rows.iloc[0] if not base_rows.empty else None
    crossing = ""
    change = None
    if base is not None:
        crossing = _breaks_between(rows, base["period_start"], latest["period_start"])
        if not crossing and base["value"]:
            change = (float(latest["value"]) / float(base["value"]) - 1) * 100
    return {
        "indicator": name,
        "definition": first.get("definition") or first.get("label"),
        "unit": latest.get("unit"),
        "first": f"{first['value']:,.4g} ({first['period_label']})",
        "base": (f"{base['value']:,.4g}" if base is not None else f"no value in {base_year}"),
        "latest": f"{latest['value']:,.4g} ({latest['period_label']})",
        "direction": direction(change) if base is not None else "no base value",
        "change_since_base_pct": None if change is None else round(change, 1),
        "break_since_base": crossing or "none",
    }


def since_table(frame: pd.DataFrame, base_year: int, *, key: str = KEY) -> pd.DataFrame:
    """Per series: definition, unit, first, base-year and latest value, direction and % change
    from the base year to the latest value, and any method break between them (then no
    change is computed)."""
    if frame.empty:
        return pd.DataFrame()
    out = with_year(frame)
    return pd.DataFrame(
        [_row(str(name), rows, base_year) for name, rows in out.groupby(key, sort=False)]
    )
