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

Limits: 240 requests a minute (a rate limiter spaces requests; its clock is injectable) and
1,000 a day without an API key: every request is counted, retries included (the limiter runs
before each attempt), and a fetch that would pass the budget stops with a clear message before
sending. A full fetch is ~20 requests. The key comes from the `OPENFDA_API_KEY` environment
variable, is sent as `api_key`, and is never logged or written (the HTTP client redacts it).

Errors, as openFDA's server (FDA/openfda, api/faers/api.js) writes them and as recorded in
tests/fixtures/openfda/real/: a 404 whose body is `{"error": {"code": "NOT_FOUND", "message":
"No matches found!"}}` is a true zero (the search matched no report). Every other 404 is an
error naming the query: "Nothing to count" means the count field matched nothing (a wrong or
renamed field), and drawing it as zeros would hide a broken query. A 500 "Check your request and
try again" is openFDA's answer to a query it cannot run: permanent, not retried. openFDA's own
error text is carried into every message.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from etl.contract import RemoteFile, SourceFiles, SourceMeta, Tables
from etl.faers.openfda_counts import parse_files
from etl.http import FetchError, HttpClient

ENDPOINT = "https://api.fda.gov/drug/event.json"
HOMEPAGE = "https://open.fda.gov/apis/drug/event/"
KEY_ENV = "OPENFDA_API_KEY"
PER_MINUTE = 240
PER_DAY_WITHOUT_KEY = 1_000
PER_DAY_WITH_KEY = 120_000
DRUGS = {
    "ketamine": 'patient.drug.openfda.generic_name.exact:"KETAMINE HYDROCHLORIDE"',
    "esketamine": 'patient.drug.activesubstance.activesubstancename.exact:"ESKETAMINE"',
}
# name -> count field ("" = a total: limit=1, read meta.results.total)
COUNTS = {
    "receivedate": "receivedate",
    "reactions": "patient.reaction.reactionmeddrapt.exact",
    "serious": "serious",
    "death": "seriousnessdeath",
    "sex": "patient.patientsex",
    "agegroup": "patient.patientagegroup",
    "qualification": "primarysource.qualification",
    "total": "",
}
BACKGROUND = {"receivedate": "receivedate", "reactions": "patient.reaction.reactionmeddrapt.exact",
              "total": ""}  # fmt: skip


def queries() -> dict[str, dict[str, str]]:
    """RemoteFile name -> query parameters (without the key)."""
    out: dict[str, dict[str, str]] = {}
    for drug, search in DRUGS.items():
        for name, field in COUNTS.items():
            out[f"{drug}_{name}"] = _params(search, field)
    for name, field in BACKGROUND.items():
        out[f"all_{name}"] = _params(None, field)
    return out


def _params(search: str | None, field: str) -> dict[str, str]:
    params = {"search": search} if search else {}
    if field:
        params["count"] = field
        if field != "receivedate":
            params["limit"] = "1000"
    else:
        params["limit"] = "1"
    return params


META = SourceMeta(
    id="openfda",
    title="openFDA drug adverse event counts (ketamine, esketamine)",
    publisher="U.S. Food and Drug Administration (openFDA)",
    homepage=HOMEPAGE,
    licence="Public domain (openFDA terms, CC0 1.0 dedication): https://open.fda.gov/terms/",
    citation=(
        "U.S. Food and Drug Administration. openFDA drug adverse event API (/drug/event.json), "
        "FAERS data. " + HOMEPAGE
    ),
    cadence="quarterly",
    domain="adverse_events",
    remote_files=tuple(
        RemoteFile(name=name, url=ENDPOINT, pattern=f"*openfda-{name}.json", kind="json")
        for name in queries()
    ),
    counts="FAERS safety reports as served by openFDA (latest version of each report)",
    caveats=(
        "Reports are not incidence and not proof of causation; duplicates across senders remain; "
        "the latest quarter is partial."
    ),
    detail_tables=("openfda_counts", "openfda_reaction_counts", "openfda_signals"),
)


class DailyLimitReached(FetchError):
    """The request budget for today is spent; nothing more is sent."""


class RateLimiter:
    """At most `per_minute` requests a minute (evenly spaced) and `per_day` in this process."""

    def __init__(
        self,
        *,
        per_minute: int = PER_MINUTE,
        per_day: int = PER_DAY_WITHOUT_KEY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute
        self.per_day = per_day
        self.sent = 0
        self._clock, self._sleep = clock, sleep
        self._next = clock()

    def wait(self, url: str) -> None:
        """Before every request (retries too): stop at the daily budget, else space requests."""
        if self.sent >= self.per_day:
            msg = (
                f"openFDA daily limit reached: {self.sent} of {self.per_day} requests sent; "
                f"set {KEY_ENV} for a higher limit, or retry tomorrow"
            )
            raise DailyLimitReached(msg, url=url)
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval
        self.sent += 1


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


NO_MATCHES = "No matches found!"
PERMANENT_500 = "Check your request and try again"


def is_no_matches(error: FetchError) -> bool:
    """openFDA's true zero: 404 NOT_FOUND "No matches found!" (the search matched nothing)."""
    return (
        error.status == 404
        and error.publisher_code == "NOT_FOUND"
        and (error.publisher_message or "").strip() == NO_MATCHES
    )


def is_permanent(error: FetchError) -> bool:
    """A 500 "Check your request and try again" is openFDA failing to run the query itself
    (a lexical error, a text field in a count): the same request fails the same way."""
    return error.status == 500 and (error.publisher_message or "").strip() == PERMANENT_500


def fetch_count(
    client: HttpClient,
    url: str,
    params: dict[str, str],
    *,
    name: str = "",
    before_attempt: Callable[[], None] | None = None,
) -> dict:
    """The JSON body. Only openFDA's 404 "No matches found!" becomes an empty result; any
    other failure is an error that names the query and carries openFDA's own text."""
    try:
        body = client.get_json(
            url, params=params, before_attempt=before_attempt, permanent=is_permanent
        )
    except DailyLimitReached:
        raise
    except FetchError as error:
        if is_no_matches(error):
            return {"meta": {"results": {"total": 0}}, "results": [], "no_matches": True}
        raise error.reworded(f"openFDA query {describe(name, params)} failed: {error}") from None
    if not isinstance(body, dict) or ("results" not in body and "meta" not in body):
        raise FetchError(
            f"GET {url}: not an openFDA response to query {describe(name, params)}", url=url
        )
    return body


def describe(name: str, params: dict[str, str]) -> str:
    """The query as an operator can re-run it (never the key)."""
    shown = ", ".join(f"{k}={v}" for k, v in params.items() if k != "api_key")
    return f"{name!r} ({shown})" if name else f"({shown})"


SOURCE = OpenFda()
