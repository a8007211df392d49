"""AppTest: every page renders from the seed warehouse with no exception and draws its charts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def page_ids() -> list[str]:
    pages = Path(APP).parent / "pages"
    return sorted(p.stem for p in pages.glob("*.py") if not p.stem.startswith("_"))


def run_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


@pytest.mark.parametrize("page", page_ids())
def test_page_renders_without_exception(dashboard_env: Path, page: str) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"page {page} shows no title"


def test_overview_draws_a_chart_per_headline_stream(dashboard_env: Path) -> None:
    at = run_page("overview")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4, f"only {len(charts)} charts on the overview"
    captions = " ".join(c.value for c in at.caption)
    assert "Source:" in captions and "Vintage:" in captions


def test_overview_numbers_come_from_the_warehouse(dashboard_env: Path) -> None:
    at = run_page("overview")
    metrics = {m.label: m.value for m in at.metric}
    supply = [value for label, value in metrics.items() if "NFLIS" in label]
    # The NFLIS ketamine series' latest seeded year is 2023 with 2,031 reports.
    assert supply and supply[0].startswith("2,031"), metrics


def test_methods_page_lists_every_source_and_run(dashboard_env: Path) -> None:
    from etl.sources import SOURCES

    at = run_page("methods")
    text = " ".join(m.value for m in at.markdown)
    for source in SOURCES:
        assert f"`{source.meta.id}`" in text
    assert at.dataframe, "no run history table"
