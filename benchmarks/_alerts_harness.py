"""What the alert benchmarks (alerts_detection.py, alerts_r_compare.py) share: their measured
table goes into benchmarks/README.md as a section between two copies of the benchmark's marker
(`<!-- ... -->`), replacing that section when the README has it, else appended at the end, so a
rerun rewrites its own numbers and leaves every other section as it was."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def section(mark: str, title: str, intro: str, lines: list[str]) -> str:
    """The section: marker, '## title', the intro paragraph, the table, marker."""
    return "\n".join([mark, f"## {title}", "", intro, "", *lines, "", mark])


def replace_section(text: str, mark: str, body: str) -> str:
    """`text` with its section between the two `mark`s replaced by `body` (or `body` appended)."""
    if mark in text:
        head, _, rest = text.partition(mark)
        _, _, tail = rest.partition(mark)
        return head + body + tail
    return text.rstrip() + "\n\n" + body + "\n"


def write_section(
    mark: str, title: str, intro: str, lines: list[str], path: Path | None = None
) -> None:
    """Put the benchmark's section into `path` (default: benchmarks/README.md)."""
    path = path or README
    body = section(mark, title, intro, lines)
    path.write_text(replace_section(path.read_text(), mark, body))
