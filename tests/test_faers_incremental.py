"""FAERS incremental load: 12 generated quarters loaded at once equal 8 then 4 one at a time,
table by table (EXCEPT ALL both ways, scripts/compare_warehouses.py), with follow-ups and
deleted-case lists in the later quarters reaching back to reports of the first eight. Some
generated drug names are given an active-comparator ingredient, so the comparator counts and
signals are among the tables compared."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from etl.faers import progress
from etl.faers.console import gaps, held_line, set_window
from etl.faers.remote import Window, window
from etl.faers.store import STORE_NAME
from etl.sources.faers_quarterly import SOURCE

ROOT = Path(__file__).resolve().parents[1]
# Appended, not prepended: benchmarks/dashboard.py must not shadow the dashboard package.
sys.path += [str(ROOT / "benchmarks"), str(ROOT / "scripts")]
from compare_warehouses import compare  # noqa: E402
from faers_history import generate_history  # noqa: E402


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("history")
    info = generate_history(out, quarters=12, reports=400, ketamine=0.03, deleted=0.02)
    folders = [out / f"faers_ascii_{label.lower()}" for label in info["quarters"]]
    for drug in (f for folder in folders for f in (folder / "ASCII").glob("DRUG*")):
        # 5% of the generated names each: an antidepressant and an anesthetic
        text = re.sub(r"\bDRUG00", "SERTRALINE DRUG00", drug.read_text())
        drug.write_text(re.sub(r"\bDRUG01", "PROPOFOL DRUG01", text))
    return folders


def load(folder: Path, paths: list[Path]) -> list[str]:
    """SOURCE.load into `folder`/warehouse.duckdb (store beside it); the quarters it read."""
    folder.mkdir(exist_ok=True)
    read: list[str] = []

    def seen(phase: str, quarter: str, done: int, total: int) -> None:
        if phase == "load" and done < total:
            read.append(quarter)

    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    try:
        with progress.listen(seen):
            con.begin()
            tables = SOURCE.load(con, {"quarters": paths})
            con.register("_obs", tables.observations)
            con.execute("CREATE OR REPLACE TABLE faers_observations AS SELECT * FROM _obs")
            con.commit()
    finally:
        con.close()
    return read


def kept(folder: Path) -> dict[int, tuple[int, str]]:
    with duckdb.connect(str(folder / STORE_NAME), read_only=True) as con:
        rows = con.execute("SELECT case_key, primaryid, quarter FROM faers_state_cases")
        return {key: (pid, q) for key, pid, q in rows.fetchall()}


def comparator_reports(folder: Path) -> set[tuple[int, str]]:
    with duckdb.connect(str(folder / STORE_NAME), read_only=True) as con:
        rows = con.execute("SELECT primaryid, comparator FROM faers_state_comparators")
        return set(rows.fetchall())


def ketamine_reports(folder: Path) -> set[int]:
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        return {pid for (pid,) in con.execute("SELECT primaryid FROM faers_cases").fetchall()}


def test_twelve_at_once_equal_eight_then_four_one_by_one(history: list[Path], tmp_path: Path):
    labels = [p.name[-6:].upper() for p in history]
    assert load(tmp_path / "once", history) == labels

    step = tmp_path / "steps"
    assert load(step, history[:8]) == labels[:8]
    after_eight, ketamine_after_eight = kept(step), ketamine_reports(step)
    comparators_after_eight = comparator_reports(step)
    for i in range(8, 12):
        # Each refresh is given every quarter held and reads only the new one.
        assert load(step, history[: i + 1]) == [labels[i]]
    after_twelve = kept(step)

    # The later quarters changed what the first eight had kept: follow-ups superseded reports,
    # deleted lists removed cases, ketamine reports among both.
    superseded = {k for k, v in after_eight.items() if k in after_twelve and after_twelve[k] != v}
    deleted = set(after_eight) - set(after_twelve)
    assert len(superseded) > 50 and len(deleted) > 10
    lost = ketamine_after_eight - ketamine_reports(step)
    assert lost, "no ketamine report of the first eight quarters was superseded or deleted"
    gone = comparators_after_eight - comparator_reports(step)
    assert gone, "no comparator report of the first eight quarters was superseded or deleted"

    for name in ("warehouse.duckdb", STORE_NAME):
        lines = compare(tmp_path / "once" / name, step / name)
        assert not [line for line in lines if line.startswith("DIFF")], "\n".join(lines)
        assert len(lines) >= 10
    with duckdb.connect(str(step / "warehouse.duckdb"), read_only=True) as con:
        [(cases, signals, observed)] = con.execute(
            "SELECT (SELECT count(*) FROM faers_cases), (SELECT count(*) FROM faers_signals), "
            "(SELECT count(*) FROM faers_observations)"
        ).fetchall()
        groups = con.execute(
            "SELECT comparator, sum(c), any_value(n_comparator) FROM faers_comparator_counts "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        [(vs_group,)] = con.execute("SELECT count(*) FROM faers_comparator_signals").fetchall()
    assert cases > 100 and signals > 0 and observed == 12 * 5
    assert [g for g, _, _ in groups] == ["anesthetics", "antidepressants"]
    assert all(c >= n > 50 for _, c, n in groups) and vs_group > 0


def test_nothing_new_reads_nothing_and_a_changed_quarter_rebuilds(history, tmp_path: Path):
    folder = tmp_path / "w"
    assert len(load(folder, history[:3])) == 3
    before = kept(folder)
    assert load(folder, history[:3]) == []
    assert kept(folder) == before
    # A quarter dropped from the window (or republished) cannot be un-merged: rebuilt.
    assert load(folder, history[1:3]) == [p.name[-6:].upper() for p in history[1:3]]
    assert set(kept(folder)) < set(before)


def test_a_bad_quarter_keeps_the_quarters_merged_before_it(history, tmp_path: Path):
    folder, broken = tmp_path / "w", tmp_path / history[2].name
    shutil.copytree(history[2], broken)
    demo = next((broken / "ASCII").glob("DEMO*"))
    demo.write_text(demo.read_text().replace("$", "$x$", 1))
    with pytest.raises(Exception, match="DEMO"):
        load(folder, [*history[:2], broken])
    with duckdb.connect(str(folder / STORE_NAME), read_only=True) as con:
        rows = con.execute("SELECT quarter FROM faers_state_quarters ORDER BY 1").fetchall()
    held = [q for (q,) in rows]
    assert held == [p.name[-6:].upper() for p in history[:2]]
    # Resumed with the quarter fixed: only it is read.
    assert load(folder, history[:3]) == [history[2].name[-6:].upper()]


def test_gaps_and_the_status_line() -> None:
    assert gaps(["2004Q1", "2004Q2", "2005Q1"]) == ["2004Q3", "2004Q4"]
    assert gaps(["2019Q4"]) == [] and gaps([]) == []
    con = duckdb.connect()
    con.execute("CREATE TABLE faers_loaded_quarters AS SELECT * FROM (VALUES "
                "('2012Q3'), ('2012Q4'), ('2013Q2')) t(quarter)")  # fmt: skip
    assert held_line(con) == "FAERS quarters held: 2012Q3–2013Q2 (3); gaps: 2013Q1"
    assert held_line(duckdb.connect()) is None  # a warehouse without FAERS tables


def test_window_options_are_validated(monkeypatch) -> None:
    # setenv first, so that the variables set_window sets are restored after the test
    monkeypatch.setenv("KETAMINE_WATCH_FAERS_FROM", "")
    monkeypatch.setenv("KETAMINE_WATCH_FAERS_QUARTERS", "")
    set_window("2015q1", 8)
    assert window() == Window(first="2015Q1", count=8)
    with pytest.raises(ValueError, match="KETAMINE_WATCH_FAERS_FROM"):
        set_window("2015", None)
    assert window() == Window(first="2015Q1", count=8)  # a bad value sets nothing


def test_the_window_cuts_a_mirror(history: list[Path], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KETAMINE_WATCH_FAERS_FROM", "2015Q1")
    monkeypatch.setenv("KETAMINE_WATCH_FAERS_QUARTERS", "3")
    # 2015Q1-2016Q4 from 2015Q1, the newest 3 of them
    assert load(tmp_path / "w", history) == ["2016Q2", "2016Q3", "2016Q4"]


def test_cli_refuses_a_bad_faers_from_and_status_shows_gaps(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from etl.cli import app
    from etl.warehouse import create_schema

    runner = CliRunner()
    bad = runner.invoke(app, ["refresh", "--offline", "--data-dir", str(tmp_path), "--faers-from",
                              "2015"])  # fmt: skip
    assert bad.exit_code == 2 and "KETAMINE_WATCH_FAERS_FROM" in bad.output
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        create_schema(con)
        con.execute("CREATE TABLE faers_loaded_quarters AS SELECT * FROM (VALUES "
                    "('2012Q3'), ('2013Q2')) t(quarter)")  # fmt: skip
    shown = runner.invoke(app, ["status", "--data-dir", str(tmp_path)])
    assert "FAERS quarters held: 2012Q3–2013Q2 (2); gaps: 2012Q4, 2013Q1" in shown.output
