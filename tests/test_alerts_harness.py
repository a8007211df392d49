"""The alert benchmarks' README section (benchmarks/_alerts_harness.py): a rerun replaces its own
section between the markers and leaves the rest of the README as it was; a first run appends."""

from __future__ import annotations

from pathlib import Path

from benchmarks._alerts_harness import replace_section, section, write_section

MARK = "<!-- bench -->"


def test_a_first_run_appends_the_section_after_a_blank_line(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nother text\n\n")
    write_section(MARK, "Title", "How to rerun.", ["| a |", "| --- |"], path=readme)
    assert readme.read_text() == (
        "# Benchmarks\n\nother text\n\n"
        "<!-- bench -->\n## Title\n\nHow to rerun.\n\n| a |\n| --- |\n\n<!-- bench -->\n"
    )


def test_a_rerun_replaces_only_its_own_section() -> None:
    other = section("<!-- other -->", "Other", "kept", ["| 9 |"])
    text = f"# B\n\n{section(MARK, 'T', 'old', ['| 1 |'])}\n\n{other}\n"
    again = replace_section(text, MARK, section(MARK, "T", "new", ["| 2 |"]))
    assert again == f"# B\n\n{section(MARK, 'T', 'new', ['| 2 |'])}\n\n{other}\n"
    assert "| 1 |" not in again and "old" not in again
