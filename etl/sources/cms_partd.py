"""CMS Medicare Part D Spending by Drug: claims, beneficiaries and spending for Spravato.

What it counts: prescription drug events paid under Medicare Part D (claims, including refills),
the distinct Part D beneficiaries with at least one claim, and gross drug cost in US dollars
(ingredient cost, dispensing fee, sales tax, before manufacturer rebates), per calendar year.
One row per brand per manufacturer; the values come from the `Mftr_Name = Overall` row so a brand
with several manufacturers is not counted twice.

Caveats, and why each choice was made:
- Ketamine itself has no row in the file (DY2018-2022 checked): it is given in hospitals and
  clinics, outside Part D. Only esketamine (Spravato) appears. Rows whose generic name contains
  "ketamine" are all picked up, so a future ketamine row would be found without a code change.
- Spravato given in a certified clinic can be billed under Part B (HCPCS S0013, G2082/G2083);
  that spending is not in this file ("Medicare Part B Spending by Drug" covers it).
- Medicare enrollees only (65+ and disability), not the whole US population.
- The file is wide: one column group per year (`Tot_Spndng_YYYY`, `Tot_Clms_YYYY`, ...,
  `Outlier_Flag_YYYY`). Each release adds a year, so year groups are found by regex on the
  header, never by a fixed list. Empty cells mean no data for that year (Spravato was approved on
  2019-03-05, so 2018 is empty) and produce no row, never a zero.
- `Outlier_Flag_YYYY` (CMS: the year's average spending per dosage unit is an outlier) is taken
  from *every* row of the drug, not only the Overall one: in the real DY22 file the Spevigo 2022
  Overall row leaves the flag blank while its manufacturer row (Boehringer Ing.) says 1. A year
  flagged on any row gets the `unreliable` flag, and the note names the rows that flagged it.
- An Overall row can give beneficiaries but no claims and no spending for a year (Stalevo 100,
  2018-2019, in the real DY22 file: the manufacturer rows of those years are gone). The
  beneficiaries are kept, flagged `unreliable`, with a note saying nothing else was published;
  no claims or spending row is invented.
- CMS blanks beneficiary counts under 11 (Spevigo 2022): a blank gives no row, never a zero.

Live path: the data.cms.gov data API filtered on the brand (`filter[Brnd_Name]=Spravato`), one
JSON array whose objects carry the CSV's column names. Mirror and seed: the publisher's CSV
(found by its header, whatever the release's file name) or, in the seed, the CMS figures of the
reference file as canonical rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.observation_frame import observations_from_records
from etl.rawcsv import strict_number

if TYPE_CHECKING:
    from etl.http import HttpClient

HOMEPAGE = (
    "https://data.cms.gov/summary-statistics-on-use-and-payments/medicare-medicaid-spending-by-drug/"
    "medicare-part-d-spending-by-drug"
)
API_URL = "https://data.cms.gov/data-api/v1/dataset/7e0b4365-fd63-4a29-8f5e-e0ac9f66a81b/data"
CITATION = (
    "Centers for Medicare & Medicaid Services. Medicare Part D Spending by Drug. data.cms.gov. "
    + HOMEPAGE
)
BRANDS: tuple[str, ...] = ("Spravato",)  # brands fetched live; parse keeps any ketamine generic
GENERIC_PATTERN = re.compile(r"ketamine", re.I)
ID_COLUMNS = ("Brnd_Name", "Gnrc_Name", "Mftr_Name")
YEAR_COLUMN = re.compile(r"^(?P<measure>[A-Za-z][A-Za-z_]*?)_(?P<year>(?:19|20)\d{2})$")
# measure column prefix -> (indicator suffix, unit, label)
MEASURES: dict[str, tuple[str, str, str]] = {
    "Tot_Clms": ("claims", "claims", "Part D claims (prescription fills incl. refills)"),
    "Tot_Benes": ("beneficiaries", "beneficiaries", "Part D beneficiaries with a claim"),
    "Tot_Spndng": ("spending", "USD", "Part D gross drug spending (before rebates)"),
}
OUTLIER = "Outlier_Flag"
BENES_ONLY = (
    "beneficiaries only: CMS gives this year's Overall row Tot_Benes but no claims or spending"
)
STRATUM = "Medicare Part D"
NOTE = (
    "Medicare Part D only: ketamine has no Part D row; Spravato given in clinics can be billed "
    "under Part B, which this file does not cover."
)

META = SourceMeta(
    id="cms_partd",
    title="Medicare Part D Spending by Drug (Spravato)",
    publisher="Centers for Medicare & Medicaid Services (CMS)",
    homepage=HOMEPAGE,
    licence="US Government work, public domain (data.cms.gov public-use aggregate data)",
    citation=CITATION,
    cadence="annual (new data year each spring)",
    domain="therapeutic",
    counts="Part D claims (fills incl. refills), beneficiaries, gross spending in USD",
    caveats=NOTE
    + " Spending is gross drug cost before manufacturer rebates. Medicare enrollees only.",
    remote_files=(
        RemoteFile(
            name="spending",
            url="",
            pattern="*.csv",
            kind="csv",
            header=("Brnd_Name", "Gnrc_Name", "Mftr_Name", "Tot_Clms_"),
            optional=True,
        ),
        RemoteFile(
            name="api",
            url="",
            pattern="*partd*.json",
            kind="json",
            optional=True,
        ),
    ),
    allowed_hosts=("data.cms.gov",),
    seed_release=(
        "Medicare Part D Spending by Drug, RY24 release (data years 2018-2022): the header and "
        "the two Spravato rows of DSD_PTD_RY24_P04_V10_DY22_BGM.csv, verbatim"
    ),
)


class CmsPartD:
    meta = META

    def __init__(self, api_url: str = API_URL, brands: Iterable[str] = BRANDS) -> None:
        self.api_url = api_url
        self.brands = tuple(brands)

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """One data-API request per brand; each JSON array written as `partd_<brand>.json`."""
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for brand in self.brands:
            rows = client.get_json(self.api_url, params={"filter[Brnd_Name]": brand})
            if not isinstance(rows, list) or not rows:
                raise ValueError(f"{self.api_url}: no Part D rows for brand {brand!r}")
            path = dest / f"partd_{slug(brand)}.json"
            path.write_text(json.dumps(rows, indent=1))
            written.append(path)
        return {"api": written}

    def parse(self, files: SourceFiles) -> Tables:
        frames = [read_csv(p) for p in files.get("spending", [])]
        frames += [read_api_json(p) for p in files.get("api", [])]
        if not frames:
            raise ParseError("no Part D file given (expected the CSV or the API JSON)")
        observations = pd.concat(
            [drug_observations(frame, path) for frame, path in frames], ignore_index=True
        )
        prefix = r"^cms_partd_(?:" + "|".join(s for s, _, _ in MEASURES.values()) + ")_"
        brands = sorted(set(observations["indicator"].str.replace(prefix, "", regex=True)))
        generics = {
            slug(brand): generic
            for frame, _ in frames
            for brand, generic in zip(frame["Brnd_Name"], frame["Gnrc_Name"], strict=True)
        }
        return Tables(observations=observations, indicators=indicators(brands, generics))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def read_csv(path: Path) -> tuple[pd.DataFrame, Path]:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ParseError(f"not a readable CSV ({error})", file=path) from error
    frame["_line"] = range(2, len(frame) + 2)
    return frame, path


def read_api_json(path: Path) -> tuple[pd.DataFrame, Path]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"not JSON ({error})", file=path) from error
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ParseError("expected a JSON array of row objects (data.cms.gov data API)", file=path)
    frame = pd.DataFrame.from_records(rows).astype(object)
    frame = frame.where(frame.notna(), "").astype(str)
    frame["_line"] = [f"item {i}" for i in range(len(frame))]
    return frame, path


def year_groups(columns: Iterable[str]) -> dict[int, dict[str, str]]:
    """{year: {measure: column}} for every `<Measure>_YYYY` column, whatever the years."""
    groups: dict[int, dict[str, str]] = {}
    for column in columns:
        match = YEAR_COLUMN.match(column)
        if match:
            groups.setdefault(int(match["year"]), {})[match["measure"]] = column
    return dict(sorted(groups.items()))


def release_vintage(path: Path, years: Iterable[int]) -> str:
    """'RY24 release, data years 2018–2022': CMS names each release in its file name
    (`DSD_PTD_RY24_P04_V10_DY22_BGM.csv`); the data years come from the header, so a renamed
    file or the API's JSON still says which years it holds."""
    years = sorted(years)
    span = f"data years {years[0]}–{years[-1]}"
    release = re.search(r"(?:^|[_-])RY(\d{2})(?:[_-]|$)", path.stem, re.I)
    return f"RY{release[1]} release, {span}" if release else span


def substance_of(generic: str) -> str:
    return "esketamine" if "esketamine" in str(generic).lower() else "ketamine"


def check_layout(frame: pd.DataFrame, path: Path) -> dict[int, dict[str, str]]:
    missing = [c for c in ID_COLUMNS if c not in frame.columns]
    if missing:
        raise ParseError(f"missing columns {', '.join(missing)}", file=path, line=1)
    groups = year_groups(frame.columns)
    if not groups:
        raise ParseError("no year column groups (Tot_Clms_YYYY ...) in the header", file=path)
    for year, measures in groups.items():
        absent = [m for m in (*MEASURES, OUTLIER) if m not in measures]
        if absent:
            raise ParseError(
                f"year {year} lacks columns {', '.join(f'{m}_{year}' for m in absent)}",
                file=path,
                line=1,
            )
    return groups


def number(text: str, *, path: Path, line: object, column: str) -> float | None:
    try:
        return strict_number(text)
    except ValueError as error:
        raise ParseError(
            f"{column} {error}",
            file=path,
            line=line if isinstance(line, int) else None,
        ) from None


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
        if value < 0:
            raise ParseError(
                f"{columns[measure]} is negative ({value})",
                file=path,
                line=row["_line"] if isinstance(row["_line"], int) else None,
            )
        note = f"Brnd_Name={row['Brnd_Name']}, Mftr_Name={row['Mftr_Name']}, {columns[measure]}"
        if flagged_by:
            note += f"; {columns[OUTLIER]}=1 on Mftr_Name={', '.join(flagged_by)}"
        elif str(row[columns[OUTLIER]]).strip():
            note += f"; {columns[OUTLIER]}=0"
        if benes_only:
            note += f"; {BENES_ONLY}"
        records.append(
            {
                "indicator": f"cms_partd_{suffix}_{brand}",
                "period": str(year),
                "value": value,
                "unit": unit,
                "flags": "unreliable" if flagged_by or benes_only else "",
                "note": note,
            }
        )
    return records


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


SOURCE = CmsPartD()
