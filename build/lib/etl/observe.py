"""What a refresh tells the operator while it runs: one log line per source and stage.

Every line on the "etl.refresh" logger is `key=value` pairs (values with spaces or quotes are
JSON-quoted), so `grep stage=parse`, `grep status=failed` or a log shipper can read it:

    run=20250101T020000Z source=nflis stage=parse origin=live status=ok rows=11 duration_s=0.031
    run=20250101T020000Z source=nflis stage=fetch origin=live status=failed rows=0
        duration_s=3.2 error="GET https://...: HTTP 503 Service Unavailable (gave up after 5 ...)"

Stages, in order: fetch, parse, validate, stage (per source and origin tried), then `done` (per
source: the outcome) and `publish` (once per run). The same fields are attached to the record as
`extra` (`record.kv`) for structured handlers.

`pause_point` is a test-only hook: with `KETAMINE_WATCH_PAUSE_AT=<stage>` (or `<stage>:<source>`)
in the environment the refresh prints `KETAMINE_WATCH_PAUSED stage=<stage> ...` to stderr and
sleeps, so the fault tests can SIGKILL it at a known point. Unset, it costs one dict lookup.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger("etl.refresh")

PAUSE_ENV = "KETAMINE_WATCH_PAUSE_AT"
PAUSE_SECONDS_ENV = "KETAMINE_WATCH_PAUSE_SECONDS"
PAUSE_MARKER = "KETAMINE_WATCH_PAUSED"
STAGES: tuple[str, ...] = ("fetch", "parse", "validate", "stage", "done", "publish")


def kv(**fields: object) -> str:
    """`a=1 b="two words"`: fields in the given order, None left out, odd values JSON-quoted."""
    parts = []
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, float):
            text = f"{value:.3f}"
        else:
            text = str(value)
            if not text or any(c.isspace() or c in "\"'=" for c in text):
                text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return " ".join(parts)


def log_stage(
    stage: str,
    *,
    run: str | None = None,
    source: str | None = None,
    origin: str | None = None,
    status: str = "ok",
    rows: int | None = None,
    duration_s: float | None = None,
    error: str | None = None,
    **more: object,
) -> None:
    """One structured line: WARNING when the stage failed, INFO otherwise."""
    fields = dict(
        run=run,
        source=source,
        stage=stage,
        origin=origin,
        status=status,
        rows=rows,
        duration_s=duration_s,
        **more,
        error=error,
    )
    level = logging.WARNING if status in ("failed", "aborted") or error else logging.INFO
    log.log(level, "%s", kv(**fields), extra={"kv": {k: v for k, v in fields.items() if v}})


@dataclass
class Timer:
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def pause_point(stage: str, source: str | None = None) -> None:
    """Test hook: sleep here when KETAMINE_WATCH_PAUSE_AT names this stage (and source)."""
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted:
        return
    want_stage, _, want_source = wanted.partition(":")
    if want_stage != stage or (want_source and want_source != source):
        return
    print(
        f"{PAUSE_MARKER} stage={stage} source={source or '-'} pid={os.getpid()}",
        file=sys.stderr,
        flush=True,
    )
    time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "3600")))
