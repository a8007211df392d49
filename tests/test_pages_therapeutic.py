"""Therapeutic context page: renders offline from the seed with no empty chart; the claims table
shows every curated claim with its verdict, and its cells link to what the warehouse holds (or say
there is none), never to a clinic or seller."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from dashboard.therapeutic import claims_table, queries
from tests.page_kit import run_page

FIXTURES = Path(__file__).parent / "fixtures"
LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
EXPLORE = re.compile(r"\[explore\]\(overview\?ind=([^)&\s]+)[^)\s]*\)")
EXPLORE_LINK = re.compile(r"\[explore\]\((overview\?[^)\s]+)\)")
SEED_CLAIMS = (
    Path(__file__).resolve().parents[1] / "data" / "seed" / "literature" / "claim_evidence.csv"
)
WITHHELD = Path(__file__).resolve().parents[1] / "etl" / "data" / "withheld_link_hosts.csv"
EVIDENCE = ("regulatory", "trials", "adverse_events", "series")
NO_DATA = (
    claims_table.NO_APPROVAL,
    claims_table.NO_EVENT,
    claims_table.NO_TRIALS,
    claims_table.NO_FAERS_TABLE,
    claims_table.NOT_A_REACTION,
    claims_table.NOT_A_STUDIED_USE,
    claims_table.NO_SERIES,
)


def seed_claims() -> pd.DataFrame:
    return pd.read_csv(SEED_CLAIMS, dtype=str, keep_default_na=False)


def chart_rows(chart) -> list[int]:
    """Row count of every dataset a rendered Vega-Lite chart carries."""
    rows = [pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.proto.datasets]
    spec = json.loads(chart.proto.spec)
    rows += [len(v) for v in spec.get("datasets", {}).values()]
    return rows


def claims_by_id() -> dict[str, dict]:
    """Each claim's cells as the reader sees them (markdown escapes taken out, links kept)."""
    table = claims_table.for_csv(claims_table.build(queries))
    return {row["claim_id"]: row for row in table.to_dict("records")}


def test_offline_page_shows_milestones_partd_trial_counts_and_claims(dashboard_env: Path) -> None:
    at = run_page("therapeutic")
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
    assert table.count("\n| ") == len(seed_claims())  # one line per curated claim
    for verdict in ("| not supported |", "| partly supported |", "| approved |"):
        assert verdict in table
    for phrase in ("ketamine cystitis", "dissociation", "PTSD", "Bipolar depression"):
        assert phrase.lower() in table.lower()
    captions = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "no row in the Part D Spending by Drug file" in captions
    assert "billed under Part B" in captions


def test_claims_cells_cite_or_say_there_is_no_data(dashboard_env: Path) -> None:
    rows = claims_by_id()
    claims = seed_claims().set_index("claim_id")
    assert list(rows) == list(claims.index)  # every curated claim, in order
    hosts = set(pd.read_csv(WITHHELD)["host"])
    for claim_id, row in rows.items():
        assert row["verdict"] == claims.loc[claim_id, "verdict"]
        if claims.loc[claim_id, "citation_url"]:
            assert f"]({claims.loc[claim_id, 'citation_url']})" in row["evidence"], claim_id
        else:
            assert row["evidence"].endswith(claims_table.NO_CITATION), claim_id
        for column in EVIDENCE:
            cell = row[column]
            links = LINK.findall(cell) + EXPLORE.findall(cell)
            assert links or cell.startswith(NO_DATA), (claim_id, column)
        text = " ".join(str(v) for v in row.values()).lower()
        assert not any(h in text or h.split(".")[0] in text for h in hosts), (claim_id, text)


def test_claim_series_link_to_the_overview_with_series_that_exist(dashboard_env: Path) -> None:
    rows = claims_by_id()
    ids = set(queries.run_query("SELECT id FROM indicators")["id"])
    explored = {i for row in rows.values() for i in EXPLORE.findall(row["series"])}
    assert explored and explored <= ids
    linked = queries.claims().set_index("claim_id")["series"]
    for claim_id, row in rows.items():
        present = [i for i in linked[claim_id].split(";") if i in ids]
        if present:  # linked series that are loaded are shown; explorable ones with a link
            shown = set(EXPLORE.findall(row["series"]))
            expected = set(present) & queries.explorable_indicators()
            if len(present) <= claims_table.MAX_ITEMS:
                assert shown == expected, claim_id
            else:  # the rest are counted, not dropped
                assert (
                    shown <= expected
                    and f"(+{len(present) - claims_table.MAX_ITEMS} more)" in (row["series"])
                )
        else:
            assert row["series"] == claims_table.NO_SERIES
    # every explore link, as written, opens the Overview with that series selected
    links = {link for row in rows.values() for link in EXPLORE_LINK.findall(row["series"])}
    assert len(links) == len(explored)
    for link in sorted(links):
        params = parse_qs(urlsplit(link).query)
        at = run_page("overview", {key: values[0] for key, values in params.items()})
        chosen = next(w for w in at.selectbox if w.key == "filter__ind").value
        assert chosen == params["ind"][0], link


def test_claims_link_to_approvals_prescribing_and_figures(dashboard_env: Path) -> None:
    rows = claims_by_id()
    trd = rows["C07"]  # Spravato for treatment-resistant depression
    assert "2019-03-05 (approval)" in trd["regulatory"]
    assert "6,173 claims (2019) → 36,488 claims (2022)" in trd["series"]
    assert "data.cms.gov" in trd["series"]
    assert "explore](overview?ind=cms_partd_claims_spravato)" in trd["series"]
    assert "2020-08-03" in rows["C08"]["regulatory"]
    # off-label: no approval, but the FDA alert on compounded ketamine is linked as related
    infusions = rows["C13"]["regulatory"]
    assert infusions.startswith(claims_table.NO_APPROVAL) and "2022-02 (safety alert)" in infusions
    assert rows["C18"]["regulatory"] == claims_table.NO_APPROVAL
    # risks: FAERS case data are not in the seed; the published figures are linked instead
    assert rows["C25"]["adverse_events"] == claims_table.NO_FAERS_TABLE
    assert "1,613 ROR" in rows["C25"]["series"] or "1,093 reports" in rows["C25"]["series"]
    assert "81 patients" in rows["C28"]["series"]
    assert rows["C31"]["series"] == claims_table.NO_SERIES
    assert all(r["trials"] in (claims_table.NO_TRIALS, claims_table.NOT_A_STUDIED_USE)
               for r in rows.values())  # fmt: skip
    # the review first seen on a clinic's site is cited by its title, with no link at all
    assert "Registered clinical trials investigating ketamine" in rows["C16"]["series"]


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
    assert rows["C07"]["trials"].startswith("1 studies (Phase 2: 1)")
    assert "(https://clinicaltrials.gov/search?intr=" in rows["C07"]["trials"]
    assert rows["C19"]["trials"].startswith("1 studies (Early phase 1: 1)")
    assert rows["C08"]["trials"].startswith("No registered study matches")
    dissociation = rows["C25"]["adverse_events"]
    assert "esketamine, DISSOCIATION: 12 reports (PRR 5, meets Evans criteria)" in dissociation
    assert "NAUSEA" not in dissociation
    assert "ketamine, CYSTITIS INTERSTITIAL: 3 reports" in rows["C28"]["adverse_events"]
    assert rows["C31"]["adverse_events"].startswith("No de-duplicated reports")


def test_page_draws_the_trials_chart_when_the_registry_is_loaded(loaded_env: Path) -> None:
    at = run_page("therapeutic")
    assert not at.exception, [e.value for e in at.exception]
    chart = next(c for c in at.get("vega_lite_chart") if "studies started per year" in c.proto.spec)
    # (year, area) groups of the 6 studies that started: NCT90000006's start is ESTIMATED and
    # NCT90000008's 2021 date has no type, so neither is a start
    assert sum(chart_rows(chart)) == 6
    shown = pd.concat([d.value for d in at.dataframe if "section" in d.value], ignore_index=True)
    assert set(shown["section"]) == {"Indications and usage", "Boxed warning", "REMS (passages)"}
    assert shown["source_url"].str.startswith("https://dailymed.nlm.nih.gov/").all()


def test_cite_escapes_and_the_dashboard_keeps_no_host_list() -> None:
    assert claims_table.cite("a|b [c]", "https://doi.org/1") == r"[a\|b \[c\]](https://doi.org/1)"
    assert claims_table.cite("text only", "") == "text only"
    dashboard = Path(claims_table.__file__).parent
    assert not (dashboard / "withheld_link_hosts.csv").exists()
    assert not (dashboard / "claims.csv").exists()
