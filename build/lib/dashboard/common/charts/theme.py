"""One palette and one typography for every chart.

The palette is Okabe-Ito (distinguishable with the common colour-vision deficiencies); every series
also differs by point shape, and flags are written in tooltips and tables, so no information is
carried by colour alone. Text colours meet WCAG AA contrast on white (TEXT 15.8:1, MUTED
and MILESTONE 6.4:1, BREAK 7.1:1; tested in tests/test_charts.py).

Other pages: import colours from here rather than writing hex codes, and finish every chart with
`.configure(**config())` (the time charts and sparklines already do).
"""

from __future__ import annotations

PALETTE = [
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    # The first five meet WCAG's 3:1 contrast for graphics on white; the rest do not, which is
    # one more reason every series also has its own shape and dash.
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
]
# Line dashes per series (solid first), so lines differ without colour.
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 6]]
# Filled-area shapes only: a 'stroke' or 'wedge' point is too thin to tell apart at chart size.
SHAPES = [
    "circle",
    "square",
    "triangle-up",
    "diamond",
    "cross",
    "triangle-down",
    "triangle-right",
    "triangle-left",
]
TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
PROVISIONAL_FILL = "#eaeef2"
MILESTONE = "#57606a"
BREAK = "#8a4600"  # series-break rules (dark orange)
# Streamlit's own face first, so charts and page share one typography.
FONT = "Source Sans, Source Sans Pro, Helvetica Neue, Arial, sans-serif"


# Streamlit fits a single or layered chart with no `autosize` of its own, axes, title and legend
# included, into the spec's `height` ("fit"), so a short chart's plot shrank to nothing. Every
# builder sets this instead: the width follows the page and `height` is the plot's own height.
FIT_X = {"type": "fit-x", "contains": "padding"}
# Facets and nested concatenations cannot be fitted; Streamlit pads them and so do we.
PAD = {"type": "pad", "contains": "padding"}
# Value axes: thousands separated, no trailing zeros ('1,172', not '1,172.000000'), no 'e+6'.
VALUE_FORMAT = ",.12~g"
# Text that must never be wider than the page's container (a stacked chart is fitted to it, and
# a title or legend wider than the container squeezes its plots to nothing on a phone).
# `containerSize()` is [0, 0] without a container (image export): then a fixed limit.
CONTAINER_TEXT_LIMIT = "containerSize()[0] > 0 ? max(120, containerSize()[0] - 60) : {fixed}"
BAR_PX = 24  # plot height per bar (or per row of points) on a horizontal bar chart
MIN_PLOT_PX = 60  # no plot is shorter than this, however few bars it has


def bar_plot_height(rows: int, *, per_row: int = BAR_PX) -> int:
    """Plot height (px) for `rows` bars or rows of points: follows the number of rows."""
    return max(MIN_PLOT_PX, per_row * max(int(rows), 1))


# A bar chart's category labels take at most this share of the chart's width, so a phone
# (390 px) still shows its bars; the full label is in the tooltip and the data table.
BAR_LABEL_SHARE = 0.4
BAR_LABEL_LIMIT = "containerSize()[0] > 0 ? floor({share} * containerSize()[0]) : {fixed}"


def bar_label_limit(fixed: int = 520):
    """A bar axis' label limit: BAR_LABEL_SHARE of the container's width (fixed in an image)."""
    import altair as alt

    return alt.ExprRef(BAR_LABEL_LIMIT.format(share=BAR_LABEL_SHARE, fixed=fixed))


def text_limit(fixed: int = 900):
    """A title / legend label limit that follows the container (see CONTAINER_TEXT_LIMIT)."""
    import altair as alt

    return alt.ExprRef(CONTAINER_TEXT_LIMIT.format(fixed=fixed))


def config() -> dict:
    """Vega-Lite config applied to every chart (passed to `alt.Chart.configure`).

    `aria: false` on marks, axes, legends and titles keeps them out of the accessibility tree:
    a screen reader hears the chart's description (`chart_summary`), once, instead of every
    tick and point, and the chart is one stop instead of dozens."""
    return {
        "font": FONT,
        "mark": {"aria": False},
        "axisX": {"labelOverlap": "greedy", "labelSeparation": 6},
        "axis": {
            "aria": False,
            "labelColor": TEXT,
            "titleColor": TEXT,
            "gridColor": GRID,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
        },
        "legend": {
            "aria": False,
            "labelColor": TEXT,
            "titleColor": TEXT,
            "labelFontSize": 12,
            "labelLimit": 640,
        },
        "title": {
            "aria": False,
            "color": TEXT,
            "fontSize": 15,
            "fontWeight": 600,
            "anchor": "start",
            "subtitleColor": MUTED,
            "subtitleFontSize": 12,
            "limit": 900,
        },
        "text": {"font": FONT},
        "view": {"stroke": None},
        "range": {"category": PALETTE},
    }


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two '#rrggbb' colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
