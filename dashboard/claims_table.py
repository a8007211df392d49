"""The "Claims and evidence" table: each use or risk (dashboard/claims.csv) beside what the
warehouse holds about it. No Streamlit here; the data comes through a queries module passed in.

Every cell either cites what it shows (a markdown link, or the citation text when the link is
withheld because it points to a seller, see dashboard/withheld_link_hosts.csv) or says plainly that
the warehouse has no data for it. The wording reports what was published or registered; it does
not judge whether a use works or is safe.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse

import pandas as pd

HERE = Path(__file__).resolve().parent
CLAIMS_PATH = HERE / "claims.csv"
WITHHELD_PATH = HERE / "withheld_link_hosts.csv"
CTGOV_SEARCH = "https://clinicaltrials.gov/search?intr=ketamine%20OR%20esketamine"
MAX_ITEMS = 4
COLUMNS = {
    "kind": "Kind",
    "claim": "Use or risk",
    "claim_source": "Where it is documented",
    "regulatory": "Regulatory status (milestones)",
    "trials": "Registered studies (ClinicalTrials.gov)",
    "prescribing": "Prescribing",
    "adverse_events": "Adverse-event reports (FAERS)",
    "figures": "Published figures",
}
NO_APPROVAL = "No approval for this use among the loaded regulatory milestones"
NO_RISK_EVENT = "No regulatory milestone about this risk in the warehouse"
NO_TRIALS = "No registry data loaded in this build (the offline seed has no trial rows)"
NO_PRESCRIBING = "No prescribing figure specific to this use in the warehouse"
NO_FAERS_TABLE = "No FAERS case data loaded in this build"
NOT_A_REACTION = "Not applicable (a use, not a reaction)"
NO_FIGURES = "No published figure in the warehouse matches this claim"
NO_CLAIM_SOURCE = "No source for this claim is loaded"


@cache
def load_claims(path: Path = CLAIMS_PATH) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@cache
def withheld_hosts(path: Path = WITHHELD_PATH) -> frozenset[str]:
    return frozenset(pd.read_csv(path, dtype=str, keep_default_na=False)["host"].str.lower())


def host_of(url: str) -> str:
    host = (urlparse(str(url)).hostname or "").lower()
    return host.removeprefix("www.")


def cite(text: str, url: str | None, *, limit: int = 70) -> str:
    """A markdown link, or the citation text alone when the host is a seller (withheld)."""
    label = str(text).replace("|", "/").replace("[", "(").replace("]", ")").strip()
    if len(label) > limit:
        label = label[: limit - 1].rstrip() + "…"
    if not url or (isinstance(url, float) and pd.isna(url)):
        return label
    if host_of(url) in withheld_hosts():
        return f"{label} (link withheld: commercial site)"
    return f"[{label}]({url})"


def number(value: float, unit: str = "") -> str:
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.3g}"
    unit = str(unit or "")
    return f"{text}%" if unit == "percent" else f"{text} {unit}".strip()


def more(items: list[str]) -> str:
    shown = items[:MAX_ITEMS]
    extra = len(items) - len(shown)
    return " · ".join(shown) + (f" · (+{extra} more)" if extra > 0 else "")


def claim_source_cell(claim: dict) -> str:
    if not claim["claim_source"]:
        return NO_CLAIM_SOURCE
    return cite(claim["claim_source"], claim["claim_source_url"])


def regulatory_cell(claim: dict, events: pd.DataFrame) -> str:
    """Milestones matching the claim's pattern; off-label rows say there is no approval."""
    empty = NO_RISK_EVENT if claim["kind"] == "Risk" else NO_APPROVAL
    hits = events.iloc[0:0]
    if claim["regulatory_pattern"] and not events.empty:
        hits = events[
            events["event"].str.contains(claim["regulatory_pattern"], case=False, regex=True)
        ]
    items = [
        f"{row.agency}, {row.date_label} ({row.category}): " + cite(row.event, row.citation_url)
        for row in hits.itertuples()
    ]
    if claim["kind"] == "Off-label use":
        return NO_APPROVAL + (" · related: " + more(items) if items else "")
    return more(items) if items else empty


def matching_trials(claim: dict, trials: pd.DataFrame) -> pd.DataFrame:
    if claim["trial_conditions"]:
        return trials[
            trials["conditions"].str.contains(claim["trial_conditions"], case=False, regex=True)
        ]
    if claim["trial_area"]:
        return trials[trials["area"] == claim["trial_area"]]
    return trials.iloc[0:0]


def trials_cell(claim: dict, trials: pd.DataFrame, vintage: str = "") -> str:
    if trials.empty:
        return NO_TRIALS
    if not (claim["trial_conditions"] or claim["trial_area"]):
        return "Not applicable (a risk, not a studied use)"
    found = matching_trials(claim, trials)
    link = cite(f"ClinicalTrials.gov{', ' + vintage if vintage else ''}", CTGOV_SEARCH)
    if found.empty:
        return f"No registered study matches this use: {link}"
    phases = found["phase"].value_counts().sort_index()
    parts = " · ".join(f"{phase}: {count}" for phase, count in phases.items())
    return f"{len(found)} studies ({parts}): {link}"


def series_summary(rows: pd.DataFrame) -> str:
    rows = rows.sort_values("period_start")
    first, last = rows.iloc[0], rows.iloc[-1]
    span = number(last["value"], last["unit"]) + f" ({last['period_label']})"
    if len(rows) > 1:
        span = number(first["value"], first["unit"]) + f" ({first['period_label']}) → " + span
    return f"{last['label']}: {span}, " + cite(last["citation"], last["citation_url"])


def prescribing_cell(claim: dict, observations: pd.DataFrame) -> str:
    wanted = [i for i in claim["prescribing_indicators"].split(";") if i]
    rows = (
        observations[observations["indicator"].isin(wanted)] if wanted else observations.iloc[0:0]
    )
    if rows.empty:
        return NO_PRESCRIBING
    return more([series_summary(group) for _, group in rows.groupby("indicator", sort=True)])


def faers_cell(claim: dict, reactions: pd.DataFrame | None, sources: dict[str, dict]) -> str:
    if not claim["faers_terms"]:
        return NOT_A_REACTION
    if reactions is None:
        return NO_FAERS_TABLE
    origin = str(reactions["from_source"].iloc[0]) if not reactions.empty else "faers_quarterly"
    faers = sources.get(origin, {})
    link = cite(faers.get("title") or "FAERS", faers.get("homepage"))
    if reactions.empty:
        return f"No de-duplicated reports with these reaction terms in the loaded quarters: {link}"
    items = []
    for row in reactions.itertuples():
        text = f"{row.ingredient}, {row.pt}: {int(row.a):,} reports"
        if "prr" in reactions and pd.notna(getattr(row, "prr", None)):
            text += f" (PRR {row.prr:.3g}"
            text += ", meets Evans criteria)" if getattr(row, "evans", False) else ")"
        items.append(text)
    return more(items) + f": {link}"


def figures_cell(claim: dict, figures: pd.DataFrame, undated: pd.DataFrame) -> str:
    items = []
    if not figures.empty:
        for (_, _, _), group in figures.groupby(["indicator", "geography", "stratum"], sort=False):
            items.append(series_summary(group))
    for row in undated.itertuples() if not undated.empty else []:
        items.append(
            f"{row.indicator_text}: {number(row.value, row.unit)} ({row.period_label}), "
            + cite(row.citation, row.citation_url)
        )
    return more(items) if items else NO_FIGURES


def build(claims: pd.DataFrame, q: ModuleType) -> pd.DataFrame:
    """One row per claim with its evidence cells, from the queries module `q`."""
    events = q.milestones()
    trials = q.trials()
    ctgov = q.source_row("clinicaltrials")
    reaction_sources = {s: q.source_row(s) for s in ("faers_quarterly", "openfda")}
    partd = q.source_observations("cms_partd")
    has_faers = q.has_reaction_tables()
    rows = []
    for claim in claims.to_dict("records"):
        reactions = None
        if claim["faers_terms"] and has_faers:
            ingredients = tuple(i for i in claim["faers_ingredients"].split(";") if i)
            reactions = q.faers_reactions(ingredients, claim["faers_terms"])
        figures = pd.DataFrame()
        undated = pd.DataFrame()
        if claim["figures_pattern"]:
            domains = tuple(d for d in claim["figures_domains"].split(";") if d)
            figures = q.matching_observations(claim["figures_pattern"], domains=domains)
            if not figures.empty:
                figures = figures[figures["source"] != "cms_partd"]
            undated = q.matching_undated(claim["figures_pattern"], domains=domains)
        rows.append(
            {
                "claim_id": claim["claim_id"],
                "kind": claim["kind"],
                "claim": claim["claim"],
                "claim_source": claim_source_cell(claim),
                "regulatory": regulatory_cell(claim, events),
                "trials": trials_cell(claim, trials, str(ctgov.get("vintage") or "")),
                "prescribing": prescribing_cell(claim, partd),
                "adverse_events": faers_cell(claim, reactions, reaction_sources),
                "figures": figures_cell(claim, figures, undated),
            }
        )
    return pd.DataFrame(rows)


def to_markdown(table: pd.DataFrame) -> str:
    """A markdown table (links stay clickable); pipes inside cells are escaped."""
    header = "| " + " | ".join(COLUMNS.values()) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    lines = [header, rule]
    for row in table.to_dict("records"):
        cells = [str(row[key]).replace("|", "\\|").replace("\n", " ") for key in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
