"""Pure chart builders: keyword-only functions returning `alt.Chart`. No Streamlit in here."""

from dashboard.charts.theme import PALETTE, config
from dashboard.charts.timeseries import sparkline, time_chart

__all__ = ["PALETTE", "config", "sparkline", "time_chart"]
