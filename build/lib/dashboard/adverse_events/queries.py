"""SQL for the Adverse events page: FAERS quarterly detail tables, openFDA counts, signals, the
Spravato approval from `events`, and the published FAERS figures (literature) for offline use.

Fixed SQL texts with `?` parameters only, run through `queries.run_query` (read-only, cached on
the warehouse version). The FAERS and openFDA tables exist only after a mirror or online load,
so every reader checks `queries.has_table` first and returns an empty frame otherwise. Where a
source is chosen, the page picks between fixed texts; no identifier comes from user input.
"""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.adverse_events import queries_compare
from dashboard.common import queries

INGREDIENTS = ("ketamine", "esketamine")
FAERS = wc.FAERS_QUARTERLY
OPENFDA = wc.OPENFDA
SIGNAL_TABLES = {FAERS: wc.FAERS_SIGNALS, OPENFDA: wc.OPENFDA_SIGNALS}

# FDA's codes in the FAERS quarterly files (ASCII_Readme.pdf), as plain words.
OUTCOMES = {
    "DE": "death",
    "LT": "life-threatening",
    "HO": "hospitalization (initial or prolonged)",
    "DS": "disability",
    "CA": "congenital anomaly",
    "RI": "required intervention to prevent permanent damage",
    "OT": "other serious (important medical event)",
}
REPORTERS = {
    "MD": "physician",
    "PH": "pharmacist",
    "HP": "health professional",
    "OT": "other health professional",
    "LW": "lawyer",
    "CN": "consumer",
}
SEXES = {"F": "female", "M": "male"}
AGE_BANDS = ("0-17", "18-44", "45-64", "65+", "not reported")

_ROLE = (
    "CASE ing.ingredient WHEN 'ketamine' THEN c.ketamine_role "
    "WHEN 'esketamine' THEN c.esketamine_role END"
)
# Reports (one per case) with the chosen drugs in the chosen role, received in the chosen years.
FAERS_REPORTS = f"""
    WITH picked AS (
        SELECT c.*, ing.ingredient, {_ROLE} AS role_cod
        FROM faers_cases c, (SELECT unnest(?::VARCHAR[]) AS ingredient) ing
        WHERE {_ROLE} IS NOT NULL
          AND (? = 'any' OR {_ROLE} IN ('PS', 'SS'))
          AND (? IS NULL OR CAST(left(c.received_quarter, 4) AS INTEGER) >= ?)
          AND (? IS NULL OR CAST(left(c.received_quarter, 4) AS INTEGER) <= ?)
    )
"""


def _faers_params(
    ingredients: tuple[str, ...], role: str, first: int | None, last: int | None
) -> tuple:
    return (list(ingredients), role, first, first, last, last)


# ---- which data is loaded ---------------------------------------------------------------------


def loaded() -> dict[str, bool]:
    """Whether FAERS quarterly detail tables and openFDA count tables hold rows."""
    out = {FAERS: False, OPENFDA: False}
    if queries.has_table(wc.FAERS_QUARTERLY_COUNTS):
        frame = queries.run_query("SELECT count(*) AS n FROM faers_quarterly_counts")
        out[FAERS] = bool(int(frame["n"].iloc[0]))
    if queries.has_table(wc.OPENFDA_COUNTS):
        frame = queries.run_query("SELECT count(*) AS n FROM openfda_counts")
        out[OPENFDA] = bool(int(frame["n"].iloc[0]))
    return out


def source_row(source_id: str) -> dict:
    """The `sources` row (title, citation, homepage, vintage, last refresh) of one source."""
    frame = queries.run_query("SELECT * FROM sources WHERE id = ?", (source_id,))
    return frame.iloc[0].to_dict() if not frame.empty else {}


def loaded_quarters() -> pd.DataFrame:
    if not queries.has_table(wc.FAERS_LOADED_QUARTERS):
        return pd.DataFrame()
    return queries.run_query("SELECT * FROM faers_loaded_quarters ORDER BY quarter")


# ---- time series ------------------------------------------------------------------------------


def quarterly_reports(source_id: str, indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    """Observations of the given per-quarter report indicators of one source."""
    return queries.run_query(
        queries.OBSERVATIONS_WHERE
        + ("o.source = ? AND list_contains(?, o.indicator)")
        + queries.OBSERVATIONS_TIER,
        (source_id, list(indicator_ids), *queries.tier_params(True)),
    )


def approval_events(product: str = "spravato", agency: str = "FDA") -> pd.DataFrame:
    """The agency's approvals that name the product, earliest first (the first one is the
    reporting break: reports of a new product start with its launch)."""
    return queries.run_query(
        "SELECT e.*, s.vintage FROM events e LEFT JOIN sources s ON s.id = e.source"
        " WHERE e.category = ? AND e.agency = ? AND e.event ILIKE ?"
        " ORDER BY e.date",
        (wc.APPROVAL, agency, f"%{product}%"),
    )


# ---- FAERS quarterly detail tables ------------------------------------------------------------


def faers_top_reactions(
    ingredients: tuple[str, ...], role: str, first: int | None, last: int | None, limit: int = 15
) -> pd.DataFrame:
    """Per drug, the MedDRA preferred terms in the most de-duplicated reports."""
    if not queries.has_table(wc.FAERS_REACTIONS):
        return pd.DataFrame()
    return queries.run_query(
        FAERS_REPORTS
        + """
        , terms AS (
            SELECT p.ingredient, upper(trim(r.pt)) AS term,
                count(DISTINCT p.primaryid) AS reports
            FROM picked p JOIN faers_reactions r
              ON r.primaryid = p.primaryid AND r.quarter = p.file_quarter
            WHERE r.pt IS NOT NULL AND trim(r.pt) <> ''
            GROUP BY ALL
        ),
        totals AS (SELECT ingredient, count(*) AS drug_reports FROM picked GROUP BY ALL)
        SELECT * FROM terms JOIN totals USING (ingredient)
        QUALIFY row_number() OVER (PARTITION BY ingredient ORDER BY reports DESC, term) <= ?
        ORDER BY ingredient, reports DESC, term
        """,
        (*_faers_params(ingredients, role, first, last), limit),
    )


def faers_outcomes(
    ingredients: tuple[str, ...], role: str, first: int | None, last: int | None
) -> pd.DataFrame:
    """Per drug and FDA outcome code, de-duplicated reports (a report can have several)."""
    if not queries.has_table(wc.FAERS_OUTCOMES):
        return pd.DataFrame()
    frame = queries.run_query(
        FAERS_REPORTS
        + """
        , codes AS (
            SELECT p.ingredient, upper(trim(o.outc_cod)) AS code,
                count(DISTINCT p.primaryid) AS reports
            FROM picked p JOIN faers_outcomes o
              ON o.primaryid = p.primaryid AND o.quarter = p.file_quarter
            WHERE o.outc_cod IS NOT NULL AND trim(o.outc_cod) <> ''
            GROUP BY ALL
        ),
        totals AS (SELECT ingredient, count(*) AS drug_reports FROM picked GROUP BY ALL)
        SELECT * FROM codes JOIN totals USING (ingredient) ORDER BY ingredient, reports DESC
        """,
        _faers_params(ingredients, role, first, last),
    )
    return _labelled(frame, OUTCOMES)


def faers_people(
    ingredients: tuple[str, ...], role: str, first: int | None, last: int | None
) -> pd.DataFrame:
    """Per drug, de-duplicated reports by sex, by age band (years, from age and its unit) and by
    reporter occupation, as rows (ingredient, dimension, code, reports)."""
    if not queries.has_table(wc.FAERS_CASES):
        return pd.DataFrame()
    frame = queries.run_query(
        FAERS_REPORTS
        + """
        SELECT ingredient, 'sex' AS dimension, coalesce(sex, '') AS code, count(*) AS reports
        FROM picked GROUP BY ALL
        UNION ALL
        SELECT ingredient, 'age', CASE
                WHEN age_years IS NULL OR age_years < 0 THEN 'not reported'
                WHEN age_years < 18 THEN '0-17' WHEN age_years < 45 THEN '18-44'
                WHEN age_years < 65 THEN '45-64' ELSE '65+' END, count(*)
        FROM picked GROUP BY ALL
        UNION ALL
        SELECT ingredient, 'reporter', coalesce(occp_cod, ''), count(*) FROM picked GROUP BY ALL
        ORDER BY 1, 2, 4 DESC
        """,
        _faers_params(ingredients, role, first, last),
    )
    if frame.empty:
        return frame
    labels = {
        "sex": SEXES,
        "reporter": REPORTERS,
        "age": {band: f"{band} years" if band[0].isdigit() else band for band in AGE_BANDS},
    }
    frame["label"] = [
        labels[d].get(c, "not reported" if not c or c == "UNK" else c)
        for d, c in zip(frame["dimension"], frame["code"], strict=True)
    ]
    return frame.groupby(["ingredient", "dimension", "label"], as_index=False)["reports"].sum()


# ---- openFDA count tables ---------------------------------------------------------------------


def openfda_counts(ingredients: tuple[str, ...], dimensions: tuple[str, ...]) -> pd.DataFrame:
    """openFDA count rows (ingredient, dimension, term, label, reports, last_updated)."""
    if not queries.has_table(wc.OPENFDA_COUNTS):
        return pd.DataFrame()
    return queries.run_query(
        "SELECT * FROM openfda_counts WHERE list_contains(?, ingredient)"
        " AND list_contains(?, dimension) ORDER BY ingredient, dimension, reports DESC",
        (list(ingredients), list(dimensions)),
    )


def openfda_top_reactions(ingredients: tuple[str, ...], limit: int = 15) -> pd.DataFrame:
    if not queries.has_table(wc.OPENFDA_REACTION_COUNTS):
        return pd.DataFrame()
    return queries.run_query(
        "SELECT r.ingredient, r.pt AS term, r.reports, t.reports AS drug_reports"
        " FROM openfda_reaction_counts r LEFT JOIN openfda_counts t"
        "   ON t.ingredient = r.ingredient AND t.dimension = 'total'"
        " WHERE list_contains(?, r.ingredient)"
        " QUALIFY row_number() OVER (PARTITION BY r.ingredient ORDER BY r.reports DESC, r.pt) <= ?"
        " ORDER BY r.ingredient, r.reports DESC, r.pt",
        (list(ingredients), limit),
    )


# ---- signals ----------------------------------------------------------------------------------

SIGNAL_SQL = {
    table: (
        "SELECT ingredient, pt, a, n_drug, n_event, n_total, b, c, d, prr, prr_lower, prr_upper,"
        " ror, ror_lower, ror_upper, chi2, evans, ror_signal, label_expected"
        f" FROM {table} WHERE list_contains(?, ingredient) AND (NOT ? OR NOT label_expected)"
        " ORDER BY ingredient, evans DESC, ror_signal DESC, a DESC, pt"
    )
    for table in SIGNAL_TABLES.values()
}


ALL_OTHER_DRUGS = "all"


def signals(
    source_id: str, ingredients: tuple[str, ...], *, mask: bool, comparator: str = ALL_OTHER_DRUGS
) -> pd.DataFrame:
    """Disproportionality rows of one source (a fixed table per source) against all other drugs,
    or (FAERS) against an active comparator group; label-expected events left out when `mask`."""
    if comparator != ALL_OTHER_DRUGS:
        if source_id != FAERS or not queries.has_table(wc.FAERS_COMPARATOR_SIGNALS):
            return pd.DataFrame()
        return queries.run_query(
            queries_compare.COMPARATOR_SQL, (list(ingredients), comparator, mask)
        )
    table = SIGNAL_TABLES[source_id]
    if not queries.has_table(table):
        return pd.DataFrame()
    return queries.run_query(SIGNAL_SQL[table], (list(ingredients), mask))


# ---- published figures (literature) -----------------------------------------------------------


def published_figures(*, include_secondary: bool = False) -> pd.DataFrame:
    """Published FAERS figures: observations of `adverse_events` indicators from the literature
    source, each with its own definition, period and citation (mostly secondary series only
    when `include_secondary`)."""
    frame = queries.run_query(
        queries.OBSERVATIONS_WHERE + ("i.domain = ? AND o.source = ?") + queries.OBSERVATIONS_TIER,
        (wc.ADVERSE_EVENTS, wc.LITERATURE, *queries.tier_params(include_secondary)),
    )
    if frame.empty:
        return frame
    return frame.sort_values(
        ["unit", "value", "indicator"], ascending=[True, False, True], ignore_index=True
    )


def _labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.assign(label=frame["code"].map(labels).fillna(frame["code"]))
