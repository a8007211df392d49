"""Send new alerts to the destinations in `KETAMINE_WATCH_NOTIFY` (Apprise URLs: `mailto://`,
`slack://`, `msteams://`, `json://host:port/path` ..., separated by spaces or commas), once each.

The ledger `data/alerts_sent.json` records, per alert, the destinations it reached (as a digest
of the URL: URLs carry tokens, which never go to disk or the log). An alert not yet delivered to a
destination is retried at the next publish; a failure is logged and never fails the refresh. The
alerts themselves live in the warehouse, so nothing is lost when a destination is down.
Archived alerts (periods no longer tested) are not sent late.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from etl.detect import message

NOTIFY_ENV = "KETAMINE_WATCH_NOTIFY"
LEDGER = "alerts_sent.json"

Sender = Callable[[str, str, str], bool]  # (url, title, body) -> delivered


def destinations(env: dict[str, str] | None = None) -> list[str]:
    text = (env if env is not None else os.environ).get(NOTIFY_ENV, "")
    return [part for part in re.split(r"[\s,]+", text) if part]


def digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def redacted(url: str) -> str:
    """The scheme and a digest: enough to tell destinations apart in a log, no token."""
    return f"{url.split('://', 1)[0]}://…#{digest(url)}"


def apprise_send(url: str, title: str, body: str) -> bool:
    import apprise  # imported here: only a publish with destinations needs it

    notifier = apprise.Apprise()
    if not notifier.add(url):
        return False
    return bool(notifier.notify(title=title, body=body))


def read_ledger(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    sent = data.get("sent", {}) if isinstance(data, dict) else {}
    return {str(k): list(v) for k, v in sent.items() if isinstance(v, list)}


def write_ledger(path: Path, sent: dict[str, list[str]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"sent": sent}, indent=1, sort_keys=True))
    os.replace(tmp, path)


def deliver(
    alerts: list[dict], data_dir: Path, urls: list[str], send: Sender = apprise_send
) -> dict[str, int]:
    """Send every alert not yet delivered to each destination; return counts sent and failed."""
    ledger_path = data_dir / LEDGER
    sent = read_ledger(ledger_path)
    counts = {"sent": 0, "failed": 0}
    for alert in alerts:
        if alert.get("status") == "archived":
            continue
        done = sent.setdefault(alert["alert_id"], [])
        for url in urls:
            if digest(url) in done:
                continue
            try:
                ok = send(url, message.title(alert), message.body(alert))
            except Exception:  # a destination's failure must not stop the others
                ok = False
            if ok:
                done.append(digest(url))
                write_ledger(ledger_path, sent)  # after each: a crash does not resend
            counts["sent" if ok else "failed"] += 1
    return counts
