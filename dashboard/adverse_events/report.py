"""The Adverse events page's data for one reader's choice: fetched through
dashboard/adverse_events/queries.py and queries_compare.py, shaped by frames.py. The sections
draw it; nothing here draws."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import warehouse_contract as wc
from dashboard.adverse_events import compare, frames, queries, queries_compare
from dashboard.common import transforms


@dataclass(frozen=True)
class Report:
    """Every frame the chosen source's sections draw, in page order."""

    meta: dict
    rows: pd.DataFrame
    breaks: pd.DataFrame
    quarters: pd.DataFrame | None
    reactions: pd.DataFrame
    outcomes: pd.DataFrame
    people: pd.DataFrame
    signals: pd.DataFrame
    comparator_label: str
    loaded_text: str


def available_sources() -> list[str]:
    """The case-data sources that hold rows in this warehouse (FAERS first)."""
    loaded = queries.loaded()
    return [s for s in (wc.FAERS_QUARTERLY, wc.OPENFDA) if loaded[s]]


def quarterly(choice: frames.Choice) -> pd.DataFrame:
    """The chosen source's per-quarter report counts of the chosen drugs, all years."""
    ids = frames.report_indicators(choice.source, choice.drugs, choice.role)
    return queries.quarterly_reports(choice.source, ids)


def years_offered(choice: frames.Choice) -> list[int]:
    """The years the year slider offers for this choice."""
    return transforms.years_of(quarterly(choice))


def fetch(choice: frames.Choice) -> Report | None:
    """The frames of the chosen source, drugs, role and years; None without a loaded source."""
    if choice.source is None:
        return None
    drugs, role, first, last = choice.drugs, choice.role, choice.first, choice.last
    faers = choice.source == wc.FAERS_QUARTERLY
    meta = queries.source_row(choice.source)
    rows = transforms.filter_years(quarterly(choice), first, last)
    if faers:
        reactions = queries.faers_top_reactions(drugs, role, first, last)
        outcomes = frames.with_share(queries.faers_outcomes(drugs, role, first, last))
        people = queries.faers_people(drugs, role, first, last)
    else:
        reactions = queries.openfda_top_reactions(drugs)
        outcomes = queries.openfda_counts(drugs, ("serious", "death"))
        people = queries.openfda_counts(drugs, ("sex", "agegroup", "qualification"))
    found = queries_compare.signals(
        choice.source, drugs, mask=choice.mask, comparator=choice.comparator
    )
    options = compare.comparator_options(queries_compare.comparators(), drugs)
    return Report(
        meta=meta,
        rows=rows,
        breaks=frames.reporting_breaks(queries.approval_events(), rows),
        quarters=queries.loaded_quarters() if faers else None,
        reactions=frames.with_provenance(frames.with_share(reactions), meta),
        outcomes=frames.with_provenance(outcomes, meta),
        people=frames.with_provenance(people, meta),
        signals=found,
        comparator_label=options.get(choice.comparator, ""),
        loaded_text=(
            compare.loaded_text(queries_compare.focus_reports_per_quarter()) if faers else ""
        ),
    )
