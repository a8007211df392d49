"""Pure frame helpers for the Therapeutic context page: the latest Part D figures, the published
trial counts as one table, and the supply and harm panels set side by side. No Streamlit, no SQL.
"""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common import selection, transforms

# Part D headline figures: (indicator, title), and the ones drawn over time: (indicator, y title).
PARTD_METRICS = (
    (wc.CMS_PARTD_CLAIMS_SPRAVATO, "Spravato Part D claims"),
    (wc.CMS_PARTD_BENEFICIARIES_SPRAVATO, "Spravato Part D beneficiaries"),
    (wc.CMS_PARTD_SPENDING_SPRAVATO, "Spravato Part D gross spending"),
)
PARTD_CHARTS = (
    (wc.CMS_PARTD_CLAIMS_SPRAVATO, "claims"),
    (wc.CMS_PARTD_SPENDING_SPRAVATO, "USD (gross)"),
)
PARTD_PANELS = ((wc.CMS_PARTD_CLAIMS_SPRAVATO, "Spravato Part D claims"),)
# How many years of harm series to show before the first therapeutic-supply year.
HARM_LEAD_YEARS = 6

Panel = tuple[str, str, pd.DataFrame]  # (group, panel name, observation rows)


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def latest_per_indicator(rows: pd.DataFrame) -> pd.DataFrame:
    """The latest observation of each indicator, indexed by indicator."""
    return rows.sort_values("period_start").groupby("indicator").tail(1).set_index("indicator")


def dispensed(prescriptions: pd.DataFrame) -> pd.DataFrame:
    """Published prescription counts (unit 'prescriptions'), the ones drawn as a line."""
    if prescriptions.empty:
        return prescriptions
    return prescriptions[prescriptions["unit"] == "prescriptions"]


def published_trials_table(published: pd.DataFrame) -> pd.DataFrame:
    """Published counts of registered trials (dated observations and undated figures) as one
    table: `what` is the indicator's label, else the publication's own wording."""
    what = published.get("label", pd.Series(index=published.index, dtype=object))
    if "indicator_text" in published:
        what = what.fillna(published["indicator_text"])
    return published.assign(what=what)[
        ["what", "period_label", "stratum", "value", "unit", "flags", "citation", "citation_url"]
    ]


def supply_panels(partd: pd.DataFrame, prescriptions: pd.DataFrame) -> list[Panel]:
    """The therapeutic-supply panels: Spravato Part D claims, then published prescriptions."""
    panels: list[Panel] = []
    for indicator, name in PARTD_PANELS:
        rows = partd[partd["indicator"] == indicator] if not partd.empty else partd
        if not rows.empty:
            panels.append(("Therapeutic supply", name, rows))
    rows = dispensed(prescriptions)
    if not rows.empty:
        name = selection.tagged_label(
            label="Ketamine prescriptions dispensed (IQVIA)",
            secondary=selection.is_secondary(rows["secondary_share"].max()),
        )
        panels.append(("Therapeutic supply", name, rows))
    return panels


def harm_since(panels: list[Panel]) -> int:
    """The first year to show: HARM_LEAD_YEARS before the first supply year (2019 if none)."""
    first = min(
        (pd.to_datetime(rows["period_start"]).min().year for _, _, rows in panels), default=2019
    )
    return first - HARM_LEAD_YEARS


def harm_panel_name(row) -> str:
    """A harm series' panel title: its label, place and stratum, tagged by substance, role and
    tier."""
    return selection.tagged_label(
        label=f"{short(row.label, 70)} — {row.geography}, {row.stratum}",
        role=row.role,
        substance=row.substance,
        secondary=selection.is_secondary(row.secondary_share),
    )


def side_by_side(panels: list[Panel], since: int) -> pd.DataFrame | None:
    """Every panel's chart rows with its group and name, from `since` on (None when fewer than
    two panels: nothing to set side by side)."""
    if len(panels) < 2:
        return None
    frames = [
        transforms.chart_frame(rows).assign(group=group, panel=name) for group, name, rows in panels
    ]
    combined = pd.concat(frames, ignore_index=True)
    return combined[combined["period_end"] >= pd.Timestamp(since, 1, 1)]
