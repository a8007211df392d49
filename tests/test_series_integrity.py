"""No series mixes two definitions or two units: checked on the published warehouse of a full
offline refresh and of a refresh from the real mirror (../shared/data/raw), over every source."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.refresh import DEFAULT_SEED_DIR, RefreshOptions, refresh
from etl.sources import SOURCES
from etl.sources.literature.convert import convert_figures
from etl.sources.literature.figures import read_figures
from etl.sources.literature.rules import load_rules

HARM_DOMAINS = ("poison_center", "misuse", "mortality", "supply", "wastewater")


def warehouse(tmp_path: Path, mode: str, mirror: Path | None = None) -> duckdb.DuckDBPyConnection:
    options = RefreshOptions(
        mode=mode, mirror=str(mirror) if mirror else None, data_dir=tmp_path / mode
    )
    refresh(SOURCES, options=options)
    return duckdb.connect(str(options.data_dir / "warehouse.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def offline(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    return warehouse(tmp_path_factory.mktemp("offline"), "offline")


@pytest.fixture
def mirrored(tmp_path: Path, shared_raw: Path) -> duckdb.DuckDBPyConnection:
    return warehouse(tmp_path, "mirror", shared_raw)


def assert_one_definition_per_series(con: duckdb.DuckDBPyConnection) -> None:
    obs = con.execute("SELECT * FROM observations").df()
    indicators = con.execute("SELECT * FROM indicators").df()
    assert not indicators["id"].duplicated().any()
    declared = indicators.set_index("id")
    # every observed indicator is declared, by the source that published the rows
    assert set(obs["indicator"]) <= set(declared.index)
    owner = obs.groupby("indicator")["source"].agg(set)
    assert all(len(s) == 1 and next(iter(s)) == declared.loc[i, "source"] for i, s in owner.items())
    # one unit per indicator, and it is the unit the indicator declares
    units = obs.groupby("indicator")["unit"].agg(set)
    mixed = units[units.map(len) > 1]
    assert mixed.empty, mixed.to_dict()
    wrong = [i for i, u in units.items() if next(iter(u)) != declared.loc[i, "unit"]]
    assert not wrong, wrong[:5]
    # one number per series point: two definitions never share a point
    key = ["indicator", "geography", "stratum", "period_start", "period_end"]
    assert not obs.duplicated(key).any()


def test_offline_series_are_single_definition(offline) -> None:
    assert_one_definition_per_series(offline)


def test_mirror_series_are_single_definition(mirrored) -> None:
    assert_one_definition_per_series(mirrored)
    sources = set(mirrored.execute("SELECT DISTINCT source FROM observations").df()["source"])
    assert {"nflis", "ons_drug_poisoning", "euda_wastewater"} <= sources
    cities = mirrored.execute(
        "SELECT count(DISTINCT geography) FROM observations "
        "WHERE indicator = 'euda_wastewater_load_ketamine'"
    ).fetchone()[0]
    assert cities > 100
    total = mirrored.execute(
        "SELECT value FROM observations WHERE indicator = 'ons_drug_poisoning_deaths_all' "
        "AND geography = 'England and Wales' AND stratum = 'persons' AND period_label = '2022'"
    ).fetchone()[0]
    assert total == 4907


def test_literature_indicator_is_one_publication_wording_and_unit() -> None:
    figures = read_figures(DEFAULT_SEED_DIR / "literature" / "published_figures.csv")
    converted = convert_figures(figures, rules=load_rules())
    definitions = converted.groupby("indicator")[
        ["publication", "indicator_text", "unit"]
    ].nunique()
    assert (definitions == 1).all().all()


def test_look_alike_definitions_stay_apart(offline) -> None:
    obs = offline.execute("SELECT * FROM observations").df()
    in_2019 = obs[(obs["period_label"] == "2019") & obs["value"].isin([310.0, 205.0])]
    npds = in_2019[in_2019["unit"] == "exposures"]
    # the annual-report category "ketamine and analogs" (310) and a paper's own extract (205)
    # are both present, and never in one series
    assert set(npds["value"]) == {310.0, 205.0}
    assert npds.groupby("indicator")["value"].nunique().eq(1).all()
    indicators = offline.execute("SELECT id, label FROM indicators").df().set_index("id")["label"]
    deaths = obs[obs["geography"].str.contains("England") & obs["unit"].str.startswith("deaths")]
    wording = {indicators[i] for i in deaths["indicator"].unique() if "ketamine" in indicators[i]}
    on_certificate = {w for w in wording if "certificate" in w or "mentioned" in w}
    post_mortem = {w for w in wording if "detected" in w or "implicated" in w}
    assert on_certificate and post_mortem
    # never one line for "mentioned on the certificate" and "detected"/"implicated" post-mortem
    assert not on_certificate & post_mortem
    assert not {w for w in post_mortem if "detected" in w} & {
        w for w in post_mortem if "implicated" in w
    }


def test_offline_fills_every_harm_stream(offline) -> None:
    counts = offline.execute(
        "SELECT i.domain, count(*) AS n FROM observations o "
        "JOIN indicators i ON i.id = o.indicator GROUP BY 1"
    ).df()
    present = dict(zip(counts["domain"], counts["n"], strict=True))
    for domain in HARM_DOMAINS:
        assert present.get(domain, 0) > 0, domain
    sources = offline.execute("SELECT DISTINCT source FROM observations").df()["source"]
    assert {"ons_drug_poisoning", "euda_wastewater", "nflis", "literature"} <= set(sources)


def test_series_breaks_and_method_events_are_published(offline) -> None:
    breaks = offline.execute(
        "SELECT id, label, series_breaks FROM indicators WHERE series_breaks <> ''"
    ).df()
    text = " | ".join(breaks["series_breaks"])
    for expected in ("NSDUH 2015", "two quarters", "NSDUH 2021", "8th and 10th", "CSEW"):
        assert expected in text, expected
    events = offline.execute("SELECT * FROM events WHERE category = 'survey or method change'").df()
    assert len(events) >= 5
    assert events["citation_url"].str.startswith("http").all()
    assert pd.to_datetime(events["date"]).dt.year.isin([2012, 2015, 2020, 2021]).all()
