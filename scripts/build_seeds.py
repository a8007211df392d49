"""Rebuild the bundled seed (data/seed/) from the curated reference figures.

The seed carries published data only, each file in its publisher's own format. Each source's meta
says what its seed holds, so this script has no list of its own:
- `seed_reference`: curated reference files copied from shared/data/reference (literature,
  milestones);
- `seed_release`: the publisher's own files (where the licence allows), copied from
  shared/data/raw as a mirror finds them, so `make run` offline shows the same product an online
  refresh does;
- neither: the seed folder keeps its hand-written note saying how to load the source.

Usage: python scripts/build_seeds.py [--reference DIR] [--raw DIR]  (default: ../shared/data/...)
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from etl.folder_files import find_in_folder, required_present
from etl.snapshots import sha256_file, utc_now
from etl.sources import SOURCES, by_id

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"


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
    for source in SOURCES:
        meta = source.meta
        if meta.seed_reference:
            copy_reference(args.reference, list(meta.seed_reference), meta.id)
        elif meta.seed_release:
            publisher_seed(args.raw, meta.id, meta.seed_release)


if __name__ == "__main__":
    main()
