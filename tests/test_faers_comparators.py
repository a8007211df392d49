"""Active comparators for FAERS: the groups are data, comparator reports are counted per PT from
the quarter files, and the ROR against a group is computed from those counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.faers import comparators
from etl.sources.faers_quarterly import SOURCE

FIXTURE = Path(__file__).parent / "fixtures" / "faers_quarterly" / "faers_ascii_2019q1"
DEMO = (
    "{id}${case}$1$I$$$20190301$20190301$EXP$$MFR-{id}$TESTPHARMA$$50$YR$A$F$Y$$$20190301$$MD$"
    "US$US\n"
)
NEW_REPORTS = ((9001, 900), (9002, 901), (9003, 902))


def test_groups_are_data_with_their_reference() -> None:
    groups = comparators.load_groups()
    by_group = groups.groupby("comparator")
    assert set(by_group.groups) == {"antidepressants", "anesthetics"}
    assert set(groups.loc[groups["comparator"] == "antidepressants", "for_ingredient"]) == {
        "esketamine"
    }
    assert set(groups.loc[groups["comparator"] == "anesthetics", "for_ingredient"]) == {"ketamine"}
    # the focus drugs are never their own comparators
    assert not groups["ingredient"].isin(["ketamine", "esketamine"]).any()
    assert groups["reference"].str.startswith("https://atcddd.fhi.no/").all()
    assert groups["atc_group"].str.match(r"^N0(6A|1A|1B)[A-Z]$").all()
    assert {"sertraline", "escitalopram", "bupropion"} <= set(groups["ingredient"])
    assert {"propofol", "lidocaine", "sevoflurane"} <= set(groups["ingredient"])


def test_group_pattern_matches_whole_words_only() -> None:
    patterns = comparators.group_patterns(comparators.load_groups()).set_index("comparator")
    con = duckdb.connect()
    pattern = patterns.loc["antidepressants", "pattern"]
    hit = "SELECT regexp_matches(?, ?)"
    assert con.execute(hit, ["SERTRALINE HYDROCHLORIDE", pattern]).fetchone()[0]
    assert con.execute(hit, ["ZOLOFT SERTRALINE", pattern]).fetchone()[0]
    assert not con.execute(hit, ["ESKETAMINE", pattern]).fetchone()[0]
    assert not con.execute(hit, ["XSERTRALINEX", pattern]).fetchone()[0]


def quarter_with_comparators(tmp_path: Path) -> Path:
    """The 2019Q1 fixture plus three reports: sertraline + nausea, sertraline + headache, and
    sertraline beside esketamine (suspect), which is not a comparator report."""
    folder = tmp_path / "faers_ascii_2019q1"
    shutil.copytree(FIXTURE, folder)
    ascii_ = folder / "ASCII"
    added = {
        "DEMO19Q1.txt": "".join(DEMO.format(id=i, case=c) for i, c in NEW_REPORTS),
        "DRUG19Q1.txt": (
            "9001$900$1$PS$ZOLOFT$SERTRALINE HYDROCHLORIDE$1$Oral$$$$U$U$$$$$$$\n"
            "9002$901$1$SS$SERTRALINE$SERTRALINE$1$Oral$$$$U$U$$$$$$$\n"
            "9003$902$1$PS$SPRAVATO$ESKETAMINE HYDROCHLORIDE$1$Nasal$$$$U$U$$$$$$$\n"
            "9003$902$2$SS$ZOLOFT$SERTRALINE$1$Oral$$$$U$U$$$$$$$\n"
        ),
        "REAC19Q1.txt": "9001$900$NAUSEA$\n9002$901$HEADACHE$\n9003$902$NAUSEA$\n",
    }  # fmt: skip
    for name, text in added.items():
        with (ascii_ / name).open("a") as handle:
            handle.write(text)
    return folder


def test_comparator_counts_and_signals_from_quarter_files(tmp_path: Path) -> None:
    con = duckdb.connect()
    SOURCE.load(con, {"quarters": [quarter_with_comparators(tmp_path)]})
    counts = con.execute(f"SELECT * FROM {comparators.COUNTS_TABLE}").df()
    ad = counts[counts["comparator"] == "antidepressants"].set_index("pt")
    assert ad.loc["NAUSEA", "c"] == 1  # 9003 names esketamine as suspect: not a comparator
    assert ad.loc["HEADACHE", "c"] == 1
    assert set(ad["n_comparator"]) == {2}
    signals = con.execute(f"SELECT * FROM {comparators.SIGNALS_TABLE}").df()
    assert set(signals["ingredient"]) <= {"esketamine"}
    nausea = signals[signals["pt"] == "NAUSEA"].iloc[0]
    assert nausea["comparator"] == "antidepressants"
    assert nausea["c"] == 1 and nausea["d"] == 1
    assert nausea["b"] == nausea["n_drug"] - nausea["a"]
    assert nausea["ror"] == pytest.approx(nausea["a"] * nausea["d"] / (nausea["b"] * nausea["c"]))
    assert "label_expected" in signals


def test_no_comparator_reports_gives_an_empty_table_with_every_column() -> None:
    groups = comparators.load_groups()
    empty = comparators.comparator_signals(
        pd.DataFrame(columns=["ingredient", "pt", "a", "n_drug"]),
        pd.DataFrame(columns=["comparator", "pt", "c", "n_comparator"]),
        groups,
        pd.DataFrame(columns=["ingredient", "pt"]),
    )
    assert empty.empty
    for column in ("ror", "ror_lower", "ror_upper", "comparator", "label_expected", "evans"):
        assert column in empty
