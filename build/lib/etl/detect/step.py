"""The refresh's two alert steps, each contained so it can never fail a refresh:

- `stage_alerts`, before the publish: the alert tables (etl/detect/store.py) in the staging
  database. If detection fails, the previously published alert tables are carried over unchanged
  and the failure is logged.
- `after_publish`: the Atom feed `alerts.atom` beside the warehouse, and the new alerts sent to
  `KETAMINE_WATCH_NOTIFY` (etl/detect/deliver.py); failures are logged and retried next time.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import duckdb

from etl.detect import atom, deliver
from etl.detect.store import ALERT_TABLES, build_alerts
from etl.observe import Timer, log_stage

log = logging.getLogger(__name__)
FEED = "alerts.atom"


def stage_alerts(con: duckdb.DuckDBPyConnection, run_id: str, has_previous: bool) -> None:
    timer = Timer()
    try:
        new = build_alerts(con, run_id, has_previous)
    except Exception as error:  # detection is an add-on: the numbers still publish
        log_stage("alerts", run=run_id, status="failed", error=described(error))
        carry_alert_tables(con, has_previous)
        return
    log_stage("alerts", run=run_id, status="ok", new=new, duration_s=timer.elapsed)


def carry_alert_tables(con: duckdb.DuckDBPyConnection, has_previous: bool) -> None:
    for name in ALERT_TABLES:
        with contextlib.suppress(duckdb.Error):
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
            if has_previous:
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM prev."{name}"')


def published_alerts(warehouse: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frame = con.execute("SELECT * FROM alerts ORDER BY raised_at, alert_id").df()
    except duckdb.Error:
        return []
    finally:
        con.close()
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def described(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def after_publish(data_dir: Path, warehouse: Path, run_id: str, send=None) -> None:
    try:
        alerts = published_alerts(warehouse)
        atom.write_feed(data_dir / FEED, alerts)
    except Exception as error:
        log_stage(
            "alerts_feed", run=run_id, status="failed", error=f"{type(error).__name__}: {error}"
        )
        return
    urls = deliver.destinations()
    if not urls:
        return
    try:
        counts = deliver.deliver(alerts, data_dir, urls, send or deliver.apprise_send)
    except Exception as error:
        log_stage(
            "alerts_deliver", run=run_id, status="failed", error=f"{type(error).__name__}: {error}"
        )
        return
    status = "ok" if not counts["failed"] else "partial"
    log_stage("alerts_deliver", run=run_id, status=status, **counts,
              destinations=", ".join(deliver.redacted(u) for u in urls))  # fmt: skip
