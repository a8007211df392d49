"""Published rows -> canonical observation rows: units converted by rule (tonnes to kilograms,
remarks in brackets kept as notes), flags from the rules and the curator's tier, periods placed
on the time axis (or left undated with the reason), the route, domain, substance and measure tags
from the rules, and a stable indicator id per (publication, wording, unit)."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pandas as pd

from etl.periods import PeriodError, parse_period
from etl.sources.literature.fates import citation_of, publication_vintage
from etl.sources.literature.rules import Rule, all_matches, first_match


def split_unit(unit: str) -> tuple[str, str]:
    """'persons (approx.; almost)' -> ('persons', 'approx.; almost')."""
    match = re.match(r"^\s*(?P<base>[^(]*?)\s*\((?P<remark>.*)\)\s*$", unit)
    if not match:
        return unit.strip(), ""
    return match["base"].strip(), match["remark"].strip()


def convert_figures(figures: pd.DataFrame, *, rules: tuple[Rule, ...]) -> pd.DataFrame:
    """Published rows -> canonical observation rows plus routing, domain and indicator id."""
    records = [figure_record(row, rules) for row in figures.to_dict("records")]
    frame = pd.DataFrame.from_records(records)
    frame["indicator"] = [
        indicator_id(r.route, r.publication, r.indicator_text, r.unit) for r in frame.itertuples()
    ]
    return frame


def figure_record(row: dict, rules: tuple[Rule, ...]) -> dict:
    """One published row as an observation record (without its indicator id)."""
    unit, value, unit_remark = converted_unit(row, rules)
    flags = tier_flags(row, rules)
    start, end, label, period_note, approximate = placed_period(row["year"])
    if approximate:
        flags = sorted({*flags, "approximate"})
    return {
        "figure_id": row["id"],
        "route": first_match(rules, "route", row) or "literature",
        "domain": first_match(rules, "domain", row) or "misuse",
        "publication": row["source"],
        "indicator_text": row["indicator"],
        "geography": row["geography"],
        "period_start": start,
        "period_end": end,
        "period_label": label,
        "stratum": row["group"] or "all",
        "value": value,
        "unit": unit,
        "flags": ";".join(flags),
        "note": "; ".join(p for p in (unit_remark, period_note) if p),
        "citation": citation_of(row),
        "citation_url": row["citation_url"],
        "tier": row["tier"],
        "verified": row["verified"],
        "where_seen": row["where_seen"],
        "link_withheld": bool(row.get("link_withheld", False)),
        "withheld_links": int(row.get("withheld_links", 0)),
        "substance": first_match(rules, "substance", row) or "ketamine",
        "measure": ";".join(all_matches(rules, "measure", row)),
        "vintage": publication_vintage(row["citation_text"], row["source"]),
    }


def converted_unit(row: dict, rules: tuple[Rule, ...]) -> tuple[str, float, str]:
    """(unit, value, remark): the unit rules applied in order, the published unit noted."""
    unit, unit_remark = split_unit(row["unit"])
    value = row["value"]
    for rule in rules:
        if rule.kind == "unit" and rule.pattern.search(unit):
            target, factor = rule.value.split("*")
            unit, value = target, value * float(factor)
            unit_remark = "; ".join(filter(None, [unit_remark, f"published as {row['unit']}"]))
    return unit, value, unit_remark


def tier_flags(row: dict, rules: tuple[Rule, ...]) -> list[str]:
    """The wording rules' flags, with `secondary` as the curator's tier says."""
    flags = all_matches(rules, "flag", row)
    if row["tier"] == "primary" and verified_in_primary(row["verified"]):
        flags = [f for f in flags if f != "secondary"]  # the curator's tier decides
    if row["tier"] == "secondary":
        flags = sorted({*flags, "secondary"})
    return flags


def placed_period(text: str) -> tuple[date | None, date | None, str, str, bool]:
    """(start, end, label, note, approximate); no dates, and why, when it cannot be placed."""
    try:
        period = parse_period(text)
    except PeriodError as error:
        return None, None, text, f"undated: {error}", False
    return period.start, period.end, period.label, period.note, period.approximate


def verified_in_primary(verified: str) -> bool:
    """The curator read the value in the primary ('not verified', 'not re-verified' and 'partly
    verified' say otherwise)."""
    return not re.match(r"\s*(not|partly)\b", str(verified), re.I)


def slug(text: str, limit: int = 48) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].rstrip("_")


def indicator_id(route: str, publication: str, indicator: str, unit: str) -> str:
    """Stable, readable and unique per (publication, wording, unit)."""
    digest = hashlib.sha1(f"{publication}|{indicator}|{unit}".encode()).hexdigest()[:6]
    return f"{route}_{slug(indicator)}_{digest}"
