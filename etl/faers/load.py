"""The FAERS load recipe: locate -> read -> de-duplicate -> match -> detail and summary tables.

Everything runs as SQL on the caller's DuckDB connection; no Python loop touches rows. No table
file is staged whole (see `load_quarters`): scratch tables are small, TEMP, and dropped at the
end. The tables it creates (all prefixed `faers_`):

- `faers_loaded_quarters`: one row per quarter file: quarter, layout, origin, DEMO rows, deleted
  case ids listed, and `reports_kept`: de-duplicated reports whose kept version is in this file.
- `faers_quarterly_counts`: de-duplicated reports per received quarter, for `all` reports and per
  ingredient with role scope `any` / `suspect` (PS or SS) / `primary_suspect`. No kept report is
  lost: one first received in a quarter that is not loaded (before the earliest loaded quarter,
  or in a gap between loaded quarters) is counted in the next loaded quarter, and that quarter's
  `received_earlier` says how many of its reports were first received before it.
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
from etl.faers.comparators import COUNTS_TABLE, create_comparator_counts
from etl.faers.dedup import DEMO_KEYS, keep_latest, load_deleted
from etl.faers.integrity import ORPHANS_SQL, check_dates, create_orphans, orphan_notes
from etl.faers.locate import KINDS, Quarter, locate_quarters
from etl.faers.match import build_matches, candidate_sql, load_synonyms
from etl.faers.read import create_stage, run_on_file, select_sql

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
SCRATCH = ("faers_latest", "faers_deleted", "faers_synonyms", "faers_name_map", "faers_drug_match",
           "faers_report_ingredient", "faers_keep", "faers_drug_candidates", "faers_pt_reports",
           "faers_stage_demo", "faers_orphans", *(f"faers_rows_{k}" for k in KINDS))  # fmt: skip
AGE_YEARS = (
    "CASE upper(age_cod) WHEN 'YR' THEN 1 WHEN 'DEC' THEN 10 WHEN 'MON' THEN 1/12 "
    "WHEN 'WK' THEN 1/52.1775 WHEN 'DY' THEN 1/365.25 WHEN 'HR' THEN 1/8766 END"
)
DRUG_NAMES = ("prod_ai", "drugname")
# A file's rows of the reports in faers_keep / faers_latest. An IN list per quarter, not a SEMI
# JOIN: DuckDB builds a semi join's hash table on the larger (CSV) side, all columns included.
KEPT = "WHERE s.primaryid IN (SELECT primaryid FROM faers_keep WHERE quarter = '{quarter}')"
LATEST = "WHERE s.primaryid IN (SELECT primaryid FROM faers_latest WHERE quarter = '{quarter}')"


class Files:
    """Every table file of the loaded quarters, with its SELECT (header and encoding read once)."""

    def __init__(self, quarters: list[Quarter]) -> None:
        self.quarters = quarters
        self._sql: dict[Path, str] = {}

    def of(self, kind: str) -> list[tuple[Quarter, Path]]:
        return [(q, q.tables[kind]) for q in self.quarters if kind in q.tables]

    def each(self, con: duckdb.DuckDBPyConnection, kind: str, template: str) -> None:
        """Run `template` once per file of `kind`, `{src}` replaced by the file's SELECT and
        `{quarter}` by its quarter label."""
        for quarter, path in self.of(kind):
            try:
                if path not in self._sql:
                    self._sql[path] = select_sql(kind, path, quarter.label)
                sql = template.format(src=self._sql[path], quarter=quarter.label)
                run_on_file(con, sql, path)
            except ParseError as exc:
                raise in_origin(exc, quarter, path) from None


def load_quarters(con: duckdb.DuckDBPyConnection, paths: Iterable[Path]) -> list[Quarter]:
    """Create every table in `TABLES` on `con` from the quarter zips/folders in `paths`.

    Each file is read at most twice and never staged whole: DEMO's de-duplication keys, DRUG's
    candidate rows (names that could be ketamine or esketamine) and REAC's per-PT report counts
    in a first pass; then every table's rows of the kept reports that mention ketamine or
    esketamine (a few thousand) in a second."""
    with tempfile.TemporaryDirectory(prefix="faers-") as tmp:
        quarters = locate_quarters(paths, Path(tmp))
        files = Files(quarters)
        first_pass(con, files)
        second_pass(con, files)
        create_comparator_counts(con, files)
    create_summaries(con)
    create_details(con)
    record_quarters(con, quarters)
    for temp in SCRATCH:
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return quarters


def first_pass(con: duckdb.DuckDBPyConnection, files: Files) -> None:
    """De-duplicate (DEMO keys), match (DRUG candidates), and count reports per PT (REAC)."""
    create_stage(con, "faers_stage_demo", "demo", DEMO_KEYS)
    keys = ", ".join(DEMO_KEYS)
    files.each(con, "demo", f"INSERT INTO faers_stage_demo SELECT {keys}, quarter, layout "
                            "FROM ({src}) s")  # fmt: skip
    origins = {q.label: q.origin.name for q in files.quarters}
    check_dates(con, origins)
    load_deleted(con, [p for q in files.quarters for p in q.deleted])
    keep_latest(con)
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
    for quarter in files.quarters:
        quarter.notes += orphan_notes(con, origins, quarter.label)
    build_matches(con)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE faers_keep AS
        SELECT primaryid, quarter,
            max(role_cod) FILTER (WHERE ingredient = 'ketamine') AS ketamine_role,
            max(role_cod) FILTER (WHERE ingredient = 'esketamine') AS esketamine_role
        FROM faers_report_ingredient GROUP BY ALL
    """)
    # Reports per PT among the kept reports: a report lives in one quarter's file, so counting
    # distinct reports per file and summing is the count over all quarters.
    con.execute("CREATE OR REPLACE TEMP TABLE faers_pt_reports (pt VARCHAR, reports BIGINT)")
    files.each(
        con,
        "reac",
        "INSERT INTO faers_pt_reports SELECT upper(trim(pt)) AS pt, count(DISTINCT primaryid) "
        f"FROM (SELECT primaryid, pt FROM ({{src}}) s {LATEST}) "
        "WHERE pt IS NOT NULL AND trim(pt) <> '' GROUP BY 1",
    )


def second_pass(con: duckdb.DuckDBPyConnection, files: Files) -> None:
    """`faers_rows_<kind>`: every row, all canonical columns, of the reports in `faers_keep`."""
    for kind in KINDS:
        create_stage(con, f"faers_rows_{kind}", kind)
        files.each(con, kind, f"INSERT INTO faers_rows_{kind} SELECT s.* FROM ({{src}}) s {KEPT}")


def in_origin(exc: ParseError, quarter: Quarter, path: Path) -> ParseError:
    """Name the zip and member (or the folder's file) rather than a temporary extract."""
    message = str(exc).split(": ", 1)[-1] if exc.file else str(exc)
    member = quarter.members.get(path, path.name)
    if quarter.origin.is_dir():
        return ParseError(message, file=quarter.origin / member, line=exc.line)
    return ParseError(f"member {member}: {message}", file=quarter.origin, line=exc.line)


def create_summaries(con: duckdb.DuckDBPyConnection) -> None:
    create_quarterly_counts(con)
    create_reaction_counts(con)


def create_quarterly_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Kept reports per quarter, ingredient and role scope (a full grid: zero where none)."""
    con.execute("""
        CREATE OR REPLACE TABLE faers_quarterly_counts AS
        WITH loaded AS (SELECT DISTINCT quarter FROM faers_stage_demo),
        -- Each kept report is counted once: in the quarter it was first received when that
        -- quarter is loaded, else in the first loaded quarter after it (the earliest loaded
        -- quarter takes every report first received before the window). The kept version's
        -- file quarter is loaded and never precedes first receipt, so no report is lost.
        placed AS (
            SELECT l.primaryid, l.quarter AS file_quarter, l.received_quarter,
                COALESCE(
                    (SELECT min(q.quarter) FROM loaded q WHERE q.quarter >= l.received_quarter),
                    l.quarter
                ) AS counted_quarter
            FROM faers_latest l
        ),
        reports AS (
            SELECT p.counted_quarter AS quarter, 'all' AS ingredient, 'any' AS role_scope,
                p.primaryid, p.received_quarter
            FROM placed p
            UNION ALL
            SELECT p.counted_quarter, r.ingredient, scope.role_scope, p.primaryid,
                p.received_quarter
            FROM faers_report_ingredient r
            JOIN placed p ON p.primaryid = r.primaryid AND p.file_quarter = r.quarter
            JOIN (VALUES ('any'), ('suspect'), ('primary_suspect')) scope(role_scope)
              ON scope.role_scope = 'any'
              OR (scope.role_scope = 'suspect' AND r.role_cod IN ('PS', 'SS'))
              OR (scope.role_scope = 'primary_suspect' AND r.role_cod = 'PS')
        ),
        counted AS (
            SELECT quarter, ingredient, role_scope, count(DISTINCT primaryid) AS reports,
                count(DISTINCT primaryid) FILTER (WHERE received_quarter < quarter)
                    AS received_earlier
            FROM reports GROUP BY ALL
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
    # a and n_drug from the kept ketamine / esketamine reports; n_event from the first pass.
    con.execute("""
        CREATE OR REPLACE TABLE faers_reaction_counts AS
        WITH reac AS (
            SELECT DISTINCT primaryid, quarter, upper(trim(pt)) AS pt FROM faers_rows_reac
            WHERE pt IS NOT NULL AND trim(pt) <> ''
        ),
        drug AS (
            SELECT primaryid, quarter, ingredient FROM faers_report_ingredient
            WHERE role_cod IN ('PS', 'SS')
        ),
        n_drug AS (SELECT ingredient, count(*) AS n_drug FROM drug GROUP BY ALL),
        a AS (
            SELECT d.ingredient, r.pt, count(*) AS a
            FROM drug d JOIN reac r USING (primaryid, quarter) GROUP BY ALL
        ),
        n_event AS (
            SELECT pt, sum(reports) AS n_event FROM faers_pt_reports
            WHERE pt IN (SELECT pt FROM a) GROUP BY pt
        )
        SELECT a.ingredient, a.pt, 'suspect' AS role_scope, a.a::BIGINT AS a,
            n_drug.n_drug::BIGINT AS n_drug, n_event.n_event::BIGINT AS n_event,
            (SELECT count(*) FROM faers_latest)::BIGINT AS n_total
        FROM a JOIN n_drug USING (ingredient) JOIN n_event USING (pt)
        ORDER BY a.ingredient, a.a DESC, a.pt
    """)


def create_details(con: duckdb.DuckDBPyConnection) -> None:
    """The detail tables, each created once from the second pass's rows."""
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
        FROM faers_latest l JOIN faers_keep k USING (primaryid, quarter)
        JOIN (SELECT DISTINCT ON (primaryid, quarter) * FROM faers_rows_demo) d
          USING (primaryid, quarter)
        ORDER BY l.primaryid
    """)
    for kind, table in DETAIL_OF_KIND.items():
        if kind == "drug":
            source = (
                "SELECT s.* EXCLUDE (layout), m.ingredient, m.matched_on FROM faers_rows_drug s "
                "LEFT JOIN faers_drug_match m USING (primaryid, quarter, drug_seq)"
            )
        else:
            source = f"SELECT s.* EXCLUDE (layout) FROM faers_rows_{kind} s"
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {source} ORDER BY ALL")


def record_quarters(con: duckdb.DuckDBPyConnection, quarters: list[Quarter]) -> None:
    con.execute("""
        CREATE OR REPLACE TABLE faers_loaded_quarters (
            quarter VARCHAR, layout VARCHAR, origin VARCHAR, demo_rows BIGINT,
            reports_kept BIGINT, deleted_lists INTEGER)
    """)
    if not quarters:
        return
    con.executemany(
        "INSERT INTO faers_loaded_quarters VALUES (?, NULL, ?, 0, 0, ?)",
        [[q.label, q.origin.name, len(q.deleted)] for q in quarters],
    )
    con.execute("""
        UPDATE faers_loaded_quarters f SET layout = d.layout, demo_rows = d.demo_rows,
            reports_kept = COALESCE(k.kept, 0)
        FROM (SELECT quarter, any_value(layout) AS layout, count(*) AS demo_rows
              FROM faers_stage_demo GROUP BY quarter) d
        LEFT JOIN (SELECT quarter, count(*) AS kept FROM faers_latest GROUP BY quarter) k
          USING (quarter)
        WHERE f.quarter = d.quarter
    """)
