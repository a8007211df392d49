"""Clinic and seller links never reach the warehouse: no table, no column, no row of a warehouse
built from the seed or from the real mirror mentions a host in etl/data/withheld_link_hosts.csv,
though the curated input files do."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.links import count_mentions, is_withheld, strip_mentions, withheld_hosts
from etl.refresh import DEFAULT_SEED_DIR

HOSTS = sorted(withheld_hosts())
SEED_FILES = sorted((DEFAULT_SEED_DIR / "literature").glob("*.csv"))


def needles() -> list[str]:
    """Each host, and its name without the domain ('gladstonesclinic')."""
    return sorted({*HOSTS, *(h.split(".")[0] for h in HOSTS)})


def mentions(db: Path) -> list[tuple[str, str, int]]:
    """(table, column, rows) for every text column of every table that mentions a host."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'main' AND data_type = 'VARCHAR'"
        ).fetchall()
        assert len({t for t, _ in columns}) >= 8  # the canonical and detail tables were scanned
        found = []
        for table, column in columns:
            for needle in needles():
                # table and column names come from the catalogue, the needle is a parameter
                n = con.execute(
                    f'SELECT count(*) FROM "{table}" WHERE lower("{column}") LIKE ?',
                    [f"%{needle}%"],
                ).fetchone()[0]
                if n:
                    found.append((table, column, n))
        return found
    finally:
        con.close()


def test_the_curated_inputs_do_name_withheld_hosts() -> None:
    """Otherwise the warehouse tests below would prove nothing."""
    text = " ".join(path.read_text(encoding="utf-8").lower() for path in SEED_FILES)
    assert HOSTS and any(host in text for host in HOSTS)


def test_seed_warehouse_never_mentions_a_withheld_host(seed_warehouse: Path) -> None:
    assert mentions(seed_warehouse) == []


def test_mirror_warehouse_never_mentions_a_withheld_host(real_warehouse: Path) -> None:
    db = real_warehouse
    sources = duckdb.connect(str(db), read_only=True).execute("SELECT id FROM sources").df()
    assert {"literature", "nflis", "cms_partd"} <= set(sources["id"])
    assert mentions(db) == []


def test_rows_first_seen_on_a_clinic_site_keep_their_publication_without_a_link(
    seed_warehouse: Path,
) -> None:
    figures = pd.read_csv(
        DEFAULT_SEED_DIR / "literature" / "published_figures.csv", dtype=str, keep_default_na=False
    )
    withheld = figures[[is_withheld(u) for u in figures["citation_url"]]]
    assert len(withheld) > 0
    con = duckdb.connect(str(seed_warehouse), read_only=True)
    register = con.execute("SELECT * FROM literature_figures").df().set_index("figure_id")
    obs = con.execute("SELECT note, citation, citation_url, flags FROM observations").df()
    con.close()
    assert register.loc[withheld["id"], "link_withheld"].all()
    drawn = obs[obs["note"].str.extract(r"^figure (F\d+)")[0].isin(withheld["id"])]
    assert len(drawn) > 0
    assert drawn["citation_url"].fillna("").eq("").all()
    assert drawn["citation"].str.strip().ne("").all()
    assert drawn["flags"].str.contains("secondary").all()


@pytest.mark.parametrize(
    "text",
    [
        "first seen at https://www.gladstonesclinic.com/blog/x?y=1, then elsewhere",
        "abstract reproduced on myketaminehome.com",
        "(also on Gladstonesclinic)",
    ],
)
def test_strip_mentions_leaves_no_trace(text: str) -> None:
    assert count_mentions(text) == 1
    stripped = strip_mentions(text)
    assert not any(n in stripped.lower() for n in needles())
    assert "link withheld" in stripped
