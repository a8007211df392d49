"""The "Claims and evidence" table: each claim about ketamine's uses and risks (the warehouse's
`claims` table, loaded by the literature source from the curated claim_evidence.csv) with its
verdict, the evidence and its primary citation, beside what the warehouse holds about it. No
Streamlit here; the data comes through a queries module passed in.

Every claim is shown, "not supported" and "partly supported" included. Every cell either cites
what it shows (a markdown link, or the citation text when there is no link) or says plainly that
the warehouse has no data for it. Series that bear on a claim link to the Overview page with the
series selected (`overview?ind=<indicator id>`). Clinic and seller links never reach the
warehouse (the ETL drops them), so nothing here has to filter them.

Cells are markdown: every word from the warehouse in them is escaped (`safe_text.md`), and a
link is drawn only to an http(s) URL (`safe_text.md_link`), so a link or image typed into a
curated file is shown as text. `for_csv` turns the cells back into the stored words.
"""

from __future__ import annotations

from types import ModuleType
from urllib.parse import quote, urlparse

import pandas as pd

import warehouse_contract as wc
from dashboard.common.safe_text import md, md_link, unescape
from dashboard.common.selection import is_secondary

CTGOV_SEARCH = "https://clinicaltrials.gov/search?intr=ketamine%20OR%20esketamine"
OVERVIEW = "overview?ind="
MAX_ITEMS = 4
COLUMNS = {
    "kind": "Kind",
    "claim": "Claim",
    "verdict": "Verdict",
    "evidence": "Evidence (primary citation)",
    "regulatory": "Regulatory status (milestones)",
    "trials": "Registered studies (ClinicalTrials.gov)",
    "adverse_events": "Adverse-event reports (FAERS)",
    "series": "Series in this warehouse",
}
VERDICT_ORDER = ("approved", "supported", "partly supported", "not supported")
NO_CLAIMS = "No claims table in this warehouse: run `ketamine-watch refresh literature`."
NO_APPROVAL = "No approval for this use among the loaded regulatory milestones"
NO_EVENT = "No regulatory milestone about this in the warehouse"
NO_TRIALS = "No registry data loaded in this build (the offline seed has no trial rows)"
NO_FAERS_TABLE = "No FAERS case data loaded in this build"
NOT_A_REACTION = "Not applicable (not an adverse reaction)"
NOT_A_STUDIED_USE = "Not applicable (not a studied use)"
NO_SERIES = "No series in the warehouse bears on this claim"
NO_CITATION = "No primary citation found"


def host_of(url: str) -> str:
    host = (urlparse(str(url)).hostname or "").lower()
    return host.removeprefix("www.")


def cite(text: str, url: str | None, *, limit: int = 70) -> str:
    """A markdown link (escaped text, http(s) URL), or the escaped citation text alone when
    there is no such link."""
    return md_link(text, url, limit=limit)


def number(value: float, unit: str = "") -> str:
    """A value with its unit, as markdown."""
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.3g}"
    unit = str(unit or "")
    return md(f"{text}%" if unit == "percent" else f"{text} {unit}".strip())


def more(items: list[str]) -> str:
    shown = items[:MAX_ITEMS]
    extra = len(items) - len(shown)
    return " · ".join(shown) + (f" · (+{extra} more)" if extra > 0 else "")


def evidence_cell(claim: dict) -> str:
    citation = str(claim["citation_text"] or "").strip()
    if not citation or citation.lower() == "none found":
        return f"{md(claim['evidence'])} — {NO_CITATION}"
    return f"{md(claim['evidence'])} — " + cite(citation, claim["citation_url"], limit=90)


def regulatory_cell(claim: dict, events: pd.DataFrame) -> str:
    """Milestones matching the claim's pattern; off-label claims say there is no approval."""
    off_label = claim["kind"] == "off-label use"
    empty = NO_APPROVAL if off_label else NO_EVENT
    hits = events.iloc[0:0]
    if claim["regulatory_pattern"] and not events.empty:
        hits = events[
            events["event"].str.contains(claim["regulatory_pattern"], case=False, regex=True)
        ]
    items = [
        f"{md(row.agency)}, {md(row.date_label)} ({md(row.category)}): "
        + cite(row.event, row.citation_url)
        for row in hits.itertuples()
    ]
    if off_label:
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
    if not (claim["trial_conditions"] or claim["trial_area"]):
        return NOT_A_STUDIED_USE
    if trials.empty:
        return NO_TRIALS
    found = matching_trials(claim, trials)
    link = cite(f"ClinicalTrials.gov{', ' + vintage if vintage else ''}", CTGOV_SEARCH)
    if found.empty:
        return f"No registered study matches this use: {link}"
    phases = found["phase"].value_counts().sort_index()
    parts = " · ".join(f"{md(phase)}: {count}" for phase, count in phases.items())
    return f"{len(found)} studies ({parts}): {link}"


def faers_cell(claim: dict, reactions: pd.DataFrame | None, sources: dict[str, dict]) -> str:
    if not claim["faers_terms"]:
        return NOT_A_REACTION
    if reactions is None:
        return NO_FAERS_TABLE
    origin = str(reactions["from_source"].iloc[0]) if not reactions.empty else wc.FAERS_QUARTERLY
    faers = sources.get(origin, {})
    link = cite(faers.get("title") or "FAERS", faers.get("homepage"))
    if reactions.empty:
        return f"No de-duplicated reports with these reaction terms in the loaded quarters: {link}"
    items = []
    for row in reactions.itertuples():
        text = f"{md(row.ingredient)}, {md(row.pt)}: {int(row.a):,} reports"
        if "prr" in reactions and pd.notna(getattr(row, "prr", None)):
            text += f" (PRR {row.prr:.3g}"
            text += ", meets Evans criteria)" if getattr(row, "evans", False) else ")"
        items.append(text)
    return more(items) + f": {link}"


def series_summary(indicator: str, rows: pd.DataFrame, *, explorable: bool = True) -> str:
    """'label: first (period) → last (period), citation · explore' for one indicator, read on
    its longest line (one geography and group: never two lines joined). Only series the Overview
    can draw (annual or finer points) get the explore link."""
    lines = rows.groupby(["geography", "stratum"], sort=False)
    longest = max(lines.groups, key=lambda key: len(lines.groups[key]))
    rows = lines.get_group(longest).sort_values("period_start")
    first, last = rows.iloc[0], rows.iloc[-1]
    span = number(last["value"], last["unit"]) + f" ({md(last['period_label'])})"
    if len(rows) > 1 and first["period_label"] != last["period_label"]:
        span = number(first["value"], first["unit"]) + f" ({md(first['period_label'])}) → " + span
    # A mostly secondary series is drawn on the Overview only with secondary figures switched on.
    secondary = "secondary_share" in rows and is_secondary(rows["secondary_share"].max())
    target = OVERVIEW + quote(indicator) + ("&secondary=1" if secondary else "")
    explore = f" [explore]({target})" if explorable else ""
    label = md(last["label"], 80)
    return f"{label}: {span}, " + cite(last["citation"], last["citation_url"]) + explore


def series_cell(
    claim: dict, observations: pd.DataFrame, explorable: frozenset[str] = frozenset()
) -> str:
    wanted = [i for i in str(claim["series"] or "").split(";") if i]
    rows = observations[observations["indicator"].isin(wanted)] if wanted else pd.DataFrame()
    if rows.empty:
        return NO_SERIES
    present = [i for i in wanted if i in set(rows["indicator"])]
    return more(
        [
            series_summary(i, rows[rows["indicator"] == i], explorable=i in explorable)
            for i in present
        ]
    )


def build(q: ModuleType) -> pd.DataFrame:
    """One row per claim with its evidence cells, from the queries module `q`."""
    claims = q.claims()
    if claims.empty:
        return pd.DataFrame(columns=["claim_id", *COLUMNS])
    events = q.milestones()
    trials = q.trials()
    ctgov = q.source_row(wc.CLINICALTRIALS)
    reaction_sources = {s: q.source_row(s) for s in (wc.FAERS_QUARTERLY, wc.OPENFDA)}
    has_faers = q.has_reaction_tables()
    wanted = tuple(sorted({i for s in claims["series"] for i in str(s or "").split(";") if i}))
    observations = q.series_observations(wanted)
    explorable = q.explorable_indicators()
    if observations.empty:
        observations = pd.DataFrame(columns=["indicator"])
    rows = []
    for claim in claims.to_dict("records"):
        reactions = None
        if claim["faers_terms"] and has_faers:
            ingredients = tuple(i for i in claim["faers_ingredients"].split(";") if i)
            reactions = q.faers_reactions(ingredients, claim["faers_terms"])
        rows.append(
            {
                "claim_id": claim["claim_id"],
                "kind": md(claim["kind"]),
                "claim": md(claim["claim"]),
                "verdict": md(claim["verdict"]),
                "evidence": evidence_cell(claim),
                "regulatory": regulatory_cell(claim, events),
                "trials": trials_cell(claim, trials, str(ctgov.get("vintage") or "")),
                "adverse_events": faers_cell(claim, reactions, reaction_sources),
                "series": series_cell(claim, observations, explorable),
            }
        )
    return pd.DataFrame(rows)


def to_markdown(table: pd.DataFrame) -> str:
    """A markdown table of `build`'s cells (links stay clickable). The warehouse's words in the
    cells are already escaped, pipes included; a cell never spans lines."""
    header = "| " + " | ".join(COLUMNS.values()) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    lines = [header, rule]
    for row in table.to_dict("records"):
        cells = [str(row[key]).replace("\n", " ") for key in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """`build`'s table for a CSV download: the same cells with the markdown escapes taken out
    (links stay written as `[text](url)`)."""
    return table.apply(
        lambda column: column.map(lambda v: unescape(v) if isinstance(v, str) else v)
    )
