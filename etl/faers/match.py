"""Which drug rows are ketamine or esketamine, and in what role.

Names in `prod_ai` (FDA's active-ingredient coding, FAERS only) and `drugname` (verbatim) are
normalised (upper case, every run of non-alphanumerics -> one space, trimmed) and matched against
`etl/data/faers_synonyms.csv` as whole words, so `KETAMINE HCL`, `KETAMINE HYDROCHLORIDE.` and
`KETALAR 50MG/ML` match while `ESKETAMINE` is not read as `KETAMINE`: when several synonyms fit a
name, the longest wins (`S KETAMINE` -> esketamine). `prod_ai` wins over `drugname`.

Matching runs on the *distinct* names only, then joins back by equality, so the word search is
over tens of thousands of names rather than millions of drug rows.

Roles (`role_cod`): PS primary suspect, SS secondary suspect, C concomitant, I interacting.
A report's role for an ingredient is its strongest: PS > SS > I > C.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SYNONYMS_CSV = Path(__file__).resolve().parents[1] / "data" / "faers_synonyms.csv"
ROLE_RANK = {"PS": 1, "SS": 2, "I": 3, "C": 4}
ROLE_LABELS = {
    "PS": "primary suspect",
    "SS": "secondary suspect",
    "I": "interacting",
    "C": "concomitant",
}
_NORM = "trim(regexp_replace(upper({x}), '[^A-Z0-9]+', ' ', 'g'))"


def normalise_sql(expr: str) -> str:
    return _NORM.format(x=expr)


def build_matches(con: duckdb.DuckDBPyConnection, synonyms: Path = SYNONYMS_CSV) -> None:
    """`faers_drug_match(primaryid, quarter, drug_seq, role_cod, ingredient, matched_on)` for the
    drug rows of the reports in `faers_latest`, and `faers_report_ingredient(primaryid, quarter,
    ingredient, role_cod)` with each report's strongest role."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_synonyms AS SELECT "
        f"{normalise_sql('name')} AS syn, lower(trim(ingredient)) AS ingredient "
        "FROM read_csv(?, header=true, all_varchar=true)",
        [str(synonyms)],
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE faers_name_map AS
        WITH names AS (
            SELECT DISTINCT name FROM (
                SELECT prod_ai AS name FROM faers_stage_drug
                UNION SELECT drugname FROM faers_stage_drug
            ) WHERE name IS NOT NULL
        ),
        normed AS (SELECT name, ' ' || {normalise_sql("name")} || ' ' AS padded FROM names)
        SELECT name, arg_max(s.ingredient, length(s.syn)) AS ingredient
        FROM normed JOIN faers_synonyms s ON contains(padded, ' ' || s.syn || ' ')
        GROUP BY name
    """)
    rank = " ".join(f"WHEN '{code}' THEN {n}" for code, n in ROLE_RANK.items())
    con.execute("""
        CREATE OR REPLACE TEMP TABLE faers_drug_match AS
        SELECT d.primaryid, d.quarter, d.drug_seq, upper(trim(d.role_cod)) AS role_cod,
            COALESCE(ai.ingredient, dn.ingredient) AS ingredient,
            CASE WHEN ai.ingredient IS NOT NULL THEN 'prod_ai' ELSE 'drugname' END AS matched_on
        FROM faers_stage_drug d
        SEMI JOIN faers_latest l ON d.primaryid = l.primaryid AND d.quarter = l.quarter
        LEFT JOIN faers_name_map ai ON d.prod_ai = ai.name
        LEFT JOIN faers_name_map dn ON d.drugname = dn.name
        WHERE ai.ingredient IS NOT NULL OR dn.ingredient IS NOT NULL
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE faers_report_ingredient AS
        SELECT primaryid, quarter, ingredient,
            arg_min(role_cod, CASE role_cod {rank} ELSE 9 END) AS role_cod
        FROM faers_drug_match GROUP BY ALL
    """)
