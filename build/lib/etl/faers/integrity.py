"""Is a FAERS quarter what its name says, and do its tables agree with each other?

- Identity by name: the quarter in the zip or folder name (`faers_ascii_2018q1`) must be the one
  in its members' names (`DEMO18Q1.txt`). A folder named for 2018Q1 that holds 2017Q2's files
  would otherwise publish 2018Q1 as that quarter's reports.
- Identity by date: most of a quarter's DEMO rows carry an `fda_dt` (the date FDA received that
  version) inside the quarter (all of them in the real 2017Q2 and 2004Q1 samples). Renamed files
  of another quarter fail this.
- Orphans: every report id in DRUG and REAC should have a DEMO row in the same quarter. A report
  without one is dropped by the de-duplication (it has no case id or version), so a ketamine
  report in DRUG with no DEMO row counts as nothing. A few (at most `ORPHAN_SHARE` of a table's
  report ids) are warned about in the refresh message; more mean mismatched files, and fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import duckdb

from etl.contract import ParseError
from etl.faers.store import table


class Labelled(Protocol):
    """A quarter as etl.faers.locate.Quarter has it (not imported: locate imports this)."""

    label: str
    origin: Path


ORPHAN_SHARE = 0.01  # above this share of a table's report ids without DEMO: mismatched files
DATES_IN_QUARTER = 0.5  # at least this share of DEMO fda_dt must fall in the labelled quarter


def check_member_quarter(origin_name: str, label: str, seen: set[str], members: list[str]) -> str:
    """The quarter of the members' names when it agrees with `label`, else a ParseError naming
    both (with a member as evidence)."""
    others = sorted(seen - {label})
    if not others:
        return label
    example = next((m for m in members if quarter_tag(others[0]) in m.lower()), members[0])
    raise ParseError(
        f"named for quarter {label} but its files are {', '.join(others)}'s "
        f"(e.g. {example.rsplit('/', 1)[-1]}): a misnamed or misfiled quarter",
        file=origin_name,
    )


def quarter_tag(label: str) -> str:
    """'2017Q2' -> '17q2' (as in DEMO17Q2.txt)."""
    return f"{label[2:4]}q{label[-1]}"


def check_dates(con: duckdb.DuckDBPyConnection, origins: dict[str, str]) -> None:
    """Refuse a quarter whose DEMO `fda_dt` dates mostly fall outside it (`faers_stage_demo`)."""
    rows = con.execute(f"""
        WITH d AS (
            SELECT quarter, TRY_STRPTIME(CAST(fda_dt AS VARCHAR), '%Y%m%d') AS dt
            FROM faers_stage_demo
        )
        SELECT quarter, count(dt) AS dated,
            count(dt) FILTER (WHERE year(dt) = CAST(left(quarter, 4) AS INTEGER)
                              AND quarter(dt) = CAST(right(quarter, 1) AS INTEGER)) AS inside,
            min(dt)::DATE, max(dt)::DATE
        FROM d GROUP BY quarter HAVING count(dt) > 0
           AND inside < {DATES_IN_QUARTER} * count(dt)
        ORDER BY quarter
    """).fetchall()
    if rows:
        quarter, dated, inside, first, last = rows[0]
        raise ParseError(
            f"quarter {quarter}: only {inside} of {dated} DEMO fda_dt dates fall in {quarter} "
            f"(they run {first} to {last}): the files are another quarter's",
            file=origins.get(quarter),
        )


ORPHANS_SQL = """
INSERT INTO faers_orphans
SELECT '{quarter}', '{kind}', count(DISTINCT s.primaryid),
    count(DISTINCT s.primaryid) FILTER (WHERE s.primaryid NOT IN
        (SELECT primaryid FROM faers_stage_demo WHERE quarter = '{quarter}'))
FROM ({src}) s
"""


def create_orphans(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_orphans "
        "(quarter VARCHAR, kind VARCHAR, ids BIGINT, orphans BIGINT)"
    )


def orphan_notes(
    con: duckdb.DuckDBPyConnection, origins: dict[str, str], quarter: str
) -> list[str]:
    """Warnings for a few report ids without DEMO (naming those that mention ketamine or
    esketamine, which are lost); a ParseError when a table has more than `ORPHAN_SHARE`."""
    rows = con.execute(
        """
        SELECT o.quarter, o.kind, o.ids, o.orphans,
            (SELECT count(DISTINCT c.primaryid) FROM faers_drug_candidates c
             WHERE o.kind = 'drug' AND c.quarter = o.quarter AND c.primaryid NOT IN
                (SELECT primaryid FROM faers_stage_demo d WHERE d.quarter = o.quarter)) AS named
        FROM faers_orphans o WHERE o.orphans > 0 AND o.quarter = ? ORDER BY o.kind
    """,
        [quarter],
    ).fetchall()
    notes = []
    for _, kind, ids, orphans, named in rows:
        share = orphans / ids
        text = (
            f"{origins.get(quarter, quarter)}: {orphans:,} of {ids:,} {kind.upper()} report ids "
            f"({share:.1%}) have no DEMO row in {quarter} and are not counted"
        )
        if named:
            text += f" ({named} of them with a drug name that may be ketamine or esketamine)"
        if share > ORPHAN_SHARE:
            raise ParseError(
                f"{text}; more than {ORPHAN_SHARE:.0%}: the tables do not belong together",
                file=origins.get(quarter),
            )
        notes.append(text)
    return notes


def refuse_sample(con: duckdb.DuckDBPyConnection, quarter: Labelled) -> None:
    """Every full FAERS quarter holds ketamine and esketamine reports (dozens at least, among
    hundreds of thousands). A quarter file with none is a format sample or a truncated extract:
    counting it would draw a zero, or a total of 100, as if it were a quarter's reports."""
    [(named, demo_rows)] = con.execute(
        f"""SELECT (SELECT count(DISTINCT primaryid) FROM {table("roles")} WHERE quarter = ?),
            (SELECT demo_rows FROM {table("quarters")} WHERE quarter = ?)""",
        [quarter.label, quarter.label],
    ).fetchall()
    if not named:
        raise ParseError(
            f"quarter {quarter.label} holds {demo_rows or 0:,} reports and none names ketamine "
            "or esketamine: a format sample or a truncated extract, not a full FAERS quarter "
            "(a full quarter holds hundreds of thousands of reports); nothing loaded",
            file=quarter.origin,
        )
