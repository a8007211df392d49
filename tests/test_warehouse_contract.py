"""The ETL-dashboard contract (warehouse_contract/) holds: every table, column, source, domain,
indicator and indicator family it names exists in the warehouses the ETL builds (seed and mirror;
the live-only ones in a warehouse loaded from the live sources' fixtures), and the dashboard spells
no ETL name outside it (no literal, no f-string-built id, no quoted id inside SQL)."""

from __future__ import annotations

import ast
import contextlib
import re
from pathlib import Path

import duckdb
import pytest

import warehouse_contract as wc

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"

# Shape of an indicator id or a source's detail table: a source id's stem, then more words.
ETL_SHAPED = re.compile(
    r"^(faers|openfda|cms_partd|nflis|ons_drug|euda|clinicaltrials|literature|drug_labels"
    r"|wastewater_sites|source_files)(_[a-z0-9_]*)?$"
)
# Single-word names that are also ordinary column or display keys in the dashboard ("claims",
# "trials", "events" ...): flagged only when quoted inside SQL text, not as bare literals.
PLAIN_WORDS = {n for n in (*wc.TABLES, *wc.SOURCE_IDS) if "_" not in n}
SQL_QUOTED = re.compile(r"'([a-z][a-z0-9_]*)'")
SQL_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+\"?([a-z_][a-z0-9_]*)\"?")
SQL_CTE = re.compile(r"(?:WITH|,)\s*([a-z_][a-z0-9_]*)\s+AS\s*\(", re.IGNORECASE)
# The catalog views the dashboard reads (not tables the ETL writes).
CATALOG = {"information_schema"}


def catalog(path: Path) -> tuple[dict[str, set[str]], set[str], set[str], set[str], set[str]]:
    """(table -> columns, indicator ids, source ids, domains, event categories) of a warehouse."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns: dict[str, set[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'main'"
        ).fetchall():
            columns.setdefault(table, set()).add(column)
        ids = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM observations").fetchall()}
        sources = {r[0] for r in con.execute("SELECT id FROM sources").fetchall()}
        domains = {r[0] for r in con.execute("SELECT DISTINCT domain FROM indicators").fetchall()}
        categories = {r[0] for r in con.execute("SELECT DISTINCT category FROM events").fetchall()}
    finally:
        con.close()
    return columns, ids, sources, domains, categories


BUILDS = ("seed", "real")  # the offline seed build; the build from the shared mirror


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest, seed_warehouse: Path) -> dict[str, tuple]:
    """The catalogues of the seed build and, when the publishers' files are here, of the mirror
    build (the per-build tests below skip the mirror with its reason when they are not)."""
    out = {"seed": catalog(seed_warehouse)}
    # Without the publishers' files, test_every_table_and_column_exists[real] reports the skip.
    with contextlib.suppress(pytest.skip.Exception):
        out["real"] = catalog(request.getfixturevalue("real_warehouse"))
    return out


@pytest.fixture(scope="module")
def mirror_only_loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The sources whose names the seed cannot hold (UNODC: not bundled), loaded from their
    fixture folders as a mirror, so a clean clone checks their names too."""
    from bad_inputs.generic import fixture_folder_files
    from refresh_kit import run_refresh, write_mirror

    from etl.sources import SOURCES

    ids = [s.meta.id for s in SOURCES]
    owners = sorted(i for i in ids if any(n.startswith(i + "_") for n in wc.NOT_IN_SEED))
    assert owners, "no registered source owns the names the seed cannot hold"
    root = tmp_path_factory.mktemp("mirror_only")
    mirror = write_mirror(root / "mirror", {sid: fixture_folder_files(sid) for sid in owners})
    run = run_refresh(root / "data", mode="mirror", mirror=str(mirror), selected=owners)
    assert all(r.status == "ok" for r in run.results), run.results
    return catalog(root / "data" / "warehouse.duckdb")


@pytest.fixture(scope="module")
def fixtures_loaded(hostile_warehouse: Path) -> tuple:
    """The seed plus the live-only sources loaded from their hand-made fixtures (text fields are
    mangled there, names and columns are not)."""
    return catalog(hostile_warehouse)


@pytest.mark.parametrize("build", BUILDS)
def test_every_table_and_column_exists(request: pytest.FixtureRequest, build: str) -> None:
    tables = catalog(request.getfixturevalue(f"{build}_warehouse"))[0]  # real: skips if absent
    missing = [
        f"{table}{'' if table not in tables else '.' + ','.join(sorted(gap))}"
        for table, wanted in wc.COLUMNS.items()
        if table not in wc.LIVE_ONLY
        and not (build == "seed" and table in wc.NOT_IN_SEED)
        and (table not in tables or (gap := set(wanted) - tables[table]))
    ]
    assert not missing, missing


def test_live_only_tables_and_columns_exist_when_their_sources_load(
    fixtures_loaded: tuple, built: dict[str, tuple]
) -> None:
    tables = fixtures_loaded[0]
    live_tables = [t for t in wc.TABLES if t in wc.LIVE_ONLY]
    assert live_tables
    missing = {t: set(wc.COLUMNS[t]) - tables.get(t, set()) for t in live_tables}
    assert not {t: gap for t, gap in missing.items() if gap}, missing
    # Marked live-only because they really are absent offline and from the shared mirror; a
    # table that starts loading there should lose its mark.
    loaded_anyway = [t for t in live_tables for name, c in built.items() if t in c[0]]
    assert not loaded_anyway, loaded_anyway


def test_every_indicator_and_family_appears(
    built: dict[str, tuple], fixtures_loaded: tuple, mirror_only_loaded: tuple
) -> None:
    seen = set().union(*(c[1] for c in built.values()))
    # Names only a mirror or online load has (UNODC) are checked against the fixture build, and
    # against the mirror build where the publishers' files are here.
    mirror_only = set(wc.NOT_IN_SEED) if "real" not in built else set()
    allowed = set(wc.LIVE_ONLY) | mirror_only
    absent = [i for i in wc.INDICATOR_IDS if i not in seen and i not in allowed]
    assert not absent, absent
    not_in_seed = {i for i in wc.INDICATOR_IDS if i in wc.NOT_IN_SEED}
    assert not_in_seed <= mirror_only_loaded[1], not_in_seed - mirror_only_loaded[1]
    no_members = [p for p in wc.INDICATOR_FAMILIES if not any(i.startswith(p) for i in seen)]
    assert not no_members, no_members
    live = [i for i in wc.INDICATOR_IDS if i in wc.LIVE_ONLY]
    assert set(live) <= fixtures_loaded[1], set(live) - fixtures_loaded[1]
    assert not set(live) & seen, "marked live-only but loaded offline: " + str(set(live) & seen)


def test_sources_domains_and_categories_exist(built: dict[str, tuple]) -> None:
    for name, (_, _, sources, domains, categories) in built.items():
        assert set(wc.SOURCE_IDS) <= sources, (name, set(wc.SOURCE_IDS) - sources)
        assert set(wc.DOMAINS) <= domains, (name, set(wc.DOMAINS) - domains)
        assert wc.APPROVAL in categories, name


def test_live_only_reasons_name_known_names() -> None:
    known = {*wc.TABLES, *wc.INDICATOR_IDS}
    assert set(wc.LIVE_ONLY) <= known, set(wc.LIVE_ONLY) - known
    assert all(len(why) > 20 for why in wc.LIVE_ONLY.values())


# ---- the dashboard spells no ETL name outside the contract --------------------------------------


def _keyword_values(tree: ast.AST) -> set[int]:
    """ids of string nodes passed as `key=` (widget keys are the dashboard's own names)."""
    return {
        id(kw.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "key"
    }


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def etl_names_in(source: str) -> list[str]:
    """ETL-shaped names spelled in one module's code: string literals, the literal head of an
    f-string, and names quoted inside SQL text."""
    tree = ast.parse(source)
    skip = _keyword_values(tree) | _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in skip:
            found += f_string_head(node)
            skip.update(id(part) for part in node.values)
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            found += [f"line {node.lineno}: {name}" for name in names_in_text(node.value)]
    return found


def f_string_head(node: ast.JoinedStr) -> list[str]:
    head = node.values[0] if node.values else None
    if isinstance(head, ast.Constant) and ETL_SHAPED.match(str(head.value)):
        return [f"line {node.lineno}: f-string {head.value!r}..."]
    return []


def names_in_text(text: str) -> list[str]:
    """The ETL names one string literal spells: itself, or names quoted in its SQL."""
    names = {*wc.TABLES, *wc.SOURCE_IDS, *wc.INDICATOR_IDS, *wc.INDICATOR_FAMILIES}
    columns = set().union(*wc.COLUMNS.values()) - names  # e.g. claims.faers_terms
    if text in columns:
        return []
    found = []
    if (text in names and text not in PLAIN_WORDS) or ETL_SHAPED.match(text):
        found.append(repr(text))
    found += [
        f"'{quoted}' in SQL"
        for quoted in SQL_QUOTED.findall(text)
        if quoted in names or ETL_SHAPED.match(quoted)
    ]
    return found


def test_scan_catches_what_it_should() -> None:
    # The scan itself must be able to fail: each of these is an ETL name spelled in place.
    assert etl_names_in('x = "cms_partd_claims_spravato"')
    assert etl_names_in('x = f"openfda_{d}_reports"')
    assert etl_names_in("x = \"SELECT * FROM o WHERE o.source = 'literature'\"")
    assert etl_names_in('has_table("faers_cases")')
    assert not etl_names_in('st.toggle("Log", key="nflis_log")')
    assert not etl_names_in('x = {"trials": "Registered studies"}')


def test_dashboard_names_etl_ids_only_through_the_contract() -> None:
    found = {
        str(path.relative_to(DASHBOARD.parent)): hits
        for path in sorted(DASHBOARD.rglob("*.py"))
        if (hits := etl_names_in(path.read_text()))
    }
    assert not found, found


def test_every_table_the_dashboard_sql_reads_is_in_the_contract() -> None:
    read: dict[str, set[str]] = {}
    for path in sorted(DASHBOARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                ctes = {c.lower() for c in SQL_CTE.findall(text)}
                for table in SQL_TABLE.findall(text):
                    if table.lower() not in ctes | CATALOG:
                        read.setdefault(table, set()).add(path.name)
    # CTE names defined in another string of the same module (a query built from parts).
    ctes_elsewhere = {"picked", "series", "rows", "s", "terms", "totals", "codes", "ranked"}
    unknown = {t: files for t, files in read.items() if t not in {*wc.TABLES, *ctes_elsewhere}}
    assert not unknown, unknown
