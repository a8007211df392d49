"""The alert sections: the Overview lists exactly the warehouse's current alerts (or says there
are none), the explored series shows its band, Data & methods explains the methods; the pure
frames and the band chart."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

import warehouse_contract as wc
from dashboard.common import alerts_frames
from dashboard.common.charts.alert_band import band_chart
from tests.page_kit import run_page


def open_alerts(db: Path) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {wc.ALERTS} WHERE status = ?", [wc.ALERT_OPEN]).df()
    finally:
        con.close()


def test_overview_lists_the_published_alerts_or_says_none(dashboard_env: Path) -> None:
    at = run_page("overview")
    assert not at.exception
    headers = [h.value for h in at.header]
    assert headers[0] == "Alerts"  # the top of the page
    expected = open_alerts(dashboard_env)
    if expected.empty:
        assert any("No alerts" in m.value for m in at.markdown)
        return
    # Ketamine and esketamine series first; the other drugs' alerts in a folded list after them.
    roles = indicator_roles(dashboard_env)
    focus = expected[expected["indicator"].map(roles).eq("focus")]
    tables = [d.value for d in at.dataframe if list(d.value.columns) == alerts_frames.ALERT_COLUMNS]
    assert sum(len(t) for t in tables) == len(expected)
    if not focus.empty:
        assert sorted(tables[0]["Period"]) == sorted(focus["period_label"])
    else:
        assert any("No alerts on ketamine or esketamine" in m.value for m in at.markdown)
    shown = pd.concat(tables, ignore_index=True)
    assert set(shown["Method"]) == set(expected["method"])
    links = [link for link in at.get("page_link")]
    assert len(links) == expected["indicator"].nunique()  # each alerted series is linked


def indicator_roles(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute(f"SELECT id, role FROM {wc.INDICATORS}").fetchall())
    finally:
        con.close()


def test_overview_with_an_alerted_series_draws_its_band(dashboard_env: Path) -> None:
    alerts = open_alerts(dashboard_env)
    aberrations = alerts[alerts["kind"] != wc.ALERT_KIND_SIGNAL]
    if aberrations.empty:
        return
    at = run_page("overview", {"ind": aberrations["indicator"].iloc[0]})
    assert not at.exception
    assert any("alarm threshold" in c.value for c in at.caption)


def test_methods_page_explains_alerts(dashboard_env: Path) -> None:
    at = run_page("methods")
    assert not at.exception
    assert "Alerts: methods and false alarms" in [h.value for h in at.header]
    text = " ".join(m.value for m in at.markdown)
    assert "Farrington flexible" in text and "too short to test" in text.lower()


def sample_band() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_key": "x|US|all",
            "indicator": "x",
            "geography": ["US"] * 3 + ["UK"],
            "stratum": "all",
            "unit": "reports",
            "period_start": pd.to_datetime(
                ["2023-01-01", "2023-04-01", "2023-07-01"] * 1 + ["2023-01-01"]
            ),
            "period_label": ["2023Q1", "2023Q2", "2023Q3", "2023Q1"],
            "value": [10.0, 11.0, 40.0, 5.0],
            "expected": [10.0, 10.5, 11.0, 5.0],
            "threshold": [16.0, 17.0, 18.0, 9.0],
            "alarm": [False, False, True, False],
            "method": "Farrington flexible, muan threshold",
        }
    )


def test_band_frames_put_alarmed_series_first_and_name_the_alarm() -> None:
    band = sample_band()
    assert alerts_frames.band_series(band) == [("US", "all"), ("UK", "all")]
    one = alerts_frames.band_frame(band, "US", "all")
    assert one["marker"].tolist() == ["within", "within", "above threshold (alarm)"]


def test_band_chart_draws_three_lines_and_marks_alarms_by_shape() -> None:
    spec = band_chart(
        alerts_frames.band_frame(sample_band(), "US", "all"), title="t", unit="reports"
    )
    spec = spec.to_dict()
    text = str(spec)
    assert "triangle-up" in text and "strokeDash" in text
    lines = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line"]
    assert len(lines) == 1


def test_alert_table_keeps_the_warehouse_numbers() -> None:
    alerts = pd.DataFrame(
        [{"label": "Reports", "geography": "US", "stratum": "all", "unit": "reports",
          "period_label": "2023Q4", "indicator": "faers_x", "value": 93.0, "expected": 31.2,
          "threshold": 45.0,
          "method": "Farrington flexible, muan threshold"}]
    )  # fmt: skip
    table = alerts_frames.alert_table(alerts)
    assert table.iloc[0].to_dict() == {
        "Series": "Reports",
        "Where": "US, all",
        "Period": "2023Q4",
        "Value": "93 reports",
        "Expected": "31.2 reports",
        "Threshold": "45 reports",
        "Method": "Farrington flexible, muan threshold",
    }
    assert alerts_frames.alert_table(alerts.iloc[0:0]).empty
    assert alerts_frames.series_links(alerts) == [("faers_x", "Reports (2023Q4)")]
