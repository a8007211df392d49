"""No function in `etl/` or `warehouse_contract/` is longer than 40 lines (issue 13: a refresh core
you can read in one sitting; complexity is held at 10 by ruff's C901).

A function's length is counted from its `def` line to its last line (`end_lineno`), so the
signature, the docstring, comments and blank lines inside it all count: a long docstring or a
long list of Typer options makes a command as hard to take in at a glance as long code does.
Decorators above the `def` do not count. Nested functions count inside their outer function and
are also measured on their own.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("etl", "warehouse_contract")
MAX_LINES = 40


def function_lengths(path: Path) -> list[tuple[int, str, int]]:
    """(line of the `def`, name, length in lines) of every function and method in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.lineno, node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def too_long(root: Path, folders: tuple[str, ...] = FOLDERS) -> list[str]:
    """'file:line name (N lines)' for every function over MAX_LINES under `folders`."""
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            for line, name, length in function_lengths(path):
                if length > MAX_LINES:
                    where = path.relative_to(root).as_posix()
                    found.append(f"{where}:{line} {name} ({length} lines)")
    return found


def test_no_function_in_etl_or_the_contract_is_over_40_lines() -> None:
    offenders = too_long(ROOT)
    assert not offenders, (
        f"functions over {MAX_LINES} lines (split them into named steps):\n" + "\n".join(offenders)
    )


def test_the_scan_counts_signature_and_docstring_and_names_file_and_line(tmp_path: Path) -> None:
    package = tmp_path / "etl"
    package.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(36))
    short_body = "\n".join(f"    x{i} = {i}" for i in range(35))
    # 1 (def) + 3 (docstring) + 36 = 40 lines: allowed; a 3-line signature, 3 + 3 + 35, makes 41.
    (package / "a.py").write_text(
        '"""m."""\n\n\n'
        f'def fits():\n    """One.\n\n    Two."""\n{body}\n\n\n'
        f'def over(\n    a: int,\n):\n    """One.\n\n    Two."""\n{short_body}\n\n\n'
        "class K:\n"
        f"    def method(self):\n" + "\n".join(f"        y{i} = {i}" for i in range(41)) + "\n",
        encoding="utf-8",
    )
    assert dict((name, n) for _, name, n in function_lengths(package / "a.py")) == {
        "fits": 40,
        "over": 41,
        "method": 42,
    }
    assert too_long(tmp_path, ("etl",)) == [
        "etl/a.py:46 over (41 lines)",
        "etl/a.py:90 method (42 lines)",
    ]
