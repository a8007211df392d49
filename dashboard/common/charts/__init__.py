"""Pure chart builders: keyword-only functions returning `alt.Chart`. No Streamlit in here."""

from dashboard.common.charts.sparkline import sparkline
from dashboard.common.charts.theme import PALETTE, config
from dashboard.common.charts.timeseries import time_chart

__all__ = ["PALETTE", "config", "sparkline", "time_chart"]
