"""Indicator definitions: claims, beneficiaries and spending for each brand found, each with the
substance its generic name says (esketamine or ketamine)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from etl.contract import INDICATOR_COLUMNS
from etl.sources.cms_partd.meta import BRANDS, MEASURES, META, NOTE, slug


def substance_of(generic: str) -> str:
    return "esketamine" if "esketamine" in str(generic).lower() else "ketamine"


def indicators(
    brands: Iterable[str] = tuple(slug(b) for b in BRANDS),
    generics: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Indicator definitions for the given brand slugs (Spravato, esketamine, by default)."""
    generics = generics or {slug(b): "Esketamine" for b in BRANDS}
    rows = [
        {
            "id": f"cms_partd_{suffix}_{brand}",
            "source": META.id,
            "label": f"{label}, {brand.replace('_', ' ').title()}",
            "definition": (
                f"{label} for brand {brand.replace('_', ' ').title()}, all manufacturers "
                "(Mftr_Name = Overall), calendar year, Medicare Part D Spending by Drug"
            ),
            "unit": unit,
            "domain": "therapeutic",
            "comparability": NOTE,
            "series_breaks": "",
            "substance": substance_of(generics.get(brand, "")),
        }
        for brand in brands
        for suffix, unit, label in MEASURES.values()
    ]
    return pd.DataFrame(rows).reindex(columns=list(INDICATOR_COLUMNS))
