"""The published FAERS tables, derived from the FAERS store (etl/faers/store.py) as a whole.

All prefixed `faers_`; small whatever the history loaded (the national database stays in the
store: the background the signals need is in the two count tables):

- `faers_loaded_quarters`: one row per quarter file: quarter, layout, origin, DEMO rows, deleted
  case ids listed, and `reports_kept`: de-duplicated reports whose kept version is in this file.
- `faers_quarterly_counts`: de-duplicated reports per received quarter, for `all` reports and per
  ingredient with role scope `any` / `suspect` (PS or SS) / `primary_suspect`. No kept report is
  lost: one first received in a quarter that is not loaded (before the earliest loaded quarter,
  or in a gap between loaded quarters) is counted in the next loaded quarter, and that quarter's
  `received_earlier` says how many of its reports were first received before it.
- `faers_reaction_counts`: per ingredient (as suspect) and MedDRA PT: a, n_drug, n_event,
  n_total, the marginals of the 2x2 table against all other reports.
- `faers_comparator_counts`: per active-comparator group and PT: c (the group's kept reports with
  the reaction) and n_comparator (all the group's kept reports), see etl/faers/comparators.py.
- `faers_cases`, `faers_drugs`, `faers_reactions`, `faers_outcomes`, `faers_indications`,
  `faers_therapies`, `faers_report_sources`: the de-duplicated reports that mention ketamine or
  esketamine in any role, with all their rows (so co-reported drugs are visible).
"""

from __future__ import annotations

import duckdb

from etl.faers.comparators import COUNTS_TABLE, create_comparator_counts
from etl.faers.match import load_synonyms
from etl.faers.store import table

DETAIL_OF_KIND = {
    "drug": "faers_drugs",
    "reac": "faers_reactions",
    "outc": "faers_outcomes",
    "indi": "faers_indications",
    "ther": "faers_therapies",
    "rpsr": "faers_report_sources",
}
TABLES: tuple[str, ...] = (
    "faers_cases",
    *DETAIL_OF_KIND.values(),
    "faers_quarterly_counts",
    "faers_reaction_counts",
    "faers_loaded_quarters",
    COUNTS_TABLE,
)
AGE_YEARS = (
    "CASE upper(age_cod) WHEN 'YR' THEN 1 WHEN 'DEC' THEN 10 WHEN 'MON' THEN 1/12 "
    "WHEN 'WK' THEN 1/52.1775 WHEN 'DY' THEN 1/365.25 WHEN 'HR' THEN 1/8766 END"
)
KEPT_CASES = f"CREATE OR REPLACE TEMP VIEW faers_kept_cases AS SELECT * FROM {table('cases')}"
KEEP = f"""
CREATE OR REPLACE TEMP VIEW faers_keep_roles AS
SELECT primaryid, quarter,
    max(role_cod) FILTER (WHERE ingredient = 'ketamine') AS ketamine_role,
    max(role_cod) FILTER (WHERE ingredient = 'esketamine') AS esketamine_role
FROM {table("roles")} GROUP BY ALL
"""


def create_outputs(con: duckdb.DuckDBPyConnection) -> None:
    """Every table in `TABLES`, on `con`, from the store's tables there."""
    load_synonyms(con)
    con.execute(KEPT_CASES)
    con.execute(KEEP)
    create_quarterly_counts(con)
    create_reaction_counts(con)
    create_comparator_counts(con)
    create_details(con)
    create_loaded_quarters(con)
    for view in ("faers_kept_cases", "faers_keep_roles"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute("DROP TABLE IF EXISTS faers_synonyms")


def copy_outputs(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> None:
    """Copy the derived tables from the store's connection to the warehouse being built (as Arrow:
    the two files are written in separate transactions)."""
    for name in TABLES:
        frame = source.sql(f"SELECT * FROM {name}").to_arrow_table()
        target.register("_faers_copy", frame)
        try:
            target.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _faers_copy")
        finally:
            target.unregister("_faers_copy")


def create_quarterly_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Kept reports per quarter, ingredient and role scope (a full grid: zero where none)."""
    con.execute(f"""
        CREATE OR REPLACE TABLE faers_quarterly_counts AS
        WITH loaded AS (SELECT quarter FROM {table("quarters")}),
        -- Each kept report is counted once: in the quarter it was first received when that
        -- quarter is loaded, else in the first loaded quarter after it (the earliest loaded
        -- quarter takes every report first received before the window). The kept version's
        -- file quarter is loaded and never precedes first receipt, so no report is lost.
        -- Placed per (received, file) quarter pair: a few thousand pairs, not millions of rows.
        pairs AS (
            SELECT received_quarter, quarter AS file_quarter, count(*) AS n
            FROM faers_kept_cases GROUP BY ALL
        ),
        placed AS (
            SELECT p.*, COALESCE(
                    (SELECT min(q.quarter) FROM loaded q WHERE q.quarter >= p.received_quarter),
                    p.file_quarter
                ) AS counted_quarter
            FROM pairs p
        ),
        all_reports AS (
            SELECT counted_quarter AS quarter, 'all' AS ingredient, 'any' AS role_scope,
                sum(n) AS reports,
                sum(n) FILTER (WHERE received_quarter < counted_quarter) AS received_earlier
            FROM placed GROUP BY ALL
        ),
        ingredient_reports AS (
            SELECT p.counted_quarter AS quarter, r.ingredient, scope.role_scope, r.primaryid,
                p.received_quarter
            FROM {table("roles")} r
            JOIN faers_kept_cases k ON k.primaryid = r.primaryid AND k.quarter = r.quarter
            JOIN placed p ON p.received_quarter = k.received_quarter
                AND p.file_quarter = k.quarter
            JOIN (VALUES ('any'), ('suspect'), ('primary_suspect')) scope(role_scope)
              ON scope.role_scope = 'any'
              OR (scope.role_scope = 'suspect' AND r.role_cod IN ('PS', 'SS'))
              OR (scope.role_scope = 'primary_suspect' AND r.role_cod = 'PS')
        ),
        counted AS (
            SELECT * FROM all_reports
            UNION ALL
            SELECT quarter, ingredient, role_scope, count(DISTINCT primaryid) AS reports,
                count(DISTINCT primaryid) FILTER (WHERE received_quarter < quarter)
                    AS received_earlier
            FROM ingredient_reports GROUP BY ALL
        ),
        grid AS (
            SELECT quarter, 'all' AS ingredient, 'any' AS role_scope FROM loaded
            UNION ALL
            SELECT quarter, ingredient, role_scope
            FROM loaded, (SELECT DISTINCT ingredient FROM faers_synonyms),
                (VALUES ('any'), ('suspect'), ('primary_suspect')) scope(role_scope)
        )
        SELECT quarter, ingredient, role_scope, COALESCE(reports, 0)::BIGINT AS reports,
            COALESCE(received_earlier, 0)::BIGINT AS received_earlier
        FROM grid LEFT JOIN counted USING (quarter, ingredient, role_scope)
        ORDER BY ALL
    """)


def create_reaction_counts(con: duckdb.DuckDBPyConnection) -> None:
    """The disproportionality inputs per ingredient and reaction (PT)."""
    # a and n_drug from the kept ketamine / esketamine reports; n_event from every kept report.
    con.execute(f"""
        CREATE OR REPLACE TABLE faers_reaction_counts AS
        WITH reac AS (
            SELECT DISTINCT primaryid, quarter, upper(trim(pt)) AS pt FROM {table("rows_reac")}
            WHERE pt IS NOT NULL AND trim(pt) <> ''
        ),
        drug AS (
            SELECT primaryid, quarter, ingredient FROM {table("roles")}
            WHERE role_cod IN ('PS', 'SS')
        ),
        n_drug AS (SELECT ingredient, count(*) AS n_drug FROM drug GROUP BY ALL),
        a AS (
            SELECT d.ingredient, r.pt, count(*) AS a
            FROM drug d JOIN reac r USING (primaryid, quarter) GROUP BY ALL
        ),
        n_event AS (
            SELECT pt, reports AS n_event FROM {table("pt_counts")}
            WHERE pt IN (SELECT pt FROM a)
        )
        SELECT a.ingredient, a.pt, 'suspect' AS role_scope, a.a::BIGINT AS a,
            n_drug.n_drug::BIGINT AS n_drug, n_event.n_event::BIGINT AS n_event,
            (SELECT count(*) FROM {table("cases")})::BIGINT AS n_total
        FROM a JOIN n_drug USING (ingredient) JOIN n_event USING (pt)
        ORDER BY a.ingredient, a.a DESC, a.pt
    """)


def create_details(con: duckdb.DuckDBPyConnection) -> None:
    """The detail tables of the kept reports that mention ketamine or esketamine."""
    # DISTINCT ON: a report listed twice in one DEMO file is one case row (de-dup kept one).
    con.execute(f"""
        CREATE OR REPLACE TABLE faers_cases AS
        SELECT l.primaryid, l.caseid, l.caseversion, l.quarter AS file_quarter,
            l.received_quarter, l.first_received, l.fda_date, l.versions_loaded,
            k.ketamine_role, k.esketamine_role, d.i_f_code, d.rept_cod, d.event_dt,
            TRY_CAST(d.age AS DOUBLE) AS age, d.age_cod, d.age_grp,
            round(TRY_CAST(d.age AS DOUBLE) * ({AGE_YEARS}), 1) AS age_years,
            upper(d.sex) AS sex, TRY_CAST(d.wt AS DOUBLE) AS wt, d.wt_cod,
            upper(d.occp_cod) AS occp_cod, d.reporter_country, d.occr_country, d.mfr_sndr,
            l.layout
        FROM faers_keep_roles k JOIN faers_kept_cases l USING (primaryid, quarter)
        JOIN (SELECT DISTINCT ON (primaryid, quarter) * FROM {table("rows_demo")}) d
          USING (primaryid, quarter)
        ORDER BY l.primaryid
    """)
    for kind, name in DETAIL_OF_KIND.items():
        rows = table(f"rows_{kind}")
        if kind == "drug":
            source = (
                f"SELECT s.* EXCLUDE (layout), m.ingredient, m.matched_on FROM {rows} s "
                f"LEFT JOIN {table('match')} m USING (primaryid, quarter, drug_seq)"
            )
        else:
            source = f"SELECT s.* EXCLUDE (layout) FROM {rows} s"
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {source} ORDER BY ALL")


def create_loaded_quarters(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE faers_loaded_quarters AS
        SELECT q.quarter, q.layout, q.origin, q.demo_rows,
            COALESCE(k.kept, 0)::BIGINT AS reports_kept, q.deleted_lists
        FROM {table("quarters")} q
        LEFT JOIN (SELECT quarter, count(*) AS kept FROM {table("cases")} GROUP BY quarter) k
          USING (quarter)
        ORDER BY q.quarter
    """)
