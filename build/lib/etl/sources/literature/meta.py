"""What the literature source is: the curated file's columns and tiers, where its rules live,
and `META` (the two curated files, licence, citation, detail tables). The package docstring says
what it counts and its caveats."""

from __future__ import annotations

from pathlib import Path

from etl.contract import RemoteFile, SourceMeta
from etl.sources.literature.claims import CLAIM_COLUMNS

RULES_PATH = Path(__file__).resolve().parents[2] / "data" / "literature_rules.csv"
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
