"""The literature source: every published number kept with its citation, definitions never
spliced, spans kept as spans, doubtful figures flagged, unplaceable ones set aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.contract import ParseError
from etl.sources.literature import SOURCE, convert_figures, load_rules, read_figures
from etl.validate import validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "literature" / "published_figures.csv"
SEED = ROOT / "data" / "seed" / "literature" / "published_figures.csv"


@pytest.fixture(scope="module")
def fixture_tables():
    return SOURCE.parse({"figures": [FIXTURE]})


@pytest.fixture(scope="module")
def seed_tables():
    return SOURCE.parse({"figures": [SEED]})


def test_fixture_golden_rows(fixture_tables) -> None:
    obs = fixture_tables.observations.set_index("note")
    annual = fixture_tables.observations[
        fixture_tables.observations["note"].str.startswith(("figure T001", "figure T002"))
    ]
    assert annual["value"].tolist() == [12.0, 15.0]
    assert annual["indicator"].nunique() == 1
    own = obs.loc["figure T003"]
    assert own["indicator"] != annual["indicator"].iloc[0], "two definitions spliced into one"
    assert validate(fixture_tables, source_id="literature") == []


def test_spans_stay_spans(fixture_tables) -> None:
    pooled = fixture_tables.observations.query("note == 'figure T005'").iloc[0]
    assert str(pooled["period_start"]) == "2019-01-01"
    assert str(pooled["period_end"]) == "2021-12-31"
    assert pooled["period_label"] == "2019-2021"


def test_tonnes_become_kilograms_and_secondary_is_flagged(fixture_tables) -> None:
    seized = fixture_tables.observations[
        fixture_tables.observations["note"].str.startswith("figure T006")
    ].iloc[0]
    assert seized["value"] == pytest.approx(1500.0)
    assert seized["unit"] == "kg"
    assert "secondary" in seized["flags"].split(";")
    assert "published as tonnes" in seized["note"]


def test_unplaceable_period_is_set_aside_not_dropped(fixture_tables) -> None:
    undated = fixture_tables.details["literature_undated"]
    assert undated["figure_id"].tolist() == ["T007"]
    assert "T007" not in " ".join(fixture_tables.observations["note"])


def test_every_seed_row_is_accounted_for(seed_tables) -> None:
    figures = read_figures(SEED)
    routes = convert_figures(figures, rules=load_rules()).set_index("figure_id")["route"]
    routed_elsewhere = figures["id"].map(routes) != "literature"
    assert routed_elsewhere.sum() >= 11  # the NFLIS yearly counts live in the nflis seed
    in_obs = set(
        fid.strip()
        for note in seed_tables.observations["note"]
        for fid in note.split(";")[0].removeprefix("figure ").split(",")
    )
    set_aside = set()
    for table in ("literature_undated", "literature_conflicts", "literature_duplicates"):
        set_aside |= set(seed_tables.details[table]["figure_id"])
    expected = set(figures.loc[~routed_elsewhere, "id"])
    assert expected == in_obs | set_aside
    assert seed_tables.observations["citation"].str.strip().ne("").all()


def test_npds_definitions_are_separate_series(seed_tables) -> None:
    obs = seed_tables.observations
    annual_report = obs[obs["indicator"].str.contains("analogs") & (obs["value"] == 310)]
    article = obs[obs["value"].eq(205) & obs["period_label"].eq("2019")]
    assert len(annual_report) == 1 and len(article) == 1
    assert annual_report["indicator"].iloc[0] != article["indicator"].iloc[0]


def test_domains_follow_the_rules(seed_tables) -> None:
    domains = seed_tables.indicators.set_index("id")["domain"]
    obs = seed_tables.observations.assign(domain=lambda f: f["indicator"].map(domains))
    by_unit = obs.groupby("domain")["unit"].apply(set)
    assert "exposures" in by_unit["poison_center"]
    assert "deaths" in by_unit["mortality"]
    assert {"ROR"} <= by_unit["adverse_events"]


def test_the_same_study_transcribed_twice_is_one_series(seed_tables) -> None:
    duplicates = seed_tables.details["literature_duplicates"].set_index("figure_id")
    assert duplicates.loc["F142", "duplicate_of"] == "F027"
    assert duplicates.loc["F143", "duplicate_of"] == "F028"


def test_a_repeated_citation_joins_the_series_it_repeats(seed_tables) -> None:
    # F313 is labelled CSEW but cites the DHSC parliamentary answer that F211 already carries;
    # so the Home Office series keeps its own 2.9% (F300) and the DHSC series its 1.3%.
    duplicates = seed_tables.details["literature_duplicates"].set_index("figure_id")
    assert duplicates.loc["F313", "duplicate_of"] == "F211"
    obs = seed_tables.observations
    assert obs[obs["note"].str.startswith("figure F300")]["value"].tolist() == [2.9]


def test_conflicting_values_for_one_point_are_set_aside(tmp_path: Path) -> None:
    conflicting = tmp_path / "published_figures.csv"
    lines = FIXTURE.read_text().splitlines()
    lines.append(
        lines[1].replace("T001", "T099").replace(",12,", ",14,").replace("annual-2019", "x")
    )
    conflicting.write_text("\n".join(lines) + "\n")
    tables = SOURCE.parse({"figures": [conflicting]})
    assert set(tables.details["literature_conflicts"]["figure_id"]) == {"T001", "T099"}
    drawn = " ".join(tables.observations["note"])
    assert "T001" not in drawn and "T099" not in drawn


def test_one_fact_sheet_figure_transcribed_twice_is_one_series(seed_tables) -> None:
    # NPDS "ketamine and analogs" 2019 = 310, read twice from the DEA fact sheet.
    duplicates = seed_tables.details["literature_duplicates"].set_index("figure_id")
    assert duplicates.loc["F136", "duplicate_of"] == "F122"
    obs = seed_tables.observations
    assert len(obs[(obs["value"] == 310) & obs["unit"].eq("exposures")]) == 1


def test_different_groups_are_not_duplicates(seed_tables) -> None:
    duplicates = set(seed_tables.details["literature_duplicates"]["figure_id"])
    assert "F187" not in duplicates  # NSDUH lifetime use 2019, aged 26+ (F183 is aged 18+)


def test_missing_column_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "published_figures.csv"
    bad.write_text(FIXTURE.read_text().replace("citation_url", "citation_link", 1))
    with pytest.raises(ParseError, match=r"published_figures.csv, line 1: missing columns"):
        SOURCE.parse({"figures": [bad]})


def test_non_numeric_value_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "published_figures.csv"
    lines = FIXTURE.read_text().splitlines()
    lines[3] = lines[3].replace(",9,", ",nine,")
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParseError, match=r"line 4: value 'nine' is not a number"):
        SOURCE.parse({"figures": [bad]})
