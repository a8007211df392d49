"""Which drug rows are ketamine or esketamine, and in what role.

Names in `prod_ai` (FDA's active-ingredient coding, FAERS only) and `drugname` (verbatim) are
normalised (upper case, every run of non-alphanumerics -> one space, trimmed) and matched against
`etl/data/faers_synonyms.csv` as whole words, so `KETAMINE HCL`, `KETAMINE HYDROCHLORIDE.` and
`KETALAR 50MG/ML` match while `ESKETAMINE` is not read as `KETAMINE`: when several synonyms fit a
name, the longest wins (`S KETAMINE` -> esketamine). `prod_ai` wins over `drugname`.

The DRUG files are never staged whole. While they are read, a row is kept as a *candidate* only
if one of its names could match: it contains (case-insensitively) a word of some synonym, or any
non-ASCII character (whose upper case might be ASCII). That test is derived from the synonyms
table, is a necessary condition for a match, and so never loses one. Matching proper then runs on
the *distinct* candidate names only and joins back by equality.

Roles (`role_cod`): PS primary suspect, SS secondary suspect, C concomitant, I interacting.
A report's role for an ingredient is its strongest: PS > SS > I > C.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SYNONYMS_CSV = Path(__file__).resolve().parents[1] / "data" / "faers_synonyms.csv"
ROLE_RANK = {"PS": 1, "SS": 2, "I": 3, "C": 4}
_NORM = "trim(regexp_replace(upper({x}), '[^A-Z0-9]+', ' ', 'g'))"


def normalise_sql(expr: str) -> str:
    return _NORM.format(x=expr)


def load_synonyms(con: duckdb.DuckDBPyConnection, synonyms: Path = SYNONYMS_CSV) -> None:
    """`faers_synonyms(syn, ingredient)`: the normalised synonyms."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE faers_synonyms AS SELECT "
        f"{normalise_sql('name')} AS syn, lower(trim(ingredient)) AS ingredient "
        "FROM read_csv(?, header=true, all_varchar=true)",
        [str(synonyms)],
    )


def candidate_sql(con: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> str:
    """A predicate over `columns` true for every name that could match `faers_synonyms`.

    A normalised name contains ` syn ` only if the upper-cased name contains each word of `syn`
    (normalising only turns non-alphanumerics into spaces). For an ASCII name that is a
    case-insensitive substring test; a name with any non-ASCII character is always a candidate.
    """
    syns = [s for (s,) in con.execute("SELECT syn FROM faers_synonyms").fetchall()]
    if not syns or any(not s for s in syns):
        return "TRUE"  # an empty synonym would match names with no letters at all
    words = {max(s.split(), key=len) for s in syns}  # one word per synonym suffices
    # ... and a word containing another (ESKETAMINE, KETAMIN) is implied by it
    words = sorted(w for w in words if not any(v != w and v in w for v in words))
    pattern = "|".join([*words, "[^\\x00-\\x7f]"])
    return " OR ".join(f"regexp_matches({c}, '{pattern}', 'i')" for c in columns)


def build_matches(con: duckdb.DuckDBPyConnection) -> None:
    """`faers_drug_match(primaryid, quarter, drug_seq, role_cod, ingredient, matched_on)` for the
    candidate drug rows (`faers_drug_candidates`) of the reports in `faers_latest`, and
    `faers_report_ingredient(primaryid, quarter, ingredient, role_cod)` with each report's
    strongest role."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE faers_name_map AS
        WITH names AS (
            SELECT DISTINCT name FROM (
                SELECT prod_ai AS name FROM faers_drug_candidates
                UNION SELECT drugname FROM faers_drug_candidates
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
        FROM faers_drug_candidates d
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
