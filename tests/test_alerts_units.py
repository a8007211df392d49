"""Units of the alert machinery: rule matching, EWMA and logit detectors, the alert ledger
(raised once, followed), FAERS time to signal, the message, the Atom feed, delivery retries and
the CLI's JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.detect import atom, deliver, message
from etl.detect.evaluate import evaluate
from etl.detect.faers_time import cumulative_tables, first_signals, with_measures
from etl.detect.rules import TOO_SHORT, kind_of, load_rules, rule_for
from etl.detect.simple import ewma_at, logit_at
from etl.detect.store import alert_id, as_alerts, follow, merge_alerts, new_alarms

RULES = load_rules()


@pytest.mark.parametrize(
    ("frequency", "kind", "points", "rule"),
    [
        ("monthly", "count", 132, "monthly_counts"),
        ("quarterly", "count", 20, "quarterly_counts"),
        ("quarterly", "count", 12, "short_counts"),
        ("annual", "count", 30, "annual_counts"),
        ("annual", "count", 7, "too_short"),
        ("annual", "rate", 14, "annual_rates"),
        ("monthly", "proportion", 132, "proportion"),
        ("other", "count", 50, "too_short"),
    ],
)
def test_rules_match_by_frequency_kind_and_length(frequency, kind, points, rule) -> None:
    assert rule_for(RULES, frequency, kind, points).rule == rule


def test_every_rule_cites_a_reference() -> None:
    assert all(len(r.reference) > 20 for r in RULES)


def test_units_give_kinds() -> None:
    assert kind_of("percent") == "proportion"
    assert kind_of("mg per 1,000 people per day") == "rate"
    assert kind_of("reports") == "count"


def test_annual_series_under_eight_points_is_too_short_to_test() -> None:
    obs = pd.DataFrame(
        {
            "source": "s", "indicator": "i", "label": "L", "unit": "deaths", "geography": "UK",
            "stratum": "all", "period_start": pd.date_range("2015-01-01", periods=7, freq="YS"),
            "value": [10.0, 11, 12, 11, 10, 12, 60],
        }
    )  # fmt: skip
    obs["period_end"] = obs["period_start"] + pd.offsets.YearEnd(0)
    obs["period_label"] = obs["period_start"].dt.year.astype(str)
    series, evaluations = evaluate(obs, RULES)
    assert series["status"].tolist() == [TOO_SHORT]
    assert evaluations.empty  # no statistical alert, however large the last value


def test_ewma_alarms_on_a_step_not_on_noise() -> None:
    flat = np.array([20.0, 22, 19, 21, 20, 18, 22, 21, 20, 19, 21])
    expected, threshold = ewma_at(flat, 10, baseline=8, guard=1, alpha=0.01, ewma_lambda=0.4)
    assert expected == pytest.approx(flat[1:9].mean())
    assert flat[10] < threshold < 3 * flat[10]


def test_logit_upper_bound_is_above_the_trend() -> None:
    pct = np.array([10.0, 10.5, 11, 11.4, 12, 12.5, 13, 13.4, 14, 14.5, 15, 15.6, 16, 30])
    expected, threshold = logit_at(pct, 13, baseline=12, guard=1, alpha=0.01)
    assert 16 < expected < 18  # the trend carried on
    assert expected < threshold < 30  # 30 % alarms


def evaluations_frame(periods: list[str], alarms: list[bool], key: str = "k") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_key": key, "source": "s", "indicator": "i", "label": "L", "unit": "u",
            "geography": "US", "stratum": "all", "period_label": periods,
            "period_start": pd.to_datetime([f"{p[:4]}-01-01" for p in periods]),
            "value": 5.0, "expected": 1.0, "threshold": 2.0, "alarm": alarms,
            "method": "m", "rule": "r", "reason": "why",
        }
    )  # fmt: skip


def test_first_build_raises_only_the_latest_period() -> None:
    ev = evaluations_frame(["2020", "2021", "2022"], [True, False, True])
    assert new_alarms(ev, None)["period_label"].tolist() == ["2022"]


def test_a_period_not_tested_before_raises_even_if_not_the_latest() -> None:
    ev = evaluations_frame(["2020", "2021", "2022"], [False, True, False])
    before = ev[ev["period_label"] == "2020"][["series_key", "period_label"]]
    assert new_alarms(ev, before)["period_label"].tolist() == ["2021"]


def test_raised_once_then_followed_and_cleared() -> None:
    now = datetime(2026, 1, 1)
    ev = evaluations_frame(["2022"], [True])
    first = merge_alerts(pd.DataFrame(columns=as_alerts(ev, "aberration", "r1", now).columns),
                         as_alerts(new_alarms(ev, None), "aberration", "r1", now))  # fmt: skip
    assert first["status"].tolist() == ["open"]
    revised = evaluations_frame(["2022"], [False]).assign(value=1.5)
    followed = merge_alerts(follow(first, revised, "r2"), as_alerts(new_alarms(revised, ev),
                            "aberration", "r2", now))  # fmt: skip
    assert len(followed) == 1
    row = followed.iloc[0]
    assert (row["raised_run"], row["checked_run"], row["status"]) == ("r1", "r2", "cleared")
    assert row["value"] == 1.5
    assert row["alert_id"] == alert_id("k", "2022")


def test_cumulative_prr_and_time_to_signal() -> None:
    quarters = ["2020Q1", "2020Q2", "2020Q3"]
    totals = pd.DataFrame(
        {
            "quarter": quarters * 3,
            "ingredient": ["all"] * 3 + ["ketamine"] * 3 + ["esketamine"] * 3,
            "reports": [1000, 1000, 1000, 50, 50, 50, 10, 10, 10],
        }
    )
    a = pd.DataFrame({"ingredient": "ketamine", "pt": "CYSTITIS", "quarter": quarters,
                      "a": [1, 1, 8]})  # fmt: skip
    events = pd.DataFrame({"pt": ["CYSTITIS"], "n_event": [60]})
    table = cumulative_tables(a, totals, events, ["CYSTITIS"])
    ket = table[table["ingredient"] == "ketamine"].set_index("quarter")
    assert ket["a"].tolist() == [1, 2, 10]
    assert ket["n_drug"].tolist() == [50, 100, 150]
    assert ket["n_total"].tolist() == [1000, 2000, 3000]
    assert ket["n_event"].tolist() == [20, 40, 60]  # window total × share received by then
    history = with_measures(table)
    first = first_signals(history)
    assert first[["ingredient", "pt", "first_signal_quarter"]].values.tolist() == [
        ["ketamine", "CYSTITIS", "2020Q3"]  # a >= 3 only from 2020Q3
    ]
    row = history[(history["ingredient"] == "ketamine") & (history["quarter"] == "2020Q3")]
    b, c, d = 150 - 10, 60 - 10, 3000 - 150 - 50
    assert row["prr"].iloc[0] == pytest.approx((10 / 150) / (c / (c + d)))
    assert row["ror"].iloc[0] == pytest.approx(10 * d / (b * c))


ALERT = {
    "alert_id": "abc123", "kind": "aberration", "status": "open", "series_key": "k",
    "source": "faers_quarterly", "indicator": "faers_quarterly_ketamine_reports",
    "label": "Reports <b>mentioning</b> ketamine", "geography": "United States", "stratum": "all",
    "unit": "reports", "period_label": "2023Q4", "value": 93.0, "expected": 31.0,
    "threshold": 45.0, "method": "Farrington flexible", "rule": "quarterly_counts",
    "reason": "93 is above 45", "raised_run": "20261201T000000Z",
    "raised_at": datetime(2026, 12, 1), "checked_run": "20261201T000000Z",
}  # fmt: skip


def test_message_names_series_period_value_expected_threshold_method_and_link() -> None:
    text = message.body(ALERT, "https://kw.example.org")
    link = "https://kw.example.org/overview?ind=faers_quarterly_ketamine_reports"
    needles = ("2023Q4", "Value: 93 reports", "Expected: 31 reports", "Threshold: 45 reports")
    for needle in (*needles, "Farrington flexible", link):
        assert needle in text


def test_atom_feed_is_valid_xml_with_escaped_text() -> None:
    root = ET.fromstring(atom.feed_xml([ALERT], "https://kw.example.org"))
    ns = {"a": atom.ATOM}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert entries[0].find("a:id", ns).text == "urn:ketamine-watch:alert:abc123"
    assert "<b>" in entries[0].find("a:title", ns).text  # text, not markup


def test_delivery_retries_failures_and_never_resends(tmp_path: Path) -> None:
    calls: list[str] = []
    outcome = {"ok": False}

    def send(url: str, title: str, body: str) -> bool:
        calls.append(url)
        return outcome["ok"]

    urls = ["json://127.0.0.1:9/a", "json://127.0.0.1:9/b"]
    assert deliver.deliver([ALERT], tmp_path, urls, send) == {"sent": 0, "failed": 2}
    outcome["ok"] = True
    assert deliver.deliver([ALERT], tmp_path, urls, send) == {"sent": 2, "failed": 0}
    assert deliver.deliver([ALERT], tmp_path, urls, send) == {"sent": 0, "failed": 0}
    assert len(calls) == 4
    assert "127.0.0.1" not in (tmp_path / deliver.LEDGER).read_text()  # no URL on disk


def test_a_raising_destination_does_not_stop_the_others(tmp_path: Path) -> None:
    def send(url: str, title: str, body: str) -> bool:
        if url.endswith("/bad"):
            raise RuntimeError("boom")
        return True

    counts = deliver.deliver([ALERT], tmp_path, ["json://h/bad", "json://h/good"], send)
    assert counts == {"sent": 1, "failed": 1}


def test_destinations_split_on_spaces_and_commas() -> None:
    env = {deliver.NOTIFY_ENV: "json://a/x, slack://t/b  mailto://u:p@h"}
    assert deliver.destinations(env) == ["json://a/x", "slack://t/b", "mailto://u:p@h"]


def test_cli_json_is_stable_and_filters_since(seed_warehouse: Path) -> None:
    runner = CliRunner()
    data_dir = str(seed_warehouse.parent)
    done = runner.invoke(app, ["alerts", "--format", "json", "--data-dir", data_dir])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.output)
    assert payload["count"] == len(payload["alerts"])
    for record in payload["alerts"]:
        assert list(record) == sorted(message.STABLE_FIELDS)
    later = runner.invoke(
        app, ["alerts", "--format", "json", "--since", "2999-01-01", "--data-dir", data_dir]
    )
    assert json.loads(later.output)["count"] == 0
    bad = runner.invoke(app, ["alerts", "--since", "yesterday", "--data-dir", data_dir])
    assert bad.exit_code != 0


def test_a_warehouse_with_nothing_to_test_gets_empty_typed_alert_tables() -> None:
    import duckdb

    from etl.detect.store import ALERT_TABLES, build_alerts
    from etl.warehouse import create_schema

    con = duckdb.connect()
    create_schema(con)
    assert build_alerts(con, "r1", has_previous=False) == 0
    for table in ALERT_TABLES:
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'alert_evaluations'").fetchall())  # fmt: skip
    assert types["series_key"] == "VARCHAR" and types["value"] == "DOUBLE"
