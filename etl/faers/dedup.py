"""One report per case across every loaded quarter, FDA-deleted cases removed.

FAERS releases a new *version* of a case each time a follow-up arrives, each version with its
own `primaryid`, often in a later quarter's file. FDA's advice is to keep the latest version:
the highest `caseversion`, then the latest `fda_dt`, then the highest `primaryid` (legacy AERS has
no `caseversion`, so its reports fall through to `fda_dt` and `isr`; a FAERS version of a legacy
case outranks the legacy report). Cases listed in the `DELETED` files shipped in newer zips are
dropped from every quarter.

A report is counted in the quarter FDA *first* received the case: the earliest of `init_fda_dt`
(FAERS) and `fda_dt` over all its loaded versions. Follow-ups therefore never move a case, and a
case with versions in two quarters is counted once.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.faers.read import as_parse_error

# The staged DEMO rows are in `stage_demo`; the result is `faers_latest` (temp).
LATEST_SQL = """
CREATE OR REPLACE TEMP TABLE faers_latest AS
WITH demo AS (
    SELECT *,
        COALESCE(caseid, primaryid) AS case_key,
        TRY_STRPTIME(fda_dt, '%Y%m%d')::DATE AS fda_date,
        TRY_STRPTIME(init_fda_dt, '%Y%m%d')::DATE AS init_fda_date
    FROM stage_demo
    WHERE COALESCE(caseid, primaryid) NOT IN (SELECT caseid FROM faers_deleted)
),
ranked AS (
    SELECT *,
        row_number() OVER (
            PARTITION BY case_key
            ORDER BY caseversion DESC NULLS LAST, fda_date DESC NULLS LAST, primaryid DESC
        ) AS rank_in_case,
        min(LEAST(init_fda_date, fda_date)) OVER (PARTITION BY case_key) AS first_received,
        min(quarter) OVER (PARTITION BY case_key) AS first_file_quarter,
        count(*) OVER (PARTITION BY case_key) AS versions_loaded
    FROM demo
)
SELECT * EXCLUDE (rank_in_case),
    COALESCE(
        strftime(first_received, '%Y') || 'Q' || quarter(first_received)::VARCHAR,
        first_file_quarter
    ) AS received_quarter
FROM ranked
WHERE rank_in_case = 1
"""


def load_deleted(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    """`faers_deleted(caseid)`: case ids from FDA's deleted-case lists (one id a line; a header
    line or a trailing `$` is tolerated)."""
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


def keep_latest(con: duckdb.DuckDBPyConnection) -> None:
    """Build `faers_latest` from `stage_demo` and `faers_deleted`."""
    con.execute(LATEST_SQL)
