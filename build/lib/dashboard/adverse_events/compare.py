"""Adverse events for pharmacovigilance: the comparator choice (all other drugs, or an active
comparator: other antidepressants for esketamine, other anesthetics for ketamine), the
disproportionality section against it, the published RORs (one chart per comparison, CIs drawn
as intervals) and empty states that say what is loaded.

The comparator groups are data (etl/data/comparator_groups.csv, WHO ATC N06A and N01A/N01B);
the FAERS load computes `faers_comparator_signals` against them. A published ROR whose CI
was published only inside its label ("... (95% CI 1.07-1.58) ...") gets that interval as
numbers here: the same published figures, moved out of the text and drawn.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard.adverse_events import charts, frames
from dashboard.common import components, filters, specs
from dashboard.common.safe_text import md

COMPARATOR_KEY = "cmp"
ALL_OTHER_DRUGS = "all"
CI_IN_LABEL = re.compile(r"\s*\(95% CI\s*([\d.,]+)\s*[-–]\s*([\d.,]+)\)")
CITED_IN_LABEL = re.compile(r"\s*\[[^\]]*\]\s*$")


# ---- pure ---------------------------------------------------------------------------------------


def comparator_options(groups: pd.DataFrame, drugs: tuple[str, ...]) -> dict[str, str]:
    """value -> label: all other drugs, then each computed group for a chosen drug."""
    options = {ALL_OTHER_DRUGS: "all other drugs (every other report)"}
    for row in groups.itertuples():
        if row.ingredient in drugs:
            options[str(row.comparator)] = f"{row.comparator_label}, for {row.ingredient}"
    return options


def loaded_text(quarters: pd.DataFrame) -> str:
    """Which FAERS quarters are loaded and how many ketamine and esketamine reports they hold."""
    if quarters.empty:
        return "No FAERS quarter is loaded in this build."
    names = ", ".join(quarters["quarter"].astype(str))
    total = int(quarters["all_reports"].fillna(0).sum())
    ket = int(quarters["ketamine"].fillna(0).sum())
    esk = int(quarters["esketamine"].fillna(0).sum())
    return (
        f"Loaded FAERS quarters: {names} ({total:,} de-duplicated reports), of which {ket:,} "
        f"name ketamine and {esk:,} name esketamine (any role)."
    )


def split_ci(frame: pd.DataFrame) -> pd.DataFrame:
    """Published figures with `lower`/`upper` taken from a '(95% CI x-y)' in the label where
    the numbers are missing, and the label without the CI text."""
    if frame.empty:
        return frame
    found = frame["label"].astype(str).str.extract(CI_IN_LABEL)
    lower = pd.to_numeric(found[0].str.replace(",", ""), errors="coerce")
    upper = pd.to_numeric(found[1].str.replace(",", ""), errors="coerce")
    out = frame.copy()
    for column, parsed in (("lower", lower), ("upper", upper)):
        current = out[column] if column in out else pd.Series(float("nan"), index=out.index)
        out[column] = pd.to_numeric(current, errors="coerce").fillna(parsed)
    out["label"] = out["label"].astype(str).str.replace(CI_IN_LABEL, "", regex=True)
    return out


def by_comparison(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Published ratios split by what they compare (the label before ':', e.g. 'reporting odds
    ratio, esketamine vs all other drugs' and 'male vs female reporting odds ratio'): each
    comparison gets its own chart; each figure is named by its event and period."""
    if rows.empty:
        return []
    label = rows["label"].astype(str).str.replace(CITED_IN_LABEL, "", regex=True)
    parts = label.str.split(":", n=1, expand=True).reindex(columns=[0, 1])
    comparison = parts[0].str.strip()
    event = parts[1].fillna(parts[0]).str.strip()
    named = rows.assign(comparison=comparison, figure=event + " — " + rows["period_label"])
    return [(str(c), part.reset_index(drop=True)) for c, part in named.groupby("comparison")]


# ---- Streamlit ----------------------------------------------------------------------------------


def choose_comparator(source: str | None, drugs: tuple[str, ...], groups: pd.DataFrame) -> str:
    """The comparator selectbox (`?cmp=antidepressants`), FAERS quarterly files only."""
    if source != wc.FAERS_QUARTERLY:
        return ALL_OTHER_DRUGS
    options = comparator_options(groups, drugs)
    chosen = filters.selectbox(
        COMPARATOR_KEY,
        list(options),
        label="Comparator for the signals",
        format_func=options.get,
        help="An active comparator (another drug for the same indication) reduces "
        "confounding by indication. Groups: WHO ATC N06A antidepressants for esketamine; "
        "N01A/N01B anesthetics for ketamine.",
    )
    return chosen or ALL_OTHER_DRUGS


def section_signals(
    choice: frames.Choice, found: pd.DataFrame, meta: dict, *, label: str, loaded: str
) -> None:
    """The 2x2 signal table and ROR forest plot against the chosen comparator."""
    st.header("Disproportionality signals", anchor="signals")
    faers = choice.source == wc.FAERS_QUARTERLY
    scope = "loaded quarters" if faers else "openFDA database"
    st.markdown(
        "Each row is a 2×2 table of reports: **a** with the drug (as suspect) and the event, "
        "**b** with the drug and other events, **c** comparator reports with the event, **d** "
        f"the other comparator reports. **Comparator: {md(label)}** (in the {scope}). A signal "
        "is a statistical association in reporting, not a proven risk. "
        + (
            "**Masking is on**: events expected from the label are left out."
            if choice.mask
            else "**Masking is off**: events expected from the label are kept and marked."
        )
    )
    if found.empty:
        components.notice(f"No signal rows for this choice. {loaded}".strip())
        return
    st.dataframe(frames.signal_table(found), hide_index=True, width="stretch")
    if choice.source == wc.OPENFDA:
        st.caption(
            "openFDA gives background counts for its top 1,000 reaction terms only; an event "
            "outside them has no signal row."
        )
    forest = frames.with_provenance(frames.forest_rows(found), meta)
    if forest.empty:
        return
    chart = specs.chart_spec(
        charts.signal_forest,
        data=forest,
        title=f"Reporting odds ratio with 95% CI, against {label}",
    )
    components.chart_block(
        chart,
        forest,
        key=f"ae_signals_{choice.source}_{choice.comparator}",
        counts=f"reports; ROR and PRR against {label}",
    )


def section_published(published: pd.DataFrame) -> None:
    """Published FAERS figures: one chart per unit, and per comparison for ratios, with CIs
    drawn as intervals."""
    st.header("Published FAERS analyses", anchor="published")
    charted, rest = frames.published_by_unit(split_ci(published))
    if not charted:
        components.notice("No published FAERS figures are loaded.")
    for unit, rows in charted:
        title, x_title, log_scale = frames.PUBLISHED_TITLES[unit]
        groups = by_comparison(rows) if unit == "ROR" else [("", rows)]
        for comparison, part in groups:
            shown = f"{title}: {comparison}" if comparison else title
            chart = specs.chart_spec(
                charts.published_values,
                data=part,
                title=shown,
                x_title=x_title,
                log_scale=log_scale,
            )
            components.chart_block(
                chart,
                part,
                key=f"ae_published_{unit}_{comparison}",
                counts=(
                    f"{x_title} as each study published them, each with its own drug "
                    "definition, period and comparator; not comparable with each other or with "
                    "the counts above"
                ),
            )
    if not rest.empty:
        st.dataframe(
            components.http_links(
                rest[["figure", "value", "unit", "citation", "citation_url"]], "citation_url"
            ),
            hide_index=True,
            width="stretch",
            column_config={"citation_url": st.column_config.LinkColumn("source")},
        )
