"""SQL for the alerts (tables written by the refresh's detection step; names from
warehouse_contract). A warehouse built before alerts existed has none of these tables: every
query then returns an empty frame, and the pages say there is nothing to show."""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common.queries import has_table, run_query


def tested() -> bool:
    """Whether the refresh that built this warehouse ran the alert tests."""
    return has_table(wc.ALERTS) and has_table(wc.ALERT_SERIES)


def current_alerts() -> pd.DataFrame:
    """Alerts whose period this publish's data still put above its threshold, newest first."""
    if not has_table(wc.ALERTS):
        return pd.DataFrame()
    # An alert's series role (focus: ketamine or esketamine; comparator; context) decides where
    # the Overview shows it: ketamine first, the other drugs' alerts folded away.
    return run_query(
        f"SELECT a.*, coalesce(i.role, 'context') AS role FROM {wc.ALERTS} a"
        f" LEFT JOIN {wc.INDICATORS} i ON i.id = a.indicator WHERE a.status = ?"
        " ORDER BY raised_at DESC, period_start DESC, label, geography",
        (wc.ALERT_OPEN,),
    )


def tested_summary() -> pd.DataFrame:
    """Series per method and status (tested, too short to test, no baseline)."""
    if not has_table(wc.ALERT_SERIES):
        return pd.DataFrame()
    return run_query(
        f"SELECT method, status, count(*) AS series FROM {wc.ALERT_SERIES}"
        " GROUP BY ALL ORDER BY series DESC"
    )


def band(indicator: str) -> pd.DataFrame:
    """Every tested period of one indicator's series: value, expected, threshold, alarm."""
    if not has_table(wc.ALERT_EVALUATIONS):
        return pd.DataFrame()
    return run_query(
        f"SELECT * FROM {wc.ALERT_EVALUATIONS} WHERE indicator = ?"
        " ORDER BY geography, stratum, period_start",
        (indicator,),
    )


def series_status(indicator: str) -> pd.DataFrame:
    if not has_table(wc.ALERT_SERIES):
        return pd.DataFrame()
    return run_query(
        f"SELECT geography, stratum, points, frequency, method, status FROM {wc.ALERT_SERIES}"
        " WHERE indicator = ? ORDER BY geography, stratum",
        (indicator,),
    )


def time_to_signal() -> pd.DataFrame:
    if not has_table(wc.FAERS_TIME_TO_SIGNAL):
        return pd.DataFrame()
    return run_query(f"SELECT * FROM {wc.FAERS_TIME_TO_SIGNAL} ORDER BY first_signal_quarter")
