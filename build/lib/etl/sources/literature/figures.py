"""The curated file read strictly: every column by header, a tier that is primary or secondary,
values as numbers (the published text kept beside them)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.contract import ParseError
from etl.rawcsv import read_strict_csv, to_numbers
from etl.sources.literature.meta import COLUMNS, TIERS


def read_figures(path: Path) -> pd.DataFrame:
    frame = read_strict_csv(path, COLUMNS)
    if frame.empty:
        raise ParseError("a header but no rows: truncated or empty file", file=path, line=1)
    frame["tier"] = frame["tier"].str.strip().str.lower()
    bad = frame[~frame["tier"].isin(TIERS)]
    if not bad.empty:
        row = bad.iloc[0]
        raise ParseError(
            f"tier {row['tier']!r} is not one of {', '.join(TIERS)}", file=path, line=row["line"]
        )
    frame["value_text"] = frame["value"]
    frame["value"] = to_numbers(frame, "value", path)
    return frame
