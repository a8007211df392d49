"""SQL for the Adverse events page's active comparators and its empty states: the comparator
groups the FAERS load computed (`faers_comparator_signals`), their signal rows, and how many
ketamine and esketamine reports the loaded quarters hold (`faers_quarterly_counts`). Fixed SQL
texts with `?` parameters, run read-only through `queries.run_query`."""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common import queries

COMPARATOR_SQL = (
    "SELECT ingredient, pt, a, n_drug, n_event, n_total, b, c, d, prr, prr_lower, prr_upper,"
    " ror, ror_lower, ror_upper, chi2, evans, ror_signal, label_expected, comparator_label"
    " FROM faers_comparator_signals WHERE list_contains(?, ingredient) AND comparator = ?"
    " AND (NOT ? OR NOT label_expected)"
    " ORDER BY ingredient, evans DESC, ror_signal DESC, a DESC, pt"
)


def comparators() -> pd.DataFrame:
    """The active comparator groups the FAERS load computed: comparator, its label, the drug it
    is for, and how many signal rows it has (a group may have none in the loaded quarters)."""
    if not queries.has_table(wc.FAERS_COMPARATOR_SIGNALS):
        return pd.DataFrame(columns=["comparator", "comparator_label", "ingredient", "rows"])
    return queries.run_query(
        "SELECT comparator, comparator_label, ingredient, count(*) AS rows"
        " FROM faers_comparator_signals GROUP BY ALL ORDER BY comparator"
    )


def focus_reports_per_quarter() -> pd.DataFrame:
    """Per loaded FAERS quarter: reports kept, and de-duplicated reports naming ketamine and
    esketamine (any role), from `faers_quarterly_counts`; empty when none is loaded."""
    if not queries.has_table(wc.FAERS_QUARTERLY_COUNTS):
        return pd.DataFrame(columns=["quarter", "all_reports", "ketamine", "esketamine"])
    return queries.run_query(
        "SELECT quarter,"
        " sum(reports) FILTER (WHERE ingredient = 'all') AS all_reports,"
        " sum(reports) FILTER (WHERE ingredient = 'ketamine' AND role_scope = 'any') AS ketamine,"
        " sum(reports) FILTER (WHERE ingredient = 'esketamine' AND role_scope = 'any')"
        "   AS esketamine"
        " FROM faers_quarterly_counts GROUP BY quarter ORDER BY quarter"
    )
