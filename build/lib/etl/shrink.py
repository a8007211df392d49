"""The shrink guard: a refresh may add and revise published numbers, but never silently lose them.

Before a source's freshly staged rows replace its published ones, they are compared in the staging
database with the published warehouse (attached as `prev`):

- a published indicator, an indicator's year, or an indicator's geography that would disappear;
- a detail table that would disappear;
- a loss of more than the source's tolerated share of its rows (default 5 %, `SourceMeta`
  `shrink_tolerance`), counting observations, events and detail-table rows.

Any of these holds the source (`held`): its previous rows are kept and the message lists what
would vanish. `refresh SOURCE --accept-shrink` publishes a real shrink once, and says so in the run
log. A source that declares a rolling window (`SourceMeta.rolling_window`, e.g. FAERS's newest N
quarters) may lose the years before its new first year.

Revisions (the same indicator, geography, period and stratum with a different value) are
published, but counted and listed: the run log names the count and the `revisions` table keeps
the list, shown on Data & methods. Keys that occur more than once on either side (a publisher's
duplicate records) are not compared, because which value "replaced" which cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

# How many revisions per source and run are listed (all are counted).
REVISIONS_LISTED = 500
# How many vanishing items a message names before "and N more".
NAMED_IN_MESSAGE = 8

KEY = (
    "indicator, coalesce(geography, '') AS geography, period_start, period_end,"
    " coalesce(stratum, '') AS stratum"
)


class ShrinkHeld(RuntimeError):
    """The staged rows would lose published data; the source keeps its previous rows."""


@dataclass
class ShrinkReport:
    previous_rows: int
    new_rows: int
    vanished: list[str] = field(default_factory=list)
    revisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    revision_count: int = 0

    @property
    def lost_share(self) -> float:
        if self.previous_rows <= 0:
            return 0.0
        return max(0, self.previous_rows - self.new_rows) / self.previous_rows

    def shrinks(self, tolerance: float) -> bool:
        return bool(self.vanished) or self.lost_share > tolerance

    def describe(self, tolerance: float) -> str:
        """'would lose 4,376 of 4,376 rows (100 %, more than the 5 % tolerated); would vanish: …'"""
        parts = []
        if self.lost_share > tolerance:
            parts.append(
                f"would lose {self.previous_rows - self.new_rows:,} of {self.previous_rows:,}"
                f" published rows ({self.lost_share:.0%}, more than the {tolerance:.0%}"
                " tolerated)"
            )
        if self.vanished:
            named = self.vanished[:NAMED_IN_MESSAGE]
            more = len(self.vanished) - len(named)
            parts.append(
                "would vanish: " + "; ".join(named) + (f"; and {more} more" if more > 0 else "")
            )
        return ", ".join(parts)


def compare(
    con: duckdb.DuckDBPyConnection, source_id: str, *, rolling_window: bool = False
) -> ShrinkReport | None:
    """Compare a source's staged rows (main database) with its published ones (`prev`).

    None when nothing was published for the source before (nothing can be lost)."""
    previous = source_row_count(con, source_id, "prev.")
    if previous is None or previous == 0:
        return None
    report = ShrinkReport(
        previous_rows=previous, new_rows=source_row_count(con, source_id, "") or 0
    )
    report.vanished = vanished_items(con, source_id, rolling_window)
    report.revision_count, report.revisions = revisions(con, source_id)
    return report


def source_row_count(con: duckdb.DuckDBPyConnection, source_id: str, schema: str) -> int | None:
    """Observations + events + detail-table rows of one source; None if `prev` is unreadable."""
    try:
        total = con.execute(
            f"SELECT (SELECT count(*) FROM {schema}observations WHERE source = ?)"
            f" + (SELECT count(*) FROM {schema}events WHERE source = ?)",
            [source_id, source_id],
        ).fetchone()[0]
        for name in detail_tables(con, source_id, schema):
            total += con.execute(f'SELECT count(*) FROM {schema}"{name}"').fetchone()[0]
    except duckdb.Error:
        return None
    return int(total)


def detail_tables(con: duckdb.DuckDBPyConnection, source_id: str, schema: str) -> list[str]:
    rows = con.execute(
        f"SELECT table_name FROM {schema}detail_tables WHERE source = ? ORDER BY 1", [source_id]
    ).fetchall()
    return [row[0] for row in rows]


def vanished_items(
    con: duckdb.DuckDBPyConnection, source_id: str, rolling_window: bool
) -> list[str]:
    """Published indicators, indicator-years, indicator-geographies and detail tables that the
    staged rows no longer have, in that order."""
    gone_indicators = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT indicator FROM prev.observations WHERE source = ?"
            " EXCEPT SELECT DISTINCT indicator FROM observations WHERE source = ?"
            " ORDER BY 1",
            [source_id, source_id],
        ).fetchall()
    ]
    gone_tables = sorted(
        set(detail_tables(con, source_id, "prev.")) - set(detail_tables(con, source_id, ""))
    )
    return [
        *(f"indicator {name}" for name in gone_indicators),
        *vanished_years(con, source_id, rolling_window, set(gone_indicators)),
        *vanished_geographies(con, source_id, set(gone_indicators)),
        *(f"table {name}" for name in gone_tables),
    ]


def vanished_years(
    con: duckdb.DuckDBPyConnection, source_id: str, rolling_window: bool, gone: set[str]
) -> list[str]:
    """`<indicator> <year>` for each published year an indicator no longer has (a rolling
    window's years before its new first year are expected to go)."""
    first_new_year = con.execute(
        "SELECT min(year(period_start)) FROM observations WHERE source = ?", [source_id]
    ).fetchone()[0]
    years = con.execute(
        """
        SELECT indicator, year(period_start) AS year FROM prev.observations WHERE source = ?
        EXCEPT SELECT indicator, year(period_start) FROM observations WHERE source = ?
        ORDER BY 1, 2
        """,
        [source_id, source_id],
    ).fetchall()
    items = []
    for indicator, year in years:
        if indicator in gone or year is None:
            continue
        if rolling_window and first_new_year is not None and year < first_new_year:
            continue
        items.append(f"{indicator} {year}")
    return items


def vanished_geographies(
    con: duckdb.DuckDBPyConnection, source_id: str, gone: set[str]
) -> list[str]:
    geographies = con.execute(
        """
        SELECT indicator, geography FROM prev.observations WHERE source = ?
        EXCEPT SELECT indicator, geography FROM observations WHERE source = ?
        ORDER BY 1, 2
        """,
        [source_id, source_id],
    ).fetchall()
    return [
        f"{indicator} in {geography}"
        for indicator, geography in geographies
        if indicator not in gone and geography is not None
    ]


def revisions(con: duckdb.DuckDBPyConnection, source_id: str) -> tuple[int, pd.DataFrame]:
    """How many published values the staged rows change, and the first REVISIONS_LISTED of them."""
    sql = f"""
        WITH old AS (
            SELECT {KEY}, any_value(period_label) AS period_label, count(*) AS n,
                   any_value(value) AS value
            FROM prev.observations WHERE source = $source GROUP BY ALL
        ), new AS (
            SELECT {KEY}, count(*) AS n, any_value(value) AS value
            FROM observations WHERE source = $source GROUP BY ALL
        )
        SELECT old.indicator, old.geography, old.period_label, old.stratum,
               old.value AS previous_value, new.value AS value
        FROM old JOIN new USING (indicator, geography, period_start, period_end, stratum)
        WHERE old.n = 1 AND new.n = 1 AND old.value IS DISTINCT FROM new.value
        ORDER BY old.indicator, old.period_start, old.geography, old.stratum
    """
    frame = con.execute(sql, {"source": source_id}).df()
    return len(frame), frame.head(REVISIONS_LISTED).reset_index(drop=True)
