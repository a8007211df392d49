"""One palette and one typography for every chart.

The palette is Okabe-Ito (distinguishable with the common colour-vision deficiencies); every series
also differs by point shape, and flags are written in tooltips and tables, so no information is
carried by colour alone. Text colours meet WCAG AA contrast on white.
"""

from __future__ import annotations

PALETTE = [
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: low contrast on white)
]
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge", "stroke"]
TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
PROVISIONAL_FILL = "#eaeef2"
MILESTONE = "#57606a"
FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"


def config() -> dict:
    """Vega-Lite config applied to every chart (passed to `alt.Chart.configure`)."""
    return {
        "font": FONT,
        "axis": {
            "labelColor": TEXT,
            "titleColor": TEXT,
            "gridColor": GRID,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
        },
        "legend": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "labelLimit": 420},
        "title": {"color": TEXT, "fontSize": 15, "anchor": "start", "subtitleColor": MUTED},
        "view": {"stroke": None},
        "range": {"category": PALETTE},
    }
