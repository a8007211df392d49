"""URL state: filters read and write st.query_params; bad parameters are ignored with a notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import filters, url_rules
from tests.page_kit import run_page

HOSTILE = [
    "'; DROP TABLE observations; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "x" * 5000,
    "United States\x00",
    "%27%3B",
]


# ---- pure validation --------------------------------------------------------------------------


def test_parse_choices_keeps_known_values_in_order_without_repeats() -> None:
    chosen, notice = url_rules.parse_choices(["b", "a", "b"], ["a", "b", "c"])
    assert chosen == ["b", "a"]
    assert notice is None


@pytest.mark.parametrize("value", HOSTILE)
def test_parse_choices_ignores_hostile_values_with_a_notice(value: str) -> None:
    chosen, notice = url_rules.parse_choices([value, "a"], ["a", "b"])
    assert chosen == ["a"]
    assert notice and "ignored" in notice
    assert len(notice) < 200  # the notice never echoes a huge value back


def test_parse_choices_single_valued_key_given_twice_falls_back() -> None:
    chosen, notice = url_rules.parse_choices(["a", "b"], ["a", "b"], single=True)
    assert chosen is None and "more than once" in notice


def test_parse_choices_too_many_values() -> None:
    chosen, notice = url_rules.parse_choices(["a"] * 500, ["a"])
    assert chosen is None and "500 values" in notice


@pytest.mark.parametrize(
    ("raw", "expected", "notice_part"),
    [
        (["2015-2020"], (2015, 2020), None),
        (["2018"], (2018, 2018), None),
        (["2015–2020"], (2015, 2020), None),
        (["1990-2020"], (2010, 2020), "clipped"),
        (["2020-2015"], None, "ends before"),
        (["99999999999999999999"], None, "not a year"),
        (["1800-1801"], None, "outside"),
        (["2015-2020", "2016-2017"], None, "more than once"),
        (["'; DROP TABLE observations; --"], None, "not a year"),
        (["2015-2020-2021"], None, "not a year"),
        ([], None, None),
    ],
)
def test_parse_years(raw: list[str], expected: tuple | None, notice_part: str | None) -> None:
    chosen, notice = url_rules.parse_years(raw, list(range(2010, 2024)))
    assert chosen == expected
    if notice_part:
        assert notice and notice_part in notice
    else:
        assert notice is None


def test_parse_flag() -> None:
    assert url_rules.parse_flag(["1"]) == (True, None)
    assert url_rules.parse_flag(["0"]) == (False, None)
    value, notice = url_rules.parse_flag(["yes please"])
    assert value is None and "not 1 or 0" in notice


# ---- the app: round trips and hostile links ---------------------------------------------------


def overview(params: dict | None = None) -> AppTest:
    return run_page("overview", params)


def widget(at: AppTest, kind: str, key: str):
    return at.get(kind) and next(w for w in at.get(kind) if w.key == filters.WIDGET_PREFIX + key)


def infos(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_changing_filters_writes_the_url(dashboard_env: Path) -> None:
    at = overview()
    assert not at.exception
    assert "geo" not in at.query_params and "years" not in at.query_params
    widget(at, "multiselect", "geo").set_value(["United States"]).run()
    assert at.query_params["geo"] == "United States"
    slider = widget(at, "slider", "years")
    low, high = int(slider.min), int(slider.max)
    slider.set_value((low + 1, high - 1)).run()
    assert at.query_params["years"] == f"{low + 1}-{high - 1}"
    assert not at.exception


def test_a_shared_link_reopens_the_same_view(dashboard_env: Path) -> None:
    at = overview()
    widget(at, "multiselect", "geo").set_value(["United States", "United Kingdom"]).run()
    widget(at, "slider", "years").set_value((2015, 2023)).run()
    shared = dict(at.query_params)
    metrics_before = [(m.label, m.value) for m in at.metric]
    indicator_before = widget(at, "selectbox", "ind").value

    reopened = overview(shared)
    assert not reopened.exception
    assert widget(reopened, "multiselect", "geo").value == ["United States", "United Kingdom"]
    assert widget(reopened, "slider", "years").value == (2015, 2023)
    assert widget(reopened, "selectbox", "ind").value == indicator_before
    assert [(m.label, m.value) for m in reopened.metric] == metrics_before
    assert not reopened.info, infos(reopened)  # a valid link raises no notice


def test_year_filter_changes_the_latest_value(dashboard_env: Path) -> None:
    # NFLIS ketamine: 2,031 reports in 2023 (seed); with years up to 2020 the card shows 2020.
    at = overview({"years": "2013-2020"})
    labels = [m.label for m in at.metric]
    assert labels and all(not label.startswith("2023") for label in labels), labels
    assert any(label.startswith("2020 · reports") for label in labels), labels


def test_the_definition_selector_is_in_the_url(dashboard_env: Path) -> None:
    at = overview()
    box = widget(at, "selectbox", "ind")
    default = box.value
    box.select_index(2).run()
    assert widget(at, "selectbox", "ind").value != default
    assert at.query_params["ind"] == widget(at, "selectbox", "ind").value
    reopened = overview({"ind": at.query_params["ind"]})
    assert widget(reopened, "selectbox", "ind").value == widget(at, "selectbox", "ind").value


@pytest.mark.parametrize(
    "params",
    [
        {"geo": "'; DROP TABLE observations; --"},
        {"group": "<script>alert(1)</script>"},
        {"years": "99999999999999999999"},
        {"years": ["2015-2020", "2001-2002"]},
        {"years": "2030-2020"},
        {"ind": "no_such_indicator"},
        {"ind": ["nflis_reports_ketamine", "no_such_indicator"]},
        {"per100k": "1"},  # no denominator is loaded: the toggle is not offered
        {"utm_source": "newsletter"},
        {"geo": ["United States", "x" * 5000, "Atlantis"]},
    ],
)
def test_hostile_parameters_are_ignored_with_a_notice(dashboard_env: Path, params: dict) -> None:
    at = overview(params)
    assert not at.exception, [e.value for e in at.exception]
    assert "Link parameter" in infos(at), f"no notice for {params}"
    assert at.metric, "the page stopped drawing"
    assert len(at.get("vega_lite_chart")) >= 4


def test_hostile_parameter_does_not_touch_the_warehouse(dashboard_env: Path) -> None:
    import duckdb

    overview({"geo": "'; DROP TABLE observations; --", "ind": "x'; DELETE FROM sources; --"})
    con = duckdb.connect(str(dashboard_env), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM sources").fetchone()[0] > 0
    finally:
        con.close()


def test_a_single_valued_key_repeated(dashboard_env: Path) -> None:
    at = overview()
    box = widget(at, "selectbox", "ind")
    a = box.value  # the default
    box.select_index(1).run()
    b = widget(at, "selectbox", "ind").value
    assert a != b
    twice_same = overview({"ind": [b, b]})
    assert widget(twice_same, "selectbox", "ind").value == b and not twice_same.info
    two_values = overview({"ind": [a, b]})
    assert widget(two_values, "selectbox", "ind").value == a  # the default
    assert "more than once" in infos(two_values)


def test_a_valid_value_survives_beside_a_bad_one(dashboard_env: Path) -> None:
    at = overview({"geo": ["United States", "Atlantis"]})
    assert widget(at, "multiselect", "geo").value == ["United States"]
    assert "'Atlantis'" in infos(at)
    assert at.query_params["geo"] == "United States"  # the URL is rewritten to what is shown
