"""Alerts end to end: a refresh of a generated FAERS history raises an alert for a tripled last
quarter and posts it to a JSON webhook on 127.0.0.1; the same history without the spike raises
none for that series. Then: raised once and followed, failed delivery retried, feed written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES
from tests.alerts_kit import Receiver, write_faers_history

BASE = [30, 34, 28, 31, 33, 29, 35, 30, 32, 31, 29, 34, 30, 33, 31, 28, 32, 30, 33, 31]
SPIKED = [*BASE[:-1], 3 * BASE[-1]]
TITLE = "Ketamine Watch alert: Reports mentioning ketamine"


def run(tmp_path: Path, counts: list[int], data_dir: Path | None = None, cystitis=None) -> Path:
    folder = tmp_path / f"mirror-{len(list(tmp_path.iterdir()))}"
    mirror = write_faers_history(folder, counts, cystitis)
    data_dir = data_dir or tmp_path / "data"
    options = RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=data_dir)
    refresh(SOURCES, ["faers_quarterly"], options)
    return data_dir


def alerts_of(data_dir: Path, series: str) -> list[dict]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        frame = con.execute("SELECT * FROM alerts WHERE series_key = ?", [series]).df()
    finally:
        con.close()
    return frame.to_dict("records")


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch):
    hook = Receiver()
    monkeypatch.setenv("KETAMINE_WATCH_NOTIFY", hook.url)
    yield hook
    hook.close()


def series_key_in_warehouse(data_dir: Path) -> str:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        keys = con.execute(
            "SELECT series_key FROM alert_series WHERE indicator = ?",
            ["faers_quarterly_ketamine_reports"],
        ).fetchall()
    finally:
        con.close()
    return keys[0][0]


def test_tripled_last_quarter_raises_and_posts_one_alert(tmp_path: Path, receiver) -> None:
    data_dir = run(tmp_path, SPIKED)
    key = series_key_in_warehouse(data_dir)
    alerts = alerts_of(data_dir, key)
    assert [a["period_label"] for a in alerts] == ["2023Q4"], alerts
    alert = alerts[0]
    assert alert["value"] == SPIKED[-1]
    assert alert["expected"] < alert["threshold"] < alert["value"]
    assert alert["method"].startswith("Farrington flexible")
    assert alert["status"] == "open"
    mine = [p for p in receiver.posts if p.get("title", "").startswith(TITLE)]
    assert len(mine) == 1, receiver.posts
    text = mine[0]["message"]
    for needle in ("2023Q4", "Value: 93", "Expected:", "Threshold:", "Farrington", "ind="):
        assert needle in text, text
    feed = (data_dir / "alerts.atom").read_text()
    assert alert["alert_id"] in feed


def test_same_history_without_the_spike_raises_none(tmp_path: Path, receiver) -> None:
    data_dir = run(tmp_path, BASE)
    key = series_key_in_warehouse(data_dir)
    assert alerts_of(data_dir, key) == []
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    tested = con.execute(
        "SELECT count(*), sum(alarm::INT) FROM alert_evaluations WHERE series_key = ?", [key]
    ).fetchone()
    con.close()
    assert tested[0] >= 5 and tested[1] == 0  # tested, quarter by quarter, and no alarm
    assert not [p for p in receiver.posts if p["title"].startswith(TITLE)]
    assert (data_dir / "alerts.atom").exists()


def test_an_alert_is_raised_once_then_followed(tmp_path: Path, receiver) -> None:
    data_dir = run(tmp_path, SPIKED)
    first = alerts_of(data_dir, series_key_in_warehouse(data_dir))
    run(tmp_path, SPIKED, data_dir)
    again = alerts_of(data_dir, series_key_in_warehouse(data_dir))
    assert len(again) == 1
    assert again[0]["raised_run"] == first[0]["raised_run"]  # not raised again
    assert again[0]["checked_run"] != first[0]["checked_run"]  # but followed
    assert len([p for p in receiver.posts if p["title"].startswith(TITLE)]) == 1  # sent once


def test_failed_delivery_is_retried_next_run_and_never_fails_the_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = Receiver(status=500)
    monkeypatch.setenv("KETAMINE_WATCH_NOTIFY", down.url)
    try:
        data_dir = run(tmp_path, SPIKED)  # the refresh publishes although delivery fails
    finally:
        down.close()
    assert alerts_of(data_dir, series_key_in_warehouse(data_dir))
    up = Receiver()
    monkeypatch.setenv("KETAMINE_WATCH_NOTIFY", up.url)
    try:
        run(tmp_path, SPIKED, data_dir)
    finally:
        up.close()
    assert len([p for p in up.posts if p["title"].startswith(TITLE)]) == 1


def expected_first_signal(counts: list[int], cystitis: list[tuple[int, int]]) -> tuple:
    """By hand, from the generated counts: the first quarter whose cumulative table meets PRR >= 2,
    Yates chi2 >= 4 and a >= 3, with n_event estimated as documented in etl/detect/faers_time.py
    (the window's count times the share of all reports received by then)."""
    others = 200
    window_total = sum(counts) + others * len(counts)
    window_event = sum(k + o for k, o in cystitis)
    a = n_drug = n_total = 0
    for i, (count, (k, _)) in enumerate(zip(counts, cystitis, strict=True)):
        a, n_drug, n_total = a + k, n_drug + count, n_total + count + others
        n_event = max(round(window_event * n_total / window_total), a)
        b, c = n_drug - a, n_event - a
        d = n_total - n_drug - c
        n = a + b + c + d
        prr = (a / (a + b)) / (c / (c + d)) if c else float("inf")
        chi2 = n * max(abs(a * d - b * c) - n / 2, 0) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
        if a >= 3 and prr >= 2 and chi2 >= 4:
            return f"{2019 + i // 4}Q{i % 4 + 1}", a
    return None, None


def test_a_new_faers_signal_has_its_time_to_signal_and_is_an_alert(
    tmp_path: Path, receiver
) -> None:
    # Ketamine reports with CYSTITIS from the 11th quarter (2021Q3), 3 a quarter; other reports
    # with it once a year.
    cystitis = [(0, 1 if i % 4 == 0 else 0) for i in range(10)] + [(3, 0)] * 10
    quarter, a = expected_first_signal(BASE, cystitis)
    assert quarter is not None  # the generated history does contain a signal
    data_dir = run(tmp_path, BASE, cystitis=cystitis)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    first = con.execute(
        "SELECT ingredient, first_signal_quarter, a, label_expected FROM faers_time_to_signal"
    ).fetchall()
    history = con.execute(
        "SELECT quarter, a FROM faers_signal_history"
        " WHERE ingredient = 'ketamine' AND pt = 'CYSTITIS' ORDER BY quarter"
    ).fetchall()
    signal = con.execute("SELECT period_label, reason FROM alerts WHERE kind = 'signal'").fetchall()
    con.close()
    assert first == [("ketamine", quarter, a, False)]
    assert [a for _, a in history][9:13] == [0, 3, 6, 9]  # cumulative a by quarter
    assert signal[0][0] == quarter and "CYSTITIS" in signal[0][1]
    assert any("CYSTITIS" in p["title"] for p in receiver.posts)
