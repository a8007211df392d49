"""Where a published figure came from and what became of it: the citation a row carries (clinic
and seller links withheld, see `etl/links.py`), its vintage (the publication, never the curation
date), the rows never drawn (`literature_set_aside`) and the register of every figure's tier,
verification and fate (`literature_figures`). Part of the `literature` source."""

from __future__ import annotations

import re

import pandas as pd

from etl.links import WITHHELD_TEXT, count_mentions, is_withheld, strip_mentions

DO_NOT_USE = re.compile(r"\bdo not use\b", re.I)
TEXT_COLUMNS = (
    "source",
    "indicator",
    "geography",
    "group",
    "citation_text",
    "where_seen",
    "verified",
)


def withhold_links(figures: pd.DataFrame, *, hosts: frozenset[str]) -> pd.DataFrame:
    """Drop clinic and seller links and every mention of their hosts (see the docstring).

    `withheld_links` counts what was removed per row; `link_withheld` marks a row whose citation
    link was such a site (it is then tier `secondary`, with no link)."""
    out = figures.copy()
    out["link_withheld"] = [is_withheld(url, hosts) for url in out["citation_url"]]
    out["withheld_links"] = out["link_withheld"].astype(int) + [
        sum(count_mentions(row[c], hosts) for c in TEXT_COLUMNS) for _, row in out.iterrows()
    ]
    for column in TEXT_COLUMNS:
        out[column] = [strip_mentions(text, hosts) for text in out[column]]
    out.loc[out["link_withheld"], "citation_url"] = ""
    out.loc[out["link_withheld"], "tier"] = "secondary"
    return out


def citation_of(row: dict) -> str:
    """The citation text; when the link was withheld, the publication it reports comes first."""
    if not row.get("link_withheld"):
        return row["citation_text"]
    text = ": ".join(p for p in (row["source"], row["citation_text"]) if p.strip())
    return text if WITHHELD_TEXT in text else f"{text} (seen on {WITHHELD_TEXT})"


PUBLISHED_YEAR = (
    re.compile(r"(?<![\d/])((?:19|20)\d{2})\s*;"),  # journal style: 2018;36(8)
    re.compile(r"\(((?:19|20)\d{2})\)"),  # Home Office (2017).
)
ANY_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?!\d)")


def publication_year(citation_text: str, publication: str) -> tuple[str, bool]:
    """(year, stated): the year the citation says the work was published (journal style
    `2018;36(8)`, or `(2017)`), else the latest year it names (stated = False: a publication
    cannot predate what it reports), else ('', False)."""
    for text in (citation_text, publication):
        for pattern in PUBLISHED_YEAR:
            if match := pattern.search(str(text)):
                return match[1], True
    for text in (citation_text, publication):
        if years := ANY_YEAR.findall(str(text)):
            return max(years), False
    return "", False


def publication_vintage(citation_text: str, publication: str) -> str:
    """The row's vintage: its publication, never the date the file was curated.
    'published 2018 (NPDS via Ni et al. 2018)', 'published 2023 or later (...)' when only the
    years the citation names are known, 'publication year not stated: ...' when none is."""
    short = re.sub(r"\s+", " ", publication or citation_text).strip()
    short = short if len(short) <= 70 else short[:69].rstrip() + "…"
    year, stated = publication_year(citation_text, publication)
    if not year:
        return f"publication year not stated: {short}"
    return f"published {year}{'' if stated else ' or later'} ({short})"


def split_set_aside(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows never drawn: the curator's "do not use", and rows whose only citation was a withheld
    clinic or seller site with no publication named besides it."""
    reasons = []
    for row in rows.itertuples():
        named = re.sub(re.escape(WITHHELD_TEXT), "", f"{row.publication} {row.citation}")
        if DO_NOT_USE.search(row.verified):
            reasons.append(f"do not use (curator): {row.verified}")
        elif row.link_withheld and not re.search(r"[A-Za-z]{3}", named):
            reasons.append("no usable citation: the only source named is a clinic or seller site")
        else:
            reasons.append("")
    reason = pd.Series(reasons, index=rows.index, dtype=str)
    set_aside = rows[reason != ""].assign(reason=reason[reason != ""])
    return rows[reason == ""], set_aside


INTERNAL = ("_unit", "_geo", "_group", "_words", "_tags", "period_start", "period_end")


def detail(frame: pd.DataFrame) -> pd.DataFrame:
    """A detail table: the converted columns a reader needs, without the matching keys."""
    return frame.drop(columns=[c for c in INTERNAL if c in frame]).reset_index(drop=True)


def figure_register(converted: pd.DataFrame, details: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per curated figure: its tier, verification, where it was seen, and its fate."""
    status = {}
    for row in details["literature_set_aside"].itertuples():
        status[row.figure_id] = "set aside: " + row.reason
    for row in details["literature_undated"].itertuples():
        status[row.figure_id] = "undated (literature_undated)"
    for row in details["literature_duplicates"].itertuples():
        status[row.figure_id] = f"duplicate of {row.duplicate_of} (literature_duplicates)"
    for row in details["literature_conflicts"].itertuples():
        for fid in row.figure_id.split(", "):
            drawn = "drawn, " if row.drawn else "not drawn, "
            status[fid] = f"conflict: {drawn}{row.conflict_group} (literature_conflicts)"
    register = converted[
        ["figure_id", "route", "publication", "indicator_text", "tier", "verified", "where_seen"]
    ].copy()
    register["link_withheld"] = converted["link_withheld"]
    register["status"] = [
        f"carried by the {route} source"
        if route != "literature"
        else status.get(fid, "drawn (observations)")
        for fid, route in zip(register["figure_id"], register["route"], strict=True)
    ]
    return register.reset_index(drop=True)
