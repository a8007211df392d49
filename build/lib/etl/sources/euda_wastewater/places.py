"""Place names as EUDA writes them, made usable: text cells cleaned of non-breaking spaces, a
published country code mapped only by a listed rule (`etl/data/euda_country_fixes.csv`), and
the "City (CC)" geography every EUDA table shares."""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from etl.sources.euda_wastewater.meta import DATA


@cache
def country_fixes() -> pd.DataFrame:
    return pd.read_csv(DATA / "euda_country_fixes.csv", dtype=str, keep_default_na=False)


def fix_country(code: str, site_id: str, city: str) -> tuple[str, str]:
    """(country code to use, note) - a published code is mapped only by a listed rule."""
    for rule in country_fixes().itertuples():
        if (
            code == rule.published_code
            and re.fullmatch(rule.site_id_pattern, site_id)
            and city == rule.city
        ):
            return (
                rule.mapped_code,
                f"country code published as '{code}', mapped to {rule.mapped_code}",
            )
    return code, ""


def text(raw: pd.DataFrame, column: str) -> pd.Series:
    """A text column with non-breaking spaces made ordinary and runs of spaces collapsed (the
    2023 edition's site table has a U+00A0): a name written with one would otherwise start a
    second series for the same city."""
    cells = raw[column] if column in raw else pd.Series("", index=raw.index)
    return cells.astype(str).str.replace(r"[\s\u00a0]+", " ", regex=True).str.strip()


def geography(city: str, country: str) -> str:
    return f"{city} ({country})"
