"""A warehouse whose every text field carries markdown and HTML, for the safe-display tests
(not a test module).

`build_hostile_warehouse(seed, root)` copies the seed warehouse, loads the four live-only
sources (FAERS quarters, openFDA, ClinicalTrials.gov, FDA labels) from their hand-made fixtures
through `refresh --mirror`, so every page has rows to show, then appends `HOSTILE` to every text
column a page shows: labels, definitions, notes, citations, vintages, event text, publication
titles, claims, trial titles, label text, reaction terms, city names, source descriptions and
refresh messages; and sets the link columns pages draw links from to a `javascript:` URL. Keys
(ids, geographies, strata, periods) are left alone so pages still select and join.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVIL = "evil.example"
HOSTILE = (
    f"[click](http://{EVIL}/x) ![img](http://{EVIL}/i.png) <img src=http://{EVIL}/j.png> "
    f"**bold** http://{EVIL}/bare"
)
SCRIPT_URL = "javascript:alert(1)"
URL_COLUMNS = (
    ("observations", "citation_url"),
    ("events", "citation_url"),
    ("drug_labels", "source_url"),
    ("literature_undated", "citation_url"),
    ("claims", "citation_url"),
)
LIVE_ONLY = ("faers_quarterly", "openfda", "clinicaltrials", "labels")

LITERATURE = ["publication", "indicator_text", "note", "citation", "where_seen", "vintage"]
TEXT_COLUMNS = {
    "sources": [
        "title",
        "publisher",
        "licence",
        "citation",
        "cadence",
        "counts",
        "caveats",
        "vintage",
        "message",
    ],
    "runs": ["message"],
    "source_files": ["file", "location"],
    "indicators": ["label", "definition", "comparability"],
    "observations": ["note", "citation", "vintage"],
    "events": ["event", "agency"],
    "literature_figures": ["publication", "indicator_text", "where_seen"],
    "literature_conflicts": LITERATURE,
    "literature_duplicates": LITERATURE,
    "literature_set_aside": [*LITERATURE, "reason"],
    "literature_undated": LITERATURE,
    "claims": ["claim", "evidence", "citation_text"],
    "drug_labels": ["brand", "generic_name", "manufacturer", "text"],
    "trials": ["title", "conditions", "interventions"],
    "faers_reaction_counts": ["pt"],
    "faers_signals": ["pt"],
    "faers_reactions": ["pt"],
    "faers_drugs": ["drugname"],
    "openfda_reaction_counts": ["pt"],
    "openfda_signals": ["pt"],
    "wastewater_sites": ["city", "location", "institution", "note"],
    "wastewater_loads": ["city"],
    "wastewater_changes": ["city"],
    "alerts": ["label", "geography", "stratum", "unit", "period_label", "method", "reason"],
    "alert_evaluations": ["period_label", "method", "reason"],
    "alert_series": ["method"],
}


def mirror_of_fixtures(mirror: Path) -> Path:
    """The hand-made files of the live-only sources, laid out as `--mirror DIR` expects."""
    for source in ("faers_quarterly", "openfda"):
        shutil.copytree(FIXTURES / source, mirror / source, ignore=shutil.ignore_patterns("real"))
    (mirror / "clinicaltrials").mkdir(parents=True)
    for page in (FIXTURES / "clinicaltrials").glob("page-*.json"):
        shutil.copy(page, mirror / "clinicaltrials")
    (mirror / "labels").mkdir()
    shutil.copy(FIXTURES / "labels" / "label-fixturebrand.json", mirror / "labels")
    return mirror


def build_hostile_warehouse(seed_warehouse: Path, root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seed_warehouse, root / "warehouse.duckdb")
    run = refresh(
        SOURCES,
        LIVE_ONLY,
        RefreshOptions(
            mode="mirror", mirror=str(mirror_of_fixtures(root / "mirror")), data_dir=root
        ),
    )
    for result in run.results:
        assert result.status == "ok", (result.source, result.message)
    path = root / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        tables = {
            t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        for table, columns in TEXT_COLUMNS.items():
            assert table in tables, f"{table} missing: the hostile warehouse would not cover it"
            for column in columns:
                con.execute(
                    f'UPDATE "{table}" SET "{column}" = coalesce("{column}", \'\') || \' \' || ?',
                    [HOSTILE],
                )
        # links that are not web pages, where a page shows a link column or a citation link
        for table, column in URL_COLUMNS:
            con.execute(f'UPDATE "{table}" SET "{column}" = ?', [SCRIPT_URL])
        # a failed source shows its message in an alert box on Data & methods
        con.execute("UPDATE sources SET status = 'failed' WHERE id = 'nflis'")
        con.execute("UPDATE runs SET status = 'failed' WHERE source = 'nflis'")
    return path
