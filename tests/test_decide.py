"""The pure decision of a source's status and message from the origins it tried (etl.decide)."""

from __future__ import annotations

from etl.decide import (
    ABSENT,
    BROKEN,
    HELD_BACK,
    LOADED,
    REFUSED,
    UNREACHABLE,
    Attempt,
    Loaded,
    decide,
    settles,
)
from etl.runlog import EMPTY, FAILED, FALLBACK, HELD, KEPT, OK


def loaded(origin: str, rows: int = 5, notes: tuple[str, ...] = (), report=()) -> Attempt:
    return Attempt(origin, LOADED, loaded=Loaded(rows, "2024", "", notes, tuple(report)))


def test_first_origin_loaded_is_ok_without_prefix() -> None:
    decision = decide("nflis", [loaded("live", report=["2 published values revised"])], False)
    assert (decision.status, decision.origin) == (OK, "live")
    assert decision.message == "loaded 5 rows from live; 2 published values revised"


def test_a_later_origin_after_a_failed_fetch_is_a_fallback() -> None:
    attempts = [Attempt("live", UNREACHABLE, "live: HTTP 503"), loaded("snapshot")]
    decision = decide("nflis", attempts, True)
    assert decision.status == FALLBACK
    assert decision.message == "nflis: live: HTTP 503; loaded 5 rows from snapshot"


def test_a_later_origin_with_nothing_noted_is_ok() -> None:
    decision = decide("nflis", [Attempt("snapshot", ABSENT), loaded("seed")], False)
    assert (decision.status, decision.message) == (OK, "loaded 5 rows from seed")


def test_load_notes_alone_make_a_later_origin_a_fallback() -> None:
    attempts = [Attempt("snapshot", ABSENT), loaded("seed", notes=("x: chose DY23",))]
    decision = decide("cms", attempts, False)
    assert decision.status == FALLBACK
    assert decision.message == "cms: x: chose DY23; loaded 5 rows from seed"


def test_broken_files_then_seed_without_previous_rows_is_failed() -> None:
    attempts = [Attempt("mirror", BROKEN, "mirror: bad header"), Attempt("snapshot", ABSENT)]
    attempts.append(loaded("seed"))
    decision = decide("ons", attempts, False)
    assert (decision.status, decision.origin) == (FAILED, "seed")
    assert decision.message == "ons: mirror: bad header; loaded 5 rows from seed"


def test_refused_with_previous_rows_keeps_them() -> None:
    attempt = Attempt("mirror", REFUSED, "mirror: x.csv: is a FIFO")
    assert settles(attempt, previous=True)
    assert not settles(attempt, previous=False)
    decision = decide("nflis", [attempt], True)
    assert (decision.status, decision.origin) == (FAILED, "previous")
    assert decision.message == "nflis: mirror: x.csv: is a FIFO — previously published rows kept"


def test_held_names_the_way_to_accept() -> None:
    decision = decide("nflis", [Attempt("live", HELD_BACK, "live: 3 series lost")], True)
    assert (decision.status, decision.origin) == (HELD, "previous")
    assert decision.message.startswith("nflis: live: 3 series lost — held: previously published")
    assert "ketamine-watch refresh nflis --accept-shrink" in decision.message


def test_nothing_new_keeps_previous_rows_or_is_empty() -> None:
    tried = [Attempt("snapshot", ABSENT), Attempt("seed", ABSENT)]
    kept = decide("labels", tried, True)
    assert (kept.status, kept.origin) == (KEPT, "previous")
    assert kept.message == "labels: nothing new to load; previously published rows kept"
    empty = decide("labels", tried, False)
    assert (empty.status, empty.origin) == (EMPTY, "")
    assert empty.message == "labels: no seed, no snapshot and no mirror file to load"


def test_unreachable_alone_never_settles() -> None:
    attempt = Attempt("live", UNREACHABLE, "live: timeout")
    assert not settles(attempt, previous=True)
    decision = decide("openfda", [attempt, Attempt("snapshot", ABSENT)], False)
    assert (decision.status, decision.message) == (EMPTY, "openfda: live: timeout")
