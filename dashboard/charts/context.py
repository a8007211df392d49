"""Which rows are context (all-drug totals, other substances) rather than ketamine or esketamine.

DESIGN: headlines are about ketamine or esketamine; all-drug totals appear only as context. A
context series is never drawn on a ketamine series' y axis (a total in the thousands flattens
every ketamine point to the floor): chart builders take it as a separate `context` frame and draw
it on its own panel. Pages split their rows with `split_context` before calling the builder.
"""

from __future__ import annotations

import re

import pandas as pd

SUBJECT_SUBSTANCES = ("ketamine", "esketamine", "ketamine analogues")
# Until every indicator carries `substance`: what the label says about it.
CONTEXT_LABEL = re.compile(r"all[ -]drugs?\b|all substances|\bcontext\b", re.IGNORECASE)


def is_context(data: pd.DataFrame) -> pd.Series:
    """True for rows that count something other than ketamine / esketamine.

    By the indicator's `substance` where the frame has it (anything not ketamine, esketamine or
    ketamine analogues is context); otherwise by domain == 'context' or a label that says 'all
    drugs' / 'all substances' / 'context'."""
    context = pd.Series(False, index=data.index)
    if "substance" in data:
        known = data["substance"].notna() & data["substance"].astype(str).str.strip().ne("")
        other = ~data["substance"].astype(str).str.strip().str.lower().isin(SUBJECT_SUBSTANCES)
        context |= known & other
        unknown = ~known
    else:
        unknown = pd.Series(True, index=data.index)
    guessed = pd.Series(False, index=data.index)
    if "domain" in data:
        guessed |= data["domain"].astype(str).eq("context")
    for column in ("label", "series"):
        if column in data:
            guessed |= data[column].astype(str).str.contains(CONTEXT_LABEL)
    return context | (unknown & guessed)


def split_context(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ketamine / esketamine rows, context rows)."""
    if data.empty:
        return data, data
    mask = is_context(data)
    return data[~mask], data[mask]
