"""The Atom feed of alerts (`data/alerts.atom`), rewritten on every publish: the newest alerts
first, one entry each, with the same words as the notifications (etl/detect/message.py). Written
to a temporary file and renamed, so a reader never sees half a feed. Built with ElementTree, which
escapes the warehouse's text."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from etl.detect import message

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200


def stamp(value: object) -> str:
    text = str(value or "")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def feed_xml(alerts: list[dict], base: str | None = None) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = "Ketamine Watch alerts"
    ET.SubElement(root, f"{{{ATOM}}}id").text = "urn:ketamine-watch:alerts"
    newest = max((stamp(a.get("raised_at")) for a in alerts), default=stamp(None))
    ET.SubElement(root, f"{{{ATOM}}}updated").text = newest
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Ketamine Watch"
    ET.SubElement(root, f"{{{ATOM}}}link", href=message.public_url() if base is None else base)
    ordered = sorted(alerts, key=lambda a: stamp(a.get("raised_at")), reverse=True)
    for alert in ordered[:MAX_ENTRIES]:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:ketamine-watch:alert:{alert['alert_id']}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = message.title(alert)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = stamp(alert.get("raised_at"))
        ET.SubElement(entry, f"{{{ATOM}}}link", href=message.link(alert, base))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=str(alert.get("status") or ""))
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = message.body(alert, base)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_feed(path: Path, alerts: list[dict]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(feed_xml(alerts))
    os.replace(tmp, path)
