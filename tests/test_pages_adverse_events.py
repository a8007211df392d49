"""AppTest for the Adverse events page: offline it shows the published FAERS figures and how to
load the quarterly files; with the hand-made FAERS fixture quarters loaded through a mirror
refresh it draws reports per quarter with the Spravato approval (from `events`) as a reporting
break, the top reactions and the signal table; hostile link parameters are ignored with a
notice. Plus the pure frame helpers and chart builders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.adverse_events import charts, frames
from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES
from tests.page_kit import run_page

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = "'; DROP TABLE observations; --"


def specs(at: AppTest) -> list[str]:
    """Each chart's spec plus the rows of its datasets (sent beside the spec), as text."""
    out = []
    for chart in at.get("vega_lite_chart"):
        rows = [
            pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_csv(index=False)
            for d in chart.proto.datasets
        ]
        out.append("\n".join([chart.proto.spec, *rows]))
    return out


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info]
    parts += [c.value for c in at.caption] + [h.value for h in at.header]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def faers_warehouse(tmp_path_factory) -> Path:
    """Seed everywhere, then the hand-made FAERS quarters (a tmp copy) through --mirror."""
    root = tmp_path_factory.mktemp("ae-mirror")
    mirror = root / "mirror"
    shutil.copytree(FIXTURES / "faers_quarterly", mirror / "faers_quarterly")
    shutil.copytree(FIXTURES / "openfda", mirror / "openfda")
    refresh(SOURCES, None, RefreshOptions(mode="offline", data_dir=root))
    run = refresh(
        SOURCES,
        ("faers_quarterly", "openfda"),
        RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=root),
    )
    for result in run.results:
        assert (result.status, result.origin) == ("ok", "mirror"), result.message
    return root / "warehouse.duckdb"


@pytest.fixture
def faers_env(faers_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import streamlit as st

    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(faers_warehouse))
    st.cache_data.clear()
    return faers_warehouse


# ---- offline (seed only) ----------------------------------------------------------------------


def test_offline_page_shows_published_figures_and_how_to_load(dashboard_env: Path) -> None:
    at = run_page("adverse_events")
    assert not at.exception, [e.value for e in at.exception]
    charts = specs(at)
    assert len(charts) >= 3, "the published FAERS figures are drawn"
    everything = "\n".join(charts)
    # Real published numbers from the literature seed, with their citations.
    assert "Gastaldon" in everything and "reporting odds ratio" in everything
    assert "14606" in everything  # Liu et al. 2024: esketamine PS reports, 2019Q1-2023Q4
    words = text_of(at)
    assert "refresh --mirror DIR" in words and "faers_ascii_YYYYqN.zip" in words
    assert "DIR/faers_quarterly/" in words
    # FDA's caveats beside the data.
    assert "not incidence" in words and "duplicates" in words
    assert "does not prove" in words
    assert "latest caseversion per caseid, deleted cases removed" in words
    captions = " ".join(c.value for c in at.caption)
    assert "Source:" in captions and "What this counts:" in captions
    # No chart without rows: every chart's table alternative holds data.
    assert all(not frame.value.empty for frame in at.dataframe)
    assert at.header[0].value == "Published FAERS analyses"


# ---- with FAERS quarterly files loaded --------------------------------------------------------


def test_loaded_page_draws_quarters_break_reactions_and_signals(faers_env: Path) -> None:
    at = run_page("adverse_events")
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.header]
    for wanted in (
        "Reports per quarter",
        "Top reactions",
        "Serious outcomes and deaths",
        "Sex and age",
        "Reporter type",
        "Disproportionality signals",
    ):
        assert wanted in headers
    charts = specs(at)
    assert "Reports per quarter received" in charts[0]
    # The break is the Spravato approval as loaded in `events` (its text), not a typed date.
    assert "FDA approves Spravato: reporting break" in charts[0]
    assert "FDA approves SPRAVATO (esketamine) nasal spray" in charts[0]
    assert "AERS -> FAERS" in charts[0]  # the documented method change is drawn too
    table = at.dataframe[0].value  # the quarterly chart's own rows
    got = table.set_index(["indicator", "period_label"])["value"].to_dict()
    # The fixture's known de-duplicated counts (tests/test_faers_quarterly.py).
    assert got[("faers_quarterly_ketamine_reports", "2019Q1")] == 2
    assert got[("faers_quarterly_esketamine_reports", "2019Q1")] == 1
    assert got[("faers_quarterly_esketamine_reports", "2019Q2")] == 1
    reactions = next(f.value for f in at.dataframe if "term" in f.value.columns)
    top = reactions.set_index(["ingredient", "term"])["reports"].to_dict()
    assert top[("ketamine", "NAUSEA")] == 2  # cases 100 and 300: reports, not rows
    assert top[("esketamine", "DISSOCIATION")] == 1  # case 200 counted once (kept version)
    signal = next(f.value for f in at.dataframe if "criteria met" in f.value.columns)
    assert {"PRR (95% CI)", "ROR (95% CI)", "chi² (Yates)", "label-expected"} <= set(signal)
    assert set(signal["drug"]) == {"ketamine", "esketamine"}
    words = text_of(at)
    assert "Comparator: all other drugs" in words and "Masking is off" in words
    captions = " ".join(c.value for c in at.caption)
    assert "latest caseversion per caseid, deleted cases removed" in captions
    assert "FAERS quarterly data files" in captions  # which source each chart uses


def test_drug_role_and_masking_from_the_url(faers_env: Path) -> None:
    at = run_page("adverse_events", {"drug": "esketamine", "role": "suspect", "mask": "1"})
    assert not at.exception, [e.value for e in at.exception]
    quarterly = at.dataframe[0].value
    assert set(quarterly["indicator"]) == {"faers_quarterly_esketamine_suspect_reports"}
    # Every esketamine event in the fixture is label-expected (Spravato label): masked, no row
    # is left, and the page says so rather than drawing an empty table.
    assert not [f for f in at.dataframe if "criteria met" in f.value.columns]
    assert "No signal rows for this choice." in text_of(at)
    assert "Masking is on" in text_of(at)
    assert at.query_params["drug"] == "esketamine"
    unmasked = run_page("adverse_events", {"drug": "esketamine", "role": "suspect"})
    signal = next(f.value for f in unmasked.dataframe if "criteria met" in f.value.columns)
    assert len(signal) == 4 and set(signal["label-expected"]) == {"yes"}
    assert "Masking is off" in text_of(unmasked)


def test_openfda_view_says_its_source_and_draws_its_counts(faers_env: Path) -> None:
    at = run_page("adverse_events", {"src": "openfda"})
    assert not at.exception, [e.value for e in at.exception]
    quarterly = at.dataframe[0].value
    assert set(quarterly["indicator"]) == {"openfda_ketamine_reports", "openfda_esketamine_reports"}
    assert "provisional" in set(quarterly["flags"])  # the latest quarter is still filling in
    captions = " ".join(c.value for c in at.caption)
    assert "openFDA count API" in captions and "duplicate cases not merged" in captions
    signal = next(f.value for f in at.dataframe if "criteria met" in f.value.columns)
    rows = signal.set_index(["drug", "event (MedDRA PT)"])
    assert rows.loc[("esketamine", "DISSOCIATION"), "a: drug + event"] == 4
    assert rows.loc[("esketamine", "DISSOCIATION"), "criteria met"].startswith("Evans")
    assert "top 1,000 reaction terms" in text_of(at)


def test_hostile_parameters_are_ignored_with_a_notice(faers_env: Path) -> None:
    at = run_page(
        "adverse_events",
        {"drug": HOSTILE, "years": "1999-1990", "src": "faers_signals", "evil": HOSTILE},
    )
    assert not at.exception, [e.value for e in at.exception]
    notices = " ".join(i.value for i in at.info)
    assert "`drug`" in notices and "`years`" in notices and "`src`" in notices
    assert "`evil`" in notices
    # Defaults are used: both drugs, the whole range, the FAERS files.
    drugs = set(at.dataframe[0].value["indicator"])
    assert drugs == {"faers_quarterly_ketamine_reports", "faers_quarterly_esketamine_reports"}
    assert "evil" not in at.query_params
    assert len(specs(at)) >= 5


def test_hostile_parameters_offline_are_ignored_too(dashboard_env: Path) -> None:
    at = run_page(
        "adverse_events", {"src": "openfda", "years": HOSTILE, "drug": ["ketamine", "ketamine"]}
    )
    assert not at.exception, [e.value for e in at.exception]
    notices = " ".join(i.value for i in at.info)
    assert "`src`" in notices and "`years`" in notices  # no loaded data: not used here
    assert specs(at)


# ---- pure helpers -----------------------------------------------------------------------------


def test_signal_table_states_cis_and_criteria() -> None:
    rows = pd.DataFrame(
        {
            "ingredient": ["esketamine", "ketamine"],
            "pt": ["DISSOCIATION", "AGITATION"],
            "a": [4, 1],
            "b": [1, 1],
            "c": [4, 0],
            "d": [156, 6],
            "prr": [32.0, float("inf")],
            "prr_lower": [11.061, float("nan")],
            "prr_upper": [92.574, float("inf")],
            "ror": [156.0, float("inf")],
            "ror_lower": [14.07, float("nan")],
            "ror_upper": [1729.24, float("inf")],
            "chi2": [47.4418, 0.38],
            "evans": [True, False],
            "ror_signal": [True, False],
            "label_expected": [True, False],
        }
    )
    table = frames.signal_table(rows)
    assert table["ROR (95% CI)"].tolist() == [
        "156.00 (14.07 to 1,729.24)",
        "not estimable (a zero cell)",
    ]
    assert table["criteria met"].iloc[0] == f"{frames.EVANS}; {frames.ROR_RULE}"
    assert table["criteria met"].iloc[1] == "none"
    assert table["label-expected"].tolist() == ["yes", "no"]
    forest = frames.forest_rows(rows)
    assert forest["pt"].tolist() == ["DISSOCIATION"]  # no finite CI, no point on the plot


def test_quarterly_chart_draws_the_break_inside_the_range_only() -> None:
    data = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2019-01-01", "2019-04-01"]),
            "period_end": pd.to_datetime(["2019-03-31", "2019-06-30"]),
            "period_label": ["2019Q1", "2019Q2"],
            "value": [3.0, 5.0],
            "series": ["Reports mentioning esketamine"] * 2,
            "segment_key": ["a#0", "a#1"],
            "provisional": [False, True],
            "flags": ["", "provisional"],
            "span_days": [90, 91],
        }
    )
    data["period_mid"] = data["period_start"] + (data["period_end"] - data["period_start"]) / 2
    breaks = pd.DataFrame(
        {
            "date": pd.to_datetime(["2019-03-05", "2012-10-01"]),
            "label": ["FDA approves Spravato: reporting break", "AERS -> FAERS"],
            "detail": ["approval", "method"],
        }
    )
    spec = charts.quarterly_reports(data=data, breaks=breaks, title="t").to_json()
    assert "FDA approves Spravato: reporting break" in spec
    assert "AERS -> FAERS" not in spec  # outside the data's range
    assert "provisional" in spec
