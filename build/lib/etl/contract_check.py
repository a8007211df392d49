"""The ETL's side of the named contract (`warehouse_contract`): before a staged warehouse is
published, every table the dashboard reads that is present must have every column the dashboard
names. A refresh that renamed or dropped such a column would publish a warehouse the dashboard
cannot read; it is refused instead, naming the table and the columns, and the last good warehouse
stays. A table that is absent is not a breach: its source has not loaded yet (the dashboard says
so), which the source's own status already reports.
"""

from __future__ import annotations

import duckdb

import warehouse_contract


def contract_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per contracted table that lacks a column the dashboard reads."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = current_schema()"
    ).fetchall()
    present: dict[str, set[str]] = {}
    for table, column in rows:
        present.setdefault(table, set()).add(column)
    problems = []
    for table, wanted in warehouse_contract.COLUMNS.items():
        if table not in present:
            continue
        missing = [c for c in wanted if c not in present[table]]
        if missing:
            problems.append(
                f"table {table} lacks the column(s) the dashboard reads: {', '.join(missing)}"
            )
    return problems
