"""DEA NFLIS-Drug: forensic laboratory reports of ketamine and its analogues, by year.

What it counts: drug reports (items identified by US state, local and federal forensic
laboratories), as tabulated from NFLIS-Drug record-level data by Lim et al. (2024) in
`Drug_frequency_annual.csv`. Reports are not seizures, cases or people: one seizure can yield
several reports, and a lab analyses only what is submitted to it.

Caveats:
- Unweighted counts from the record-level file the authors received, after their cleaning; not
  DEA's weighted national estimates from the NFLIS annual reports.
- The latest year is flagged `provisional`: laboratories report with a lag, and the implied
  all-substance total falls from ~1.84 M (2018) to ~1.14 M (2023).
- Which substances count as ketamine analogues is data (`etl/data/nflis_substances.csv`), not
  code. Each substance is its own series; none is summed into "ketamine".
- The seed carries only the ketamine yearly counts, as published facts.
- Optional files (`nflis_cooccurrence.py`): the monthly fentanyl co-occurrence by drug category
  and the state x year file. Their "club drugs" category is a PROXY (ketamine + MDA + MDMA +
  ethylone + methylone + N-cyclohexylmethylone), flagged `proxy` on every row.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.observation_frame import observations
from etl.rawcsv import read_strict_csv, to_numbers, to_years
from etl.sources import nflis_cooccurrence as cooc

SUBSTANCES_PATH = Path(__file__).resolve().parent.parent / "data" / "nflis_substances.csv"
CITATION = (
    "Lim TY, et al. Temporal and spatial trends of fentanyl co-occurrence in the illicit drug "
    "supply in the United States: a serial cross-sectional analysis. Lancet Reg Health Am. "
    "2024;39:100898. Data: DEA NFLIS-Drug, tabulated in tseyanglim/NFLIS-analysis (CC BY 4.0)."
)
CITATION_URL = "https://doi.org/10.1016/j.lana.2024.100898"
ANNUAL_URL = (
    "https://raw.githubusercontent.com/tseyanglim/NFLIS-analysis/main/outputs/processed/"
    "Drug_frequency_annual.csv"
)
ANNUAL_COLUMNS = ("YYYY", "SubstanceDetected", "Freq")
REPO_OUTPUTS = "https://raw.githubusercontent.com/tseyanglim/NFLIS-analysis/main/outputs/"
MONTHLY_URL = REPO_OUTPUTS + "Figure%201%20data.csv"
STATE_URL = REPO_OUTPUTS + "Figure%203%20data.csv"

META = SourceMeta(
    id="nflis",
    title="NFLIS-Drug forensic laboratory reports",
    publisher="US Drug Enforcement Administration (DEA), via Lim et al. 2024",
    homepage="https://www.nflis.deadiversion.usdoj.gov/",
    licence="CC BY 4.0 (Lim et al. data files); NFLIS data are US federal government data",
    citation=CITATION,
    cadence="annual (research data release)",
    domain="supply",
    counts="drug reports identified by forensic laboratories (not seizures, cases or people)",
    caveats=(
        "Unweighted record-level counts after the authors' cleaning, not DEA's weighted national "
        "estimates. The latest year is still filling in (laboratory reporting lag)."
    ),
    remote_files=(
        RemoteFile(
            name="annual",
            url=ANNUAL_URL,
            pattern="*drug_frequency_annual*.csv",
            kind="csv",
            header=ANNUAL_COLUMNS,
            max_bytes=16 << 20,  # 0.7 MB today
        ),
        RemoteFile(
            name="monthly_fentanyl",
            url=MONTHLY_URL,
            pattern="*figure*1*data*.csv",
            kind="csv",
            header=cooc.MONTHLY_COLUMNS,
            optional=True,
            max_bytes=8 << 20,  # 50 kB today
        ),
        RemoteFile(
            name="state_annual",
            url=STATE_URL,
            pattern="*figure*3*data*.csv",
            kind="csv",
            header=cooc.STATE_COLUMNS,
            optional=True,
            max_bytes=8 << 20,  # 15 kB today
        ),
    ),
    seed_release=(
        "Lim et al. 2024 data files (NFLIS-Drug 2013-2023), tseyanglim/NFLIS-analysis commit "
        "437fad6f (2024-10-09); Figure 3 file trimmed to its Club drugs rows"
    ),
)


@cache
def substances() -> pd.DataFrame:
    return pd.read_csv(SUBSTANCES_PATH, dtype=str, keep_default_na=False)


class Nflis:
    meta = META

    def parse(self, files: SourceFiles) -> Tables:
        annual = read_annual(files["annual"][0])
        latest = int(annual["YYYY"].max())
        vintage = data_file_vintage(annual)
        frames, definitions = [substance_reports(annual)], [indicators()]
        for name, reader, prefix, grain in (
            ("monthly_fentanyl", cooc.read_monthly, "nflis_monthly", "monthly, US"),
            ("state_annual", cooc.read_states, "nflis_state", "yearly, by state"),
        ):
            if not files.get(name):
                continue
            wide = reader(files[name][0])
            rows = cooc.cooccurrence_observations(
                wide,
                prefix=prefix,
                latest_year=latest,
                citation=CITATION,
                citation_url=CITATION_URL,
            )
            frames.append(rows)
            definitions.append(
                cooc.cooccurrence_indicators(
                    rows, seen=list(wide["category"]), prefix=prefix, grain=grain
                )
            )
        observations = pd.concat(frames, ignore_index=True).assign(vintage=vintage)
        return Tables(
            observations=observations, indicators=pd.concat(definitions, ignore_index=True)
        )


def read_annual(path: Path) -> pd.DataFrame:
    frame = read_strict_csv(path, ANNUAL_COLUMNS)
    frame["YYYY"] = to_years(frame, "YYYY", path)
    counts = to_numbers(frame, "Freq", path)
    fractional = counts % 1 != 0
    if fractional.any():
        row = frame.loc[fractional].iloc[0]
        raise ParseError(
            f"Freq '{row['Freq']}' is not a whole number of reports",
            file=path,
            line=int(row["line"]),
        )
    frame["Freq"] = counts.astype("int64")
    negative = frame["Freq"] < 0
    if negative.any():
        line = int(frame.loc[negative, "line"].iloc[0])
        raise ParseError("negative report count", file=path, line=line)
    return frame


def data_file_vintage(annual: pd.DataFrame) -> str:
    """The release is the authors' data file; its years say which one (the repository has no
    version numbers, and a new release adds a year)."""
    first, last = int(annual["YYYY"].min()), int(annual["YYYY"].max())
    return f"Lim et al. 2024 data files, NFLIS-Drug {first}–{last}"


def substance_reports(annual: pd.DataFrame) -> pd.DataFrame:
    """Yearly report counts of the substances listed in nflis_substances.csv."""
    wanted = substances()
    rows = annual.merge(wanted, left_on="SubstanceDetected", right_on="substance", how="inner")
    latest = annual["YYYY"].max()
    years = rows["YYYY"].astype(str)
    return observations(
        source=META.id,
        indicator="nflis_reports_" + rows["indicator_suffix"],
        geography="United States",
        period=years,
        stratum="all laboratories in the data file",
        value=rows["Freq"],
        unit="reports",
        flags=["provisional" if y == latest else "" for y in rows["YYYY"]],
        citation=CITATION,
        citation_url=CITATION_URL,
    ).sort_values(["indicator", "period_start"], ignore_index=True)


def indicators() -> pd.DataFrame:
    wanted = substances()
    frame = pd.DataFrame(
        {
            "id": "nflis_reports_" + wanted["indicator_suffix"],
            "source": META.id,
            "label": "NFLIS lab reports: " + wanted["label"],
            "definition": (
                "Drug reports in which forensic laboratories identified "
                + wanted["label"]
                + " (unweighted NFLIS-Drug record-level counts)"
            ),
            "unit": "reports",
            "domain": "supply",
            "comparability": "Lab reports, not seizures or people; family: " + wanted["family"],
            "series_breaks": "",
            "substance": wanted["counts_as"],
        }
    )
    return frame.reindex(columns=list(INDICATOR_COLUMNS))


SOURCE = Nflis()
