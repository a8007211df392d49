"""No file content is ever rendered as markdown (issue 12, item 11).

A warehouse with a link, an image, an HTML `<img>`, bold and a bare URL appended to every text
field a page shows (tests/hostile_kit.py) is run through every page with AppTest. Every field
Streamlit renders as markdown (markdown and captions, alerts, headings, metric labels and
values, expander and widget labels, help tooltips) must carry that text only escaped: the raw
`evil.example` never appears in one, while its escaped form does. Text shown as data (`st.text`,
data frames, chart specs, select options) is not markdown and is not checked here; the browser
test (tests/test_browser.py) checks the served HTML of the same warehouse.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit as st
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from dashboard.common import safe_text
from dashboard.therapeutic import claims_table
from tests.hostile_kit import EVIL, HOSTILE
from tests.page_kit import run_page

ESCAPED = safe_text.md(EVIL)  # evil\.example

# Elements whose strings Streamlit shows as plain text or data, never as markdown.
PLAIN_ELEMENTS = {
    "text",
    "code",
    "json",
    "exception",
    "arrow_data_frame",
    "arrow_vega_lite_chart",
    "vega_lite_chart",
}
# Fields that hold data, identifiers or option lists (plain text in the browser).
PLAIN_FIELDS = {
    "options",
    "default",
    "raw_value",
    "raw_values",
    "spec",
    "data",
    "datasets",
    "id",
    "form_id",
    "url",
    "column_config",
    "set_value",
    "alt",  # a chart's aria label, an attribute
}


def markdown_strings(at: AppTest) -> list[tuple[str, str]]:
    """(element type.field, text) of every string the page renders as markdown."""
    found: list[tuple[str, str]] = []

    def scan(message: Message, where: str) -> None:
        for field, value in message.ListFields():
            if field.name in PLAIN_FIELDS:
                continue
            repeated = hasattr(value, "__len__") and not isinstance(value, str | bytes | Message)
            for item in value if repeated else [value]:
                if isinstance(item, Message):
                    scan(item, f"{where}.{field.name}")
                elif isinstance(item, str):
                    found.append((f"{where}.{field.name}", item))

    def walk(node) -> None:
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if proto is not None and kind not in PLAIN_ELEMENTS:
            scan(proto, str(kind))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


# A URL GFM would turn into a link once the escapes are read (remark-gfm finds bare URLs in the
# parsed text, so `http\://x` is still linked unless something breaks the pattern).
AUTOLINKED = re.compile(r"(https?://|www\.)" + re.escape(EVIL), re.IGNORECASE)


def leaks(at: AppTest) -> list[tuple[str, str]]:
    """Markdown strings with the hostile host unescaped, or as a URL GFM would autolink."""
    return [
        (where, text[:200])
        for where, text in markdown_strings(at)
        if EVIL in text
        or AUTOLINKED.search(safe_text.ESCAPED.sub(r"\1", text))
        or "](javascript:" in text
    ]


def unsafe_links(at: AppTest) -> list[str]:
    """Values of data-frame link columns (`LinkColumn`: clickable) that are not absolute http(s)
    URLs. Other columns are text in the grid, whatever they hold."""
    bad = []
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        links = [
            c for c, conf in config.items() if conf.get("type_config", {}).get("type") == "link"
        ]
        for column in links:
            values = frame.value[column].dropna().astype(str)
            bad += [v for v in values if not v.startswith(("http://", "https://"))]
    return bad


@pytest.fixture
def hostile_env(hostile_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(hostile_warehouse))
    st.cache_data.clear()
    return hostile_warehouse


PAGES = [
    ("overview", None),
    ("overview", {"secondary": "1"}),
    ("trends", None),
    ("poison_deaths", None),
    ("use_supply", None),
    ("adverse_events", None),
    ("adverse_events", {"src": "openfda"}),
    ("therapeutic", None),
    ("methods", None),
]


@pytest.mark.parametrize(("stem", "params"), PAGES)
def test_no_file_text_is_rendered_as_markdown(
    hostile_env: Path, stem: str, params: dict | None
) -> None:
    at = run_page(stem, params)
    assert not at.exception, [e.value for e in at.exception]
    assert leaks(at) == []
    assert unsafe_links(at) == []
    shown = [where for where, text in markdown_strings(at) if ESCAPED in text]
    assert shown, f"{stem}: the hostile text is not shown at all, so nothing was tested"


def test_the_pages_show_the_hostile_text_escaped_where_it_matters(hostile_env: Path) -> None:
    """Spot checks that the text is shown (escaped) in the places the issue names."""
    overview = run_page("overview")
    fields = {where for where, text in markdown_strings(overview) if ESCAPED in text}
    # card titles and labels, the card caption (citation, vintage), metric label, what changed
    assert {"markdown.body", "caption.body"} <= fields, fields
    methods = run_page("methods")
    texts = [t.value for t in methods.text]
    assert any(HOSTILE in t for t in texts), "the failed source's message is shown as text"
    therapeutic = run_page("therapeutic")
    linked = [f for f in therapeutic.dataframe if '"type": "link"' in f.proto.columns]
    assert len(linked) >= 2, "the link columns were not exercised"
    table = next(m.value for m in therapeutic.markdown if m.value.startswith("| Kind"))
    assert ESCAPED in table and f"](http://{EVIL}" not in table


def test_the_detector_finds_an_unescaped_link() -> None:
    """The check above can fail: a page that puts file text into markdown is caught."""

    def page() -> None:
        import streamlit as st

        from dashboard.common.safe_text import md

        st.caption("Source: [click](http://evil.example/x)")
        st.markdown(r"escaped but still autolinked: http\://evil\.example/bare")
        st.text("[click](http://evil.example/x)")  # plain text: not a leak
        st.markdown("safe: " + md("http://evil.example/bare"))

    at = AppTest.from_function(page).run()
    assert leaks(at) == [
        ("caption.body", "Source: [click](http://evil.example/x)"),
        ("markdown.body", r"escaped but still autolinked: http\://evil\.example/bare"),
    ]


# ---- the escaping helpers --------------------------------------------------------------------


def test_md_escapes_every_markdown_construct_and_keeps_the_words() -> None:
    escaped = safe_text.md(HOSTILE)
    for raw in ("[click]", "](http", "![", "<img", "**bold**", "http://"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), escaped), raw
    assert not AUTOLINKED.search(safe_text.ESCAPED.sub(r"\1", escaped))
    assert "www\u2060\\.x" in safe_text.md("www.x") and "a@\u2060b" in safe_text.md("a@b")
    assert safe_text.unescape(escaped) == HOSTILE
    assert safe_text.md("a\n\n# heading\n- item") == r"a \# heading \- item"
    assert safe_text.md("x" * 50, 10) == "x" * 9 + "…"
    assert safe_text.md(None) == "" and safe_text.md(float("nan")) == ""
    assert safe_text.md(":red[alert] $x$ ~~s~~ `c` a|b") == (
        r"\:red\[alert\] \$x\$ \~\~s\~\~ \`c\` a\|b"
    )


def test_links_only_to_http_urls_with_the_text_escaped() -> None:
    assert safe_text.md_link("a [b]", "https://doi.org/1_)(2") == (
        r"[a \[b\]](https://doi.org/1_%29%282)"
    )
    for url in ("javascript:alert(1)", "data:text/html,x", "data/seed/x.csv", "", None, "//x.y"):
        assert safe_text.md_link("text", url) == "text", url
    assert safe_text.safe_url("https://x.org/a b") == "https://x.org/a%20b"
    doi = "https://doi.org/10.1016/S0740-5472(02)00275-1"  # balanced: kept as published
    assert safe_text.safe_url(doi) == doi
    assert safe_text.code("nflis") == "`nflis`"
    assert safe_text.code("a`b") == r"a\`b"


def test_claims_cells_escape_text_and_link_only_http() -> None:
    assert claims_table.cite("a|b [c]", "https://doi.org/1") == r"[a\|b \[c\]](https://doi.org/1)"
    assert claims_table.cite("text only", "") == "text only"
    assert claims_table.cite("t", "javascript:alert(1)") == "t"
