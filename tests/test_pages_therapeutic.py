"""Therapeutic context page: renders offline from the seed with no empty chart; the claims table's
cells link to what the warehouse holds (or say there is none), and never to a seller."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import claims_table
from dashboard import queries_therapeutic as qt

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
FIXTURES = Path(__file__).parent / "fixtures"
LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
EVIDENCE = ("claim_source", "regulatory", "trials", "prescribing", "adverse_events", "figures")
NO_DATA = (
    claims_table.NO_APPROVAL,
    claims_table.NO_RISK_EVENT,
    claims_table.NO_TRIALS,
    claims_table.NO_PRESCRIBING,
    claims_table.NO_FAERS_TABLE,
    claims_table.NOT_A_REACTION,
    claims_table.NO_FIGURES,
    claims_table.NO_CLAIM_SOURCE,
    "Not applicable (a risk, not a studied use)",
)


def run_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/therapeutic.py")
    at.run()
    return at


def chart_rows(chart) -> list[int]:
    """Row count of every dataset a rendered Vega-Lite chart carries."""
    rows = [pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.proto.datasets]
    spec = json.loads(chart.proto.spec)
    rows += [len(v) for v in spec.get("datasets", {}).values()]
    return rows


def claims_by_id() -> dict[str, dict]:
    table = claims_table.build(claims_table.load_claims(), qt)
    return {row["claim_id"]: row for row in table.to_dict("records")}


def test_offline_page_shows_milestones_partd_trial_counts_and_claims(dashboard_env: Path) -> None:
    at = run_page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Therapeutic context"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Spravato Part D claims, 2022"] == "36,488"
    assert metrics["Spravato Part D gross spending, 2022"] == "$49,999,095"
    charts = at.get("vega_lite_chart")
    titles = " ".join(c.proto.spec for c in charts)
    assert "Regulatory milestones" in titles
    assert "Same time axis" in titles
    for chart in charts:  # no empty chart: every chart draws rows
        assert chart_rows(chart) and all(n > 0 for n in chart_rows(chart)), chart.proto.spec[:200]
    # the registry is not in the seed: no trials chart, a notice instead, and the published counts
    assert "ketamine-watch refresh clinicaltrials" in " ".join(i.value for i in at.info)
    published = pd.concat([d.value for d in at.dataframe], ignore_index=True)
    trials = published[published.get("unit", pd.Series(dtype=str)) == "trials"]
    assert 56.0 in set(trials["value"]), trials
    # 140 registered trials is a secondary figure (an abstract reproduced on another site): shown
    # only when asked for
    assert 140.0 not in set(trials["value"]), trials
    at.toggle(key="filter__secondary").set_value(True).run()
    assert at.query_params["secondary"] == "1"
    published = pd.concat([d.value for d in at.dataframe], ignore_index=True)
    trials = published[published.get("unit", pd.Series(dtype=str)) == "trials"]
    assert {56.0, 140.0} <= set(trials["value"]), trials
    table = next(m.value for m in at.markdown if m.value.startswith("| Kind |"))
    assert table.count("\n| ") == 12  # one line per claim
    for phrase in ("Ketamine cystitis", "Dissociation", "PTSD", "Bipolar depression"):
        assert phrase.lower() in table.lower()
    captions = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "no row in the Part D Spending by Drug file" in captions
    assert "billed under Part B" in captions


def test_claims_cells_cite_or_say_there_is_no_data(dashboard_env: Path) -> None:
    rows = claims_by_id()
    assert len(rows) == 12
    withheld = claims_table.withheld_hosts()
    for claim_id, row in rows.items():
        for column in EVIDENCE:
            cell = row[column]
            links = LINK.findall(cell)
            assert links or "link withheld" in cell or cell.startswith(NO_DATA), (claim_id, column)
            assert not {claims_table.host_of(u) for u in links} & withheld, (claim_id, cell)


def test_claims_link_to_approvals_prescribing_and_figures(dashboard_env: Path) -> None:
    rows = claims_by_id()
    trd = rows["spravato_trd"]
    assert "2019-03-05 (approval)" in trd["regulatory"]
    assert "(https://pmc.ncbi.nlm.nih.gov/articles/PMC10140803)" in trd["regulatory"]
    assert "6,173 claims (2019) → 36,488 claims (2022)" in trd["prescribing"]
    assert "data.cms.gov" in trd["prescribing"]
    assert "56 trials" in trd["figures"] or "(+" in trd["figures"]
    assert "2020-08-03" in rows["spravato_suicidal"]["regulatory"]
    # off-label: no approval, but the FDA alert on compounded ketamine is linked as related
    infusions = rows["depression_infusions"]["regulatory"]
    assert infusions.startswith(claims_table.NO_APPROVAL) and "2022-02 (safety alert)" in infusions
    assert rows["bipolar_depression"]["regulatory"] == claims_table.NO_APPROVAL
    # risks: FAERS case data are not in the seed; the published figures are linked instead
    assert rows["dissociation"]["adverse_events"] == claims_table.NO_FAERS_TABLE
    assert "1,093 reports" in rows["dissociation"]["figures"]
    assert "81 patients" in rows["bladder"]["figures"]
    assert "Neurological" not in rows["bladder"]["figures"]
    assert rows["memory"]["figures"] == claims_table.NO_FIGURES
    assert all(r["trials"] == claims_table.NO_TRIALS for r in rows.values())
    # the commercial site behind the 2020 review is cited by text only
    assert "link withheld: commercial site" in rows["ptsd"]["figures"]


@pytest.fixture
def loaded_env(seed_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed warehouse plus a `trials` table (from the hand-made API pages) and FAERS signals
    (hand-made counts): what a live refresh adds. Test-only; nothing here reaches the seed."""
    import streamlit as st

    from etl.sources import clinicaltrials, labels

    path = tmp_path / "warehouse.duckdb"
    shutil.copy(seed_warehouse, path)
    trials = clinicaltrials.SOURCE.parse(
        {"pages": sorted((FIXTURES / "clinicaltrials").glob("page-*.json"))}
    ).details["trials"]
    signals = pd.DataFrame(
        {
            "ingredient": ["esketamine", "esketamine", "ketamine"],
            "pt": ["DISSOCIATION", "NAUSEA", "CYSTITIS INTERSTITIAL"],
            "a": [12, 4, 3],
            "prr": [5.0, 1.1, 40.0],
            "evans": [True, False, True],
        }
    )
    con = duckdb.connect(str(path))
    con.register("t", trials)
    con.execute("CREATE TABLE trials AS SELECT * FROM t")
    drug_labels = labels.SOURCE.parse(
        {"labels": [FIXTURES / "labels" / "label-fixturebrand.json"]}
    ).details["drug_labels"]
    con.register("l", drug_labels)
    con.execute("CREATE TABLE drug_labels AS SELECT * FROM l")
    con.register("s", signals)
    con.execute("CREATE TABLE faers_signals AS SELECT * FROM s")
    con.close()
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(path))
    st.cache_data.clear()
    return path


def test_claims_link_trials_by_phase_and_faers_counts_when_loaded(loaded_env: Path) -> None:
    rows = claims_by_id()
    assert rows["spravato_trd"]["trials"].startswith("1 studies (Phase 2: 1)")
    assert "(https://clinicaltrials.gov/search?intr=" in rows["spravato_trd"]["trials"]
    assert rows["chronic_pain"]["trials"].startswith("1 studies (Early phase 1: 1)")
    assert rows["alcohol_opioid"]["trials"].startswith("2 studies")
    assert rows["spravato_suicidal"]["trials"].startswith("No registered study matches")
    dissociation = rows["dissociation"]["adverse_events"]
    assert "esketamine, DISSOCIATION: 12 reports (PRR 5, meets Evans criteria)" in dissociation
    assert "NAUSEA" not in dissociation
    assert "ketamine, CYSTITIS INTERSTITIAL: 3 reports" in rows["bladder"]["adverse_events"]
    assert rows["memory"]["adverse_events"].startswith("No de-duplicated reports")


def test_page_draws_the_trials_chart_when_the_registry_is_loaded(loaded_env: Path) -> None:
    at = run_page()
    assert not at.exception, [e.value for e in at.exception]
    chart = next(c for c in at.get("vega_lite_chart") if "studies started per year" in c.proto.spec)
    assert sum(chart_rows(chart)) == 7  # (year, area) groups of the 7 studies that started
    shown = pd.concat([d.value for d in at.dataframe if "section" in d.value], ignore_index=True)
    assert set(shown["section"]) == {"Indications and usage", "Boxed warning", "REMS (passages)"}
    assert shown["source_url"].str.startswith("https://dailymed.nlm.nih.gov/").all()


def test_withheld_hosts_and_cite() -> None:
    assert claims_table.cite("x", "https://myketaminehome.com/a") == (
        "x (link withheld: commercial site)"
    )
    assert claims_table.cite("a|b [c]", "https://doi.org/1") == "[a/b (c)](https://doi.org/1)"
