"""The page-wide style and the served app's settings: no Deploy button, visible focus, constant
HTML only (nothing from the warehouse goes into the one HTML block the app adds)."""

from __future__ import annotations

from pathlib import Path

from dashboard.common import page_style
from dashboard.common.charts.theme import contrast_ratio


def test_the_app_hides_the_deploy_button_when_served_by_the_cli() -> None:
    from etl.cli import streamlit_command

    command = streamlit_command(8501, Path("data"))
    assert command[command.index("--client.toolbarMode") + 1] == "viewer"
    config = (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text()
    assert 'toolbarMode = "viewer"' in config


def test_focus_outline_is_visible_and_contrasts() -> None:
    assert f"outline: 3px solid {page_style.FOCUS_COLOUR}" in page_style.CSS
    assert contrast_ratio(page_style.FOCUS_COLOUR) >= 3.0  # WCAG 1.4.11 non-text contrast
    assert "{" not in page_style.SCRIPT.split("<script>")[0]  # no template left unfilled
