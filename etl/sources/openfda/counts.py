"""One openFDA count request, and what its errors mean.

Errors, as openFDA's server (FDA/openfda, api/faers/api.js) writes them and as recorded in
tests/fixtures/openfda/real/: a 404 whose body is `{"error": {"code": "NOT_FOUND", "message":
"No matches found!"}}` is a true zero (the search matched no report). Every other 404 is an
error naming the query: "Nothing to count" means the count field matched nothing (a wrong or
renamed field), and drawing it as zeros would hide a broken query. A 500 "Check your request and
try again" is openFDA's answer to a query it cannot run: permanent, not retried. openFDA's own
error text is carried into every message.
"""

from __future__ import annotations

from collections.abc import Callable

from etl.http import FetchError, HttpClient
from etl.sources.openfda.limits import DailyLimitReached

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
