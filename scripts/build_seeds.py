"""Rebuild the bundled seed (data/seed/) from the curated reference figures.

The seed carries published facts only, each with its citation:
- literature/ and milestones/ are the reference files themselves (their own raw format); the
  literature folder holds both `published_figures.csv` and `claim_evidence.csv`, and its vintage
  names the span of the publications cited, never the date the files were curated;
- sources that own some reference rows (routed in etl/data/literature_rules.csv) get those rows as
  canonical observations.csv, with indicator ids mapped to the source's own series.

Usage: python scripts/build_seeds.py [--reference ../shared/data/reference]
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
from pathlib import Path

import pandas as pd

from etl.contract import OBSERVATION_COLUMNS
from etl.snapshots import sha256_file, utc_now
from etl.sources import by_id
from etl.sources.literature import (
    convert_figures,
    load_rules,
    publication_year,
    read_figures,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"

# Routed reference rows -> the owning source's indicator id (keyed by a phrase of the wording).
ROUTED_INDICATORS = {
    "nflis": {"ketamine reports identified by forensic laboratories": "nflis_reports_ketamine"},
    "cms_partd": {
        "Part D claims, Spravato": "cms_partd_claims_spravato",
        "Part D beneficiaries, Spravato": "cms_partd_beneficiaries_spravato",
        "Part D total spending, Spravato": "cms_partd_spending_spravato",
    },
    "ons_drug_poisoning": {
        "drug poisoning deaths, all substances": "ons_drug_poisoning_deaths_all"
    },
    "euda_wastewater": {"ketamine mass load in wastewater": "euda_wastewater_load_ketamine"},
}
# Routed rows whose geography or group is worded differently from the owning source's parser:
# column -> {published wording: the parser's wording}, so seed and mirror rows form one series.
ROUTED_VALUES = {
    "ons_drug_poisoning": {"stratum": {"all ages": "persons"}},
    "euda_wastewater": {
        "geography": {"Czechia (Brno)": "Brno (CZ)"},
        "stratum": {"city population": "daily mean of the sampling week"},
    },
}
# Sources whose reference rows cite a column name rather than a publication: cite the source and
# keep the column reference in the note.
CITE_SOURCE = {"cms_partd"}
# Sources whose latest year is still filling in, as their own parser flags it.
PROVISIONAL_LATEST = {"nflis"}


def source_indicators(source_id: str) -> pd.DataFrame:
    module = importlib.import_module(f"etl.sources.{source_id}")
    return module.indicators()


def write_meta(folder: Path, files: list[Path], **fields: str) -> None:
    meta = {
        "retrieved_at": utc_now(),
        "files": {p.name: {"sha256": sha256_file(p), "size": p.stat().st_size} for p in files},
        **fields,
    }
    (folder / "seed.meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def copy_reference(reference: Path, name: str, source_id: str, vintage: str) -> None:
    folder = SEED / source_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(reference / name, target)
    meta = by_id(source_id).meta
    write_meta(
        folder,
        [target],
        url=f"shared/data/reference/{name}",
        licence=meta.licence,
        citation=meta.citation,
        vintage=vintage,
        note="Curated published facts; every row carries its own citation.",
    )


def copy_literature(reference: Path) -> None:
    """The literature seed: the curated figures and the claims, with the publications' span."""
    names = ["published_figures.csv", "claim_evidence.csv"]
    folder = SEED / "literature"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(reference / name, folder / name)
    figures = read_figures(folder / "published_figures.csv")
    years = sorted(
        year
        for text, source in zip(figures["citation_text"], figures["source"], strict=True)
        if (year := publication_year(text, source)[0])
    )
    meta = by_id("literature").meta
    write_meta(
        folder,
        [folder / name for name in names],
        url="shared/data/reference/",
        licence=meta.licence,
        citation=meta.citation,
        vintage=f"publications of {years[0]}-{years[-1]}; each row carries its own",
        note="Curated published facts and claims; every row carries its own citation.",
    )


def routed_seed(reference: Path, source_id: str, vintage: str) -> None:
    figures = read_figures(reference / "published_figures.csv")
    converted = convert_figures(figures, rules=load_rules())
    rows = converted[converted["route"] == source_id].copy()
    mapping = ROUTED_INDICATORS[source_id]
    rows["indicator"] = [
        next(target for phrase, target in mapping.items() if phrase in text)
        for text in rows["indicator_text"]
    ]
    rows["source"] = source_id
    rows["note"] = "figure " + rows["figure_id"]
    for column, wording in ROUTED_VALUES.get(source_id, {}).items():
        rows[column] = rows[column].replace(wording)
    if source_id in CITE_SOURCE:
        rows["note"] = rows["note"] + "; " + rows["citation"]
        rows["citation"] = by_id(source_id).meta.citation
    if source_id in PROVISIONAL_LATEST:
        latest = rows["period_end"] == rows["period_end"].max()
        rows.loc[latest, "flags"] = "provisional"
    observations = rows.reindex(columns=list(OBSERVATION_COLUMNS))
    indicators = source_indicators(source_id)
    folder = SEED / source_id
    folder.mkdir(parents=True, exist_ok=True)
    observations.to_csv(folder / "observations.csv", index=False)
    used = indicators[indicators["id"].isin(observations["indicator"])]
    used.to_csv(folder / "indicators.csv", index=False)
    written = [folder / "observations.csv", folder / "indicators.csv"]
    meta = by_id(source_id).meta
    write_meta(
        folder,
        written,
        url="shared/data/reference/published_figures.csv",
        licence=meta.licence,
        citation=meta.citation,
        vintage=vintage,
        note=f"Published facts ({', '.join(rows['figure_id'])}) carried as canonical rows.",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared/data/reference")
    parser.add_argument("--vintage", default="reference figures as of 2026-11")
    args = parser.parse_args()
    copy_literature(args.reference)
    copy_reference(args.reference, "therapeutic_milestones.csv", "milestones", args.vintage)
    for source_id in ROUTED_INDICATORS:
        routed_seed(args.reference, source_id, args.vintage)


if __name__ == "__main__":
    main()
