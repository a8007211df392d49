"""The alert tables of a staged warehouse, built after every source is staged and before the
publish (so they are published atomically with the numbers they describe):

- `alert_series`: every series, the rule it matched, its method, or why it is not tested
  ("too short to test");
- `alert_evaluations`: per series and tested period: value, expected, threshold, alarm, reason
  (the band a chart draws);
- `alerts`: one row per alert, keyed by `alert_id` (series and period), raised once and then
  followed: an alarm becomes an alert when it is in the series' latest period or in a period
  the previous publish had not tested (so a first build does not raise every historical alarm);
  an alert raised before is carried over with its first run and time, and its `status` says
  whether this run's data still put it above its threshold (`open`), no longer do (`cleared`),
  or no longer test that period (`archived`). FAERS disproportionality signals that first meet
  their criteria are alerts too (etl/detect/faers_time.py).

Caveat: alerts describe published numbers; a revised number can clear an alert.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import duckdb
import pandas as pd

from etl.detect.evaluate import evaluate
from etl.detect.faers_time import signal_alerts, signal_history
from etl.detect.rules import load_rules

ALERT_COLUMNS: dict[str, str] = {
    "alert_id": "VARCHAR",
    "kind": "VARCHAR",  # aberration | signal
    "series_key": "VARCHAR",
    "source": "VARCHAR",
    "indicator": "VARCHAR",
    "label": "VARCHAR",
    "geography": "VARCHAR",
    "stratum": "VARCHAR",
    "unit": "VARCHAR",
    "period_label": "VARCHAR",
    "period_start": "DATE",
    "value": "DOUBLE",
    "expected": "DOUBLE",
    "threshold": "DOUBLE",
    "method": "VARCHAR",
    "rule": "VARCHAR",
    "reason": "VARCHAR",
    "raised_run": "VARCHAR",
    "raised_at": "TIMESTAMP",
    "checked_run": "VARCHAR",
    "status": "VARCHAR",
}
ALERT_TABLES = ("alert_series", "alert_evaluations", "alerts", "faers_signal_history",
                "faers_time_to_signal")  # fmt: skip
OBSERVATIONS_SQL = """
    SELECT o.source, o.indicator, i.label, o.unit, o.geography, o.stratum, o.period_start,
        o.period_end, o.period_label, o.value
    FROM observations o JOIN (SELECT DISTINCT ON (id) id, label FROM indicators) i
      ON i.id = o.indicator
    WHERE o.value IS NOT NULL AND o.period_start IS NOT NULL AND o.period_end IS NOT NULL
"""


def alert_id(series_key: str, period_label: str) -> str:
    return hashlib.sha256(f"{series_key}|{period_label}".encode()).hexdigest()[:16]


def previous(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame | None:
    """A query on the published warehouse (`prev`), or None when it has no such table."""
    try:
        return con.execute(sql).df()
    except duckdb.Error:
        return None


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    # A column with no value at all would get DuckDB's NULL type; text it is.
    empty = [c for c in frame.columns if frame[c].dtype == object and frame[c].isna().all()]
    frame = frame.astype(dict.fromkeys(empty, "string"))
    con.register("_alerts_frame", frame)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _alerts_frame')
    finally:
        con.unregister("_alerts_frame")


def new_alarms(evaluations: pd.DataFrame, tested_before: pd.DataFrame | None) -> pd.DataFrame:
    """Alarms in a series' latest tested period, or in a period not tested by the last publish."""
    if evaluations.empty:
        return evaluations
    latest = evaluations.groupby("series_key")["period_start"].transform("max")
    is_new = pd.Series(False, index=evaluations.index)
    if tested_before is not None and not tested_before.empty:
        seen = set(zip(tested_before["series_key"], tested_before["period_label"], strict=True))
        pairs = zip(evaluations["series_key"], evaluations["period_label"], strict=True)
        is_new = pd.Series([pair not in seen for pair in pairs], index=evaluations.index)
    return evaluations[evaluations["alarm"] & ((evaluations["period_start"] == latest) | is_new)]


def as_alerts(alarms: pd.DataFrame, kind: str, run_id: str, now: datetime) -> pd.DataFrame:
    if alarms.empty:
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    out = alarms.copy()
    out["alert_id"] = [
        alert_id(k, p) for k, p in zip(out["series_key"], out["period_label"], strict=True)
    ]
    out = out.assign(kind=kind, raised_run=run_id, raised_at=now, checked_run=run_id)
    out["status"] = "open"
    return out.reindex(columns=list(ALERT_COLUMNS))


def follow(earlier: pd.DataFrame, evaluations: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """Alerts raised before, updated with this run's test of their period."""
    if earlier.empty:
        return earlier
    now_tested = evaluations.assign(
        alert_id=[
            alert_id(k, p)
            for k, p in zip(evaluations["series_key"], evaluations["period_label"], strict=True)
        ]
    ).set_index("alert_id")
    out = earlier.set_index("alert_id")
    aberrations = out["kind"] == "aberration"
    retested = out.index.isin(now_tested.index) & aberrations
    for column in ("value", "expected", "threshold", "reason"):
        out.loc[retested, column] = now_tested.loc[out.index[retested], column].to_numpy()
    alarm = now_tested["alarm"].reindex(out.index).fillna(False).astype(bool)
    out.loc[aberrations, "status"] = "archived"
    out.loc[retested, "status"] = "cleared"
    out.loc[retested & alarm.to_numpy(), "status"] = "open"
    out.loc[retested, "checked_run"] = run_id
    return out.reset_index()


def merge_alerts(earlier: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """Earlier alerts (kept as first raised) plus the fresh ones not raised before."""
    fresh = fresh[~fresh["alert_id"].isin(earlier["alert_id"])]
    frames = [f for f in (earlier, fresh) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    return pd.concat(frames, ignore_index=True).reindex(columns=list(ALERT_COLUMNS))


def build_alerts(con: duckdb.DuckDBPyConnection, run_id: str, has_previous: bool) -> int:
    """Create the alert tables in the staging database; return the number of new alerts."""
    now = datetime.now(UTC).replace(tzinfo=None)
    series, evaluations = evaluate(con.execute(OBSERVATIONS_SQL).df(), load_rules())
    tested_before = earlier = None
    if has_previous:
        tested_before = previous(con, "SELECT series_key, period_label FROM prev.alert_evaluations")
        earlier = previous(con, "SELECT * FROM prev.alerts")
    earlier = earlier if earlier is not None else pd.DataFrame(columns=list(ALERT_COLUMNS))
    history, first_signals = signal_history(con)
    fresh = [as_alerts(new_alarms(evaluations, tested_before), "aberration", run_id, now)]
    fresh.append(as_alerts(signal_alerts(first_signals), "signal", run_id, now))
    fresh_frame = pd.concat([f for f in fresh if not f.empty] or [fresh[0]], ignore_index=True)
    alerts = merge_alerts(follow(earlier, evaluations, run_id), fresh_frame)
    write_table(con, "alert_series", series)
    write_table(con, "alert_evaluations", evaluations)
    write_table(con, "alerts", alerts.astype({"raised_at": "datetime64[us]"}))
    write_table(con, "faers_signal_history", history)
    write_table(con, "faers_time_to_signal", first_signals)
    return int((~fresh_frame["alert_id"].isin(earlier["alert_id"])).sum())
