"""Security: secrets come only from the environment and are never logged or stored; the dashboard
opens the warehouse read-only and never builds SQL text from its parameters.

(Hostile query parameters against the rendered pages are in the dashboard tests, issue 6.)
"""

from __future__ import annotations

import ast
import json
import logging
import re
from pathlib import Path

import duckdb
import pytest
from refresh_kit import REPO_ROOT, query, run_refresh, test_client_factory

from etl.sources import openfda

DASHBOARD = REPO_ROOT / "dashboard"

SECRET = "kw-test-Secr3t/Key+42=="  # URL-special characters: the encoded form must not leak either
HOSTILE = "'; DROP TABLE observations; --"


# -- secrets -----------------------------------------------------------------------------------


def openfda_on(server, monkeypatch: pytest.MonkeyPatch) -> openfda.OpenFda:
    """The real openFDA source, pointed at the local server, without real waits."""
    source = openfda.OpenFda(
        limiter_factory=lambda keyed: openfda.RateLimiter(per_day=10_000, sleep=lambda _s: None)
    )
    source.endpoint = server.url("/drug/event.json")
    return source


def everything_written(data_dir: Path) -> str:
    """Every text file under the data folder (raw snapshots, .meta.json, logs)."""
    parts = []
    for path in data_dir.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("outcome", ["fetch_fails", "fetch_succeeds"])
def test_openfda_key_comes_from_the_environment_and_is_never_logged_or_stored(
    outcome: str, local_server, monkeypatch, caplog, tmp_path
) -> None:
    monkeypatch.setenv(openfda.KEY_ENV, SECRET)
    empty = {"meta": {"results": {"total": 0}}, "results": []}
    if outcome == "fetch_fails":
        local_server.routes["/drug/event.json"] = (503, {"Retry-After": "1"}, b"busy")
    else:
        local_server.routes["/drug/event.json"] = [
            (503, {}, b"busy"),
            (200, {"Content-Type": "application/json"}, json.dumps(empty)),
        ]
    source = openfda_on(local_server, monkeypatch)
    data_dir = tmp_path / "data"
    caplog.set_level(logging.DEBUG)
    run = run_refresh(
        data_dir,
        mode="online",
        selected=["openfda"],
        client_factory=test_client_factory(),
        sources=(source,),
    )
    [result] = run.results
    # the key did reach the server, so it came from the environment ...
    assert local_server.requests, "no request was made"
    assert all("api_key=" in r.path for r in local_server.requests)
    # ... and it is nowhere we write: log records, messages, the warehouse, the raw store
    assert "GET http://127.0.0.1" in caplog.text  # the request lines were logged
    assert "REDACTED" in caplog.text
    written = [
        caplog.text,
        result.message,
        repr(run),
        everything_written(data_dir),
        *(str(row) for row in query(data_dir / "warehouse.duckdb", "SELECT * FROM runs")),
        *(str(row) for row in query(data_dir / "warehouse.duckdb", "SELECT * FROM sources")),
    ]
    for text in written:
        for form in (SECRET, "Secr3t", "Secr3t%2FKey"):
            assert form not in text
    if outcome == "fetch_fails":
        assert result.status in ("empty", "fallback", "failed")
        assert "HTTP 503" in result.message


def test_without_the_environment_variable_no_key_is_sent(local_server, monkeypatch, tmp_path):
    monkeypatch.delenv(openfda.KEY_ENV, raising=False)
    local_server.routes["/drug/event.json"] = (503, {}, b"busy")
    source = openfda_on(local_server, monkeypatch)
    run_refresh(
        tmp_path / "data",
        mode="online",
        selected=["openfda"],
        client_factory=test_client_factory(max_attempts=1),
        sources=(source,),
    )
    assert local_server.requests
    assert not any("api_key" in r.path for r in local_server.requests)


def test_no_secret_in_committed_config():
    """Keys are read from the environment only: none is written into the repo's config."""
    for name in ("pyproject.toml", "Makefile", ".env", "deploy"):
        path = REPO_ROOT / name
        files = [path] if path.is_file() else list(path.rglob("*")) if path.is_dir() else []
        for file in files:
            if file.is_file():
                text = file.read_text(errors="replace")
                assert not re.search(r"(?i)api_key\s*=\s*(?!REDACTED)\w", text), file


# -- the dashboard's connection is read-only ---------------------------------------------------


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    from bad_inputs.cases import baseline_files
    from refresh_kit import write_mirror

    mirror = write_mirror(tmp_path / "mirror", baseline_files())
    run_refresh(data_dir, mode="mirror", mirror=str(mirror), selected=["nflis", "milestones"])
    db = data_dir / "warehouse.duckdb"
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(db))
    return db


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE observations",
        "DELETE FROM observations",
        "INSERT INTO runs (run_id) VALUES ('x')",
        "CREATE TABLE evil AS SELECT 1",
        "UPDATE sources SET status = 'ok'",
    ],
)
def test_dashboard_connection_refuses_writes(warehouse: Path, statement: str) -> None:
    from dashboard.common import queries

    before = query(warehouse, "SELECT count(*) FROM observations")
    con = queries.connect()
    try:
        with pytest.raises(duckdb.Error, match=r"(?i)read.only"):
            con.execute(statement)
    finally:
        con.close()
    assert query(warehouse, "SELECT count(*) FROM observations") == before


def test_hostile_parameters_are_values_not_sql(warehouse: Path) -> None:
    from dashboard.common import queries

    frame = queries.run_query("SELECT count(*) AS n FROM observations WHERE source = ?", (HOSTILE,))
    assert int(frame["n"].iloc[0]) == 0
    with pytest.raises(KeyError):
        queries.whole_table('observations"; DROP TABLE observations; --')
    assert query(warehouse, "SELECT count(*) FROM observations")[0][0] > 0


# -- no SQL text built from function parameters (AST check) -------------------------------------

SQL_WORDS = ("select ", "insert ", "update ", "delete ", "drop ", "create ", " from ", " where ")
# Functions allowed to put a parameter into SQL text, each with the check that makes it safe
# (and a test above or in the dashboard tests exercising that check with hostile input).
ALLOWED = {
    ("common/connection.py", "whole_table"): "name checked against the warehouse's catalog first",
}
RUNS_SQL = re.compile(r"run_query\(|\.execute\(|\.sql\(")


def query_modules() -> list[Path]:
    """Every queries*.py, and any other dashboard module that runs SQL itself (the connection).
    Page prose is not scanned: its f-strings say "from" and "where" in English."""
    files = {p for p in DASHBOARD.rglob("*.py") if RUNS_SQL.search(p.read_text())}
    files |= set(DASHBOARD.rglob("queries*.py"))
    assert DASHBOARD / "common" / "connection.py" in files, "the connection runs SQL: scan it"
    return sorted(files)


def tainted_names(func: ast.FunctionDef) -> set[str]:
    """The function's parameters and every local name computed from them (to a fixpoint)."""
    args = func.args
    tainted = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    tainted |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    changed = True
    while changed:
        changed = False
        for node in ast.walk(func):
            targets, value = [], None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            elif isinstance(node, ast.For | ast.comprehension):
                targets, value = [node.target], node.iter
            if value is None or not (names_in(value) & tainted):
                continue
            for target in targets:
                new = names_in(target) - tainted
                if new:
                    tainted |= new
                    changed = True
    return tainted


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def constant_text(node: ast.AST) -> str:
    return " ".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ).lower()


def built_sql(func: ast.FunctionDef) -> list[tuple[int, str]]:
    """(line, kind) of SQL-looking text formatted with a tainted value inside `func`."""
    tainted = tainted_names(func)
    found = []
    for node in ast.walk(func):
        pieces: list[ast.AST] = []
        kind = ""
        if isinstance(node, ast.JoinedStr):
            pieces = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            kind = "f-string"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            pieces, kind = [*node.args, *(k.value for k in node.keywords)], ".format()"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            pieces, kind = [node.left, node.right], "% or +"
        if not pieces or not any(w in f" {constant_text(node)} " for w in SQL_WORDS):
            continue
        if any(names_in(piece) & tainted for piece in pieces):
            found.append((node.lineno, kind))
    return found


def test_the_ast_check_catches_sql_built_from_a_parameter():
    bad = ast.parse(
        "def q(source):\n"
        "    where = 'source = ' + repr(source)\n"
        "    return run_query(f'SELECT * FROM observations WHERE {where}')\n"
    ).body[0]
    good = ast.parse(
        "def q(source):\n"
        "    table = 'observations'\n"
        "    return run_query(f'SELECT * FROM {table} WHERE source = ?', (source,))\n"
    ).body[0]
    assert isinstance(bad, ast.FunctionDef) and isinstance(good, ast.FunctionDef)
    assert built_sql(bad)
    assert not built_sql(good)


@pytest.mark.parametrize("path", query_modules(), ids=lambda p: p.relative_to(DASHBOARD).as_posix())
def test_queries_never_format_sql_from_parameters(path: Path) -> None:
    tree = ast.parse(path.read_text())
    name = path.relative_to(DASHBOARD).as_posix()
    problems = []
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            if (name, func.name) in ALLOWED:
                continue
            problems += [f"{name}:{line} {func.name}: {kind}" for line, kind in built_sql(func)]
    assert not problems, "SQL text built from parameters:\n" + "\n".join(problems)


def test_dashboard_imports_nothing_from_etl() -> None:
    for path in (REPO_ROOT / "dashboard").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("etl"), f"{path} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("etl") for a in node.names), path


def test_dashboard_opens_duckdb_read_only_everywhere() -> None:
    """Every duckdb.connect( in dashboard/ either passes read_only=True or opens an in-memory
    database (":memory:", no file); every ATTACH in dashboard/ attaches READ_ONLY, and a
    module that attaches a file also locks the connection away from other files."""
    calls = attaches = 0
    for path in (REPO_ROOT / "dashboard").rglob("*.py"):
        tree = ast.parse(path.read_text())
        texts = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        for text in texts:
            if re.match(r"(?is)\s*ATTACH\b", text):
                attaches += 1
                assert re.search(r"(?i)\(\s*READ_ONLY\s*\)", text), f"{path}: {text!r}"
                assert any("enable_external_access = false" in t for t in texts), path
                assert any("lock_configuration = true" in t for t in texts), path
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "duckdb"
            ):
                calls += 1
                flags = {k.arg: k.value for k in node.keywords}
                database = node.args[0] if node.args else flags.get("database")
                if isinstance(database, ast.Constant) and database.value == ":memory:":
                    continue
                assert "read_only" in flags, f"{path}:{node.lineno} connects without read_only"
                value = flags["read_only"]
                assert isinstance(value, ast.Constant) and value.value is True, path
    assert calls >= 1


def test_dashboard_connection_reads_no_other_file(warehouse: Path, tmp_path: Path) -> None:
    """The dashboard's connection reads the warehouse and nothing else on disk."""
    from dashboard.common import queries

    other = tmp_path / "other.csv"
    other.write_text("a\n1\n")
    con = queries.connect()
    try:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 0
        for statement in (
            "SELECT * FROM read_csv(?)",
            "ATTACH ? AS other",
        ):
            with pytest.raises(duckdb.Error, match=r"(?i)disabled|permission"):
                con.execute(statement, [str(other)])
        with pytest.raises(duckdb.Error, match=r"(?i)configuration"):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()
