"""Rebuild the bundled seed (data/seed/) from the curated reference figures.

The seed carries published data only, each file in its publisher's own format:
- literature/ and milestones/ are the curated reference files themselves (literature/ holds both
  `published_figures.csv` and the claims, `claim_evidence.csv`);
- nflis/, euda_wastewater/, cms_partd/ and ons_drug_poisoning/ are the publishers' files (their
  licences allow it), copied from shared/data/raw, so `make run` offline shows the same product an
  online refresh does.

Usage: python scripts/build_seeds.py [--reference DIR] [--raw DIR]  (default: ../shared/data/...)
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from etl.snapshots import find_in_folder, required_present, sha256_file, utc_now
from etl.sources import by_id

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"

# The publishers' own files the seed carries (their licences allow it; see
# shared/data/README.md): parsed by the same code as a live download. What each release is and
# where our copy came from, as the shared SOURCE.md files record it.
PUBLISHER_FILES = {
    "nflis": (
        "Lim et al. 2024 data files (NFLIS-Drug 2013-2023), tseyanglim/NFLIS-analysis commit "
        "437fad6f (2024-10-09); Figure 3 file trimmed to its Club drugs rows"
    ),
    "euda_wastewater": (
        "EUDA wastewater 2025 edition (data to 2024), ww2025 files as published, unmodified"
    ),
    "cms_partd": (
        "Medicare Part D Spending by Drug, RY24 release (data years 2018-2022): the header and "
        "the two Spravato rows of DSD_PTD_RY24_P04_V10_DY22_BGM.csv, verbatim"
    ),
    "ons_drug_poisoning": (
        "Deaths related to drug poisoning, England and Wales: 2022 registrations reference "
        "tables, published 19 December 2023, unmodified"
    ),
}


def write_meta(folder: Path, files: list[Path], **fields: str) -> None:
    meta = {
        "retrieved_at": utc_now(),
        "files": {p.name: {"sha256": sha256_file(p), "size": p.stat().st_size} for p in files},
        **fields,
    }
    (folder / "seed.meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def copy_reference(reference: Path, names: list[str], source_id: str) -> None:
    folder = SEED / source_id
    folder.mkdir(parents=True, exist_ok=True)
    targets = [Path(shutil.copyfile(reference / name, folder / name)) for name in names]
    meta = by_id(source_id).meta
    write_meta(
        folder,
        targets,
        url=f"shared/data/reference/{names[0]}",
        licence=meta.licence,
        citation=meta.citation,
        release="curated reference file; each row names its own publication",
        note="Curated published facts; every row carries its own citation and publication.",
    )


def publisher_seed(raw: Path, source_id: str, release: str) -> None:
    """Copy the publisher's files a source reads (found as a mirror finds them) into its seed."""
    meta = by_id(source_id).meta
    found = find_in_folder(raw / source_id, meta)
    if not required_present(meta, found):
        raise SystemExit(f"{raw / source_id}: the files {source_id} needs are not there")
    folder = SEED / source_id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    copied = []
    for paths in found.values():
        for path in paths:
            copied.append(Path(shutil.copyfile(path, folder / path.name)))
    write_meta(
        folder,
        copied,
        url=meta.homepage,
        licence=meta.licence,
        attribution=meta.citation,
        release=release,
        note=(
            "The publisher's own files, in its format, parsed by the same code as a live "
            "download; each row's vintage is read from the files themselves."
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared/data/reference")
    parser.add_argument("--raw", type=Path, default=ROOT.parent / "shared/data/raw")
    args = parser.parse_args()
    copy_reference(args.reference, ["published_figures.csv", "claim_evidence.csv"], "literature")
    copy_reference(args.reference, ["therapeutic_milestones.csv"], "milestones")
    for source_id, release in PUBLISHER_FILES.items():
        publisher_seed(args.raw, source_id, release)


if __name__ == "__main__":
    main()
