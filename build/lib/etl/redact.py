"""Keep secrets (API keys in query strings, URL passwords) out of messages, logs and reprs.

`redact()` is pattern-based: it blanks the value of any key-like parameter (`api_key=`, `token=`,
`secret=` ...) and URL userinfo. `SecretScrubber` also blanks the exact values it was told about,
in raw and URL-encoded form, for text where a key appears without its name. Importing this module
puts a redacting filter on the "httpx" and "httpcore" loggers, since httpx logs every request URL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

REDACTED = "REDACTED"
_SECRET_NAME = (
    r"(?:api[_-]?key|apikey|key|access[_-]?token|token|secret|client[_-]?secret"
    r"|password|passwd|pwd|auth|signature|sig)"
)
_SECRET_PARAM = re.compile(rf"(?i)(\b{_SECRET_NAME}\b\s*[=:]\s*)([^&\s#'\"<>,;]+)")
_SECRET_KEY = re.compile(rf"(?i)^{_SECRET_NAME}$")
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@")


def redact(url_or_text: str) -> str:
    """Replace the values of key-like parameters (`api_key=...`, `token=...`) and URL userinfo."""
    text = _USERINFO.sub(r"\1" + REDACTED + "@", url_or_text)
    return _SECRET_PARAM.sub(r"\1" + REDACTED, text)


def is_secret_name(name: str) -> bool:
    """True for parameter names whose values must never be shown (api_key, token, ...)."""
    return bool(_SECRET_KEY.match(name))


class SecretScrubber:
    """`redact()` plus the literal values of secret parameters seen so far."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def remember(self, params: Mapping[str, str] | None) -> None:
        for name, value in (params or {}).items():
            if is_secret_name(name) and value:
                self._secrets.add(str(value))

    def __call__(self, text: str) -> str:
        text = redact(text)
        for secret in self._secrets:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, REDACTED)
        return text

    def __repr__(self) -> str:
        return f"SecretScrubber({len(self._secrets)} secret(s))"


class _RedactFilter(logging.Filter):
    """Rewrite a log record's message through `redact()` when it holds a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


for _name in ("httpx", "httpcore"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactFilter) for f in _logger.filters):
        _logger.addFilter(_RedactFilter())
