"""What the CMS Part D source is: the data API, the brands fetched, the wide file's column groups
and measures, and `META` (licence, citation, hosts). The package docstring says what it counts and
its caveats."""

from __future__ import annotations

import re

from etl.contract import RemoteFile, SourceMeta

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


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
