"""What one source's refresh comes to, decided from what each origin it tried gave.

Pure: `decide(source_id, attempts, previous)` reads the attempts (one per origin tried, in
order) and whether the source has previously published rows, and returns the status, where the
rows come from and the run message. It does no I/O; etl.refresh carries the previous rows over
or keeps the loaded ones as the decision says.

The rules (statuses in etl.runlog):
- the last attempt loaded: `ok`, or `fallback` when it was not the first origin and something
  was noted on the way, or `failed` when an earlier origin's files were refused or broken;
- the last attempt was held by the shrink guard: `held`, previous rows kept;
- an origin's files were refused or broken and there are previous rows: `failed`, rows kept;
- nothing loaded and there are previous rows: `kept` (`failed` if some files were broken);
- nothing anywhere: `empty` (`failed` if some files were broken).
`settles` says when an attempt ends the search, so later origins are not tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.runlog import EMPTY, FAILED, FALLBACK, HELD, KEPT, OK

# What trying one origin gave.
ABSENT = "absent"  # no files there (no snapshot yet, not in the mirror, no seed)
UNREACHABLE = "unreachable"  # the fetch failed (network, HTTP error, deadline)
REFUSED = "refused"  # a file refused for a limit or as unsafe: there but hostile
BROKEN = "broken"  # the files did not parse, validate or stage
HELD_BACK = "held"  # the rows would lose published data (the shrink guard)
LOADED = "loaded"  # staged


@dataclass(frozen=True)
class Loaded:
    """What a successful load staged, for the run log and the sources table."""

    rows: int
    vintage: str
    retrieved_at: str
    notes: tuple[str, ...] = ()  # the file chosen, the load's warnings, a raw copy not kept
    report: tuple[str, ...] = ()  # revised values, a shrink accepted


@dataclass(frozen=True)
class Attempt:
    origin: str  # "live", "mirror", "snapshot" or "seed"
    outcome: str  # one of the outcomes above
    note: str = ""  # "<origin>: what went wrong", for the run message
    loaded: Loaded | None = None


@dataclass(frozen=True)
class Decision:
    status: str
    origin: str  # the origin loaded, "previous" (carry the published rows over) or ""
    message: str


def settles(attempt: Attempt, previous: bool) -> bool:
    """Whether no later origin is tried: something loaded or was held, or files were refused or
    broken while previous rows can stand in (a broken file must not be papered over by the
    seed when the dashboard already shows real data)."""
    if attempt.outcome in (LOADED, HELD_BACK):
        return True
    return previous and attempt.outcome in (REFUSED, BROKEN)


def decide(source_id: str, attempts: Sequence[Attempt], previous: bool) -> Decision:
    """The status, origin and message for a source, from its attempts in the order tried."""
    last = attempts[-1]
    noted = [a.note for a in attempts if a.note]
    broke = any(a.outcome in (REFUSED, BROKEN) for a in attempts)
    if last.loaded is not None:
        return decide_loaded(source_id, attempts, noted, broke)
    if last.outcome == HELD_BACK:
        return Decision(
            HELD,
            "previous",
            f"{source_id}: "
            + "; ".join(noted)
            + " — held: previously published rows kept. If the loss is real, publish it"
            f" with `ketamine-watch refresh {source_id} --accept-shrink`",
        )
    if previous and last.outcome in (REFUSED, BROKEN):
        message = f"{source_id}: " + "; ".join(noted) + " — previously published rows kept"
        return Decision(FAILED, "previous", message)
    if previous:
        kept = "; ".join([*noted, "nothing new to load; previously published rows kept"])
        return Decision(FAILED if broke else KEPT, "previous", f"{source_id}: {kept}")
    nothing = "; ".join(noted) or "no seed, no snapshot and no mirror file to load"
    return Decision(FAILED if broke else EMPTY, "", f"{source_id}: {nothing}")


def decide_loaded(
    source_id: str, attempts: Sequence[Attempt], noted: list[str], broke: bool
) -> Decision:
    last = attempts[-1]
    assert last.loaded is not None
    notes = [*noted, *last.loaded.notes]
    if broke:
        status = FAILED
    elif notes and last.origin != attempts[0].origin:
        status = FALLBACK
    else:
        status = OK
    message = "; ".join(
        [*notes, f"loaded {last.loaded.rows} rows from {last.origin}", *last.loaded.report]
    )
    return Decision(status, last.origin, f"{source_id}: {message}" if notes else message)
