"""The publisher's own words in an HTTP error body, for messages an operator can act on.

`HttpClient` reads the first ERROR_BODY_LIMIT bytes of a 4xx/5xx body and passes them here. The
JSON error shapes publishers use are understood: `{"error": {"code", "message", "details"}}`
(openFDA, whose server writes exactly these keys), `{"error": "..."}` and `{"message": "..."}`.
An HTML error page says nothing useful and is dropped; a short plain-text body is kept as is.
"""

from __future__ import annotations

import json

from etl.content_check import looks_like_html

# How much of an error response's body is read for the publisher's own error text.
ERROR_BODY_LIMIT = 64_000
ERROR_TEXT_LIMIT = 500


def publisher_error(body: bytes) -> tuple[str | None, str | None, str]:
    """(code, message, text to show) from an error body, or (None, None, "") when it has none.

    Understands the JSON error shapes publishers use: `{"error": {"code", "message",
    "details"}}` (openFDA), `{"error": "..."}`, `{"message": "..."}`. An HTML page says nothing
    useful; a short plain-text body is shown as it is.
    """
    text = body.decode("utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        if not text or looks_like_html(body[:1024]):
            return None, None, ""
        return None, None, " ".join(text.split())[:ERROR_TEXT_LIMIT]
    error = parsed.get("error", parsed) if isinstance(parsed, dict) else None
    if isinstance(error, str):
        return None, error, error[:ERROR_TEXT_LIMIT]
    if not isinstance(error, dict):
        return None, None, ""
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message") if isinstance(error.get("message"), str) else None
    details = error.get("details") if isinstance(error.get("details"), str) else None
    shown = ": ".join(part for part in (code, message) if part)
    if details:
        shown = f"{shown} ({details})" if shown else details
    return code, message, shown[:ERROR_TEXT_LIMIT]
