"""Active-comparator groups for FAERS disproportionality: other antidepressants for esketamine,
other anesthetics for ketamine. The groups are data (etl/data/comparator_groups.csv: the active
ingredients of WHO ATC N06A, and of N01A general and N01B local anesthetics, with the ATC
index as reference), not code.

What it counts: de-duplicated reports (the kept version of each case) in which a drug of the
group is a suspect (role PS or SS), matched as a whole word in the active ingredient or drug
name; a report that names ketamine or esketamine as suspect is never a comparator report.
Per group and MedDRA PT: `c` (comparator reports with the event) and `n_comparator` (all the
group's reports). Caveats: a combination product that contains a group ingredient counts
(bupropion/naltrexone is counted as bupropion); misspelled names are not matched; the
comparison holds only within the loaded quarters.

`record_comparators` reads each quarter's DRUG file once more while the quarter is merged into
the FAERS store (etl/faers/store.py) and keeps only (report, group) pairs; `faers_comparator_counts`
is derived from the whole store (so loading quarters at once or one by one gives the same counts);
`comparator_signals` is pure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from etl.faers.store import table
from etl.signals import mask_expected, signal_table, signals_vs_active_comparator


class Files(Protocol):
    """The loader's quarter files (`etl.faers.load.Files`): runs a SQL template per file."""

    def each(self, con: duckdb.DuckDBPyConnection, kind: str, template: str) -> None: ...


GROUPS_CSV = Path(__file__).resolve().parents[1] / "data" / "comparator_groups.csv"
COUNTS_TABLE = "faers_comparator_counts"
SIGNALS_TABLE = "faers_comparator_signals"
LATEST = "s.primaryid IN (SELECT primaryid FROM faers_latest WHERE quarter = '{quarter}')"


def load_groups(path: Path = GROUPS_CSV) -> pd.DataFrame:
    """comparator, label, for_ingredient, atc_group, ingredient, reference (lower-case names)."""
    frame = pd.read_csv(path, dtype=str).apply(lambda c: c.str.strip())
    frame["ingredient"] = frame["ingredient"].str.lower()
    return frame


def group_patterns(groups: pd.DataFrame) -> pd.DataFrame:
    """One whole-word regular expression per group over upper-case names."""
    rows = []
    for comparator, part in groups.groupby("comparator", sort=True):
        words = sorted({w.upper() for w in part["ingredient"]})
        rows.append({"comparator": comparator, "pattern": r"\b(" + "|".join(words) + r")\b"})
    return pd.DataFrame(rows, columns=["comparator", "pattern"])


def match_sql(patterns: pd.DataFrame) -> str:
    """The comparator groups a DRUG row's `name` matches, as a list with NULLs: one constant
    pattern per group (a pattern from a joined column would be compiled for every row)."""
    cases = [
        f"CASE WHEN regexp_matches(name, '{p.replace(chr(39), chr(39) * 2)}') "
        f"THEN '{c.replace(chr(39), chr(39) * 2)}' END"
        for c, p in zip(patterns["comparator"], patterns["pattern"], strict=True)
    ]
    return "[" + ", ".join(cases) + "]"


def record_comparators(con: duckdb.DuckDBPyConnection, files: Files) -> None:
    """Add to the store's `comparators(primaryid, quarter, comparator)` the groups of each report
    this quarter's file now keeps (`faers_latest`); needs the loader's `faers_report_ingredient`
    for this quarter (a report naming ketamine or esketamine as suspect is in no group). Kept in
    the store like its other per-report rows, so a superseded or deleted report leaves it."""
    groups = match_sql(group_patterns(load_groups()))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_comparator_reports "
        "(primaryid BIGINT, quarter VARCHAR, comparator VARCHAR)"
    )
    files.each(
        con,
        "drug",
        "INSERT INTO faers_comparator_reports SELECT DISTINCT primaryid, quarter, comparator "
        f"FROM (SELECT primaryid, quarter, unnest({groups}) AS comparator FROM ("
        "SELECT s.primaryid, s.quarter, "
        "upper(coalesce(s.prod_ai, '') || ' ' || coalesce(s.drugname, '')) AS name "
        f"FROM ({{src}}) s WHERE s.role_cod IN ('PS', 'SS') AND {LATEST})) "
        "WHERE comparator IS NOT NULL",
    )
    con.execute(
        f"INSERT INTO {table('comparators')} SELECT * FROM faers_comparator_reports "
        "WHERE (primaryid, quarter) NOT IN (SELECT primaryid, quarter "
        "FROM faers_report_ingredient WHERE role_cod IN ('PS', 'SS'))"
    )
    con.execute("DROP TABLE faers_comparator_reports")


def create_comparator_counts(con: duckdb.DuckDBPyConnection) -> None:
    """`faers_comparator_counts(comparator, pt, c, n_comparator)` from the whole store: its
    comparator reports and their reactions (`pts`, one row per kept report and PT)."""
    con.execute(f"""
        CREATE OR REPLACE TABLE {COUNTS_TABLE} AS
        WITH n AS (SELECT comparator, count(*) AS n_comparator
                   FROM {table("comparators")} GROUP BY ALL),
        c AS (SELECT g.comparator, p.pt, count(*) AS c
              FROM {table("comparators")} g JOIN {table("pts")} p USING (primaryid, quarter)
              GROUP BY ALL)
        SELECT c.comparator, c.pt, c.c::BIGINT AS c, n.n_comparator::BIGINT AS n_comparator
        FROM c JOIN n USING (comparator)
        ORDER BY ALL
    """)


def comparator_signals(
    reactions: pd.DataFrame, counts: pd.DataFrame, groups: pd.DataFrame, expected: pd.DataFrame
) -> pd.DataFrame:
    """PRR / ROR per ingredient, group and PT against the group (a, b from the ingredient's
    suspect reports; c, d from the group's), for each group's `for_ingredient`; label-expected
    events flagged. Same columns as `faers_signals` plus comparator and comparator_label."""
    pairs = groups[["comparator", "label", "for_ingredient"]].drop_duplicates()
    parts = []
    for row in pairs.itertuples():
        drug = reactions[reactions["ingredient"] == row.for_ingredient]
        group = counts[counts["comparator"] == row.comparator]
        if drug.empty or group.empty:
            continue
        out = signals_vs_active_comparator(
            drug[["pt", "a"]].rename(columns={"a": "reports"}),
            group[["pt", "c"]].rename(columns={"c": "reports"}),
            n_drug=int(drug["n_drug"].iloc[0]),
            n_comparator=int(group["n_comparator"].iloc[0]),
        )
        parts.append(
            out.assign(
                ingredient=row.for_ingredient,
                comparator=row.comparator,
                comparator_label=row.label,
                n_drug=int(drug["n_drug"].iloc[0]),
                n_event=out["a"] + out["c"],
                n_total=int(drug["n_drug"].iloc[0]) + int(group["n_comparator"].iloc[0]),
            )
        )
    if not parts:  # no comparator reports loaded: an empty table with every column
        empty = {c: pd.Series(dtype="int64") for c in SIGNAL_COLUMNS if c != "pt"}
        empty |= {"ingredient": pd.Series(dtype=str), "pt": pd.Series(dtype=str)}
        empty |= {"comparator": pd.Series(dtype=str), "comparator_label": pd.Series(dtype=str)}
        parts = [signal_table(pd.DataFrame(empty))]
    return mask_expected(pd.concat(parts, ignore_index=True), expected)


SIGNAL_COLUMNS = ("ingredient", "pt", "a", "n_drug", "n_event", "n_total", "b", "c", "d")


def build_comparator_signals(con: duckdb.DuckDBPyConnection, expected: pd.DataFrame) -> None:
    """`faers_comparator_signals` from `faers_reaction_counts` and `faers_comparator_counts`."""
    frame = comparator_signals(
        con.execute("SELECT * FROM faers_reaction_counts").df(),
        con.execute(f"SELECT * FROM {COUNTS_TABLE}").df(),
        load_groups(),
        expected,
    )
    con.register("_comparator_signals_df", frame)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {SIGNALS_TABLE} AS SELECT * FROM _comparator_signals_df"
        )
    finally:
        con.unregister("_comparator_signals_df")
