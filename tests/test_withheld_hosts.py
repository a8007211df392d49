"""Clinic and seller links never appear: not on any page, not in any chart, not in any download.

Every page is rendered (AppTest) on the seed build and on a build from the publishers' real
files; the text of every element, every chart spec with its data, and what every text download
button would hand over (chart CSVs, citation files, the zipped warehouse) are searched for the
withheld hosts. PNG and SVG exports are drawn from the same chart specs, which are searched.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from tests.page_kit import page_ids, run_page

REPO = Path(__file__).resolve().parents[1]
HOST_LIST = REPO / "etl" / "data" / "withheld_link_hosts.csv"


def withheld_hosts() -> list[str]:
    with HOST_LIST.open() as handle:
        hosts = {row["host"].strip().lower() for row in csv.DictReader(handle)}
    assert hosts, f"{HOST_LIST} lists no host"
    return sorted(hosts)


def pages() -> list[str]:
    return page_ids()


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, object]]]:
    """Record what every download button on a page would hand over."""
    seen: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        seen.append((label, data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: recording(st._main, *a, **k))
    yield seen


def element_text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "metric", "expander",
                 "warning", "info", "error", "success", "exception"):  # fmt: skip
        for element in at.get(kind):
            parts += [str(getattr(element, a, "")) for a in ("value", "label", "body", "help")]
    for table in (*at.get("dataframe"), *at.get("table")):
        parts.append(table.value.to_csv(index=False))
    for chart in at.get("vega_lite_chart"):
        parts.append(chart.proto.spec)
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            parts.append(frame.to_csv(index=False))
    return "\n".join(parts).lower()


def download_text(label: str, data: object) -> str:
    if label in ("PNG", "SVG"):
        return ""  # drawn from the chart spec above
    payload = data() if callable(data) else data
    if isinstance(payload, str):
        return payload.lower()
    if isinstance(payload, bytes) and payload[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace").lower()
                for name in archive.namelist()
                if not name.endswith(".parquet")
            )
    return payload.decode("utf-8", "replace").lower() if isinstance(payload, bytes) else ""


@pytest.mark.parametrize("build", ["seed", "real"])
@pytest.mark.parametrize("page", pages())
def test_no_withheld_host_on_any_page_or_download(
    request: pytest.FixtureRequest,
    build: str,
    page: str,
    downloads,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse = request.getfixturevalue(f"{build}_warehouse")  # skips when real files are absent
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(warehouse))
    st.cache_data.clear()
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    shown = element_text(at)
    assert len(shown) > 500, f"{page}: nothing rendered to search"
    handed = {label: download_text(label, data) for label, data in downloads}
    for host in withheld_hosts():
        assert host not in shown, f"{build}/{page}: {host} shown on the page"
        for label, text in handed.items():
            assert host not in text, f"{build}/{page}: {host} in the '{label}' download"
