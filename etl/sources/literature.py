"""Published figures read in papers, agency fact sheets, bulletins and parliamentary answers.

What it counts: whatever each publication counted (poison-center exposures, survey prevalence,
deaths, seizures, FAERS report summaries, prescriptions, trial counts ...), one row per published
number, each with its citation. The file is curated by hand (`published_figures.csv`, from
`shared/data/reference/`, see its CURATION.md), so there is no publisher URL to fetch; it is
refreshed by updating the seed, or from `--mirror DIR/literature/`.

Choices and caveats:
- One indicator per (publication, indicator wording, unit). Two studies of "ketamine exposures"
  (the NPDS annual-report category "ketamine and analogs" and a paper's own extract) are two
  series, never one line.
- The curator's `tier` (primary: the producer of the number; secondary: news, blog, campaign page,
  parliamentary answer, "as cited in") and `verified` (where the value was read) are required
  columns. A `secondary` row is flagged `secondary` (on top of the wording rules below), so the
  dashboard can show primary figures by default; a `primary` row the curator verified in its
  primary is never flagged `secondary` by wording left over from where it was first seen (the
  tier decides: DESIGN, "Primary sources first"). A row whose `verified` says "do not use"
  (implausible values) is never drawn: it goes to `literature_set_aside` with the reason.
  Every figure's tier, verification note, where it was seen and what became of it (drawn,
  duplicate, conflict, undated, set aside, carried by another source) is in `literature_figures`.
- Clinic and seller links never reach the warehouse (`etl/links.py`, hosts in
  `etl/data/withheld_link_hosts.csv`): the URL is dropped and every mention of the host in the
  citation text, publication, where-seen and verification text is replaced by a neutral phrase.
  A row whose only link was such a site stays, flagged `secondary`, with no link and a citation
  naming the publication it reports (its `source` and citation text); if nothing but the site
  names where the number came from, it goes to `literature_set_aside` instead.
- Periods are parsed as published; a span (`2019-2023`, `2019-07/2023-06`) stays a span. Rows
  whose period cannot be placed on a time axis (`period not stated`) go to the detail table
  `literature_undated` with the reason, rather than being dropped or guessed.
- Flags come from rules kept as data (`etl/data/literature_rules.csv`): `secondary` when the
  citation says the figure was read in a news item, blog or quotation or conflicts with another
  source; `approximate`, `projected` and `unreliable` from the published wording. The same file
  holds the `substance` each indicator counts (ketamine, esketamine, a named comparator, all
  drugs) and the `measure` tags that keep look-alike definitions apart.
- Vintage is the publication, never the date the file was curated: the year of publication read
  from the citation text ("published 2018 (...)"), or "publication year not stated: ...".
- Units keep their meaning; remarks in brackets ("persons (approx.)") become flags and notes.
  Tonnes are converted to kilograms so one series has one unit.
- One published number is one point, wherever it was transcribed, and the same measure with two
  values is a conflict shown with both citations: `literature_measures.py` says how "the same
  measure" is decided (not by citation URL), which row is drawn, and the conflict policy.
  Repeats go to `literature_duplicates` (`duplicate_of`), conflicts to `literature_conflicts`.
- Rows that a dedicated source carries (NFLIS yearly counts, CMS Part D Spravato rows, ONS
  totals, EUDA city loads) are routed there, not duplicated.
- Series breaks are data (`etl/data/series_breaks.csv`, applied by `etl/series_breaks.py`): the
  NSDUH 2015 redesign, 2020 (two quarters only) and 2021 mode change, MTF dropping the 8th/10th
  grade question after 2011, the CSEW gap 2020/21-2021/22. They fill `indicators.series_breaks`,
  note the values inside a caveat period, and become `events` rows (category "survey or method
  change", source `literature`, each with its citation) that time charts draw as rules.
- The claims of a consumer article about ketamine's uses, each with a verdict and a primary
  citation (`claim_evidence.csv`, a second file of this source), become the detail table `claims`
  (`literature_claims.py`), linked to the warehouse series that bear on them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.links import withheld_hosts
from etl.periods import PeriodError, parse_period
from etl.rawcsv import read_strict_csv, to_numbers
from etl.series_breaks import apply_breaks
from etl.sources.literature_claims import CLAIM_COLUMNS, build_claims
from etl.sources.literature_fates import (
    citation_of,
    detail,
    figure_register,
    publication_vintage,
    split_set_aside,
    withhold_links,
)
from etl.sources.literature_measures import collapse_same_numbers, split_conflicts, with_keys

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "literature_rules.csv"
COLUMNS = (
    "id",
    "source",
    "indicator",
    "geography",
    "year",
    "group",
    "value",
    "unit",
    "citation_url",
    "citation_text",
    "where_seen",
    "tier",
    "verified",
)
TIERS = ("primary", "secondary")
META = SourceMeta(
    id="literature",
    title="Published figures (papers, agency reports, bulletins)",
    publisher="Various (each row cites its own publication)",
    homepage="data/seed/literature/published_figures.csv (curated in this repository)",
    licence="Facts with citations; each publication's own terms apply to its text",
    citation="Ketamine Watch curated reference figures; see each row's citation",
    cadence="curated (updated by hand when new publications appear)",
    domain="misuse",
    counts="published numbers, each in its publication's own unit and definition",
    caveats=(
        "Figures come from many publications with different definitions; a series never joins "
        "two of them. Rows flagged 'secondary' were read in a secondary source."
    ),
    remote_files=(
        RemoteFile(
            name="figures",
            url="",
            pattern="published_figures*.csv",
            kind="csv",
            header=("id", "source", "indicator", "value", "unit", "citation_url", "tier"),
        ),
        RemoteFile(
            name="claims",
            url="",
            pattern="claim_evidence*.csv",
            kind="csv",
            header=CLAIM_COLUMNS,
        ),
    ),
    detail_tables=(
        "literature_undated",
        "literature_conflicts",
        "literature_duplicates",
        "literature_set_aside",
        "literature_figures",
        "claims",
    ),
    seed_reference=("published_figures.csv", "claim_evidence.csv"),
)


@dataclass(frozen=True)
class Rule:
    kind: str
    fields: tuple[str, ...]
    pattern: re.Pattern[str]
    value: str


@cache
def load_rules(path: Path = RULES_PATH) -> tuple[Rule, ...]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return tuple(
        Rule(row.kind, tuple(row.field.split("|")), re.compile(row.pattern, re.I), row.value)
        for row in frame.itertuples()
    )


class Literature:
    meta = META

    def parse(self, files: SourceFiles) -> Tables:
        figures = withhold_links(read_figures(files["figures"][0]), hosts=withheld_hosts())
        rules = load_rules()
        converted = convert_figures(figures, rules=rules)
        usable, set_aside = split_set_aside(converted[converted["route"] == self.meta.id])
        dated = with_keys(usable[usable["period_start"].notna()])
        kept, duplicates = collapse_same_numbers(dated)
        kept, conflicts = split_conflicts(kept)
        undated = usable[usable["period_start"].isna()]
        tables = build_tables(kept, undated, source_id=self.meta.id)
        tables.details["literature_duplicates"] = detail(duplicates)
        tables.details["literature_conflicts"] = detail(conflicts)
        tables.details["literature_set_aside"] = detail(set_aside)
        publications = dict(zip(kept["indicator"], kept["publication"], strict=True))
        tables.observations, tables.indicators, tables.events = apply_breaks(
            tables.observations, tables.indicators, publications, source_id=self.meta.id
        )
        tables.details["literature_figures"] = figure_register(converted, tables.details)
        tables.details["claims"] = build_claims(files.get("claims", []), tables.indicators)
        return tables


def read_figures(path: Path) -> pd.DataFrame:
    frame = read_strict_csv(path, COLUMNS)
    if frame.empty:
        raise ParseError("a header but no rows: truncated or empty file", file=path, line=1)
    frame["tier"] = frame["tier"].str.strip().str.lower()
    bad = frame[~frame["tier"].isin(TIERS)]
    if not bad.empty:
        row = bad.iloc[0]
        raise ParseError(
            f"tier {row['tier']!r} is not one of {', '.join(TIERS)}", file=path, line=row["line"]
        )
    frame["value_text"] = frame["value"]
    frame["value"] = to_numbers(frame, "value", path)
    return frame


def first_match(rules: tuple[Rule, ...], kind: str, row: dict) -> str | None:
    for rule in rules:
        if rule.kind == kind and any(rule.pattern.search(str(row.get(f, ""))) for f in rule.fields):
            return rule.value
    return None


def all_matches(rules: tuple[Rule, ...], kind: str, row: dict) -> list[str]:
    return sorted(
        {
            rule.value
            for rule in rules
            if rule.kind == kind
            and any(rule.pattern.search(str(row.get(f, ""))) for f in rule.fields)
        }
    )


def split_unit(unit: str) -> tuple[str, str]:
    """'persons (approx.; almost)' -> ('persons', 'approx.; almost')."""
    match = re.match(r"^\s*(?P<base>[^(]*?)\s*\((?P<remark>.*)\)\s*$", unit)
    if not match:
        return unit.strip(), ""
    return match["base"].strip(), match["remark"].strip()


def convert_figures(figures: pd.DataFrame, *, rules: tuple[Rule, ...]) -> pd.DataFrame:
    """Published rows -> canonical observation rows plus routing, domain and indicator id."""
    records = []
    for row in figures.to_dict("records"):
        unit, unit_remark = split_unit(row["unit"])
        value = row["value"]
        for rule in rules:
            if rule.kind == "unit" and rule.pattern.search(unit):
                target, factor = rule.value.split("*")
                unit, value = target, value * float(factor)
                unit_remark = "; ".join(filter(None, [unit_remark, f"published as {row['unit']}"]))
        flags = all_matches(rules, "flag", row)
        if row["tier"] == "primary" and verified_in_primary(row["verified"]):
            flags = [f for f in flags if f != "secondary"]  # the curator's tier decides
        if row["tier"] == "secondary":
            flags = sorted({*flags, "secondary"})
        note_parts = [unit_remark]
        try:
            period = parse_period(row["year"])
            start, end, label = period.start, period.end, period.label
            note_parts.append(period.note)
            if period.approximate:
                flags = sorted({*flags, "approximate"})
        except PeriodError as error:
            start = end = None
            label = row["year"]
            note_parts.append(f"undated: {error}")
        records.append(
            {
                "figure_id": row["id"],
                "route": first_match(rules, "route", row) or "literature",
                "domain": first_match(rules, "domain", row) or "misuse",
                "publication": row["source"],
                "indicator_text": row["indicator"],
                "geography": row["geography"],
                "period_start": start,
                "period_end": end,
                "period_label": label,
                "stratum": row["group"] or "all",
                "value": value,
                "unit": unit,
                "flags": ";".join(flags),
                "note": "; ".join(p for p in note_parts if p),
                "citation": citation_of(row),
                "citation_url": row["citation_url"],
                "tier": row["tier"],
                "verified": row["verified"],
                "where_seen": row["where_seen"],
                "link_withheld": bool(row.get("link_withheld", False)),
                "withheld_links": int(row.get("withheld_links", 0)),
                "substance": first_match(rules, "substance", row) or "ketamine",
                "measure": ";".join(all_matches(rules, "measure", row)),
                "vintage": publication_vintage(row["citation_text"], row["source"]),
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame["indicator"] = [
        indicator_id(r.route, r.publication, r.indicator_text, r.unit) for r in frame.itertuples()
    ]
    return frame


def verified_in_primary(verified: str) -> bool:
    """The curator read the value in the primary ('not verified', 'not re-verified' and 'partly
    verified' say otherwise)."""
    return not re.match(r"\s*(not|partly)\b", str(verified), re.I)


def slug(text: str, limit: int = 48) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].rstrip("_")


def indicator_id(route: str, publication: str, indicator: str, unit: str) -> str:
    """Stable, readable and unique per (publication, wording, unit)."""
    digest = hashlib.sha1(f"{publication}|{indicator}|{unit}".encode()).hexdigest()[:6]
    return f"{route}_{slug(indicator)}_{digest}"


def short_publication(publication: str) -> str:
    return re.sub(r"\s+", " ", publication).strip()


def build_tables(dated: pd.DataFrame, undated: pd.DataFrame, *, source_id: str) -> Tables:
    dated = dated.copy()
    dated["source"] = source_id
    observations = dated.reindex(columns=list(OBSERVATION_COLUMNS))
    observations["note"] = [
        "; ".join(filter(None, [f"figure {fid}", note]))
        for fid, note in zip(dated["figure_id"], dated["note"], strict=True)
    ]
    indicators = (
        dated.groupby("indicator", sort=True)
        .agg(
            label=("indicator_text", "first"),
            publication=("publication", "first"),
            unit=("unit", "first"),
            domain=("domain", "first"),
            substance=("substance", "first"),
        )
        .reset_index()
        .rename(columns={"indicator": "id"})
    )
    indicators["source"] = source_id
    indicators["definition"] = indicators["label"]
    indicators["label"] = [
        f"{label} [{short_publication(pub)}]"
        for label, pub in zip(indicators["label"], indicators["publication"], strict=True)
    ]
    indicators["comparability"] = "As defined by: " + indicators["publication"]
    indicators["series_breaks"] = ""
    tables = Tables(
        observations=observations.reset_index(drop=True),
        indicators=indicators.reindex(columns=list(INDICATOR_COLUMNS)),
    )
    tables.details["literature_undated"] = detail(undated)
    return tables


SOURCE = Literature()
