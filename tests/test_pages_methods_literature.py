"""Data & methods page: the published figures' tiers, verification and fate are shown, and the
figures never drawn (the curator's "do not use"), repeated transcriptions and conflicts are
listed with their reasons and citations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.page_kit import run_page

SEED = (
    Path(__file__).resolve().parents[1] / "data" / "seed" / "literature" / "published_figures.csv"
)


def test_methods_page_shows_tiers_set_aside_duplicates_and_conflicts(dashboard_env: Path) -> None:
    at = run_page("methods")
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.header]
    assert "Published figures set aside" in headers
    assert "Every published figure: tier, verification and fate" in headers
    frames = [d.value for d in at.dataframe]
    figures = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    register = next(f for f in frames if {"tier", "verified", "status"} <= set(f.columns))
    assert sorted(register["figure_id"]) == sorted(figures["id"])
    assert set(register["tier"]) == {"primary", "secondary"}
    set_aside = next(f for f in frames if "reason" in f.columns)
    do_not_use = figures[figures["verified"].str.contains("do not use", case=False)]
    assert set(do_not_use["id"]) <= set(set_aside["figure_id"])
    duplicates = next(f for f in frames if "duplicate_of" in f.columns)
    assert duplicates["duplicate_of"].isin(register["figure_id"]).all()
    conflicts = next(f for f in frames if "conflict_group" in f.columns)
    assert conflicts.groupby("conflict_group")["value"].nunique().gt(1).all()
    assert conflicts["citation"].str.strip().ne("").all()
