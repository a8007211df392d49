"""Pure frame helpers for the Overview page: the filter options, each stream card's numbers
(latest value, change, recent range, the rows it cites), the order of "What changed", and the
options of the explored series. No Streamlit, no SQL."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.common import changes, selection, transforms

DOMAIN_TITLES = selection.STREAM_TITLES


@dataclass(frozen=True)
class Filters:
    """The reader's filters: geographies and groups (empty: all), years, secondary figures."""

    geographies: list[str]
    groups: list[str]
    first_year: int | None
    last_year: int | None
    include_secondary: bool


def by_frequency(values: pd.Series) -> list[str]:
    """Options ordered by how many series have them (the useful ones first)."""
    return values.value_counts().index.astype(str).tolist()


def year_span(catalog: pd.DataFrame) -> list[int]:
    """Every year from the catalogue's first period to its last."""
    return list(
        range(
            pd.Timestamp(catalog["first_period"].min()).year,
            pd.Timestamp(catalog["last_period"].max()).year + 1,
        )
    )


def where_text(geography: str, stratum: str) -> str:
    return f"{geography} · {stratum}"


@dataclass(frozen=True)
class Card:
    """One stream's card: the headline row, its rows in the chosen years, their change summary
    and recent range, the chart frame, the stream title and tagged label, and the rows it cites
    (latest) and starts from (first)."""

    row: object
    data: pd.DataFrame
    summary: dict
    spread: dict | None
    frame: pd.DataFrame
    title: str
    label: str
    cited: pd.Series
    first: pd.Series


def card(row, rows: pd.DataFrame, first_year: int | None, last_year: int | None) -> Card | None:
    """The card of one headline series (None when its rows have no change summary)."""
    data = transforms.filter_years(rows, first_year, last_year)
    summary = changes.change_summary(data)
    if not summary:
        return None
    ordered = data.sort_values("period_start")
    return Card(
        row=row,
        data=data,
        summary=summary,
        spread=changes.recent_range(data),
        frame=transforms.chart_frame(data),
        title=DOMAIN_TITLES.get(row.domain, row.domain),
        label=selection.tagged_label(
            label=row.label,
            role=row.role,
            substance=row.substance,
            secondary=selection.is_secondary(row.secondary_share),
        ),
        cited=ordered.iloc[-1],
        first=ordered.iloc[0],
    )


def change_of(card: Card) -> dict:
    """What the "What changed" sentence of a card needs."""
    return {
        "stream": card.title,
        "label": card.label,
        "where": where_text(card.row.geography, card.row.stratum),
        "summary": card.summary,
        "spread": card.spread,
    }


def beyond_first(changes: list[dict]) -> list[dict]:
    """Changes that moved beyond their recent range first, otherwise in card order."""
    return sorted(changes, key=lambda c: (c["spread"] or {}).get("beyond") is None)


def explore_options(candidates: pd.DataFrame, headlines: pd.DataFrame) -> tuple[list, pd.DataFrame]:
    """(indicator options: the headlines first, then the rest in the catalogue's order; one row
    per indicator, the one with the most points, to label them)."""
    labels = (
        candidates.sort_values("points", ascending=False, kind="stable")
        .drop_duplicates("indicator")
        .set_index("indicator")
    )
    by_role = labels.reindex(candidates["indicator"].drop_duplicates()).index
    return list(dict.fromkeys([*headlines["indicator"], *by_role])), labels


def option_text(labels: pd.DataFrame, indicator: str) -> str:
    """'Stream: label (unit)', tagged by role, substance and tier."""
    row = labels.loc[indicator]
    text = selection.tagged_label(
        label=f"{row['label']} ({row['unit']})",
        role=row["role"],
        substance=row["substance"],
        secondary=selection.is_secondary(row["secondary_share"]),
    )
    return f"{DOMAIN_TITLES.get(row['domain'], row['domain'])}: {text}"


def narrowed(
    data: pd.DataFrame,
    geographies: list[str],
    groups: list[str],
    first_year: int | None,
    last_year: int | None,
) -> pd.DataFrame:
    """The explored series' rows in the chosen geographies, groups and years."""
    if geographies:
        data = data[data["geography"].isin(geographies)]
    if groups:
        data = data[data["stratum"].isin(groups)]
    return transforms.filter_years(data, first_year, last_year)
