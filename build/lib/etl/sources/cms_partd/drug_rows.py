"""The wide rows of ketamine-family drugs as observations: values from each drug's
`Mftr_Name = Overall` row, one record per year and measure, flagged `unreliable` when any of the
drug's rows flags the year as an outlier or when CMS gives beneficiaries and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.contract import ParseError
from etl.observation_frame import observations_from_records
from etl.sources.cms_partd.files import check_layout, number, release_vintage
from etl.sources.cms_partd.meta import (
    BENES_ONLY,
    CITATION,
    GENERIC_PATTERN,
    HOMEPAGE,
    MEASURES,
    META,
    OUTLIER,
    STRATUM,
    slug,
)


def drug_observations(
    frame: pd.DataFrame, path: Path, *, generic_pattern: re.Pattern[str] = GENERIC_PATTERN
) -> pd.DataFrame:
    """Wide CMS rows for ketamine-family generics -> observations.

    Values come from each drug's `Mftr_Name = Overall` row; the outlier flag of a year comes from
    any row of the drug (CMS can flag a manufacturer row while the Overall row's flag is blank).
    """
    groups = check_layout(frame, path)
    drugs = frame[frame["Gnrc_Name"].str.contains(generic_pattern)]
    vintage = release_vintage(path, groups)
    records = []
    for (brand_name, _generic), rows in drugs.groupby(["Brnd_Name", "Gnrc_Name"], sort=False):
        overall = rows[rows["Mftr_Name"].str.strip().str.lower() == "overall"]
        for row in overall.to_dict("records"):
            for year, columns in groups.items():
                records += year_records(
                    row, rows, columns, path=path, year=year, brand=slug(brand_name)
                )
    if not records:  # every Part D release since 2019 has Spravato's Overall row
        raise ParseError(
            f"no Overall row of a ketamine or esketamine generic in {len(frame):,} rows "
            "(a cut file, or another drug's extract)",
            file=path,
        )
    return observations_from_records(
        records,
        source=META.id,
        geography="United States",
        stratum=STRATUM,
        citation=CITATION,
        citation_url=HOMEPAGE,
        vintage=vintage,
    )


def outlier_rows(rows: pd.DataFrame, column: str, *, path: Path) -> list[str]:
    """Manufacturer names (Overall included) of the drug's rows whose outlier flag is 1."""
    return [
        str(row["Mftr_Name"])
        for row in rows.to_dict("records")
        if number(row[column], path=path, line=row["_line"], column=column) == 1
    ]


def year_records(
    row: dict, rows: pd.DataFrame, columns: dict[str, str], *, path: Path, year: int, brand: str
) -> list[dict]:
    """One Overall row's observations for one year: claims, beneficiaries, spending."""
    values = {
        measure: number(
            row[columns[measure]], path=path, line=row["_line"], column=columns[measure]
        )
        for measure in MEASURES
    }
    flagged_by = outlier_rows(rows, columns[OUTLIER], path=path)
    benes_only = values["Tot_Benes"] is not None and all(
        values[m] is None for m in MEASURES if m != "Tot_Benes"
    )
    records = []
    for measure, (suffix, unit, _label) in MEASURES.items():
        value = values[measure]
        if value is None:
            continue
        refuse_negative(value, row, columns[measure], path=path)
        records.append(
            {
                "indicator": f"cms_partd_{suffix}_{brand}",
                "period": str(year),
                "value": value,
                "unit": unit,
                "flags": "unreliable" if flagged_by or benes_only else "",
                "note": measure_note(row, columns, measure, flagged_by, benes_only=benes_only),
            }
        )
    return records


def refuse_negative(value: float, row: dict, column: str, *, path: Path) -> None:
    if value < 0:
        raise ParseError(
            f"{column} is negative ({value})",
            file=path,
            line=row["_line"] if isinstance(row["_line"], int) else None,
        )


def measure_note(
    row: dict, columns: dict[str, str], measure: str, flagged_by: list[str], *, benes_only: bool
) -> str:
    """Where the value was read, and what the outlier flag said on which rows."""
    note = f"Brnd_Name={row['Brnd_Name']}, Mftr_Name={row['Mftr_Name']}, {columns[measure]}"
    if flagged_by:
        note += f"; {columns[OUTLIER]}=1 on Mftr_Name={', '.join(flagged_by)}"
    elif str(row[columns[OUTLIER]]).strip():
        note += f"; {columns[OUTLIER]}=0"
    if benes_only:
        note += f"; {BENES_ONLY}"
    return note
