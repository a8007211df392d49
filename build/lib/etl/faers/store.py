"""The FAERS store: what de-duplication and the counts need across every quarter loaded so far.

A refresh that brings one new quarter reads only that quarter's files and merges it into these
tables; nothing here is re-read from older quarters. The tables (all prefixed `faers_state_`):

- `quarters`: one row per quarter merged: its label, layout, origin file, `identity` (the zip's
  size, or its folder's total size: a republished quarter of another size is a changed quarter),
  DEMO rows, deleted-case lists, and the load's warnings.
- `cases`: one row per case (`case_key` = caseid, or primaryid when there is none): the kept
  version's primaryid, caseversion, fda_date, file quarter and layout, and over all its loaded
  versions the first-received date, the first file quarter and the number of versions. Merging
  a quarter is associative (max of the ranking key, min of dates, sum of counts), so loading the
  quarters in any order, at once or one by one, gives the same rows.
- `deleted`: every case id on FDA's deleted-case lists seen so far (applied to later quarters too).
- `pts`: each kept report's distinct reactions (MedDRA PT), for every drug, and `pt_counts`: kept
  reports per reaction, the background of the disproportionality counts. When a later version
  supersedes a report, or FDA deletes its case, its rows go and its reactions are subtracted, so
  "kept reports per reaction" is corrected without re-reading the old quarter.
- `comparators`: the active-comparator groups each kept report belongs to (a group drug as
  suspect, no ketamine or esketamine as suspect: etl/faers/comparators.py), removed likewise.
- `roles`, `match`, `rows_<kind>`: for the kept reports that mention ketamine or esketamine, their
  strongest role per ingredient, their matched drug rows, and every row of every table.

Where the store lives: `faers.duckdb` beside the warehouse being built (`store_path`), or, when
the load runs on an in-memory database (`parse`, tests), TEMP tables on that same connection that
disappear with it. The dashboard never reads the store: the published warehouse gets only the
small tables derived from it (see etl/faers/load.py), so a publish does not copy FAERS.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.faers.read import COLUMNS

STORE_NAME = "faers.duckdb"
PREFIX = "faers_state_"
ROWS_EXTRA = "quarter VARCHAR, layout VARCHAR"

SCHEMA: dict[str, str] = {
    "quarters": (
        "quarter VARCHAR, layout VARCHAR, origin VARCHAR, identity VARCHAR, demo_rows BIGINT, "
        "deleted_lists INTEGER, notes VARCHAR[]"
    ),
    "cases": (
        "case_key BIGINT, primaryid BIGINT, caseid BIGINT, caseversion INTEGER, quarter VARCHAR, "
        "layout VARCHAR, fda_date DATE, first_received DATE, first_file_quarter VARCHAR, "
        "versions_loaded BIGINT, received_quarter VARCHAR"
    ),
    "deleted": "caseid BIGINT",
    "pts": "primaryid BIGINT, quarter VARCHAR, pt VARCHAR",
    "pt_counts": "pt VARCHAR, reports BIGINT",
    "comparators": "primaryid BIGINT, quarter VARCHAR, comparator VARCHAR",
    "roles": "primaryid BIGINT, quarter VARCHAR, ingredient VARCHAR, role_cod VARCHAR",
    "match": (
        "primaryid BIGINT, quarter VARCHAR, drug_seq BIGINT, role_cod VARCHAR, "
        "ingredient VARCHAR, matched_on VARCHAR"
    ),
    **{
        f"rows_{kind}": ", ".join(f"{c} {t}" for c, (_, t) in cols.items()) + ", " + ROWS_EXTRA
        for kind, cols in COLUMNS.items()
    },
}
# Rows that belong to one kept report, removed when the report is superseded or deleted.
PER_REPORT = tuple(
    name for name in SCHEMA if name not in ("quarters", "cases", "deleted", "pt_counts")
)


def table(name: str) -> str:
    return PREFIX + name


def store_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """`faers.duckdb` beside the file `con` writes to; None for an in-memory database."""
    [(path,)] = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not path or path == ":memory:":
        return None
    return Path(path).parent / STORE_NAME


def create_state(con: duckdb.DuckDBPyConnection, temp: bool) -> None:
    scope = "TEMP " if temp else ""
    for name, columns in SCHEMA.items():
        con.execute(f"CREATE {scope}TABLE IF NOT EXISTS {table(name)} ({columns})")


def drop_state(con: duckdb.DuckDBPyConnection) -> None:
    for name in SCHEMA:
        con.execute(f"DROP TABLE IF EXISTS {table(name)}")


def held_quarters(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Quarter label -> identity of every quarter merged into the store."""
    rows = con.execute(f"SELECT quarter, identity FROM {table('quarters')}").fetchall()
    return dict(rows)


def identity(path: Path) -> str:
    """What tells a republished quarter from the one held: the zip's size in bytes, or the total
    size of a folder's files (reading 60 GB of zips to hash them on every refresh would cost
    more than the load it saves; stored raw copies already carry their digest in their name)."""
    if path.is_dir():
        return f"dir:{sum(p.stat().st_size for p in path.rglob('*') if p.is_file())}"
    return f"zip:{path.stat().st_size}"


def remove_reports(con: duckdb.DuckDBPyConnection, gone: str) -> None:
    """Delete the per-report rows of the reports listed in table `gone(primaryid, quarter)`, and
    subtract their reactions from `pt_counts`."""
    for name in PER_REPORT:
        returning = " RETURNING t.pt" if name == "pts" else ""
        result = con.execute(
            f"DELETE FROM {table(name)} t USING {gone} g "
            f"WHERE t.primaryid = g.primaryid AND t.quarter = g.quarter{returning}"
        )
        if returning:
            con.register("faers_removed_pts", result.df())
            try:
                add_pt_counts(con, "faers_removed_pts", sign=-1)
            finally:
                con.unregister("faers_removed_pts")


def add_pt_counts(con: duckdb.DuckDBPyConnection, rows: str, sign: int) -> None:
    """Add (sign 1) or subtract (sign -1) one report per row of table `rows` (its `pt` column)
    to `pt_counts`; a reaction left with no report is dropped."""
    counts = table("pt_counts")
    con.execute(f"CREATE OR REPLACE TEMP TABLE faers_pt_delta AS "
                f"SELECT pt, {sign} * count(*) AS n FROM {rows} GROUP BY pt")  # fmt: skip
    con.execute(f"UPDATE {counts} c SET reports = c.reports + d.n FROM faers_pt_delta d "
                "WHERE c.pt = d.pt")  # fmt: skip
    con.execute(f"INSERT INTO {counts} SELECT pt, n FROM faers_pt_delta "
                f"WHERE pt NOT IN (SELECT pt FROM {counts})")  # fmt: skip
    con.execute(f"DELETE FROM {counts} WHERE reports = 0")
    con.execute("DROP TABLE faers_pt_delta")
