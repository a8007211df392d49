"""Every view in the URL: the widgets of each page round-trip through `st.query_params`, and a
link opened in a fresh session reopens the same view (AppTest on the seed warehouse)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.page_kit import run_page


def params_of(at: AppTest) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in dict(at.query_params).items()}


def widget(at: AppTest, kind: str, label_start: str):
    found = [w for w in at.get(kind) if w.label.startswith(label_start)]
    assert found, f"no {kind} labelled {label_start!r}: {[w.label for w in at.get(kind)]}"
    return found[0]


def reopen(page: str, at: AppTest) -> AppTest:
    """The link `at` shows, opened in a fresh session."""
    return run_page(page, {k: v if len(v) > 1 else v[0] for k, v in params_of(at).items()})


def test_cross_stream_base_year_and_streams_round_trip(dashboard_env: Path) -> None:
    at = run_page("trends")
    base = widget(at, "selectbox", "Base year")
    other = next(o for o in base.options if o.split(" ")[0] != base.value)
    base.set_value(other.split(" ")[0]).run()
    streams = widget(at, "multiselect", "Streams")
    kept = streams.value[:1]
    streams.set_value(kept).run()
    assert not at.exception
    link = params_of(at)
    assert link["streams"] == kept
    again = reopen("trends", at)
    assert not again.exception
    assert widget(again, "multiselect", "Streams").value == kept
    assert (
        widget(again, "selectbox", "Base year").value == widget(at, "selectbox", "Base year").value
    )


def test_cross_stream_base_year_link_sets_the_chart(dashboard_env: Path) -> None:
    at = run_page("trends")
    years = [o.split(" ")[0] for o in widget(at, "selectbox", "Base year").options]
    at = run_page("trends", {"base": years[0]})
    assert not at.exception
    assert widget(at, "selectbox", "Base year").value == years[0]
    assert at.query_params["base"] == years[0]
    table = at.dataframe[-1].value
    assert {"direction", "change_since_base_pct", "break_since_base"} <= set(table.columns)


def test_cross_stream_bad_base_year_falls_back_with_a_notice(dashboard_env: Path) -> None:
    at = run_page("trends", {"base": "1066"})
    assert not at.exception
    assert any("base" in i.value and "ignored" in i.value for i in at.info)
    assert at.get("vega_lite_chart"), "a bad link must not leave a blank page"


def test_cross_stream_without_a_common_year_still_draws_a_chart(dashboard_env: Path) -> None:
    from dashboard.common import queries_harm, selection

    catalog = queries_harm.annual_series(("poison_center", "misuse", "mortality", "supply"))
    rows = list(catalog.itertuples())
    pair = next(
        (a, b) for a in rows for b in rows if not set(a.years) & set(b.years) and a.points > 2
    )
    keys = [selection.series_key(indicator=r.indicator, geography=r.geography, stratum=r.stratum)
            for r in pair]  # fmt: skip
    at = run_page("trends", {"streams": keys})
    assert not at.exception
    assert widget(at, "multiselect", "Streams").value == keys
    assert at.get("vega_lite_chart"), "no common year must not leave a blank chart"
    text = " ".join(i.value for i in at.info)
    assert "1 of 2 chosen series have a value in" in text
    assert "No year is shared by every chosen series" in text


def test_milestones_switch_survives_the_link(dashboard_env: Path) -> None:
    at = run_page("poison_deaths", {"ms": "0"})
    assert not at.exception
    assert widget(at, "toggle", "Milestones").value is False
    assert at.query_params["ms"] == "0"


def test_use_supply_wastewater_substance_and_year_round_trip(dashboard_env: Path) -> None:
    at = run_page("use_supply")
    year = at.selectbox(key="filter__ww_year")
    assert len(year.options) >= 2, "the seed's wastewater file has several years"
    first = year.options[0]
    year.set_value(first).run()
    assert at.query_params["ww_year"] == first
    again = reopen("use_supply", at)
    assert again.selectbox(key="filter__ww_year").value == first
    assert again.selectbox(key="filter__ww_substance").value == (
        at.selectbox(key="filter__ww_substance").value
    )


def test_use_supply_log_and_nflis_round_trip(dashboard_env: Path) -> None:
    at = run_page("use_supply", {"log": "1"})
    assert widget(at, "toggle", "Log scale").value is True
    nflis = widget(at, "multiselect", "Substances")
    nflis.set_value(nflis.value[:1]).run()
    again = reopen("use_supply", at)
    assert widget(again, "toggle", "Log scale").value is True
    assert widget(again, "multiselect", "Substances").value == nflis.value[:1]


def test_every_export_menu_has_the_wide_csv_and_citations(dashboard_env: Path) -> None:
    at = run_page("trends")
    labels = [b.label for b in at.get("download_button")]
    for label in ("CSV of this chart", "Wide CSV (period × series)", "PNG", "SVG",
                  "Citation file", "CITATION.cff", "BibTeX"):  # fmt: skip
        assert label in labels
    assert at.get("popover"), "export controls are not in one menu"


def test_the_offered_common_year_button_sets_the_base_year_and_the_link(dashboard_env) -> None:
    at = run_page("trends")
    years = [o.split(" ")[0] for o in widget(at, "selectbox", "Base year").options]
    at = run_page("trends", {"base": years[0]})
    button = next(b for b in at.button if b.label.startswith("Use "))
    offered = button.label.split(" ")[1]
    button.click().run()
    assert not at.exception
    assert widget(at, "selectbox", "Base year").value == offered
    assert not any(b.label.startswith("Use ") for b in at.button)
