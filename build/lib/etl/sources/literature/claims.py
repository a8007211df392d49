"""Claims about ketamine's uses and risks, each with a verdict and a primary citation.

`claim_evidence.csv` (curated beside `published_figures.csv`) holds each claim of the consumer
article "What's Ketamine Used For?": `claim_id, claim, kind, verdict, evidence, citation_url,
citation_text`, verdict one of approved / supported / partly supported / not supported. Every
claim is kept, the unsupported ones included: the table reports what the evidence says, it does
not pick the flattering rows.

The detail table `claims` adds, from `etl/data/claim_series.csv` (rules kept as data, one row per
claim that has any):
- `series`: ';'-joined indicator ids of warehouse series that bear on the claim: ids named
  outright (`series_ids`, any source's stable id such as `cms_partd_claims_spravato`) and the
  literature indicators whose wording matches `series_pattern` (within `series_domains`);
- the match patterns the dashboard applies to tables other sources build at refresh time
  (regulatory milestones, registered trials, FAERS reaction terms), which a parse cannot see.

The article also advertised ketamine for sale: no clinic or seller link is kept (`etl/links.py`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import ParseError
from etl.links import is_withheld, strip_mentions, withheld_hosts
from etl.rawcsv import read_strict_csv

CLAIM_COLUMNS = (
    "claim_id",
    "claim",
    "kind",
    "verdict",
    "evidence",
    "citation_url",
    "citation_text",
)
VERDICTS = ("approved", "supported", "partly supported", "not supported")
SERIES_PATH = Path(__file__).resolve().parents[2] / "data" / "claim_series.csv"
LINK_COLUMNS = (
    "series_ids",
    "series_pattern",
    "series_domains",
    "regulatory_pattern",
    "trial_area",
    "trial_conditions",
    "faers_ingredients",
    "faers_terms",
)
OUTPUT_COLUMNS = (
    *CLAIM_COLUMNS,
    "series",
    "regulatory_pattern",
    "trial_area",
    "trial_conditions",
    "faers_ingredients",
    "faers_terms",
)


@cache
def load_claim_series(path: Path = SERIES_PATH) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for pattern in frame["series_pattern"]:
        re.compile(pattern)
    return frame.set_index("claim_id")


def read_claims(path: Path) -> pd.DataFrame:
    frame = read_strict_csv(path, CLAIM_COLUMNS)
    if frame.empty:
        raise ParseError("a header but no rows: truncated or empty file", file=path, line=1)
    frame["verdict"] = frame["verdict"].str.strip().str.lower()
    for column, allowed in (("verdict", VERDICTS),):
        bad = frame[~frame[column].isin(allowed)]
        if not bad.empty:
            row = bad.iloc[0]
            raise ParseError(
                f"{column} {row[column]!r} is not one of {', '.join(allowed)}",
                file=path,
                line=row["line"],
            )
    repeated = frame[frame["claim_id"].duplicated()]
    if not repeated.empty:
        row = repeated.iloc[0]
        raise ParseError(f"claim_id {row['claim_id']} repeated", file=path, line=row["line"])
    return frame


def withhold(claims: pd.DataFrame, hosts: frozenset[str]) -> pd.DataFrame:
    out = claims.copy()
    out.loc[[is_withheld(u, hosts) for u in out["citation_url"]], "citation_url"] = ""
    for column in ("claim", "evidence", "citation_text"):
        out[column] = [strip_mentions(text, hosts) for text in out[column]]
    return out


def series_for(link: pd.Series | None, indicators: pd.DataFrame) -> str:
    if link is None:
        return ""
    ids = [i for i in link["series_ids"].split(";") if i]
    if link["series_pattern"] and not indicators.empty:
        domains = [d for d in link["series_domains"].split(";") if d]
        wording = indicators["definition"].fillna("") + " " + indicators["label"].fillna("")
        hit = wording.str.contains(link["series_pattern"], case=False, regex=True)
        if domains:
            hit &= indicators["domain"].isin(domains)
        ids += sorted(indicators.loc[hit, "id"])
    return ";".join(dict.fromkeys(ids))


def build_claims(paths: list[Path], indicators: pd.DataFrame) -> pd.DataFrame:
    """The `claims` detail table (empty when no claims file was given to parse)."""
    if not paths:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    claims = withhold(read_claims(paths[0]), withheld_hosts())
    links = load_claim_series()
    rows = []
    for claim in claims.to_dict("records"):
        link = links.loc[claim["claim_id"]] if claim["claim_id"] in links.index else None
        extra = {c: (link[c] if link is not None else "") for c in LINK_COLUMNS}
        rows.append(
            {
                **{c: claim[c] for c in CLAIM_COLUMNS},
                "series": series_for(link, indicators),
                **{c: extra[c] for c in OUTPUT_COLUMNS if c in extra},
            }
        )
    return pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
