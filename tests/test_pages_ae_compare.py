"""Adverse events for pharmacovigilance: the comparator choice in the link, signals against an
active comparator group, published RORs one chart per comparison with their CIs as numbers,
and empty states that name the loaded quarters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.adverse_events import compare
from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES
from tests.page_kit import run_page
from tests.test_faers_comparators import quarter_with_comparators

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def compare_warehouse(tmp_path_factory) -> Path:
    """Seed everywhere, then the fixture FAERS quarters plus sertraline reports via --mirror."""
    root = tmp_path_factory.mktemp("ae-compare")
    mirror = root / "mirror" / "faers_quarterly"
    shutil.copytree(FIXTURES / "faers_quarterly", mirror)
    shutil.rmtree(mirror / "faers_ascii_2019q1")
    shutil.move(quarter_with_comparators(root), mirror / "faers_ascii_2019q1")
    refresh(SOURCES, None, RefreshOptions(mode="offline", data_dir=root))
    run = refresh(
        SOURCES,
        ("faers_quarterly",),
        RefreshOptions(mode="mirror", mirror=str(root / "mirror"), data_dir=root),
    )
    assert [(r.status, r.origin) for r in run.results] == [("ok", "mirror")], run.results
    return root / "warehouse.duckdb"


@pytest.fixture
def compare_env(compare_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import streamlit as st

    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(compare_warehouse))
    st.cache_data.clear()
    return compare_warehouse


def signal_frame(at):
    return next(f.value for f in at.dataframe if "criteria met" in f.value.columns)


def test_comparator_in_the_link_draws_signals_against_the_group(compare_env: Path) -> None:
    at = run_page("adverse_events", {"drug": "esketamine", "cmp": "antidepressants"})
    assert not at.exception, [e.value for e in at.exception]
    box = next(s for s in at.selectbox if s.label.startswith("Comparator"))
    assert box.value == "antidepressants"
    assert at.query_params["cmp"] == "antidepressants"
    signal = signal_frame(at)
    assert set(signal["drug"]) == {"esketamine"}
    nausea = signal.set_index("event (MedDRA PT)").loc["NAUSEA"]
    assert nausea["c: comparator + event"] == 1 and nausea["d: comparator, other events"] == 1
    words = " ".join(m.value for m in at.markdown)
    assert "Comparator: other antidepressants" in words


def test_all_other_drugs_is_the_default_and_a_group_for_another_drug_is_refused(
    compare_env: Path,
) -> None:
    at = run_page("adverse_events", {"drug": "ketamine", "cmp": "antidepressants"})
    assert not at.exception
    box = next(s for s in at.selectbox if s.label.startswith("Comparator"))
    assert box.value == compare.ALL_OTHER_DRUGS  # antidepressants are offered for esketamine
    assert any("cmp" in i.value and "ignored" in i.value for i in at.info)
    assert "cmp" not in at.query_params


def test_empty_signals_name_the_loaded_quarters_and_focus_reports(compare_env: Path) -> None:
    # every esketamine event in the fixture is label-expected: masked, no row is left
    params = {"drug": "esketamine", "cmp": "antidepressants", "mask": "1"}
    at = run_page("adverse_events", params)
    assert not at.exception
    assert not at.get("warning") or all("cmp" not in w.value for w in at.warning)
    text = " ".join(i.value for i in at.info)
    assert "No signal rows for this choice." in text
    assert "Loaded FAERS quarters: 2011Q3, 2019Q1, 2019Q2" in text
    assert "name ketamine" in text and "name esketamine" in text


def test_published_rors_one_chart_per_comparison_with_intervals(dashboard_env: Path) -> None:
    at = run_page("adverse_events")
    titles = [json.loads(c.proto.spec).get("title", {}) for c in at.get("vega_lite_chart")]
    texts = [t.get("text") if isinstance(t, dict) else t for t in titles]
    ror = [t for t in texts if t and str(t).startswith("Published reporting odds ratios")]
    assert len(ror) == 2, texts
    assert any("male vs female" in t for t in ror)
    assert any("esketamine vs all other drugs" in t for t in ror)


def test_split_ci_moves_the_published_interval_out_of_the_label() -> None:
    frame = pd.DataFrame(
        {
            "label": ["male vs female ROR: sedation (95% CI 1.07-1.58) [FAERS via Zhang 2024]"],
            "period_label": ["2004Q1-2022Q4"],
            "lower": [float("nan")],
            "upper": [float("nan")],
        }
    )
    out = compare.split_ci(frame)
    assert out["lower"].iloc[0] == 1.07 and out["upper"].iloc[0] == 1.58
    assert "95% CI" not in out["label"].iloc[0]
    [(comparison, rows)] = compare.by_comparison(out)
    assert comparison == "male vs female ROR"
    assert rows["figure"].iloc[0] == "sedation — 2004Q1-2022Q4"


def test_loaded_text_counts_reports_per_drug() -> None:
    quarters = pd.DataFrame(
        {"quarter": ["2024Q1", "2024Q2"], "all_reports": [10, 20], "ketamine": [3, 4],
         "esketamine": [0, 5]}
    )  # fmt: skip
    text = compare.loaded_text(quarters)
    assert text.startswith("Loaded FAERS quarters: 2024Q1, 2024Q2 (30 de-duplicated reports)")
    assert "7 name ketamine and 5 name esketamine" in text
    assert compare.loaded_text(quarters.iloc[0:0]) == "No FAERS quarter is loaded in this build."
