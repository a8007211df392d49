"""The dashboard's shape (issue 13, "Pages as sections"): one folder per page, holding its page
script (`page.py`) and the page's own queries, frames, sections and charts; shared code in
`dashboard/common/`. A page script is a short list of `section_*()` calls; no module is long;
no dashboard module is imported under a cryptic alias."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.page_kit import page_order

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard"
PAGES = [folder for folder, _title, _url in page_order()]
MAX_LINES = 250
MAX_PAGE_STATEMENTS = 25
# what a page script's top level may hold: its docstring, imports, constants and calls
ALLOWED_TOP_LEVEL = (ast.Expr, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)


def modules() -> list[Path]:
    return sorted(DASHBOARD.rglob("*.py"))


def page_scripts() -> list[Path]:
    return [DASHBOARD / folder / "page.py" for folder in PAGES]


def test_every_page_in_the_menu_is_a_folder_with_a_page_script() -> None:
    (registered,) = [
        ast.literal_eval(node.value)
        for node in ast.parse((DASHBOARD / "app.py").read_text()).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGE_ORDER"
    ]
    assert [folder for folder, _title, _url in registered] == PAGES, "a page folder lacks page.py"
    for folder in PAGES:
        assert (DASHBOARD / folder / "__init__.py").is_file(), f"{folder} is not a package"
    # Streamlit's legacy multipage mode would serve a `pages/` folder beside app.py on its own.
    assert not (DASHBOARD / "pages").exists()


@pytest.mark.parametrize("path", page_scripts(), ids=lambda p: p.parent.name)
def test_page_script_is_a_short_list_of_section_calls(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path}: no docstring"
    body = tree.body[1:]
    logic = [
        f"line {node.lineno}: {type(node).__name__}"
        for node in body
        if not isinstance(node, ALLOWED_TOP_LEVEL)
    ]
    assert not logic, f"{path} has logic at its top level (move it to sections/frames): {logic}"
    loose = [
        node.lineno
        for node in body
        if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call)
    ]
    assert not loose, f"{path}: top-level expressions that are not calls, lines {loose}"
    lambdas = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Lambda | ast.ListComp)]
    assert not lambdas, f"{path}: inline functions or comprehensions, lines {lambdas}"
    statements = [n for n in body if not isinstance(n, ast.Import | ast.ImportFrom)]
    assert len(statements) <= MAX_PAGE_STATEMENTS, f"{path}: {len(statements)} statements"
    sections = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith("section_")
    }
    assert sections, f"{path} calls no section_*() function"


def test_the_rule_catches_a_page_with_logic() -> None:
    tree = ast.parse('"""Doc."""\nimport x\nfor a in x.b():\n    x.section_a(a)\n')
    assert [type(n) for n in tree.body[1:] if not isinstance(n, ALLOWED_TOP_LEVEL)] == [ast.For]


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(DASHBOARD).as_posix())
def test_no_dashboard_module_is_long(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} lines (split it by job)"


def dashboard_aliases(path: Path) -> list[str]:
    """`import dashboard.x as q` / `from dashboard... import x as qa`: aliases of two letters or
    fewer of a dashboard module or name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dashboard"):
            names = node.names
        elif isinstance(node, ast.Import):
            names = [a for a in node.names if a.name.startswith("dashboard")]
        else:
            continue
        found += [f"{a.name} as {a.asname}" for a in names if a.asname and len(a.asname) <= 2]
    return found


def test_no_cryptic_aliases_of_dashboard_modules() -> None:
    paths = [*modules(), *sorted((ROOT / "tests").glob("*.py"))]
    paths += [*sorted((ROOT / "scripts").glob("*.py")), *sorted((ROOT / "benchmarks").glob("*.py"))]
    found = {p.relative_to(ROOT).as_posix(): dashboard_aliases(p) for p in paths}
    assert not {p: a for p, a in found.items() if a}


def test_the_alias_check_sees_a_cryptic_alias(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from dashboard.common import queries_harm as qh\n"
        "import dashboard.common.filters as f\n"
        "from dashboard.common import selection as selection_rules\n"
    )
    assert dashboard_aliases(probe) == [
        "queries_harm as qh",
        "dashboard.common.filters as f",
    ]


@pytest.mark.parametrize("folder", PAGES)
def test_a_page_folder_is_imported_only_by_its_own_page(folder: str) -> None:
    """A module two pages use belongs in dashboard/common/, not in one page's folder."""
    prefix = f"dashboard.{folder}"
    outside = []
    for path in modules():
        if path.is_relative_to(DASHBOARD / folder):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix):
                outside.append(f"{path.relative_to(ROOT)}: from {node.module}")
            elif isinstance(node, ast.Import):
                outside += [
                    f"{path.relative_to(ROOT)}: import {a.name}"
                    for a in node.names
                    if a.name.startswith(prefix)
                ]
    assert not outside, outside
