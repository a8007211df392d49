"""Bad-input cases any source gets from the registry and its fixture folder.

A new source's good files are the top-level files of `tests/fixtures/<id>/` (not `real/`, not
notes). From them come the four faults every publisher shows sooner or later: the first file cut
off halfway, emptied, replaced by an HTML error page, or answered with HTTP 500. Each must be
rejected with a message naming the file, and leave the published rows as they were.
"""

from __future__ import annotations

from pathlib import Path

from bad_inputs.kit import ANY_REJECTION, Case, Files, html_page, status
from etl.sources import SOURCES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOT_DATA = {"expected_values.csv"}
# Sources whose good files the hand-written kit builds itself (FAERS quarters are folders).
BUILT_ELSEWHERE = {"faers_quarterly"}


def fixture_folder_files(source_id: str) -> Files:
    """The data files at the top of a source's fixture folder, by name."""
    folder = FIXTURES / source_id
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix != ".md" and p.name not in NOT_DATA
    }


def fixture_baselines() -> dict[str, Files]:
    """Every registered source's fixture files (the hand-made kit overrides most of them)."""
    return {
        s.meta.id: fixture_folder_files(s.meta.id)
        for s in SOURCES
        if s.meta.id not in BUILT_ELSEWHERE and (FIXTURES / s.meta.id).is_dir()
    }


def generic_cases(source_id: str, files: Files) -> tuple[Case, ...]:
    first = next(iter(files))
    body = files[first]

    def changed(new: bytes):
        return lambda: files | {first: new}

    def prefix(kind: str) -> str:
        return f"{source_id}_generic_{kind}"

    return (
        Case(prefix("truncated"), source_id, "truncated file", changed(body[: len(body) // 2]),
             status=ANY_REJECTION, says=(first,)),
        Case(prefix("empty"), source_id, "empty file", changed(b""),
             status=ANY_REJECTION, says=(first,)),
        Case(prefix("html_page"), source_id, "an HTML error page instead of the file",
             lambda: files, transport="http", route=html_page, status=ANY_REJECTION,
             says=(first,)),
        Case(prefix("http_500"), source_id, "HTTP 500 on every attempt", lambda: files,
             transport="http", route=status(500), status=ANY_REJECTION, says=(first, "500")),
    )  # fmt: skip
