"""Compare two warehouses table by table: rows in one and not the other, both ways (EXCEPT ALL).

For checking that a refactor of the refresh leaves what it builds unchanged: build a warehouse
before and after the change from the same inputs, then

    python scripts/compare_warehouses.py BEFORE.duckdb AFTER.duckdb

Columns that hold times or run ids differ between any two runs and are left out of the
comparison (see IGNORED; add more with --ignore). `--replace OLD=NEW` rewrites text in the
second warehouse's strings before comparing (the data folder's path, when a run message names a
file under it). Exits 1 when a table is missing on one side, has other columns, or differs.

Caveat: EXCEPT ALL compares NULL as equal to NULL and counts duplicates, which is what a
faithful rebuild needs; floating-point values must be bit-for-bit equal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# Times and run ids: `sources.last_refresh/last_success`, `runs.started/finished/run_id`,
# `revisions.run_id`, `retrieved_at` in sources and source_files.
IGNORED = frozenset(
    {"started", "finished", "last_refresh", "last_success", "retrieved_at", "run_id"}
)


def table_columns(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_catalog = ? AND table_schema = 'main' ORDER BY table_name, ordinal_position",
        [schema],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def selection(
    schema: str, table: str, columns: list[str], types: dict[str, str], replace: list[tuple]
) -> str:
    """SELECT of the compared columns; strings of `schema` rewritten by `replace`."""
    parts = []
    for column in columns:
        expr = quoted(column)
        if replace and types.get(column) == "VARCHAR":
            for old, new in replace:
                expr = f"replace({expr}, {sql_text(old)}, {sql_text(new)})"
        parts.append(f"{expr} AS {quoted(column)}")
    return f"SELECT {', '.join(parts)} FROM {schema}.main.{quoted(table)}"


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def column_types(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_catalog = ? AND table_schema = 'main' AND table_name = ?",
        [schema, table],
    ).fetchall()
    return dict(rows)


def compare(
    before: Path,
    after: Path,
    ignored: frozenset[str] = IGNORED,
    replace: list[tuple[str, str]] | None = None,
) -> list[str]:
    """One line per table (`same` or what differs); a line starting `DIFF` is a difference."""
    con = duckdb.connect()
    con.execute(f"ATTACH {sql_text(str(before))} AS a (READ_ONLY)")
    con.execute(f"ATTACH {sql_text(str(after))} AS b (READ_ONLY)")
    left, right = table_columns(con, "a"), table_columns(con, "b")
    lines = []
    for table in sorted(set(left) | set(right)):
        if table not in left or table not in right:
            lines.append(f"DIFF {table}: only in {'before' if table in left else 'after'}")
            continue
        if left[table] != right[table]:
            lines.append(f"DIFF {table}: columns {left[table]} != {right[table]}")
            continue
        columns = [c for c in left[table] if c not in ignored]
        a_sql = selection("a", table, columns, column_types(con, "a", table), [])
        b_sql = selection("b", table, columns, column_types(con, "b", table), replace or [])
        only_a = con.execute(f"SELECT count(*) FROM ({a_sql} EXCEPT ALL {b_sql})").fetchone()[0]
        only_b = con.execute(f"SELECT count(*) FROM ({b_sql} EXCEPT ALL {a_sql})").fetchone()[0]
        rows = con.execute(f"SELECT count(*) FROM a.main.{quoted(table)}").fetchone()[0]
        left_out = sorted(set(left[table]) - set(columns))
        if only_a or only_b:
            lines.append(f"DIFF {table}: {only_a} rows only before, {only_b} only after")
        else:
            lines.append(
                f"same {table}: {rows} rows"
                + (f" (not compared: {', '.join(left_out)})" if left_out else "")
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore", action="append", default=[], help="another column to skip")
    parser.add_argument(
        "--replace", action="append", default=[], help="OLD=NEW text rewritten in AFTER's strings"
    )
    args = parser.parse_args(argv)
    replace = [tuple(item.split("=", 1)) for item in args.replace]
    lines = compare(args.before, args.after, IGNORED | set(args.ignore), replace)
    print("\n".join(lines))
    return 1 if any(line.startswith("DIFF") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
