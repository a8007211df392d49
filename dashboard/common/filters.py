"""Filters whose state lives in the URL, so a view can be shared and reopened exactly.

Every helper reads its parameter from `st.query_params`, validates it against the options the
page offers, draws the widget, and writes the chosen value back to the URL. A value that is not
one of the options (an unknown id, a year outside the data, text such as
`'; DROP TABLE observations; --`, a single-valued parameter given twice) is ignored with a
notice and the default is used; it never raises and never reaches SQL.

Conventions (so links stay short and stable):
- one URL key per filter, chosen by the page (`geo`, `years`, `group`, `ind`, ...); query
  parameters are cleared by Streamlit when you change page, so keys only need to be unique
  within a page;
- a multi-valued filter is the key repeated (`?geo=England&geo=Scotland`);
- a year range is `years=2015-2023` (or one year: `years=2020`);
- a value equal to the default is left out of the URL.

Adopting on a page (after `header.page_head()`):

    geos = filters.multiselect("geo", geographies, label="Geography")
    first, last = filters.year_range("years", years)
    per_capita = filters.toggle("per100k", label="Per 100,000 people")
    filters.drop_unused(["geo", "years", "per100k"])   # anything else in the link: notice

The pure `parse_*` functions (dashboard/common/url_rules.py) hold the validation rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.common.safe_text import code, md
from dashboard.common.url_rules import parse_choices, parse_flag, parse_years, years_text

WIDGET_PREFIX = "filter__"
SEEN = "filter__url_written"  # per key, the URL values this session last wrote


# ---- Streamlit helpers ----------------------------------------------------------------------


def url_values(key: str) -> list[str]:
    """Every value of `key` in the URL (a repeated key gives several)."""
    try:
        return [str(v) for v in st.query_params.get_all(key)]
    except Exception:  # a malformed URL must never break a page
        return []


def _notice(key: str, label: str, message: str | None) -> None:
    """Say a link parameter was ignored. The key and the message quote the URL, which anyone can
    write and share: both are escaped, so a link or image in it is shown as text."""
    if message:
        st.info(
            f"Link parameter {code(key)} ({md(label)}): {md(message)}.",
            icon=":material/link_off:",
        )


def _write_url(key: str, value: str | list[str] | None) -> None:
    """Write the widget's value to the URL and remember it: a URL value that differs from what
    the page last wrote came from a link, and wins over the widget's state."""
    written = [] if value is None else value if isinstance(value, list) else [value]
    if not written:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get_all(key) != written:
        st.query_params[key] = value
    st.session_state.setdefault(SEEN, {})[key] = list(written)


def _initial(key: str, from_url, default, valid: Callable[[object], bool]) -> None:
    """Seed the widget's state from the URL on its first draw; repair stale state."""
    state = WIDGET_PREFIX + key
    raw = url_values(key)
    new_link = bool(raw) and raw != st.session_state.get(SEEN, {}).get(key)
    if state not in st.session_state:
        st.session_state[state] = from_url if from_url is not None else default
    elif new_link and from_url is not None:
        # a link opened (or back/forward) names this value: the link wins over the last state
        st.session_state[state] = from_url
    elif not valid(st.session_state[state]):
        st.session_state[state] = default
    else:
        # Written back through the API, so a widget of the same key on another page takes the
        # value instead of its own default (Streamlit forgets a widget's value on page change).
        st.session_state[state] = st.session_state[state]


def multiselect(
    key: str,
    options: Sequence[str],
    *,
    label: str,
    default: Sequence[str] | None = None,
    format_func: Callable[[str], str] = str,
    help: str | None = None,
    container=None,
) -> list[str]:
    """A multiselect whose choice is `?key=a&key=b`. Returns the chosen options.

    `default` (all options when None) is what an empty URL shows; choosing it drops the key.
    """
    where = container or st
    options = list(dict.fromkeys(str(o) for o in options))
    default_list = list(options if default is None else [d for d in default if d in options])
    chosen, message = parse_choices(url_values(key), options)
    _notice(key, label, message)
    _initial(
        key,
        chosen,
        default_list,
        lambda v: isinstance(v, list) and all(x in options for x in v),
    )
    value = where.multiselect(
        label, options, key=WIDGET_PREFIX + key, format_func=format_func, help=help
    )
    _write_url(key, None if sorted(value) == sorted(default_list) else list(value))
    return list(value)


def selectbox(
    key: str,
    options: Sequence[str],
    *,
    label: str,
    default: str | None = None,
    format_func: Callable[[str], str] = str,
    help: str | None = None,
    container=None,
) -> str | None:
    """A selectbox whose choice is `?key=value`. Returns the chosen option (None if no options)."""
    where = container or st
    options = list(dict.fromkeys(str(o) for o in options))
    if not options:
        return None
    fallback = default if default in options else options[0]
    chosen, message = parse_choices(url_values(key), options, single=True)
    _notice(key, label, message)
    _initial(key, chosen[0] if chosen else None, fallback, lambda v: v in options)
    value = where.selectbox(
        label, options, key=WIDGET_PREFIX + key, format_func=format_func, help=help
    )
    _write_url(key, None if value == fallback else value)
    return value


def year_range(
    key: str,
    available_years: Sequence[int],
    *,
    label: str = "Years",
    default: tuple[int, int] | None = None,
    help: str | None = None,
    container=None,
) -> tuple[int, int] | None:
    """A year-range slider whose choice is `?key=2015-2023`. Returns (first, last) inclusive,
    or None when there are no years."""
    where = container or st
    years = sorted({int(y) for y in available_years})
    if not years:
        return None
    low, high = years[0], years[-1]
    fallback = default if default and low <= default[0] <= default[1] <= high else (low, high)
    chosen, message = parse_years(url_values(key), years)
    _notice(key, label, message)
    _initial(
        key,
        chosen,
        fallback,
        lambda v: isinstance(v, tuple | list) and len(v) == 2 and low <= v[0] <= v[1] <= high,
    )
    if low == high:
        where.caption(f"{label}: {low} (the only year in the data)")
        _write_url(key, None)
        return low, high
    first, last = where.slider(
        label, min_value=low, max_value=high, step=1, key=WIDGET_PREFIX + key, help=help
    )
    _write_url(key, None if (first, last) == tuple(fallback) else years_text(first, last))
    return int(first), int(last)


STREAMLIT_KEYS = ("embed", "embed_options")


def drop_unused(used: Sequence[str]) -> list[str]:
    """Ignore (with a notice) and remove URL parameters this page did not use, e.g. a stale link
    from another page or `per100k` where no denominator exists. Call after the page's filters."""
    unused = [k for k in st.query_params if k not in used and k not in STREAMLIT_KEYS]
    for key in unused:
        _notice(key, "not used on this page", "ignored")
        del st.query_params[key]
    return unused


def toggle(
    key: str, *, label: str, default: bool = False, help: str | None = None, container=None
) -> bool:
    """An on/off switch whose state is `?key=1` / `?key=0`."""
    where = container or st
    chosen, message = parse_flag(url_values(key))
    _notice(key, label, message)
    _initial(key, chosen, default, lambda v: isinstance(v, bool))
    value = bool(where.toggle(label, key=WIDGET_PREFIX + key, help=help))
    _write_url(key, None if value == default else ("1" if value else "0"))
    return value
