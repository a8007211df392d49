"""FAERS quarterly loader: both layouts, de-duplication, matching, tolerance, corrupt zips."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.contract import DatabaseSource, ParseError
from etl.faers.load import load_quarters
from etl.faers.match import candidate_sql, load_synonyms, normalise_sql
from etl.sources.faers_quarterly import SOURCE
from etl.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "faers_quarterly"
Q1, Q2, LEGACY = "faers_ascii_2019q1", "faers_ascii_2019q2", "aers_ascii_2011q3"


def zip_folder(folder: Path, dest: Path) -> Path:
    """Zip a quarter folder the way FDA ships it (members under ascii/ or ASCII/)."""
    out = dest / f"{folder.name}.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out


def counts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], int]:
    rows = con.execute(
        "SELECT quarter, ingredient, role_scope, reports FROM faers_quarterly_counts"
    )
    return {(q, i, r): n for q, i, r, n in rows.fetchall()}


def test_source_satisfies_database_source() -> None:
    assert isinstance(SOURCE, DatabaseSource)
    assert SOURCE.meta.id == "faers_quarterly"
    assert set(SOURCE.meta.detail_tables) >= {"faers_cases", "faers_drugs", "faers_reactions"}


@pytest.mark.parametrize(
    ("folder", "layout"), [("faers_ascii_2017q2", "faers"), ("aers_ascii_2004q1", "aers")]
)
def test_real_samples_load_100_reports(shared_raw: Path, folder: str, layout: str) -> None:
    path = shared_raw / "faers_quarterly" / folder
    if not path.is_dir():
        pytest.skip(f"{path} not present: real publisher files are not in this checkout")
    con = duckdb.connect()
    load_quarters(con, [path])
    (quarter, seen_layout, rows) = con.execute(
        "SELECT quarter, layout, demo_rows FROM faers_loaded_quarters"
    ).fetchone()
    assert (seen_layout, rows) == (layout, 100)
    assert quarter == {"faers": "2017Q2", "aers": "2004Q1"}[layout]
    total = con.execute(
        "SELECT sum(reports) FROM faers_quarterly_counts WHERE ingredient = 'all'"
    ).fetchone()[0]
    kept = con.execute("SELECT reports_kept FROM faers_loaded_quarters").fetchone()[0]
    assert kept == 100  # 100 distinct cases in each sample
    # Counted by received quarter, and none lost: follow-ups of cases first received before
    # the only loaded quarter are counted in it (2017Q2: 20 of 100, first received 2015-2017Q1).
    assert total == kept
    earlier = con.execute(
        "SELECT received_earlier FROM faers_quarterly_counts WHERE ingredient = 'all'"
    ).fetchone()[0]
    if layout == "faers":
        # read independently of the loader: DEMO rows first received before 2017-04-01
        demo = pd.read_csv(path / "DEMO17Q2.txt", sep="$", dtype=str, usecols=["init_fda_dt"])
        assert earlier == (demo["init_fda_dt"] < "20170401").sum() == 20
    assert con.execute("SELECT count(*) FROM faers_cases").fetchone()[0] == 0


def test_both_real_samples_together_zipped(shared_raw: Path, tmp_path: Path) -> None:
    base = shared_raw / "faers_quarterly"
    if not base.is_dir():
        pytest.skip(f"{base} not present: real publisher files are not in this checkout")
    zips = [zip_folder(base / n, tmp_path) for n in ("faers_ascii_2017q2", "aers_ascii_2004q1")]
    con = duckdb.connect()
    quarters = load_quarters(con, zips)
    assert [q.label for q in quarters] == ["2004Q1", "2017Q2"]
    kept = con.execute("SELECT sum(reports_kept) FROM faers_loaded_quarters").fetchone()[0]
    assert kept == 200
    total = con.execute(
        "SELECT sum(reports) FROM faers_quarterly_counts WHERE ingredient = 'all'"
    ).fetchone()[0]
    assert total == kept  # a 2017Q2 report first received in 2015 (a gap) is still counted


def kept_reports(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT sum(reports_kept) FROM faers_loaded_quarters").fetchone()[0]


@pytest.mark.parametrize("names", [[Q2], [LEGACY, Q2], [Q1, Q2], [LEGACY, Q1, Q2]])
def test_sum_of_quarterly_counts_is_the_number_of_kept_reports(names: list[str]) -> None:
    con = duckdb.connect()
    load_quarters(con, [FIXTURES / n for n in names])
    c = counts(con)
    quarters = {q for q, _, _ in c}
    assert sum(n for (_, i, _), n in c.items() if i == "all") == kept_reports(con)
    # per ingredient too: every kept esketamine report (cases 200 and 600) is counted once
    esketamine = sum(n for (_, i, r), n in c.items() if (i, r) == ("esketamine", "any"))
    assert esketamine == 2
    assert quarters <= {"2011Q3", "2019Q1", "2019Q2"}


def test_reports_first_received_before_the_window_count_in_its_first_quarter() -> None:
    """2019Q2 alone: case 200's kept version (2002) was first received in 2019Q1."""
    con = duckdb.connect()
    load_quarters(con, [FIXTURES / LEGACY, FIXTURES / Q2])
    c = counts(con)
    assert c[("2019Q2", "all", "any")] == 3  # 2002, 6001, 7001
    assert c[("2019Q2", "esketamine", "any")] == 2  # 2002 (PS) and 6001 (SS)
    earlier = dict(
        con.execute(
            "SELECT quarter, received_earlier FROM faers_quarterly_counts WHERE ingredient = 'all'"
        ).fetchall()
    )
    assert earlier == {"2011Q3": 0, "2019Q2": 1}


def test_a_quarter_holding_earlier_receipts_is_flagged_incomplete() -> None:
    tables = SOURCE.parse({"quarters": [FIXTURES / Q2]})
    assert validate(tables, source_id="faers_quarterly") == []
    obs = tables.observations.set_index(["indicator", "period_label"])
    row = obs.loc[("faers_quarterly_all_reports", "2019Q2")]
    assert row["value"] == 3
    assert row["flags"] == "incomplete"
    assert "includes 1 reports first received before this quarter" in row["note"]
    # loaded with 2019Q1 as well, case 200 sits in its own quarter: nothing is flagged
    both = SOURCE.parse({"quarters": [FIXTURES / Q1, FIXTURES / Q2]}).observations
    assert (both["flags"] == "").all()


def test_fixture_quarters_dedup_deleted_and_roles(tmp_path: Path) -> None:
    con = duckdb.connect()
    # Q2 as a zip with lower-case names; Q1 and legacy as folders (ASCII/ and ascii/).
    paths = [FIXTURES / Q1, zip_folder(FIXTURES / Q2, tmp_path), FIXTURES / LEGACY]
    load_quarters(con, paths)
    c = counts(con)
    # 2019Q1: cases 100, 200, 300, 400 (500 is on Q2's deleted list).
    assert c[("2019Q1", "all", "any")] == 4
    # Case 200 has version 1 in Q1 and version 2 in Q2: one report, in Q1 (first received).
    assert c[("2019Q1", "esketamine", "any")] == 1
    assert c[("2019Q2", "all", "any")] == 2  # 600 and 700
    assert c[("2019Q2", "esketamine", "any")] == 1  # 600: S-KETAMINE is esketamine
    assert c[("2019Q2", "esketamine", "primary_suspect")] == 0  # 600 has it as SS
    assert c[("2019Q2", "esketamine", "suspect")] == 1
    # Ketamine in Q1: 100 as PS (KETALAR / prod_ai), 300 as concomitant ("Ketamine HCl." in
    # drugname only); 500 deleted. Zero is reported for a loaded quarter with none.
    assert c[("2019Q1", "ketamine", "any")] == 2
    assert c[("2019Q1", "ketamine", "suspect")] == 1
    assert c[("2019Q2", "ketamine", "any")] == 0
    # Legacy 2011Q3: two ISRs of case 8800001 -> one report, the later one.
    assert c[("2011Q3", "all", "any")] == 2
    assert c[("2011Q3", "ketamine", "any")] == 1
    cases = con.execute(
        "SELECT caseid, primaryid, ketamine_role, esketamine_role FROM faers_cases ORDER BY 1"
    ).fetchall()
    assert cases == [
        (100, 1001, "PS", None),
        (200, 2002, None, "PS"),
        (300, 3001, "C", None),
        (600, 6001, None, "SS"),
        (8800001, 7700003, "PS", None),
    ]
    # Reactions belong to the kept version only (2002 has 3 PTs; 2001's 2 are not carried).
    pts = con.execute(
        "SELECT pt FROM faers_reactions WHERE primaryid IN (2001, 2002) ORDER BY pt"
    ).fetchall()
    assert [p for (p,) in pts] == ["BLOOD PRESSURE INCREASED", "DISSOCIATION", "SEDATION"]


def test_parse_returns_observations_and_details() -> None:
    tables = SOURCE.parse({"quarters": [FIXTURES / Q1, FIXTURES / Q2]})
    obs = tables.observations.set_index(["indicator", "period_label"])["value"]
    assert obs[("faers_quarterly_ketamine_reports", "2019Q1")] == 2
    assert obs[("faers_quarterly_esketamine_reports", "2019Q1")] == 1
    assert obs[("faers_quarterly_all_reports", "2019Q2")] == 2
    assert set(tables.indicators["id"]) >= set(tables.observations["indicator"])
    start = tables.observations.loc[tables.observations["period_label"] == "2019Q2"]
    assert str(pd.Timestamp(start["period_start"].iloc[0]).date()) == "2019-04-01"
    assert str(pd.Timestamp(start["period_end"].iloc[0]).date()) == "2019-06-30"
    signals = tables.details["faers_signals"]
    diss = signals[(signals["ingredient"] == "esketamine") & (signals["pt"] == "DISSOCIATION")]
    assert bool(diss["label_expected"].iloc[0]) is True
    assert int(diss["a"].iloc[0]) == 1


def test_parse_without_files_is_empty() -> None:
    tables = SOURCE.parse({})
    assert tables.observations.empty
    assert tables.details["faers_cases"].empty


def write_quarter(root: Path, files: dict[str, bytes]) -> Path:
    folder = root / "faers_ascii_2020q1" / "ascii"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder.parent


DEMO_HEAD = (
    b"primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod"
    b"$mfr_sndr$age$age_cod$sex$occp_cod$reporter_country"
)
DRUG_HEAD = b"primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$route"


def test_tolerates_crlf_bom_latin1_trailing_dollar_and_ragged_last_line(tmp_path: Path) -> None:
    demo = b"\r\n".join(
        [
            b"\xef\xbb\xbf" + DEMO_HEAD,  # UTF-8 BOM on the header
            b"11$1$1$I$$$20200105$20200105$EXP$LABORATORIOS P\xc9REZ$40$YR$F$MD$ES",  # latin-1
            b"21$2$1$I$$$20200110$20200110$EXP$ACME$50$YR$M$CN$US$",  # trailing $
            b"31$3$1$I$$$20200111$20200111$EXP$ACME",  # ragged last line, no newline
        ]
    )
    drug = b"\r\n".join(
        [
            DRUG_HEAD,
            b"11$1$1$PS$KETAMINE$KETAMINE$Intravenous",
            b"21$2$1$SS$Spravato$$Nasal$",
            b"31$3$1$PS$ASPIRIN$ASPIRIN$Oral\r\n",
        ]
    )
    reac = b"primaryid$caseid$pt$drug_rec_act\r\n11$1$AGITATION$\r\n21$2$SEDATION$\r\n"
    folder = write_quarter(tmp_path, {"DEMO20Q1.txt": demo, "DRUG20Q1.txt": drug,
                                      "REAC20Q1.txt": reac})  # fmt: skip
    con = duckdb.connect()
    load_quarters(con, [folder])
    c = counts(con)
    assert c[("2020Q1", "all", "any")] == 3
    assert c[("2020Q1", "ketamine", "primary_suspect")] == 1
    assert c[("2020Q1", "esketamine", "suspect")] == 1
    rows = con.execute("SELECT caseid, mfr_sndr, occp_cod FROM faers_cases ORDER BY 1").fetchall()
    assert rows == [(1, "LABORATORIOS PÉREZ", "MD"), (2, "ACME", "CN")]  # no stray \r


def test_bad_id_names_file_and_line(tmp_path: Path) -> None:
    demo = DEMO_HEAD + b"\n11$1$1$I$$$20200105$20200105$EXP$A$40$YR$F$MD$US\nxx$2$1$I\n"
    drug = DRUG_HEAD + b"\n11$1$1$PS$KETAMINE$KETAMINE$IV\n"
    reac = b"primaryid$caseid$pt\n11$1$AGITATION\n"
    folder = write_quarter(tmp_path, {"DEMO20Q1.txt": demo, "DRUG20Q1.txt": drug,
                                      "REAC20Q1.txt": reac})  # fmt: skip
    with pytest.raises(ParseError) as info:
        load_quarters(duckdb.connect(), [folder])
    assert info.value.file is not None and info.value.file.endswith("ascii/DEMO20Q1.txt")
    assert info.value.line == 3
    zipped = zip_folder(folder, tmp_path)
    with pytest.raises(ParseError) as info:
        load_quarters(duckdb.connect(), [zipped])
    assert str(info.value).startswith("faers_ascii_2020q1.zip, line 3: member ascii/DEMO20Q1.txt")


def test_corrupt_zip_member_names_zip_and_member(tmp_path: Path) -> None:
    good = zip_folder(FIXTURES / Q1, tmp_path)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("ASCII/DRUG19Q1.txt")
    # Flip bytes inside DRUG's compressed data (after its 30-byte local header and name).
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + 25):
        data[i] ^= 0xFF
    bad = tmp_path / "bad" / "faers_ascii_2019q1.zip"
    bad.parent.mkdir()
    bad.write_bytes(bytes(data))
    with pytest.raises(ParseError) as err:
        load_quarters(duckdb.connect(), [bad])
    assert "faers_ascii_2019q1.zip" in str(err.value)
    assert "DRUG19Q1.txt" in str(err.value)


def test_missing_table_and_duplicate_quarter_are_errors(tmp_path: Path) -> None:
    folder = tmp_path / "faers_ascii_2019q1"
    shutil.copytree(FIXTURES / Q1, folder)
    (folder / "ASCII" / "REAC19Q1.txt").unlink()
    with pytest.raises(ParseError, match="REAC"):
        load_quarters(duckdb.connect(), [folder])
    with pytest.raises(ParseError, match="given twice"):
        load_quarters(duckdb.connect(), [FIXTURES / Q1, zip_folder(FIXTURES / Q1, tmp_path)])


def test_stored_raw_names_with_digest_prefix_are_recognised(tmp_path: Path) -> None:
    stored = tmp_path / ("ab" * 32 + "-faers_ascii_2019q2")
    shutil.copytree(FIXTURES / Q2, stored)
    quarters = load_quarters(duckdb.connect(), [stored])
    assert [(q.label, q.layout) for q in quarters] == [("2019Q2", "faers")]


def test_candidate_filter_never_drops_a_name_that_matches() -> None:
    """The DRUG prefilter (derived from the synonyms) keeps every name the exact matcher would
    match, including mixed case, punctuation and non-ASCII letters whose upper case is ASCII."""
    names = [
        "KETAMINE", "Ketamine HCl.", "ketamine hydrochloride 50mg/ml", "S-KETAMINE", "(S)-ketamine",
        "esketamine", "Spravato 28 mg", "KETALAR", "ketanest s", "Vesierra", "ketamınE",
        "ſpravato", "KETAMİNE", "ketamin\u00e9", "KETAMINEHCL", "ASPIRIN", "DRUG0001 SALT", "",
    ]  # fmt: skip
    con = duckdb.connect()
    load_synonyms(con)
    con.execute("CREATE TABLE n AS SELECT unnest(?::VARCHAR[]) AS name", [names])
    match = (
        "SELECT name, arg_max(s.ingredient, length(s.syn)) FROM (SELECT name, ' ' || "
        f"{normalise_sql('name')} || ' ' AS padded FROM n {{where}}) JOIN faers_synonyms s "
        "ON contains(padded, ' ' || s.syn || ' ') GROUP BY name ORDER BY name"
    )
    everything = con.execute(match.format(where="")).fetchall()
    filtered = con.execute(match.format(where="WHERE " + candidate_sql(con, ("name",)))).fetchall()
    assert filtered == everything
    matched = dict(everything)
    assert matched["S-KETAMINE"] == matched["Spravato 28 mg"] == "esketamine"
    # dotless i upper-cases to I, so "ketamınE" is KETAMINE
    assert matched["ketamınE"] == matched["Ketamine HCl."] == "ketamine"
    assert "KETAMINEHCL" not in matched and "ASPIRIN" not in matched  # whole words only
    where = candidate_sql(con, ("name",))
    kept = {n for (n,) in con.execute(f"SELECT name FROM n WHERE {where}").fetchall()}
    assert "ASPIRIN" not in kept and "DRUG0001 SALT" not in kept  # the filter does filter


def test_reaction_background_counts_kept_reports_not_rows(tmp_path: Path) -> None:
    """n_event counts each kept report once per PT (duplicate PT rows after normalisation count
    once) and never a superseded version's PTs."""
    demo = b"\n".join(
        [
            DEMO_HEAD,
            b"11$1$1$I$$$20200105$20200105$EXP$A$40$YR$F$MD$US",
            b"12$1$2$F$$$20200105$20200110$EXP$A$40$YR$F$MD$US",
            b"21$2$1$I$$$20200106$20200106$EXP$A$50$YR$M$MD$US",
        ]
    )
    drug = b"\n".join(
        [DRUG_HEAD, b"11$1$1$PS$KETAMINE$KETAMINE$IV", b"12$1$1$PS$KETAMINE$KETAMINE$IV",
         b"21$2$1$PS$ASPIRIN$ASPIRIN$Oral"]
    )  # fmt: skip
    reac = b"\n".join(
        [b"primaryid$caseid$pt", b"11$1$NAUSEA", b"12$1$Headache", b"12$1$ HEADACHE ",
         b"21$2$HEADACHE", b"21$2$NAUSEA"]
    )  # fmt: skip
    folder = write_quarter(tmp_path, {"DEMO20Q1.txt": demo, "DRUG20Q1.txt": drug,
                                      "REAC20Q1.txt": reac})  # fmt: skip
    con = duckdb.connect()
    load_quarters(con, [folder])
    rows = con.execute(
        "SELECT ingredient, pt, a, n_drug, n_event, n_total FROM faers_reaction_counts"
    ).fetchall()
    assert rows == [("ketamine", "HEADACHE", 1, 1, 2, 2)]
    assert con.execute("SELECT primaryid FROM faers_cases").fetchall() == [(12,)]
