"""openFDA term counts on a real recorded drug/event answer
(tests/fixtures/openfda/real/SOURCE.md, count-reactions-nsaid-2025-10-30.json): the terms and
counts come through unchanged, and a count answer's meta (no `results` block, only
`last_updated`) is read for its date. The answer is for NSAIDs; it plays the ketamine file here."""

from __future__ import annotations

import json
from pathlib import Path

from etl.sources.openfda import SOURCE

REAL = Path(__file__).parent / "fixtures" / "openfda" / "real"
PATH = REAL / "count-reactions-nsaid-2025-10-30.json"


def test_a_real_reaction_count_answer_parses_term_for_term() -> None:
    body = json.loads(PATH.read_text())
    assert "results" not in body["meta"]  # a count answer carries no skip/limit/total
    tables = SOURCE.parse({"ketamine_reactions": [PATH]})
    reactions = tables.details["openfda_reaction_counts"]
    ket = reactions[reactions["ingredient"] == "ketamine"]
    assert list(zip(ket["pt"], ket["reports"], strict=True)) == [
        (r["term"], r["count"]) for r in body["results"]
    ]
    assert ket["reports"].iloc[0] == 136875


def test_the_count_answers_last_updated_dates_the_series() -> None:
    """With the real 2014 date count beside it, the newest `last_updated` (2025-10-30, from the
    reaction count's meta) sets the provisional quarter and extends the series to it."""
    tables = SOURCE.parse(
        {
            "ketamine_receivedate": [REAL / "count-receivedate-2014.json"],
            "ketamine_reactions": [PATH],
        }
    )
    series = tables.observations.set_index("period_label")
    assert series.index[-1] == "2025Q4"
    assert series.loc["2025Q4", "flags"] == "provisional"
    assert series.loc["2025Q4", "value"] == 0
    assert "2025-10-30" in series.loc["2025Q4", "note"]
