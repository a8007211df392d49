"""Text from the warehouse, made safe to put into markdown. No Streamlit here.

Everything in the warehouse came from a file or a publisher: an indicator label, a note, a
citation, a city name, a refresh message quoting a cell. Streamlit renders markdown (and its own
directives: colours, icons, math) in `st.markdown`, `st.caption`, alerts, headings, widget
labels, help tooltips, expander and metric labels. A link or an image there would be clickable
or fetched by every viewer's browser, so warehouse text reaches markdown only through `md` (or
`md_link` for a link we mean to draw, whose URL must be http(s)); text shown as data goes
through `st.text` or `st.dataframe`, which render nothing.

`md` escapes with backslashes, which CommonMark turns back into the same characters: the reader
sees the text exactly as stored, nothing of it is interpreted. Backslashes do not stop GFM's
autolinks (Streamlit's remark-gfm finds `http://...`, `www.` and `a@b.c` in the parsed text, after
escapes are gone), so `md` also puts an invisible word joiner (U+2060) after `http`, `https`,
`www` and `@`, which the autolink patterns do not cross. It folds runs of whitespace (a newline
in a cell must not start a heading, list or table row) and cuts long text to a short excerpt.
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote, urlsplit

# Every character with a meaning in CommonMark/GFM inline or block syntax, in Streamlit's
# directives (`:red[...]`, `:material/x:`, `$math$`) or in GFM autolinks (`http://`, `www.`):
# escaping `:` and `.` is what keeps a bare URL from becoming a link.
SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:&])")
# Where GFM would start an autolink: a scheme before `:`, `www` before `.`, an e-mail's `@`.
AUTOLINK = re.compile(r"(https?(?=:)|www(?=\.)|@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
WHITESPACE = re.compile(r"\s+")
# Kept as they are in a link destination; everything else outside letters, digits and `_.-~`
# (spaces, quotes, `<>`, backslashes, backticks ...) is percent-encoded. Parentheses are kept when
# balanced, as CommonMark allows (DOIs have them), else encoded.
URL_SAFE = "/:?#@!$&*+,;=%~[]"


def plain(value: object, limit: int | None = None) -> str:
    """The text of a value on one line (None and NaN are empty), cut to `limit` characters."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = WHITESPACE.sub(" ", str(value)).strip()
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text


def md(value: object, limit: int | None = None) -> str:
    """Warehouse text for a markdown string: one line, every markdown character escaped."""
    return SPECIAL.sub(r"\\\1", AUTOLINK.sub(r"\1" + WORD_JOINER, plain(value, limit)))


def safe_url(value: object) -> str | None:
    """An absolute http(s) URL fit for a markdown link destination, or None (a relative path, a
    `javascript:` or `data:` URL, a blank or a file path is not a link)."""
    text = plain(value)
    if not text or any(ord(c) < 32 for c in str(value)):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(text, safe=URL_SAFE + ("()" if balanced(text) else ""))


def balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def md_link(text: object, url: object, limit: int | None = None) -> str:
    """`[text](url)` with the text escaped, or the escaped text alone when the URL is not an
    absolute http(s) URL."""
    label = md(text, limit)
    target = safe_url(url)
    return f"[{label}]({target})" if target and label else label


IDENTIFIER = re.compile(r"[A-Za-z0-9_.\-]+")


def code(value: object) -> str:
    """An identifier (a source id, a table name) as inline code; anything else escaped, since
    nothing can be escaped inside a code span."""
    text = plain(value)
    return f"`{text}`" if IDENTIFIER.fullmatch(text) else md(text)


ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~$:&])")


def unescape(text: str) -> str:
    """`md`'s escapes (and word joiners) taken out again, for text that leaves as data (a CSV
    cell)."""
    return ESCAPED.sub(r"\1", text).replace(WORD_JOINER, "")
