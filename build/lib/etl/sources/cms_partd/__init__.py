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
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from etl.contract import ParseError, SourceFiles, Tables
from etl.sources.cms_partd.drug_rows import drug_observations
from etl.sources.cms_partd.files import read_api_json, read_csv
from etl.sources.cms_partd.indicators import indicators
from etl.sources.cms_partd.meta import API_URL, BRANDS, MEASURES, META, slug

if TYPE_CHECKING:
    from etl.http import HttpClient

__all__ = ["META", "SOURCE", "CmsPartD"]


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


SOURCE = CmsPartD()
