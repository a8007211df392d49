"""The literature source: every published number kept with its citation, definitions never
spliced, spans kept as spans, doubtful figures flagged, unplaceable ones set aside; one published
number is one point; a measure with two values is a conflict; "do not use" is never drawn; tiers
are carried; claims come from data."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from etl.contract import ParseError
from etl.sources.literature import SOURCE
from etl.sources.literature.claims import VERDICTS
from etl.sources.literature.convert import convert_figures
from etl.sources.literature.figures import read_figures
from etl.sources.literature.rules import load_rules
from etl.validate import validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "literature"
FIXTURE = FIXTURES / "published_figures.csv"
FIXTURE_CLAIMS = FIXTURES / "claim_evidence.csv"
SEED = ROOT / "data" / "seed" / "literature" / "published_figures.csv"
SEED_CLAIMS = SEED.with_name("claim_evidence.csv")


@pytest.fixture(scope="module")
def fixture_tables():
    return SOURCE.parse({"figures": [FIXTURE], "claims": [FIXTURE_CLAIMS]})


@pytest.fixture(scope="module")
def seed_tables():
    return SOURCE.parse({"figures": [SEED], "claims": [SEED_CLAIMS]})


@pytest.fixture(scope="module")
def seed_figures() -> pd.DataFrame:
    return read_figures(SEED).set_index("id")


def figure_ids(text: str) -> list[str]:
    """'figure F027, F142; note' -> ['F027', 'F142'] (the drawn figure first)."""
    return [f.strip() for f in text.split(";")[0].removeprefix("figure ").split(",")]


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


def test_every_seed_row_is_accounted_for(seed_tables, seed_figures) -> None:
    register = seed_tables.details["literature_figures"].set_index("figure_id")
    assert set(register.index) == set(seed_figures.index)
    routes = convert_figures(read_figures(SEED), rules=load_rules()).set_index("figure_id")
    routed = routes.index[routes["route"] != "literature"]
    assert len(routed) >= 11  # the NFLIS yearly counts live in the nflis seed
    drawn = {f for note in seed_tables.observations["note"] for f in figure_ids(note)}
    elsewhere = set()
    for table in (
        "literature_undated",
        "literature_conflicts",
        "literature_duplicates",
        "literature_set_aside",
    ):
        for ids in seed_tables.details[table]["figure_id"]:
            elsewhere |= {f.strip() for f in ids.split(",")}
    assert set(seed_figures.index) - set(routed) == drawn | elsewhere
    assert not (drawn & set(routed))
    assert seed_tables.observations["citation"].str.strip().ne("").all()
    # the register says where every figure went, and carries tier and verification
    assert register.loc[routed, "status"].str.startswith("carried by the ").all()
    assert register["tier"].isin(["primary", "secondary"]).all()
    assert register["verified"].str.strip().ne("").all()


def test_secondary_tier_rows_are_flagged_secondary(seed_tables, seed_figures) -> None:
    obs = seed_tables.observations
    drawn = [figure_ids(note)[0] for note in obs["note"]]
    tiers = seed_figures.loc[drawn, "tier"].to_numpy()
    flagged = obs["flags"].fillna("").str.split(";").map(lambda f: "secondary" in f).to_numpy()
    assert (tiers == "secondary").sum() > 0
    assert flagged[tiers == "secondary"].all()


def test_the_tier_decides_for_figures_verified_in_their_primary() -> None:
    """Wording left over from where a figure was first seen ('quoted on ...', 'news report')
    never hides a figure the curator read in its primary; study titles such as 'as reported to
    US poison centers' are not a secondary route."""
    converted = convert_figures(read_figures(SEED), rules=load_rules())
    flagged = converted["flags"].str.split(";").map(lambda f: "secondary" in f)
    verified = ~converted["verified"].str.match(r"(?i)\s*(not|partly)\b")
    primary = converted["tier"].eq("primary")
    assert (primary & verified).sum() > 0
    assert not (flagged & primary & verified).any()
    titled = converted["citation"].str.contains("as reported to", case=False) & primary
    assert titled.any() and not flagged[titled].any()


def test_do_not_use_rows_are_never_drawn(seed_tables, seed_figures) -> None:
    do_not_use = set(
        seed_figures.index[seed_figures["verified"].str.contains("do not use", case=False)]
    )
    assert do_not_use, "the curated file marks some rows 'do not use'"
    drawn = {f for note in seed_tables.observations["note"] for f in figure_ids(note)}
    assert not do_not_use & drawn
    set_aside = seed_tables.details["literature_set_aside"].set_index("figure_id")
    assert do_not_use <= set(set_aside.index)
    assert set_aside.loc[sorted(do_not_use), "reason"].str.startswith("do not use").all()


def words(text: str) -> set[str]:
    text = re.sub(r"last[- ]year|past[- ]year|past[- ]12[- ]month|annual", "pastyear", text.lower())
    return set(re.findall(r"[a-z]+", text)) - {"of", "the", "in", "and", "with", "to", "on", "by"}


def tokens(text: str) -> set[str]:
    text = re.sub(r">=\s*(\d+)", r"\1+", str(text).lower())
    return set(re.findall(r"[a-z0-9+]+(?:-[a-z0-9+]+)*", text)) - {
        "aged", "age", "ages", "all", "years", "cases", "not", "stated", "in", "excerpt", "as",
        "worded", "exposures", "seizures", "total", "population", "and", "or",
    }  # fmt: skip


def nested(a: set, b: set) -> bool:
    return a <= b or b <= a


def test_one_published_number_is_one_point(seed_tables) -> None:
    """No two drawn points of different series share geography, group, period, unit and value
    with similar wording: a number transcribed twice is drawn once."""
    obs = seed_tables.observations.merge(
        seed_tables.indicators[["id", "definition"]], left_on="indicator", right_on="id"
    )
    obs["unit_base"] = obs["unit"].str.replace(r"\s*\(.*\)$", "", regex=True)
    for _, same in obs.groupby(["period_label", "unit_base", "value"]):
        for a, b in combinations(same.itertuples(), 2):
            if a.indicator == b.indicator:
                continue
            similar = len(words(a.definition) & words(b.definition)) / max(
                min(len(words(a.definition)), len(words(b.definition))), 1
            )
            same_place = nested(tokens(a.geography), tokens(b.geography))
            same_group = nested(tokens(a.stratum), tokens(b.stratum))
            analogs = ("analog" in a.definition) == ("analog" in b.definition)
            assert not (same_place and same_group and analogs and similar >= 0.75), (
                a.note,
                b.note,
            )


def test_duplicates_name_the_drawn_row_and_every_citation(seed_tables) -> None:
    duplicates = seed_tables.details["literature_duplicates"]
    assert len(duplicates) > 0
    drawn = {figure_ids(n)[0]: n for n in seed_tables.observations["note"]}
    in_conflict = {f for ids in seed_tables.details["literature_conflicts"]["figure_id"]
                   for f in figure_ids(ids)}  # fmt: skip
    for row in duplicates.itertuples():
        if row.duplicate_of in in_conflict:  # the number it repeats is a conflict, not drawn
            continue
        assert row.duplicate_of in drawn, row.figure_id
        note = drawn[row.duplicate_of]
        assert row.figure_id in figure_ids(note)
        if row.citation not in seed_tables.observations.set_index("note").loc[note, "citation"]:
            assert row.citation in note  # the other place it was seen is named


def test_a_primary_transcription_is_preferred(seed_tables, seed_figures) -> None:
    for note in seed_tables.observations["note"]:
        ids = figure_ids(note)
        tiers = set(seed_figures.loc[ids, "tier"])
        if "primary" in tiers:
            assert seed_figures.loc[ids[0], "tier"] == "primary", note


def test_one_measure_with_two_values_is_a_conflict(seed_tables) -> None:
    """Rule over all drawn points: the same measure (same place, group, period, unit and
    wording) never has two values on the chart; conflicts carry every citation."""
    obs = seed_tables.observations.merge(
        seed_tables.indicators[["id", "definition"]], left_on="indicator", right_on="id"
    )
    for _, same in obs.groupby(["period_label", "geography", "unit"]):
        for a, b in combinations(same.itertuples(), 2):
            if a.value == b.value or tokens(a.stratum) != tokens(b.stratum):
                continue
            qualifiers = {"self", "reported", "estimated"}
            wa, wb = words(a.definition) - qualifiers, words(b.definition) - qualifiers
            conflicting = wa == wb or (
                nested(wa, wb) and "analog" not in a.definition + b.definition
            )
            assert not conflicting or "conflicts with" in a.note + b.note, (a.note, b.note)
    conflicts = seed_tables.details["literature_conflicts"]
    assert len(conflicts) >= 2
    for _, group in conflicts.groupby("conflict_group"):
        assert group["value"].nunique() > 1
        assert group["citation"].str.strip().ne("").all()
        assert group["drawn"].sum() <= 1


def test_conflict_between_two_secondary_values_is_not_drawn(seed_tables) -> None:
    conflicts = seed_tables.details["literature_conflicts"]
    for _, group in conflicts.groupby("conflict_group"):
        if (group["tier"] == "secondary").all():
            assert not group["drawn"].any()
            drawn = {f for n in seed_tables.observations["note"] for f in figure_ids(n)}
            ids = {f.strip() for fid in group["figure_id"] for f in fid.split(",")}
            assert not ids & drawn


def conflicting_fixture(tmp_path: Path, *, tier: str) -> Path:
    """The fixture plus a second transcription of T001's point with another value."""
    lines = FIXTURE.read_text().splitlines()
    extra = (
        lines[1]
        .replace("T001", "T099")
        .replace(",12,", ",14,")
        .replace("annual-2019", "x")
        .replace(",primary,", f",{tier},")
    )
    lines.append(extra)
    path = tmp_path / "published_figures.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_conflicting_values_for_one_point_are_set_aside(tmp_path: Path) -> None:
    tables = SOURCE.parse({"figures": [conflicting_fixture(tmp_path, tier="primary")]})
    assert set(tables.details["literature_conflicts"]["figure_id"]) == {"T001", "T099"}
    drawn = " ".join(tables.observations["note"])
    assert "T001" not in drawn and "T099" not in drawn


def test_a_lone_primary_value_stays_drawn_and_names_the_conflict(tmp_path: Path) -> None:
    tables = SOURCE.parse({"figures": [conflicting_fixture(tmp_path, tier="secondary")]})
    conflicts = tables.details["literature_conflicts"].set_index("figure_id")
    assert conflicts.loc["T001", "drawn"] and not conflicts.loc["T099", "drawn"]
    kept = tables.observations[tables.observations["note"].str.startswith("figure T001")]
    assert kept["value"].tolist() == [12.0]
    assert "conflicts with T099: 14" in kept["note"].iloc[0]


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


def test_different_groups_are_not_duplicates(seed_tables, seed_figures) -> None:
    duplicates = seed_tables.details["literature_duplicates"]
    for row in duplicates.itertuples():
        a, b = seed_figures.loc[row.figure_id], seed_figures.loc[row.duplicate_of]
        assert nested(tokens(a["group"]), tokens(b["group"])), (row.figure_id, row.duplicate_of)
        assert a["value"] == b["value"]


def test_every_row_has_a_publication_vintage(seed_tables) -> None:
    converted = convert_figures(read_figures(SEED), rules=load_rules())
    assert converted["vintage"].str.strip().ne("").all()
    assert (
        converted["vintage"]
        .str.match(r"^(published (19|20)\d\d|publication year not stated)")
        .all()
    )
    assert not converted["vintage"].str.contains("as of|curated|2026-11").any()
    meta = (SEED.parent / "seed.meta.json").read_text()
    assert "reference figures as of" not in meta
    vintage = seed_tables.observations["vintage"].fillna("")
    assert vintage.str.match(r"^(published (19|20)\d\d|publication year not stated)").all()


def test_every_indicator_names_its_substance(seed_tables) -> None:
    converted = convert_figures(read_figures(SEED), rules=load_rules())
    allowed = {"ketamine", "esketamine", "ketamine and esketamine", "ketamine analogues"}
    allowed |= {"all drugs", "club drugs (incl. ketamine)"}
    assert set(converted["substance"]) <= allowed
    assert seed_tables.indicators["substance"].isin(allowed).all()
    totals = converted[converted["indicator_text"].str.contains("all substances")]
    assert len(totals) and totals["substance"].eq("all drugs").all()
    text = converted["indicator_text"]
    esk = text.str.contains("esketamine|Spravato", case=False)
    both = esk & text.str.contains(r"(?<![a-z])ketamine\b", case=False)
    assert both.any() and (esk & ~both).any()
    assert converted.loc[esk & ~both, "substance"].eq("esketamine").all()
    assert converted.loc[both, "substance"].eq("ketamine and esketamine").all()


def test_claims_are_loaded_whole_with_their_verdicts(seed_tables) -> None:
    claims = seed_tables.details["claims"]
    source = pd.read_csv(SEED_CLAIMS, dtype=str, keep_default_na=False)
    assert claims["claim_id"].tolist() == source["claim_id"].tolist()
    assert set(claims["verdict"]) <= set(VERDICTS)
    assert {"not supported", "partly supported"} <= set(claims["verdict"])
    literature_ids = set(seed_tables.indicators["id"])
    linked = [i for s in claims["series"] for i in s.split(";") if i]
    assert linked, "some claims link to a series"
    assert {i for i in linked if i.startswith("literature_")} <= literature_ids


def test_missing_column_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "published_figures.csv"
    bad.write_text(FIXTURE.read_text().replace("citation_url", "citation_link", 1))
    with pytest.raises(ParseError, match=r"published_figures.csv, line 1: missing columns"):
        SOURCE.parse({"figures": [bad]})


def test_tier_and_verified_are_required(tmp_path: Path) -> None:
    bad = tmp_path / "published_figures.csv"
    bad.write_text(FIXTURE.read_text().replace(",tier,verified", ",grade,checked", 1))
    with pytest.raises(ParseError, match=r"line 1: missing columns.*tier"):
        SOURCE.parse({"figures": [bad]})


def test_non_numeric_value_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "published_figures.csv"
    lines = FIXTURE.read_text().splitlines()
    lines[3] = lines[3].replace(",9,", ",nine,")
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParseError, match=r"line 4: value 'nine' is not a number"):
        SOURCE.parse({"figures": [bad]})
