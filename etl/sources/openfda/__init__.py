"""openFDA drug adverse event API (/drug/event.json): live count queries for ketamine, esketamine.

What it counts: FAERS safety reports as openFDA serves them (openFDA keeps the latest version of
each report; it does not remove duplicate cases reported by several senders), **by date FDA
received them** (`receivedate`, aggregated to quarters), plus reaction (MedDRA PT), seriousness,
death, sex, age group and reporter qualification counts. Count queries count reports, not drug
rows. Background counts (all reports per quarter, the top 1,000 reaction terms over all reports,
the grand total) feed the disproportionality table `openfda_signals`; a PT outside the background
top 1,000 has no signal row (its n_event is unknown), which the page says.

Caveats: the same as FAERS (no denominator, stimulated reporting, no causality); openFDA is
refreshed quarterly, so the latest quarter is partial and flagged `provisional`. Names: ketamine by
`patient.drug.openfda.generic_name.exact:"KETAMINE HYDROCHLORIDE"`, esketamine by
`patient.drug.activesubstance.activesubstancename.exact:"ESKETAMINE"` (reports whose drug was
not harmonised by openFDA are missed; the FAERS quarterly source matches names itself).

Limits (`limits.py`): 240 requests a minute and 1,000 a day without an API key, every attempt
counted; a full fetch is ~20 requests. The key comes from the `OPENFDA_API_KEY` environment
variable, is sent as `api_key`, and is never logged or written (the HTTP client redacts it).
Errors (`counts.py`): only openFDA's 404 "No matches found!" is a true zero; any other failure
names the query and carries openFDA's own text. The queries and `META` are in `meta.py`; the
responses are parsed by `etl.faers.openfda_counts`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from etl.contract import SourceFiles, Tables
from etl.faers.openfda_counts import parse_files
from etl.http import HttpClient
from etl.sources.openfda.counts import describe, fetch_count, is_no_matches, is_permanent
from etl.sources.openfda.limits import DailyLimitReached, RateLimiter
from etl.sources.openfda.meta import (
    DRUGS,
    ENDPOINT,
    KEY_ENV,
    META,
    PER_DAY_WITH_KEY,
    PER_DAY_WITHOUT_KEY,
    queries,
)

__all__ = [
    "DRUGS",
    "ENDPOINT",
    "KEY_ENV",
    "META",
    "SOURCE",
    "DailyLimitReached",
    "OpenFda",
    "RateLimiter",
    "describe",
    "fetch_count",
    "is_no_matches",
    "is_permanent",
    "queries",
]


class OpenFda:
    meta = META

    def __init__(self, limiter_factory: Callable[[bool], RateLimiter] | None = None) -> None:
        self._limiter_factory = limiter_factory or (
            lambda keyed: RateLimiter(per_day=PER_DAY_WITH_KEY if keyed else PER_DAY_WITHOUT_KEY)
        )
        self.endpoint = ENDPOINT

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """One JSON file per count query, `dest/openfda-<name>.json`."""
        key = os.environ.get(KEY_ENV, "").strip()
        limiter = self._limiter_factory(bool(key))
        dest.mkdir(parents=True, exist_ok=True)
        files: dict[str, list[Path]] = {}

        def count_attempt() -> None:
            limiter.wait(self.endpoint)

        for name, params in queries().items():
            if key:
                params = {**params, "api_key": key}
            body = fetch_count(
                client, self.endpoint, params, name=name, before_attempt=count_attempt
            )
            path = dest / f"openfda-{name}.json"
            path.write_text(json.dumps(body, indent=1) + "\n")
            files[name] = [path]
        return files

    def parse(self, files: SourceFiles) -> Tables:
        return parse_files(files, META)


SOURCE = OpenFda()
