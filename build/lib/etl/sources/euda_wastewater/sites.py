"""EUDA / SCORE site metadata and year-on-year changes: the detail tables of `euda_wastewater`.

`wastewater_sites`: one row per treatment plant (coordinates, population served, institution);
the dashboard map places cities with it. `wastewater_changes`: the EUDA's own 2024-vs-2023
comparison per site and substance (value, previous value, percent change, and its category
increase / decrease / stable; "no previous data" when the site has no 2023 value).
Country codes are fixed by the same listed rule as the loads (`places.fix_country`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.rawcsv import read_strict_csv, to_numbers, to_years
from etl.sources.euda_wastewater.meta import (
    CHANGE_COLUMNS,
    ENCODINGS,
    NOT_MEASURED,
    SITE_COLUMNS,
    UNIT,
)
from etl.sources.euda_wastewater.places import fix_country, geography, text


def read_sites(path: Path) -> pd.DataFrame:
    raw = read_strict_csv(path, SITE_COLUMNS, ENCODINGS)
    population_text = text(raw, "Population")
    sites = pd.DataFrame(
        {
            "site_id": text(raw, "SiteID"),
            "country_published": text(raw, "Country"),
            "city": text(raw, "City"),
            "location": text(raw, "Location"),
            "latitude": to_numbers(raw, "Latitude", path, unit="degrees latitude"),
            "longitude": to_numbers(raw, "Longitude", path, unit="degrees longitude"),
            "population": to_numbers(
                raw, "Population", path, blank_ok=True, na=NOT_MEASURED, unit="people served"
            ),
            "population_rounded": population_text.str.contains("e", case=False),
            "institution": text(raw, "Institution"),
        }
    )
    fixed = [
        fix_country(c, s, y)
        for c, s, y in zip(sites["country_published"], sites["site_id"], sites["city"], strict=True)
    ]
    sites.insert(1, "country", [code for code, _ in fixed])
    sites["note"] = [note for _, note in fixed]
    sites["geography"] = [
        geography(c, k) for c, k in zip(sites["city"], sites["country"], strict=True)
    ]
    return sites


def read_changes(path: Path) -> pd.DataFrame:
    raw = read_strict_csv(path, CHANGE_COLUMNS, ENCODINGS)
    changes = pd.DataFrame(
        {
            "site_id": text(raw, "SiteID"),
            "country_published": text(raw, "country"),
            "city": text(raw, "city"),
            "metabolite": text(raw, "metabolite"),
            "year_current": to_years(raw, "year_current", path),
            "value_current": to_numbers(raw, "value_current", path, unit=UNIT),
            "year_previous": to_numbers(raw, "year_previous", path, blank_ok=True, na=NOT_MEASURED),
            "value_previous": to_numbers(
                raw, "value_previous", path, blank_ok=True, na=NOT_MEASURED, unit=UNIT
            ),
            # EUDA writes 'Inf' where the previous load was 0: no percentage exists, so it is
            # kept blank (the category column still says "increase"), never an infinite number.
            "change_percent": to_numbers(
                raw,
                "change_percent",
                path,
                blank_ok=True,
                na=("Inf", "-Inf", "NaN", *NOT_MEASURED),
                unit="percent change",
            ),
            "change_category": text(raw, "change_percent2"),
            "unit": UNIT,
        }
    )
    fixed = [
        fix_country(c, s, y)
        for c, s, y in zip(
            changes["country_published"], changes["site_id"], changes["city"], strict=True
        )
    ]
    changes.insert(1, "country", [code for code, _ in fixed])
    changes["geography"] = [
        geography(c, k) for c, k in zip(changes["city"], changes["country"], strict=True)
    ]
    return changes
