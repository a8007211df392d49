"""labels against real openFDA /drug/label records (tests/fixtures/labels/real/SOURCE.md):
several results per response, `openfda` empty for unapproved and repackaged products, the ids,
dates and section texts exactly as openFDA serves them, and a response that holds fewer labels
than openFDA says it has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.contract import ParseError
from etl.sources import labels

REAL = Path(__file__).parent / "fixtures" / "labels" / "real"
RECORDS = json.loads((REAL / "raw_labels_2026-09-28.json").read_text())
# The recorder kept only `results`; openFDA puts them in {"meta": ..., "results": [...]}.
RESPONSE = {"results": RECORDS, "query": "(none: GET /drug/label.json?limit=5)"}


def parsed(tmp_path: Path, body: dict) -> list[dict]:
    path = tmp_path / "label-real.json"
    path.write_text(json.dumps(body))
    table = labels.SOURCE.parse({"labels": [path]}).details["drug_labels"]
    return table.to_dict("records")


def test_every_real_label_gives_its_indications_row_with_set_id_link_and_date(
    tmp_path: Path,
) -> None:
    rows = parsed(tmp_path, RESPONSE)
    # None of the five carries a boxed warning or mentions a REMS: one row each.
    assert [r["section"] for r in rows] == ["Indications and usage"] * 5
    for row, record in zip(rows, RECORDS, strict=True):
        assert row["set_id"] == record["set_id"]
        assert row["label_id"] == record["id"]
        assert row["version"] == record["version"]
        assert row["text"] == record["indications_and_usage"][0]
        assert row["source_url"] == (
            f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={record['set_id']}"
        )
        t = record["effective_time"]
        assert row["effective_date"] == f"{t[:4]}-{t[4:6]}-{t[6:]}"
    assert [r["effective_date"] for r in rows] == [
        "2021-09-02",
        "2015-01-09",
        "2025-01-02",
        "2023-08-02",
        "2023-09-05",
    ]


def test_openfda_block_fills_brand_generic_maker_and_application(tmp_path: Path) -> None:
    betadine = parsed(tmp_path, RESPONSE)[2]
    assert betadine["brand"] == "Betadine"
    assert betadine["generic_name"] == "POVIDONE-IODINE"
    assert betadine["manufacturer"] == "Atlantis Consumer Healthcare, Inc."
    assert betadine["application_number"] == "M003"  # OTC monograph, not an NDA


def test_an_empty_openfda_block_leaves_the_names_blank_not_the_row_out(tmp_path: Path) -> None:
    """openFDA leaves `openfda` as {} when it cannot link the SPL to a product (unapproved
    homeopathics, sunscreens, repackagers): the label still has its set id and sections."""
    rows = parsed(tmp_path, RESPONSE)
    empty = [r for r, rec in zip(rows, RECORDS, strict=True) if rec["openfda"] == {}]
    assert [r["set_id"] for r in empty] == [
        "0000076a-fc39-4208-ace8-6c2cb367904f",
        "00006ebc-ec2b-406c-96b7-a3cc422e933f",
        "00011703-bc55-4c0c-858c-149dc674bc3c",
    ]
    for row in empty:
        assert (row["brand"], row["generic_name"], row["manufacturer"]) == ("", "", "")
        assert row["application_number"] == ""


def test_html_tables_are_not_taken_for_section_text(tmp_path: Path) -> None:
    """Real Rx labels carry `*_table` fields with SPL table markup beside the plain text."""
    ofloxacin = parsed(tmp_path, RESPONSE)[4]
    assert "<table" in RECORDS[4]["dosage_and_administration_table"][0]
    assert "<" not in ofloxacin["text"]
    assert ofloxacin["text"].startswith("INDICATIONS AND USAGE Ofloxacin ophthalmic solution")


def test_a_response_holding_fewer_labels_than_its_total_is_refused(tmp_path: Path) -> None:
    """openFDA returns at most `limit` results and says how many matched in
    meta.results.total. The meta block is the one openFDA sent for a limit=2 query that
    matched 3 (simpar1471/openFDA tests/fixtures/test-paging.yml, /drug/drugsfda.json, same
    API server and meta format); the results are the first two real labels above. Before the
    fix the parser kept the two and dropped the third without a word."""
    body = {
        "meta": {"results": {"skip": 0, "limit": 2, "total": 3}},
        "results": RECORDS[:2],
        "query": 'openfda.brand_name:"KETALAR"',
    }
    with pytest.raises(ParseError, match=r"label-real\.json: openFDA matched 3 labels.*holds 2"):
        parsed(tmp_path, body)


def test_a_complete_response_with_meta_passes(tmp_path: Path) -> None:
    body = {"meta": {"results": {"skip": 0, "limit": 10, "total": 5}}, **RESPONSE}
    assert len(parsed(tmp_path, body)) == 5
