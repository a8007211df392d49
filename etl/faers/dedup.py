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

# The staged DEMO rows (only the columns named in `DEMO_KEYS`) are in `faers_stage_demo`; the
# result is `faers_latest` (temp): one row per case, its kept version's keys and the case's
# first-received quarter. The kept version's other DEMO columns are read later, for the few
# reports that go into `faers_cases`.
DEMO_KEYS = ("primaryid", "caseid", "caseversion", "init_fda_dt", "fda_dt")
LATEST_SQL = """
CREATE OR REPLACE TEMP TABLE faers_latest AS
WITH demo AS (
    SELECT d.primaryid, d.caseid, d.caseversion, d.quarter, d.layout,
        COALESCE(d.caseid, d.primaryid) AS case_key,
        TRY_STRPTIME(d.fda_dt, '%Y%m%d')::DATE AS fda_date,
        TRY_STRPTIME(d.init_fda_dt, '%Y%m%d')::DATE AS init_fda_date
    FROM faers_stage_demo d
    ANTI JOIN faers_deleted x ON COALESCE(d.caseid, d.primaryid) = x.caseid
),
per_case AS (
    -- One hash aggregate instead of a sorted window: the kept version is the arg_max of the
    -- ranking key (NULL caseversion / fda_date rank lowest).
    SELECT case_key,
        arg_max({'primaryid': primaryid, 'caseid': caseid, 'caseversion': caseversion,
                 'quarter': quarter, 'layout': layout, 'fda_date': fda_date},
                (COALESCE(caseversion, -1), COALESCE(fda_date, DATE '0001-01-01'),
                 primaryid)) AS kept,
        min(LEAST(init_fda_date, fda_date)) AS first_received,
        min(quarter) AS first_file_quarter,
        count(*) AS versions_loaded
    FROM demo GROUP BY case_key
)
SELECT *,
    COALESCE(
        strftime(first_received, '%Y') || 'Q' || quarter(first_received)::VARCHAR,
        first_file_quarter
    ) AS received_quarter
FROM (SELECT case_key, unnest(kept), first_received, first_file_quarter, versions_loaded
      FROM per_case)
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
    """Build `faers_latest` from `faers_stage_demo` and `faers_deleted`."""
    con.execute(LATEST_SQL)
