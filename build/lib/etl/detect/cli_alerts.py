"""`ketamine-watch alerts`: the published alerts, newest first, as text, JSON or Atom.

`--since` takes a run id (as printed by `refresh`, e.g. 20261201T053704123456Z: alerts raised by
that run or later) or a date/time (ISO 8601: raised then or later). The JSON is stable for
monitoring: `{"alerts": [...], "count": n, "since": ...}`, each alert with the fields of
etl/detect/message.STABLE_FIELDS, keys sorted.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from etl.detect import atom, message
from etl.detect.step import published_alerts
from etl.options import DEFAULT_DATA_DIR

RUN_ID = re.compile(r"^\d{8}T\d{6}\d*Z$")


class Format(StrEnum):
    text = "text"
    json = "json"
    atom = "atom"


def since_filter(since: str | None):
    """A predicate on alert rows for `--since`; raises typer.BadParameter on a bad value."""
    if not since:
        return lambda alert: True
    if RUN_ID.match(since):
        return lambda alert: str(alert.get("raised_run") or "") >= since
    try:
        moment = datetime.fromisoformat(since).replace(tzinfo=None)
    except ValueError:
        raise typer.BadParameter(
            f"--since {since!r} is neither a run id (like 20261201T053704123456Z) nor an ISO "
            "date (like 2026-12-01)"
        ) from None
    return lambda alert: alert.get("raised_at") is not None and alert["raised_at"] >= moment


def as_text(alerts: list[dict]) -> str:
    if not alerts:
        return "no alerts"
    lines = []
    for alert in alerts:
        lines.append(
            f"[{alert.get('status')}] {alert.get('period_label')} {alert.get('label')} "
            f"({alert.get('geography')}, {alert.get('stratum')}): value "
            f"{message.number(alert.get('value'))}, "
            f"expected {message.number(alert.get('expected'))}, "
            f"threshold {message.number(alert.get('threshold'))}; {alert.get('method')}; "
            f"raised {alert.get('raised_at')} by run {alert.get('raised_run')}; "
            f"{message.link(alert)}"
        )
    return "\n".join(lines)


def alerts_command(
    since: Annotated[
        str | None,
        typer.Option("--since", help="A run id or an ISO date: alerts raised then or later."),
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="text, json or atom.")] = Format.text,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Folder holding warehouse.duckdb.")
    ] = DEFAULT_DATA_DIR,
) -> None:
    """List the published alerts (statistical aberrations and new FAERS signals)."""
    keep = since_filter(since)
    warehouse = data_dir / "warehouse.duckdb"
    if not warehouse.exists():
        typer.echo(f"no warehouse at {warehouse}; run `ketamine-watch refresh`", err=True)
        raise typer.Exit(1)
    alerts = [a for a in published_alerts(warehouse) if keep(a)]
    alerts.sort(key=lambda a: (str(a.get("raised_at")), a["alert_id"]), reverse=True)
    if output is Format.json:
        records = [message.as_record(a) for a in alerts]
        payload = {"alerts": records, "count": len(records), "since": since}
        typer.echo(json.dumps(payload, sort_keys=True, ensure_ascii=False, indent=1))
    elif output is Format.atom:
        typer.echo(atom.feed_xml(alerts).decode())
    else:
        typer.echo(as_text(alerts))
