"""The README's "Data sources" table, made from the registry so it cannot drift from it.

Usage: python scripts/source_table.py [--write]   (prints the table; --write updates README.md)
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from etl.sources import SOURCES

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- sources:start (scripts/source_table.py) -->", "<!-- sources:end -->"


def cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def seed_of(source) -> str:
    meta = source.meta
    if meta.seed_reference:
        return "curated reference files"
    return "publisher's files" if meta.seed_release else "a note on how to load it"


def table() -> str:
    rows = [
        "| id | publisher | what it counts | licence | refreshed | seed |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for source in SOURCES:
        meta = source.meta
        fields = (f"`{meta.id}`", meta.publisher, meta.counts, meta.licence, meta.cadence)
        rows.append("| " + " | ".join(cell(f) for f in (*fields, seed_of(source))) + " |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{table()}\n{END}{after}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    args = parser.parse_args()
    if args.write:
        README.write_text(with_table(README.read_text()))
    else:
        print(table())


if __name__ == "__main__":
    main()
