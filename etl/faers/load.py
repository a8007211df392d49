"""The FAERS load recipe: locate -> read -> merge into the store -> derive the published tables.

Everything runs as SQL on DuckDB; no Python loop touches rows. Quarters are merged one at a time
into the FAERS store (etl/faers/store.py), each in its own transaction, so an interrupted load
keeps the quarters it finished and the next run goes on from there; a quarter the store already
holds (same label, same size) is not read again. A quarter's files are read at most twice and
never staged whole: DEMO's de-duplication keys, DRUG's candidate rows (names that could be
ketamine or esketamine) and REAC's reactions of the kept reports in a first pass; DRUG's suspect
rows naming an active-comparator drug (etl/faers/comparators.py) once more; then every table's
rows of the kept reports that mention ketamine or esketamine (a few hundred) in a second.

The published tables (etl/faers/outputs.py) are then derived from the store as a whole, so
loading 12 quarters at once or 8 and then 4 one by one gives the same tables.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.contract import ParseError
from etl.faers import store
from etl.faers.comparators import record_comparators
from etl.faers.dedup import DEMO_KEYS, apply_deleted, load_deleted, merge_cases
from etl.faers.integrity import ORPHANS_SQL, check_dates, create_orphans, orphan_notes
from etl.faers.locate import (
    KINDS,
    Quarter,
    expand,
    locate_quarters,
    quarter_name,
    refuse_repeated_quarters,
)
from etl.faers.match import build_matches, candidate_sql, load_synonyms
from etl.faers.outputs import TABLES, copy_outputs, create_outputs
from etl.faers.read import create_stage, run_on_file, select_sql

__all__ = ["TABLES", "load_quarters"]

SCRATCH = ("faers_latest", "faers_deleted", "faers_synonyms", "faers_name_map", "faers_drug_match",
           "faers_report_ingredient", "faers_keep", "faers_drug_candidates", "faers_new_cases",
           "faers_merged", "faers_gone", "faers_new_pts", "faers_stage_demo", "faers_orphans",
           *(f"faers_rows_{k}" for k in KINDS))  # fmt: skip
DRUG_NAMES = ("prod_ai", "drugname")
# A file's rows of the reports in faers_keep / faers_latest. An IN list, not a SEMI JOIN: DuckDB
# builds a semi join's hash table on the larger (CSV) side, all columns included.
KEPT = "WHERE s.primaryid IN (SELECT primaryid FROM faers_keep)"
LATEST = "WHERE s.primaryid IN (SELECT primaryid FROM faers_latest)"

Check = Callable[[duckdb.DuckDBPyConnection, Quarter], None]
Progress = Callable[[str, int, int], None]  # (quarter label, done, total)


@dataclass(frozen=True)
class Pending:
    """A quarter given to the load: its label and where it is, before anything is unpacked."""

    label: str
    path: Path
    identity: str


def load_quarters(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    store_file: Path | None = None,
    check: Check | None = None,
    progress: Progress | None = None,
) -> list[Quarter]:
    """Create every table in `TABLES` on `con` from the quarter zips/folders in `paths`.

    With `store_file`, quarters already in that store are not read again, and a store holding a
    quarter not in `paths` (or one of another size) is rebuilt. Without it the store is TEMP
    tables on `con`. `check(con, quarter)` runs after each quarter's merge, before its commit.
    Returns the quarters read by this call."""
    with tempfile.TemporaryDirectory(prefix="faers-") as tmp:
        pending = plan(paths, Path(tmp))
        sc = duckdb.connect(str(store_file)) if store_file else con
        try:
            store.create_state(sc, temp=store_file is None)
            held = store.held_quarters(sc)
            if stale(held, pending):
                store.drop_state(sc)
                store.create_state(sc, temp=store_file is None)
                held = {}
            todo = [pending[label] for label in sorted(pending) if label not in held]
            loaded = load_pending(sc, todo, Path(tmp), own=store_file is not None,
                                  check=check, progress=progress)  # fmt: skip
            create_outputs(sc)
            if store_file is not None:
                copy_outputs(sc, con)
        finally:
            if store_file is not None:
                sc.close()
    if store_file is None:
        store.drop_state(con)
    return loaded


def stale(held: dict[str, str], pending: dict[str, Pending]) -> bool:
    """The store holds a quarter not given now, or one whose file changed: rebuild it (a merge
    cannot be undone quarter by quarter)."""
    return any(label not in pending or pending[label].identity != ident
               for label, ident in held.items())  # fmt: skip


def plan(paths: Iterable[Path], workdir: Path) -> dict[str, Pending]:
    """Label -> quarter, from names where they tell (zips are unpacked only when loaded)."""
    found: list[Pending] = []
    for path in expand(Path(p) for p in paths):
        label = quarter_name(path.name)
        if label:
            found.append(Pending(label, path, store.identity(path)))
            continue
        for quarter in locate_quarters([path], workdir / f"plan{len(found)}"):
            found.append(Pending(quarter.label, quarter.origin, store.identity(quarter.origin)))
    refuse_repeated_quarters([(p.label, p.path) for p in found])
    return {p.label: p for p in found}


def load_pending(
    sc: duckdb.DuckDBPyConnection,
    todo: list[Pending],
    workdir: Path,
    own: bool,
    check: Check | None,
    progress: Progress | None,
) -> list[Quarter]:
    """Merge each quarter in its own transaction (when the store is its own file)."""
    loaded: list[Quarter] = []
    for i, item in enumerate(todo):
        if progress:
            progress(item.label, i, len(todo))
        unpacked = workdir / f"q_{item.label}"
        [quarter] = [q for q in locate_quarters([item.path], unpacked) if q.label == item.label]
        if own:
            sc.begin()
        try:
            merge_quarter(sc, quarter, item.identity)
            if check:
                check(sc, quarter)
            if own:
                sc.commit()
        except BaseException:
            if own:
                sc.rollback()
            raise
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
        loaded.append(quarter)
    if progress and todo:
        progress(todo[-1].label, len(todo), len(todo))
    return loaded


class Files:
    """One quarter's table files, each with its SELECT (header and encoding read once)."""

    def __init__(self, quarter: Quarter) -> None:
        self.quarter = quarter
        self._sql: dict[Path, str] = {}

    def each(self, con: duckdb.DuckDBPyConnection, kind: str, template: str) -> None:
        """Run `template` on the file of `kind` (if any), `{src}` replaced by its SELECT and
        `{quarter}` by the quarter label."""
        quarter, path = self.quarter, self.quarter.tables.get(kind)
        if path is None:
            return
        try:
            if path not in self._sql:
                self._sql[path] = select_sql(kind, path, quarter.label)
            sql = template.format(src=self._sql[path], quarter=quarter.label)
            run_on_file(con, sql, path)
        except ParseError as exc:
            raise in_origin(exc, quarter, path) from None


def merge_quarter(con: duckdb.DuckDBPyConnection, quarter: Quarter, identity: str) -> None:
    files = Files(quarter)
    first_pass(con, files)
    store.remove_reports(con, "faers_gone")
    keep_reports(con, files)
    record_comparators(con, files)
    second_pass(con, files)
    record_quarter(con, quarter, identity)
    for temp in SCRATCH:
        con.execute(f"DROP TABLE IF EXISTS {temp}")


def first_pass(con: duckdb.DuckDBPyConnection, files: Files) -> None:
    """De-duplicate (DEMO keys and deleted lists) and match (DRUG candidates)."""
    quarter = files.quarter
    create_stage(con, "faers_stage_demo", "demo", DEMO_KEYS)
    keys = ", ".join(DEMO_KEYS)
    files.each(con, "demo", f"INSERT INTO faers_stage_demo SELECT {keys}, quarter, layout "
                            "FROM ({src}) s")  # fmt: skip
    origins = {quarter.label: quarter.origin.name}
    check_dates(con, origins)
    load_deleted(con, quarter.deleted)
    apply_deleted(con)
    merge_cases(con)
    load_synonyms(con)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_drug_candidates (primaryid BIGINT, quarter VARCHAR, "
        "drug_seq BIGINT, role_cod VARCHAR, drugname VARCHAR, prod_ai VARCHAR)"
    )
    files.each(
        con,
        "drug",
        "INSERT INTO faers_drug_candidates SELECT primaryid, quarter, drug_seq, role_cod, "
        "drugname, prod_ai FROM ({src}) s WHERE " + candidate_sql(con, DRUG_NAMES),
    )
    create_orphans(con)
    for kind in ("drug", "reac"):
        files.each(con, kind, ORPHANS_SQL.replace("{kind}", kind))
    quarter.notes += orphan_notes(con, origins, quarter.label)
    build_matches(con)


def keep_reports(con: duckdb.DuckDBPyConnection, files: Files) -> None:
    """Add this quarter's kept reports to the store: reactions of every report, roles and matched
    drug rows of those that mention ketamine or esketamine (`faers_keep`)."""
    con.execute("CREATE OR REPLACE TEMP TABLE faers_new_pts "
                "(primaryid BIGINT, quarter VARCHAR, pt VARCHAR)")  # fmt: skip
    files.each(
        con,
        "reac",
        "INSERT INTO faers_new_pts SELECT DISTINCT primaryid, quarter, upper(trim(pt)) "
        f"FROM (SELECT primaryid, quarter, pt FROM ({{src}}) s {LATEST}) "
        "WHERE pt IS NOT NULL AND trim(pt) <> ''",
    )
    con.execute(f"INSERT INTO {store.table('pts')} SELECT * FROM faers_new_pts")
    store.add_pt_counts(con, "faers_new_pts", sign=1)
    con.execute(f"INSERT INTO {store.table('match')} SELECT * FROM faers_drug_match")
    con.execute(
        f"INSERT INTO {store.table('roles')} SELECT primaryid, quarter, ingredient, role_cod "
        "FROM faers_report_ingredient"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_keep AS "
        "SELECT DISTINCT primaryid FROM faers_report_ingredient"
    )


def second_pass(con: duckdb.DuckDBPyConnection, files: Files) -> None:
    """Every row, all canonical columns, of the reports in `faers_keep`, into the store."""
    for kind in KINDS:
        target = store.table(f"rows_{kind}")
        files.each(con, kind, f"INSERT INTO {target} SELECT s.* FROM ({{src}}) s {KEPT}")


def in_origin(exc: ParseError, quarter: Quarter, path: Path) -> ParseError:
    """Name the zip and member (or the folder's file) rather than a temporary extract."""
    message = str(exc).split(": ", 1)[-1] if exc.file else str(exc)
    member = quarter.members.get(path, path.name)
    if quarter.origin.is_dir():
        return ParseError(message, file=quarter.origin / member, line=exc.line)
    return ParseError(f"member {member}: {message}", file=quarter.origin, line=exc.line)


def record_quarter(con: duckdb.DuckDBPyConnection, quarter: Quarter, identity: str) -> None:
    con.execute(
        f"""
        INSERT INTO {store.table("quarters")}
        SELECT ?, (SELECT any_value(layout) FROM faers_stage_demo), ?, ?,
            (SELECT count(*) FROM faers_stage_demo), ?, ?::VARCHAR[]
        """,
        [quarter.label, quarter.origin.name, identity,
         len(quarter.deleted), quarter.notes],
    )  # fmt: skip
