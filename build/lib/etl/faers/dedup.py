"""One report per case across every quarter merged so far, FDA-deleted cases removed.

FAERS releases a new *version* of a case each time a follow-up arrives, each version with its
own `primaryid`, often in a later quarter's file. FDA's advice is to keep the latest version:
the highest `caseversion`, then the latest `fda_dt`, then the highest `primaryid` (legacy AERS has
no `caseversion`, so its reports fall through to `fda_dt` and `isr`; a FAERS version of a legacy
case outranks the legacy report); the file quarter breaks the last tie, so the choice never
depends on the order quarters are loaded in. Cases listed in the `DELETED` files shipped in newer
zips are dropped from every quarter, earlier and later ones alike.

A report is counted in the quarter FDA *first* received the case: the earliest of `init_fda_dt`
(FAERS) and `fda_dt` over all its loaded versions. Follow-ups therefore never move a case, and a
case with versions in two quarters is counted once.

One quarter at a time (etl/faers/store.py holds the state): its DEMO keys are reduced to one row
per case, then merged into `faers_state_cases`. A case whose kept version changes (a follow-up
supersedes it) or that FDA deletes puts its old kept report in `faers_gone`, whose per-report rows
are then removed from the store.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.faers.read import as_parse_error
from etl.faers.store import table

# The staged DEMO rows of one quarter (only the columns named in `DEMO_KEYS`) are in
# `faers_stage_demo`. The kept version's other DEMO columns are read later, for the few reports
# that go into `faers_cases`.
DEMO_KEYS = ("primaryid", "caseid", "caseversion", "init_fda_dt", "fda_dt")
RANK = (
    "(COALESCE({p}caseversion, -1), COALESCE({p}fda_date, DATE '0001-01-01'), "
    "COALESCE({p}primaryid, -1), {p}quarter)"
)
NEW_CASES_SQL = f"""
CREATE OR REPLACE TEMP TABLE faers_new_cases AS
WITH demo AS (
    SELECT d.primaryid, d.caseid, d.caseversion, d.quarter, d.layout,
        COALESCE(d.caseid, d.primaryid) AS case_key,
        TRY_STRPTIME(d.fda_dt, '%Y%m%d')::DATE AS fda_date,
        TRY_STRPTIME(d.init_fda_dt, '%Y%m%d')::DATE AS init_fda_date
    FROM faers_stage_demo d
    ANTI JOIN {table("deleted")} x ON COALESCE(d.caseid, d.primaryid) = x.caseid
),
per_case AS (
    -- One hash aggregate instead of a sorted window: the kept version is the arg_max of the
    -- ranking key (NULL caseversion / fda_date rank lowest).
    SELECT case_key,
        arg_max({{'primaryid': primaryid, 'caseid': caseid, 'caseversion': caseversion,
                 'quarter': quarter, 'layout': layout, 'fda_date': fda_date}},
                {RANK.format(p="")}) AS kept,
        min(LEAST(init_fda_date, fda_date)) AS first_received,
        min(quarter) AS first_file_quarter,
        count(*) AS versions_loaded
    FROM demo GROUP BY case_key
)
SELECT case_key, unnest(kept), first_received, first_file_quarter, versions_loaded
FROM per_case
"""
_KEPT = ("primaryid", "caseid", "caseversion", "quarter", "layout", "fda_date")
MERGED_SQL = f"""
CREATE OR REPLACE TEMP TABLE faers_merged AS
WITH j AS (
    SELECT n.*, o.case_key IS NOT NULL AS existed,
        {", ".join(f"o.{c} AS o_{c}" for c in _KEPT)},
        o.first_received AS o_first_received, o.first_file_quarter AS o_first_file_quarter,
        o.versions_loaded AS o_versions_loaded,
        COALESCE(o.case_key IS NULL OR {RANK.format(p="n.")} > {RANK.format(p="o.")}, false)
            AS new_wins
    FROM faers_new_cases n LEFT JOIN {table("cases")} o USING (case_key)
),
merged AS (
    SELECT case_key, existed, new_wins, o_primaryid, o_quarter,
        {", ".join(f"CASE WHEN new_wins THEN {c} ELSE o_{c} END AS {c}" for c in _KEPT)},
        LEAST(first_received, o_first_received) AS first_received,
        LEAST(first_file_quarter, o_first_file_quarter) AS first_file_quarter,
        versions_loaded + COALESCE(o_versions_loaded, 0) AS versions_loaded
    FROM j
)
-- Kept in the store so that the counts need not format a date for every case on every refresh.
SELECT *, COALESCE(
        strftime(first_received, '%Y') || 'Q' || quarter(first_received)::VARCHAR,
        first_file_quarter
    ) AS received_quarter
FROM merged
"""


def load_deleted(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    """`faers_deleted(caseid)`: case ids from one quarter's deleted-case lists (one id a line; a
    header line or a trailing `$` is tolerated)."""
    con.execute("CREATE OR REPLACE TEMP TABLE faers_deleted (caseid BIGINT)")
    for path in files:
        sql = (
            "INSERT INTO faers_deleted SELECT DISTINCT TRY_CAST(trim(split_part(line, '$', 1)) "
            "AS BIGINT) FROM read_csv(?, auto_detect=false, header=false, delim='\\t', quote='', "
            "escape='', columns={'line': 'VARCHAR'}, encoding='latin-1') WHERE TRY_CAST("
            "trim(split_part(line, '$', 1)) AS BIGINT) IS NOT NULL"
        )
        try:
            con.execute(sql, [str(path)])
        except duckdb.Error as exc:
            raise as_parse_error(exc, path) from None


def apply_deleted(con: duckdb.DuckDBPyConnection) -> None:
    """Add `faers_deleted` to the store's list and drop those cases (their kept report goes to
    `faers_gone`)."""
    con.execute("CREATE OR REPLACE TEMP TABLE faers_gone (primaryid BIGINT, quarter VARCHAR)")
    deleted, cases = table("deleted"), table("cases")
    con.execute(
        f"INSERT INTO {deleted} SELECT DISTINCT caseid FROM faers_deleted "
        f"WHERE caseid NOT IN (SELECT caseid FROM {deleted})"
    )
    where = "WHERE case_key IN (SELECT caseid FROM faers_deleted)"
    con.execute(f"INSERT INTO faers_gone SELECT primaryid, quarter FROM {cases} {where}")
    con.execute(f"DELETE FROM {cases} {where}")


def merge_cases(con: duckdb.DuckDBPyConnection) -> None:
    """Merge the staged quarter's cases into the store. Leaves `faers_latest(primaryid, quarter)`:
    the reports of this quarter's file that are now kept; superseded reports go to `faers_gone`."""
    cases = table("cases")
    con.execute(NEW_CASES_SQL)
    con.execute(MERGED_SQL)
    con.execute(
        "INSERT INTO faers_gone SELECT o_primaryid, o_quarter FROM faers_merged "
        "WHERE existed AND new_wins"
    )
    con.execute(f"DELETE FROM {cases} WHERE case_key IN "
                "(SELECT case_key FROM faers_merged WHERE existed)")  # fmt: skip
    columns = ", ".join(SCHEMA_CASES)
    con.execute(f"INSERT INTO {cases} ({columns}) SELECT {columns} FROM faers_merged")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_latest AS "
        "SELECT primaryid, quarter FROM faers_merged WHERE new_wins"
    )


SCHEMA_CASES = (
    "case_key", *_KEPT, "first_received", "first_file_quarter", "versions_loaded",
    "received_quarter",
)  # fmt: skip
