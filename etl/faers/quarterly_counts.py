"""`faers_quarterly_counts`: kept reports per quarter, ingredient and role scope, built as one
statement from named steps that read in the order the data flows:

1. `loaded`: the quarters whose files are in the store;
2. `pairs` / `placed`: where each kept report is counted (its received quarter when that is
   loaded, else the next loaded quarter), worked out per (received, file) quarter pair;
3. `all_reports` / `ingredient_reports` / `counted`: the counts, for all reports and per
   ingredient and role scope (`any`, `suspect` = PS or SS, `primary_suspect` = PS);
4. `grid`: every loaded quarter x ingredient x scope, so a quarter with none says 0.

Each step is a named piece of SQL (a CTE of one statement, so DuckDB plans it as before);
`create_quarterly_counts` joins them up.
"""

from __future__ import annotations

import duckdb

from etl.faers.store import table

# Role scopes as a VALUES list, joined to each role row or crossed with each quarter.
SCOPES = "(VALUES ('any'), ('suspect'), ('primary_suspect')) scope(role_scope)"

LOADED = f"SELECT quarter FROM {table('quarters')}"

# Each kept report is counted once: in the quarter it was first received when that quarter is
# loaded, else in the first loaded quarter after it (the earliest loaded quarter takes every
# report first received before the window). The kept version's file quarter is loaded and never
# precedes first receipt, so no report is lost. Placed per (received, file) quarter pair: a few
# thousand pairs, not millions of rows.
PAIRS = """
    SELECT received_quarter, quarter AS file_quarter, count(*) AS n
    FROM faers_kept_cases GROUP BY ALL
"""
PLACED = """
    SELECT p.*, COALESCE(
            (SELECT min(q.quarter) FROM loaded q WHERE q.quarter >= p.received_quarter),
            p.file_quarter
        ) AS counted_quarter
    FROM pairs p
"""

ALL_REPORTS = """
    SELECT counted_quarter AS quarter, 'all' AS ingredient, 'any' AS role_scope,
        sum(n) AS reports,
        sum(n) FILTER (WHERE received_quarter < counted_quarter) AS received_earlier
    FROM placed GROUP BY ALL
"""
INGREDIENT_REPORTS = f"""
    SELECT p.counted_quarter AS quarter, r.ingredient, scope.role_scope, r.primaryid,
        p.received_quarter
    FROM {table("roles")} r
    JOIN faers_kept_cases k ON k.primaryid = r.primaryid AND k.quarter = r.quarter
    JOIN placed p ON p.received_quarter = k.received_quarter
        AND p.file_quarter = k.quarter
    JOIN {SCOPES}
      ON scope.role_scope = 'any'
      OR (scope.role_scope = 'suspect' AND r.role_cod IN ('PS', 'SS'))
      OR (scope.role_scope = 'primary_suspect' AND r.role_cod = 'PS')
"""
COUNTED = """
    SELECT * FROM all_reports
    UNION ALL
    SELECT quarter, ingredient, role_scope, count(DISTINCT primaryid) AS reports,
        count(DISTINCT primaryid) FILTER (WHERE received_quarter < quarter)
            AS received_earlier
    FROM ingredient_reports GROUP BY ALL
"""

GRID = f"""
    SELECT quarter, 'all' AS ingredient, 'any' AS role_scope FROM loaded
    UNION ALL
    SELECT quarter, ingredient, role_scope
    FROM loaded, (SELECT DISTINCT ingredient FROM faers_synonyms), {SCOPES}
"""
FILLED = """
    SELECT quarter, ingredient, role_scope, COALESCE(reports, 0)::BIGINT AS reports,
        COALESCE(received_earlier, 0)::BIGINT AS received_earlier
    FROM grid LEFT JOIN counted USING (quarter, ingredient, role_scope)
    ORDER BY ALL
"""

STEPS: tuple[tuple[str, str], ...] = (
    ("loaded", LOADED),
    ("pairs", PAIRS),
    ("placed", PLACED),
    ("all_reports", ALL_REPORTS),
    ("ingredient_reports", INGREDIENT_REPORTS),
    ("counted", COUNTED),
    ("grid", GRID),
)


def quarterly_counts_sql() -> str:
    """The one statement: the named steps as CTEs, then the grid filled with the counts."""
    steps = ",\n".join(f"{name} AS ({sql})" for name, sql in STEPS)
    return f"CREATE OR REPLACE TABLE faers_quarterly_counts AS\nWITH {steps}\n{FILLED}"


def create_quarterly_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Kept reports per quarter, ingredient and role scope (a full grid: zero where none).

    Needs the `faers_kept_cases` view and the `faers_synonyms` table (etl/faers/outputs.py)."""
    con.execute(quarterly_counts_sql())
