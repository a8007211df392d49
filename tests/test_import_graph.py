"""The modules of etl/ import each other in one direction: the import graph has no circle.

Every import counts, wherever it is written: at the top, inside a function (a lazy import), or
under `if TYPE_CHECKING:`. A lazy import hides a circle from Python but not from a reader, so it
is a circle here. Edges are read from the source with `ast`, never by importing it.

A package's own `__init__` is not counted as imported by its submodules (Python loads it first,
whatever the submodule imports), so `etl.sources` listing its sources is not a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_in(package: Path) -> dict[str, Path]:
    root = package.parent
    return {module_name(p, root): p for p in sorted(package.rglob("*.py"))}


def resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of `name` in the package (`etl.a.b.Thing` -> `etl.a.b`), else None."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imported(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of the package that `module` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up `level - 1` more
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            # `from etl import snapshots` imports the submodule etl.snapshots; `from etl.x
            # import Thing` resolves to etl.x
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = resolve(name, known)
            if target and target != module:
                found.add(target)
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    known = modules_in(package)
    return {name: imported(name, path, known) for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle as [a, b, ..., a], or None (depth-first search, colouring nodes)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_etl_has_no_import_cycle() -> None:
    graph = import_graph(ROOT / "etl")
    assert len(graph) > 30, "the etl package was not found where expected"
    assert "etl.options" in graph["etl.fetch"]  # edges are really read
    cycle = find_cycle(graph)
    assert cycle is None, "import circle in etl/: " + " -> ".join(cycle or [])


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_lazy_or_type_checking_import_is_a_circle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write(pkg / "__init__.py", "")
    write(pkg / "a.py", "from pkg.b import run\n")
    write(pkg / "b.py", "def run():\n    from pkg import c\n")
    write(
        pkg / "c.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import Options\n",
    )
    graph = import_graph(pkg)
    assert graph["pkg.b"] == {"pkg.c"}
    assert graph["pkg.c"] == {"pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]


def test_a_package_listing_its_modules_is_not_a_circle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write(pkg / "__init__.py", "")
    write(pkg / "sources" / "__init__.py", "from pkg.sources import one\nfrom . import two\n")
    write(pkg / "sources" / "one.py", "import pkg.base\n")
    write(pkg / "sources" / "two.py", "from pkg.base import Thing\n")
    write(pkg / "base.py", "Thing = 1\n")
    graph = import_graph(pkg)
    assert graph["pkg.sources"] == {"pkg.sources.one", "pkg.sources.two"}
    assert graph["pkg.sources.two"] == {"pkg.base"}
    assert find_cycle(graph) is None
