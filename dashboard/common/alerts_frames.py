"""Pure shaping of the alert tables for display: the Overview's alert list, one series' band
(value, expected, threshold, alarms) and the methods summary. No Streamlit, no SQL.

An alert is a statement about published numbers: value above the threshold a method computed from
the series' own past. The numbers shown are the warehouse's, never recomputed here.
"""

from __future__ import annotations

import math

import pandas as pd

ALERT_COLUMNS = ["Series", "Where", "Period", "Value", "Expected", "Threshold", "Method"]


def series_links(alerts: pd.DataFrame) -> list[tuple[str, str]]:
    """(indicator, link text) once per alerted indicator, in the alerts' order."""
    if alerts.empty:
        return []
    first = alerts.drop_duplicates("indicator")
    return [(str(row.indicator), f"{row.label} ({row.period_label})") for row in first.itertuples()]


def number(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.4g}"


def where(row: pd.Series) -> str:
    stratum = str(row.get("stratum") or "")
    return f"{row.get('geography')}, {stratum}" if stratum else str(row.get("geography"))


def alert_table(alerts: pd.DataFrame) -> pd.DataFrame:
    """One line per alert, numbers as text with their unit."""
    if alerts.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    rows = []
    for _, row in alerts.iterrows():
        unit = str(row.get("unit") or "")
        rows.append(
            {
                "Series": row["label"],
                "Where": where(row),
                "Period": row["period_label"],
                "Value": f"{number(row['value'])} {unit}".strip(),
                "Expected": f"{number(row['expected'])} {unit}".strip(),
                "Threshold": f"{number(row['threshold'])} {unit}".strip(),
                "Method": row["method"],
            }
        )
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def band_frame(evaluations: pd.DataFrame, geography: str, stratum: str) -> pd.DataFrame:
    """One series' tested periods, with `alarm` as words for the legend."""
    if evaluations.empty:
        return evaluations
    one = evaluations[
        (evaluations["geography"] == geography) & (evaluations["stratum"] == stratum)
    ].copy()
    one["period_start"] = pd.to_datetime(one["period_start"])
    one["marker"] = one["alarm"].map({True: "above threshold (alarm)", False: "within"})
    return one.reset_index(drop=True)


def band_series(evaluations: pd.DataFrame) -> list[tuple[str, str]]:
    """(geography, stratum) of the tested series, those with an alarm first."""
    if evaluations.empty:
        return []
    ranked = (
        evaluations.groupby(["geography", "stratum"])["alarm"].any().reset_index()
        .sort_values(["alarm", "geography"], ascending=[False, True])
    )  # fmt: skip
    return list(zip(ranked["geography"], ranked["stratum"], strict=True))


def methods_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Series per method and status, for the Data & methods page."""
    if summary.empty:
        return summary
    return summary.rename(columns={"method": "Method", "status": "Status", "series": "Series"})
