"""Published figures read in papers, agency fact sheets, bulletins and parliamentary answers.

What it counts: whatever each publication counted (poison-center exposures, survey prevalence,
deaths, seizures, FAERS report summaries, prescriptions, trial counts ...), one row per published
number, each with its citation. The file is curated by hand (`published_figures.csv`, from
`shared/data/reference/`), so there is no publisher URL to fetch; it is refreshed by updating the
seed, or from `--mirror DIR/literature/`.

Choices and caveats:
- One indicator per (publication, indicator wording, unit). Two studies of "ketamine exposures"
  (the NPDS annual-report category "ketamine and analogs" and a paper's own extract) are two
  series, never one line.
- Periods are parsed as published; a span (`2019-2023`, `2019-07/2023-06`) stays a span. Rows
  whose period cannot be placed on a time axis (`period not stated`) go to the detail table
  `literature_undated` with the reason, rather than being dropped or guessed.
- Flags come from rules kept as data (`etl/data/literature_rules.csv`): `secondary` when the
  citation says the figure was read in a news item, blog or quotation or conflicts with another
  source; `approximate`, `projected` and `unreliable` from the published wording.
- Units keep their meaning; remarks in brackets ("persons (approx.)") become flags and notes.
  Tonnes are converted to kilograms so one series has one unit.
- Two publications can give different values for the same series point (CSEW 16-24 in 2018/19:
  2.9% in one quotation, 1.3% in a parliamentary answer). Neither is picked: both go to the
  detail table `literature_conflicts` with their citations, and the point is left out of the line.
  Identical values from two rows are kept once, naming both figure ids.
- The same study is sometimes transcribed twice under two labels (PMID 39827824 appears as
  "US Poison Centers (NPDS) via 2025 Elsevier journal article" and "NPDS via 2025 article"). A
  row with the same citation URL, period, geography, group, unit and value as an earlier row, and
  similar wording, is the same number: it goes to `literature_duplicates`, naming the row it
  repeats.
- Rows that a dedicated source carries (the NFLIS yearly counts) are routed there, not duplicated.
- Series breaks are data (`etl/data/series_breaks.csv`, applied by `etl/series_breaks.py`): the
  NSDUH 2015 redesign, 2020 (two quarters only) and 2021 mode change, MTF dropping the 8th/10th
  grade question after 2011, the CSEW gap 2020/21-2021/22. They fill `indicators.series_breaks`,
  note the values inside a caveat period, and become `events` rows (category "survey or method
  change", source `literature`, each with its citation) that time charts draw as rules.
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
from etl.periods import PeriodError, parse_period
from etl.rawcsv import read_strict_csv, to_numbers
from etl.series_breaks import apply_breaks

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
)

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
            header=("id", "source", "indicator", "value", "unit", "citation_url"),
        ),
    ),
    detail_tables=("literature_undated", "literature_conflicts", "literature_duplicates"),
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
        path = files["figures"][0]
        figures = read_figures(path)
        converted = convert_figures(figures, rules=load_rules())
        kept, duplicates = split_duplicates(converted[converted["route"] == self.meta.id])
        tables = build_tables(kept, source_id=self.meta.id)
        tables.details["literature_duplicates"] = duplicates
        publications = dict(zip(kept["indicator"], kept["publication"], strict=True))
        tables.observations, tables.indicators, tables.events = apply_breaks(
            tables.observations, tables.indicators, publications, source_id=self.meta.id
        )
        return tables


def read_figures(path: Path) -> pd.DataFrame:
    frame = read_strict_csv(path, COLUMNS)
    if frame.empty:
        raise ParseError("a header but no rows: truncated or empty file", file=path, line=1)
    frame["value_text"] = frame["value"]
    frame["value"] = frame["value"].str.replace(",", "")
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
                "citation": row["citation_text"],
                "citation_url": row["citation_url"],
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame["indicator"] = [
        indicator_id(r.route, r.publication, r.indicator_text, r.unit) for r in frame.itertuples()
    ]
    return frame


def slug(text: str, limit: int = 48) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].rstrip("_")


def indicator_id(route: str, publication: str, indicator: str, unit: str) -> str:
    """Stable, readable and unique per (publication, wording, unit)."""
    digest = hashlib.sha1(f"{publication}|{indicator}|{unit}".encode()).hexdigest()[:6]
    return f"{route}_{slug(indicator)}_{digest}"


def short_publication(publication: str) -> str:
    return re.sub(r"\s+", " ", publication).strip()


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower())) - {"of", "the", "to", "in", "and", "with"}


STRATUM_FILLER = {"aged", "ages", "age", "cases", "years", "all"}


def normal_stratum(text: str) -> frozenset[str]:
    """'aged 16-24' and '16-24', 'all' and 'all cases', 'all exposures' and 'all ages; all
    exposures' name the same group."""
    return frozenset(
        set(re.findall(r"[a-z0-9+]+(?:-[a-z0-9+]+)*", str(text).lower())) - STRATUM_FILLER
    )


def split_duplicates(converted: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside rows that repeat an earlier row's number from the same publication."""
    url = converted["citation_url"].str.lower().str.rstrip("/")
    key = pd.Series(
        list(
            zip(
                url,
                converted["period_label"],
                converted["geography"],
                converted["stratum"].map(normal_stratum),
                converted["unit"],
                converted["value"],
                strict=True,
            )
        ),
        index=converted.index,
    )
    first_of: dict[tuple, pd.Series] = {}
    repeats: list[int] = []
    repeated_ids: list[str] = []
    for index, row in converted.iterrows():
        earlier = first_of.get(key[index])
        if earlier is None:
            first_of[key[index]] = row
            continue
        a, b = words(row["indicator_text"]), words(earlier["indicator_text"])
        if len(a & b) / max(len(a | b), 1) >= 0.3:
            repeats.append(index)
            repeated_ids.append(earlier["figure_id"])
    duplicates = converted.loc[repeats].drop(columns=["period_start", "period_end"])
    duplicates = duplicates.assign(duplicate_of=repeated_ids).reset_index(drop=True)
    return converted.drop(index=repeats), duplicates


SERIES_KEY = ["indicator", "geography", "stratum", "period_start", "period_end", "period_label"]


def split_conflicts(dated: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Collapse identical duplicates; set aside series points with conflicting values."""
    spread = dated.groupby(SERIES_KEY, dropna=False)["value"].transform("nunique")
    conflicts = dated[spread > 1].copy()
    agreeing = dated[spread <= 1].copy()
    agreeing["figure_id"] = agreeing.groupby(SERIES_KEY, dropna=False)["figure_id"].transform(
        lambda ids: ", ".join(ids)
    )
    return agreeing.drop_duplicates(subset=SERIES_KEY), conflicts


def build_tables(converted: pd.DataFrame, *, source_id: str) -> Tables:
    dated, conflicts = split_conflicts(converted[converted["period_start"].notna()].copy())
    undated = converted[converted["period_start"].isna()].copy()
    dated["source"] = source_id
    dated["vintage"] = dated["citation"].map(publication_vintage)
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
    indicators["substance"] = indicators["definition"].map(substance_counted)
    tables = Tables(
        observations=observations.reset_index(drop=True),
        indicators=indicators.reindex(columns=list(INDICATOR_COLUMNS)),
    )
    tables.details["literature_undated"] = undated.drop(
        columns=["period_start", "period_end"]
    ).reset_index(drop=True)
    tables.details["literature_conflicts"] = conflicts.reset_index(drop=True)
    return tables


def publication_vintage(citation: str) -> str:
    """A published figure's release is its publication: the latest year its citation names
    (a 2023 paper citing 2019 data is the 2023 release)."""
    years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", str(citation))]
    if years:
        return f"published {max(years)}"
    short = re.sub(r"\s+", " ", str(citation)).strip()[:60]
    return f"publication year not stated: {short}"


def substance_counted(wording: str) -> str:
    """What a published figure counts, from its wording (ketamine unless it says otherwise)."""
    text = str(wording).lower()
    if "esketamine" in text or "spravato" in text:
        return (
            "esketamine"
            if "ketamine" not in text.replace("esketamine", "")
            else ("ketamine and esketamine")
        )
    if "ketamine" in text:
        return "ketamine"
    if re.search(r"all (drugs|substances)|any drug|drug poisoning|drug misuse|drug-related", text):
        return "all drugs"
    return "ketamine"


SOURCE = Literature()
