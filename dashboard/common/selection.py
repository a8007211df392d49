"""What a page shows by default, and how it names what it shows. Pure functions: no Streamlit,
no SQL (the rows come from `dashboard/queries*.py`).

The rules of the numbers this module keeps (DESIGN.md):
- headlines and default lines are about ketamine or esketamine (`role` 'focus'); other
  substances are offered only as labelled comparators ("comparator: cocaine"), and all-drug
  totals only as labelled context ("context: all drugs"), never chosen by default;
- primary figures first: a series whose rows are mostly flagged `secondary` is never a default;
  it is offered only when the analyst asks for secondary figures, labelled "(secondary)";
- a geography filter offers countries, and a country keeps every sub-national or sample
  geography inside it ('US-TN', 'United States (28 SUDORS jurisdictions)', 'Brno (CZ)' ...),
  by the rules in `dashboard/geography_countries.csv`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import pandas as pd

GEOGRAPHY_RULES = Path(__file__).resolve().parent / "geography_countries.csv"

# A series is "secondary" when more than this share of its rows carry the `secondary` flag.
SECONDARY_SHARE = 0.5
FOCUS = "focus"
COMPARATOR = "comparator"
CONTEXT = "context"
ROLE_ORDER = {FOCUS: 0, COMPARATOR: 1, CONTEXT: 2}
ISO_SUFFIX = re.compile(r"\(([A-Z]{2})\)\s*$")


# The Overview's streams (one card per domain), in the order the page draws them.
STREAM_TITLES = {
    "poison_center": "Poison-center exposures",
    "mortality": "Deaths",
    "adverse_events": "Adverse-event reports",
    "misuse": "Survey prevalence and treatment",
    "supply": "Supply: lab reports and seizures",
    "wastewater": "Wastewater",
    "therapeutic": "Therapeutic use",
    "context": "Context",
}


def in_stream_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a `domain` column in the order of STREAM_TITLES (unknown domains last)."""
    order = {d: i for i, d in enumerate(STREAM_TITLES)}
    rank = frame["domain"].map(lambda d: order.get(d, len(order)))
    return frame.iloc[rank.argsort(kind="stable")]


# ---- geographies -----------------------------------------------------------------------------


@cache
def geography_rules(path: Path = GEOGRAPHY_RULES) -> tuple[dict[str, str], tuple]:
    """(ISO-2 code -> country, ((compiled pattern, country), ...)) from the rules file."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    iso = {r.match: r.country for r in frame[frame["kind"] == "iso2"].itertuples()}
    patterns = tuple(
        (re.compile(r.match), r.country) for r in frame[frame["kind"] == "regex"].itertuples()
    )
    return iso, patterns


def country_of(geography: str, *, rules_path: Path = GEOGRAPHY_RULES) -> str:
    """The country (or multi-country group) a published geography lies in.

    A trailing ISO code in parentheses decides first ('Brno (CZ)' -> 'Czechia'), then the
    patterns in order ('US-TN' -> 'United States', 'England and Wales' -> 'United Kingdom',
    'Europe (21 countries)' -> 'International (several countries)'). A geography no rule knows
    is its own option, so a filter never drops it silently.
    """
    text = str(geography).strip()
    iso, patterns = geography_rules(rules_path)
    suffix = ISO_SUFFIX.search(text)
    if suffix and suffix.group(1) in iso:
        return iso[suffix.group(1)]
    for pattern, country in patterns:
        if pattern.search(text):
            return country
    return text


def countries(*, geographies: Iterable[str]) -> list[str]:
    """The countries of the given geographies, those with the most geographies first (then by
    name), each once: the options of a country filter."""
    counted = pd.Series([country_of(g) for g in geographies], dtype=object)
    if counted.empty:
        return []
    sizes = counted.value_counts()
    return sorted(sizes.index.astype(str), key=lambda c: (-int(sizes[c]), c))


def geographies_in(*, chosen: Sequence[str], geographies: Iterable[str]) -> list[str]:
    """Every geography whose country is one of `chosen` (empty `chosen`: none, i.e. no filter)."""
    wanted = set(chosen)
    return [g for g in dict.fromkeys(geographies) if country_of(g) in wanted]


# ---- roles and tiers -------------------------------------------------------------------------


def is_secondary(share: float | None) -> bool:
    """Whether a series whose rows are `share` secondary counts as a secondary series."""
    return share is not None and not pd.isna(share) and float(share) > SECONDARY_SHARE


def role_tag(*, role: str | None, substance: str | None) -> str:
    """'' for a ketamine/esketamine series; 'comparator: cocaine'; 'context: all drugs'."""
    if role in (COMPARATOR, CONTEXT):
        return f"{role}: {substance or 'unnamed substance'}"
    return ""


def tagged_label(
    *, label: str, role: str | None = FOCUS, substance: str | None = None, secondary: bool = False
) -> str:
    """An indicator label with what the analyst must know before reading it: the role tag first
    (so a truncated legend still shows it), '(secondary)' last."""
    tag = role_tag(role=role, substance=substance)
    text = f"{tag} · {label}" if tag else str(label)
    return f"{text} (secondary)" if secondary else text


def is_default_candidate(*, role: str | None, secondary_share: float | None) -> bool:
    """A series may be chosen by default only when it counts ketamine or esketamine and is
    mostly primary."""
    return role == FOCUS and not is_secondary(secondary_share)


def offered(catalog: pd.DataFrame, *, include_secondary: bool) -> pd.DataFrame:
    """The series an analyst may pick: every role (focus first, then comparators, then context),
    secondary series only when asked for."""
    if catalog.empty:
        return catalog
    keep = catalog["secondary_share"].map(is_secondary).eq(False) | include_secondary
    out = catalog[keep].copy()
    out["_role_order"] = out["role"].map(ROLE_ORDER).fillna(9)
    return out.sort_values("_role_order", kind="stable").drop(columns="_role_order")


def series_key(*, indicator: str, geography: str, stratum: str) -> str:
    return f"{indicator}|{geography}|{stratum}"


def default_lines(frame: pd.DataFrame, *, roles: Sequence[str] = (FOCUS,)) -> list[str]:
    """The indicators of a frame to draw by default: those of the given roles (ketamine and
    esketamine unless said otherwise), never a mostly secondary one."""
    if frame.empty:
        return []
    keep = frame["role"].isin(roles)
    if "secondary_share" in frame:
        keep &= ~frame["secondary_share"].map(is_secondary)
    return list(dict.fromkeys(frame.loc[keep, "indicator"]))


def default_explored(*, headlines: pd.DataFrame) -> str | None:
    """The Overview's explored series when the link names none: the first headline (they are in
    stream order) that is a focus, mostly primary series; None when there is no such headline."""
    for row in headlines.itertuples():
        if is_default_candidate(role=row.role, secondary_share=row.secondary_share):
            return str(row.indicator)
    return None


def default_indexed_together(catalog: pd.DataFrame, *, domains: Sequence[str] = ()) -> pd.DataFrame:
    """Default series for a chart that indexes every series to a year they all share: at most
    one focus, mostly primary series per domain, all with at least one start year in common.

    Greedy and deterministic: domains are taken in order of their best candidate's points
    (most first); in each, the candidate with the most points (then indicator, geography,
    stratum) among those that still share a year with the series already chosen; a domain with
    no such candidate is left out (the analyst can add it). `catalog` needs domain, indicator,
    geography, stratum, role, secondary_share, points and `years` (each series' start years);
    a series with a value published as 0 (`unquantified` > 0: nothing quantified) is never a
    default, since an index to it, or from it, says nothing.
    """
    if catalog.empty:
        return catalog
    eligible = catalog[
        [
            is_default_candidate(role=r, secondary_share=s)
            for r, s in zip(catalog["role"], catalog["secondary_share"], strict=True)
        ]
    ]
    if "unquantified" in eligible:
        eligible = eligible[eligible["unquantified"].fillna(0).eq(0)]
    if domains:
        eligible = eligible[eligible["domain"].isin(domains)]
    ranked = eligible.sort_values(
        ["points", "indicator", "geography", "stratum"], ascending=[False, True, True, True]
    )
    order = list(dict.fromkeys(ranked["domain"]))
    common: set[int] | None = None
    chosen = []
    for domain in order:
        for row in ranked[ranked["domain"] == domain].itertuples():
            years = {int(y) for y in row.years}
            if common is None or common & years:
                common = years if common is None else common & years
                chosen.append(row.Index)
                break
    return catalog.loc[chosen]
