"""Which rows are context (all-drug totals, other substances) rather than ketamine or esketamine.

DESIGN: headlines are about ketamine or esketamine; all-drug totals appear only as context. A
context series is never drawn on a ketamine series' y axis (a total in the thousands flattens
every ketamine point to the floor): chart builders take it as a separate `context` frame and draw
it on its own panel. Pages split their rows with `split_context` before calling the builder.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.common.selection import FOCUS

# The indicators' focus substances (etl/contract.py FOCUS_SUBSTANCES; the dashboard imports
# nothing from etl/, so the warehouse's `substance` / `role` columns are the contract).
SUBJECT_SUBSTANCES = ("ketamine", "esketamine", "ketamine and esketamine", "ketamine analogues")
# Until every indicator carries `substance`: what the label says about it.
CONTEXT_LABEL = re.compile(r"all[ -]drugs?\b|all substances|\bcontext\b", re.IGNORECASE)


def is_context(data: pd.DataFrame) -> pd.Series:
    """True for rows that count something other than ketamine / esketamine.

    By the indicator's `role` where the frame has it (anything but 'focus'), else its
    `substance` (anything not ketamine, esketamine or ketamine analogues); otherwise by
    domain == 'context' or a label that says 'all drugs' / 'all substances' / 'context'."""
    context = pd.Series(False, index=data.index)
    undecided = pd.Series(True, index=data.index)
    for column, focus in (("role", (FOCUS,)), ("substance", SUBJECT_SUBSTANCES)):
        if column not in data:
            continue
        text = data[column].astype(str).str.strip().str.lower()
        known = undecided & data[column].notna() & text.ne("") & text.ne("none")
        context |= known & ~text.isin(focus)
        undecided &= ~known
    guessed = pd.Series(False, index=data.index)
    if "domain" in data:
        guessed |= data["domain"].astype(str).eq("context")
    for column in ("label", "series"):
        if column in data:
            guessed |= data[column].astype(str).str.contains(CONTEXT_LABEL)
    return context | (undecided & guessed)


def split_context(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ketamine / esketamine rows, context rows)."""
    if data.empty:
        return data, data
    mask = is_context(data)
    return data[~mask], data[mask]
