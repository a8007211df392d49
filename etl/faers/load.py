"""The FAERS load recipe: locate -> stage -> de-duplicate -> match -> detail and summary tables.

Everything runs as SQL on the caller's DuckDB connection; no Python loop touches rows. Staging
tables are TEMP and dropped at the end. The tables it creates (all prefixed `faers_`):

- `faers_loaded_quarters`: one row per quarter file: quarter, layout, origin, DEMO rows, deleted
  case ids listed, and `reports_kept`: de-duplicated reports whose kept version is in this file.
- `faers_quarterly_counts`: de-duplicated reports per received quarter, for `all` reports and per
  ingredient with role scope `any` / `suspect` (PS or SS) / `primary_suspect`.
- `faers_reaction_counts`: per ingredient (as suspect) and MedDRA PT: a, n_drug, n_event,
  n_total, the marginals of the 2x2 table against all other reports.
- `faers_cases`, `faers_drugs`, `faers_reactions`, `faers_outcomes`, `faers_indications`,
  `faers_therapies`, `faers_report_sources`: the de-duplicated reports that mention ketamine or
  esketamine in any role, with all their rows (so co-reported drugs are visible). The national
  database is not copied: the background the signals need is in the two count tables.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb

from etl.contract import ParseError
from etl.faers.dedup import keep_latest, load_deleted
from etl.faers.locate import KINDS, Quarter, locate_quarters
from etl.faers.match import build_matches
from etl.faers.read import create_stage, insert_file

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
)
SCRATCH = ("faers_latest", "faers_deleted", "faers_synonyms", "faers_name_map", "faers_drug_match",
           "faers_report_ingredient", "faers_keep")  # fmt: skip
AGE_YEARS = (
    "CASE upper(age_cod) WHEN 'YR' THEN 1 WHEN 'DEC' THEN 10 WHEN 'MON' THEN 1/12 "
    "WHEN 'WK' THEN 1/52.1775 WHEN 'DY' THEN 1/365.25 WHEN 'HR' THEN 1/8766 END"
)


def load_quarters(con: duckdb.DuckDBPyConnection, paths: Iterable[Path]) -> list[Quarter]:
    """Create every table in `TABLES` on `con` from the quarter zips/folders in `paths`."""
    with tempfile.TemporaryDirectory(prefix="faers-") as tmp:
        quarters = locate_quarters(paths, Path(tmp))
        stage_quarters(con, quarters)
    keep_latest(con)
    build_matches(con)
    create_summaries(con)
    create_details(con)
    record_quarters(con, quarters)
    for kind in KINDS:
        con.execute(f"DROP TABLE IF EXISTS faers_stage_{kind}")
    for temp in SCRATCH:
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return quarters


def stage_quarters(con: duckdb.DuckDBPyConnection, quarters: list[Quarter]) -> None:
    for kind in KINDS:
        create_stage(con, f"faers_stage_{kind}", kind)
    deleted: list[Path] = []
    for quarter in quarters:
        for kind, path in quarter.tables.items():
            try:
                insert_file(con, f"faers_stage_{kind}", kind, path, quarter.label)
            except ParseError as exc:
                raise in_origin(exc, quarter, path) from None
        deleted.extend(quarter.deleted)
    load_deleted(con, deleted)


def in_origin(exc: ParseError, quarter: Quarter, path: Path) -> ParseError:
    """Name the zip and member (or the folder's file) rather than a temporary extract."""
    message = str(exc).split(": ", 1)[-1] if exc.file else str(exc)
    member = quarter.members.get(path, path.name)
    if quarter.origin.is_dir():
        return ParseError(message, file=quarter.origin / member, line=exc.line)
    return ParseError(f"member {member}: {message}", file=quarter.origin, line=exc.line)


def create_summaries(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TABLE faers_quarterly_counts AS
        WITH loaded AS (SELECT DISTINCT quarter FROM faers_stage_demo),
        reports AS (
            SELECT l.received_quarter AS quarter, 'all' AS ingredient, 'any' AS role_scope,
                l.primaryid
            FROM faers_latest l
            UNION ALL
            SELECT l.received_quarter, r.ingredient, scope.role_scope, l.primaryid
            FROM faers_report_ingredient r
            JOIN faers_latest l USING (primaryid, quarter)
            JOIN (VALUES ('any'), ('suspect'), ('primary_suspect')) scope(role_scope)
              ON scope.role_scope = 'any'
              OR (scope.role_scope = 'suspect' AND r.role_cod IN ('PS', 'SS'))
              OR (scope.role_scope = 'primary_suspect' AND r.role_cod = 'PS')
        ),
        counted AS (
            SELECT quarter, ingredient, role_scope, count(DISTINCT primaryid) AS reports
            FROM reports GROUP BY ALL
        ),
        grid AS (
            SELECT quarter, 'all' AS ingredient, 'any' AS role_scope FROM loaded
            UNION ALL
            SELECT quarter, ingredient, role_scope
            FROM loaded, (SELECT DISTINCT ingredient FROM faers_synonyms),
                (VALUES ('any'), ('suspect'), ('primary_suspect')) scope(role_scope)
        )
        SELECT quarter, ingredient, role_scope, COALESCE(reports, 0)::BIGINT AS reports
        FROM grid LEFT JOIN counted USING (quarter, ingredient, role_scope)
        ORDER BY ALL
    """)
    con.execute("""
        CREATE OR REPLACE TABLE faers_reaction_counts AS
        WITH reac AS (
            SELECT DISTINCT r.primaryid, upper(trim(r.pt)) AS pt
            FROM faers_stage_reac r JOIN faers_latest l USING (primaryid, quarter)
            WHERE r.pt IS NOT NULL AND trim(r.pt) <> ''
        ),
        drug AS (
            SELECT primaryid, ingredient FROM faers_report_ingredient
            WHERE role_cod IN ('PS', 'SS')
        ),
        n_drug AS (SELECT ingredient, count(*) AS n_drug FROM drug GROUP BY ALL),
        a AS (
            SELECT d.ingredient, r.pt, count(*) AS a
            FROM drug d JOIN reac r USING (primaryid) GROUP BY ALL
        ),
        n_event AS (
            SELECT pt, count(*) AS n_event FROM reac WHERE pt IN (SELECT pt FROM a) GROUP BY pt
        )
        SELECT a.ingredient, a.pt, 'suspect' AS role_scope, a.a::BIGINT AS a,
            n_drug.n_drug::BIGINT AS n_drug, n_event.n_event::BIGINT AS n_event,
            (SELECT count(*) FROM faers_latest)::BIGINT AS n_total
        FROM a JOIN n_drug USING (ingredient) JOIN n_event USING (pt)
        ORDER BY a.ingredient, a.a DESC, a.pt
    """)


def create_details(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE faers_keep AS
        SELECT primaryid, quarter,
            max(role_cod) FILTER (WHERE ingredient = 'ketamine') AS ketamine_role,
            max(role_cod) FILTER (WHERE ingredient = 'esketamine') AS esketamine_role
        FROM faers_report_ingredient GROUP BY ALL
    """)
    con.execute(f"""
        CREATE OR REPLACE TABLE faers_cases AS
        SELECT l.primaryid, l.caseid, l.caseversion, l.quarter AS file_quarter,
            l.received_quarter, l.first_received, l.fda_date, l.versions_loaded,
            k.ketamine_role, k.esketamine_role, l.i_f_code, l.rept_cod, l.event_dt,
            TRY_CAST(l.age AS DOUBLE) AS age, l.age_cod, l.age_grp,
            round(TRY_CAST(l.age AS DOUBLE) * ({AGE_YEARS}), 1) AS age_years,
            upper(l.sex) AS sex, TRY_CAST(l.wt AS DOUBLE) AS wt, l.wt_cod,
            upper(l.occp_cod) AS occp_cod, l.reporter_country, l.occr_country, l.mfr_sndr,
            l.layout
        FROM faers_latest l JOIN faers_keep k USING (primaryid, quarter)
        ORDER BY l.primaryid
    """)
    for kind, table in DETAIL_OF_KIND.items():
        extra = ""
        if kind == "drug":
            extra = (
                ", m.ingredient, m.matched_on FROM faers_stage_drug s LEFT JOIN faers_drug_match m "
                "USING (primaryid, quarter, drug_seq)"
            )
        else:
            extra = f" FROM faers_stage_{kind} s"
        con.execute(f"""
            CREATE OR REPLACE TABLE {table} AS
            SELECT s.* EXCLUDE (layout){extra}
            SEMI JOIN faers_keep k ON s.primaryid = k.primaryid AND s.quarter = k.quarter
            ORDER BY ALL
        """)


def record_quarters(con: duckdb.DuckDBPyConnection, quarters: list[Quarter]) -> None:
    con.execute("""
        CREATE OR REPLACE TABLE faers_loaded_quarters (
            quarter VARCHAR, layout VARCHAR, origin VARCHAR, demo_rows BIGINT,
            reports_kept BIGINT, deleted_lists INTEGER)
    """)
    for q in quarters:
        con.execute(
            "INSERT INTO faers_loaded_quarters SELECT ?, any_value(layout), ?, count(*), "
            "(SELECT count(*) FROM faers_latest WHERE quarter = ?), ? "
            "FROM faers_stage_demo WHERE quarter = ?",
            [q.label, q.origin.name, q.label, len(q.deleted), q.label],
        )
