"""What an alert says, in words and as data: the series, period, value, expected value, threshold,
method and a link to the view. Shared by the notifications, the Atom feed and the CLI, so the
three never disagree. Pure functions of an alert row (a dict of the `alerts` table's columns).

The link is built from `KETAMINE_WATCH_PUBLIC_URL` (the dashboard's public address; default
http://localhost:8501): an aberration opens the Overview with the series explored
(`?ind=<indicator>`), a FAERS signal opens the Adverse events page.
"""

from __future__ import annotations

import math
import os
from urllib.parse import urlencode

from etl.detect import words

DEFAULT_PUBLIC_URL = "http://localhost:8501"
STABLE_FIELDS = words(
    "alert_id kind status series_key source indicator label geography stratum unit period_label "
    "value expected threshold method rule reason raised_run raised_at checked_run link"
)


def public_url() -> str:
    return (os.environ.get("KETAMINE_WATCH_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def link(alert: dict, base: str | None = None) -> str:
    base = base or public_url()
    if alert.get("kind") == "signal":
        return f"{base}/adverse-events"
    return f"{base}/overview?{urlencode({'ind': alert.get('indicator') or ''})}"


def number(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.4g}"


def title(alert: dict) -> str:
    where = alert.get("geography") or ""
    return f"Ketamine Watch alert: {alert.get('label')} ({where}), {alert.get('period_label')}"


def body(alert: dict, base: str | None = None) -> str:
    unit = alert.get("unit") or ""
    return "\n".join(
        [
            f"Series: {alert.get('label')} — {alert.get('geography')}, {alert.get('stratum')}",
            f"Period: {alert.get('period_label')}",
            f"Value: {number(alert.get('value'))} {unit}",
            f"Expected: {number(alert.get('expected'))} {unit}",
            f"Threshold: {number(alert.get('threshold'))} {unit}",
            f"Method: {alert.get('method')} (rule {alert.get('rule')})",
            f"Why: {alert.get('reason')}",
            f"View: {link(alert, base)}",
        ]
    )


def as_record(alert: dict, base: str | None = None) -> dict:
    """The alert with the stable field set of `ketamine-watch alerts --format json`."""
    record = {field: alert.get(field) for field in STABLE_FIELDS}
    record["link"] = link(alert, base)
    for field in ("value", "expected", "threshold"):
        value = record[field]
        record[field] = None if value is None or value != value else float(value)
    moment = record["raised_at"]
    if moment is not None:
        record["raised_at"] = moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
    return record
