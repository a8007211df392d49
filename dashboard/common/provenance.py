"""What an exported chart carries with it: a footer naming the source, vintage and the view's
link; a citation file (plain text, CITATION.cff or BibTeX) with the access date, the
dashboard's version and the sha256 of every source file behind the rows; a wide year x series
CSV beside the long one. Pure functions: no Streamlit, no SQL.

Caveats: the sha256 is that of the file the published rows were parsed from (the warehouse's
`source_files`), which is the publisher's file for a live or mirrored load and the bundled seed
file otherwise; a source loaded from an API has no file and is cited without a hash.
"""

from __future__ import annotations

import copy
import textwrap
from importlib import metadata

import pandas as pd

EXPORT_WIDTH = 960  # a landscape figure that stays readable on a slide or a page
FOOTER_CHARS = 150
FOOTER_LINE_HEIGHT = 15
TOP_LEVEL = ("$schema", "config", "datasets", "background", "padding", "autosize", "usermeta")


def dashboard_version() -> str:
    try:
        return metadata.version("ketamine-watch")
    except metadata.PackageNotFoundError:
        return "unknown"


def _distinct(data: pd.DataFrame, column: str) -> list[str]:
    if column not in data:
        return []
    return sorted({str(v) for v in data[column].dropna() if str(v).strip()})


def footer_lines(data: pd.DataFrame, *, link: str, accessed: str, version: str) -> list[str]:
    """The footer under an exported chart, wrapped to FOOTER_CHARS: source(s), vintage(s), the
    view's link, and who made the image when."""
    sources = _distinct(data, "citation") or _distinct(data, "source_title")
    shown = "; ".join(sources[:3]) + (f" (+{len(sources) - 3} more)" if len(sources) > 3 else "")
    text = [
        f"Source: {shown or 'not recorded'}",
        f"Vintage: {', '.join(_distinct(data, 'vintage')) or 'not recorded'}",
        f"View: {link or 'not recorded'}",
        f"Ketamine Watch {version}, exported {accessed}. Cite the original publications.",
    ]
    return [part for line in text for part in textwrap.wrap(line, FOOTER_CHARS)]


def framed_spec(spec: dict, *, lines: list[str], width: int = EXPORT_WIDTH) -> dict:
    """A Vega-Lite spec for export: the chart at a fixed landscape width (its own title and
    subtitle kept) with the footer lines under it."""
    chart = copy.deepcopy(spec)
    outer = {k: chart.pop(k) for k in TOP_LEVEL if k in chart}
    # a chart sized to the page container gets a fixed width; so do panels sized to it
    if chart.get("width") in (None, "container") and not {"facet", "concat", "hconcat"} & set(
        chart
    ):
        chart["width"] = width
    _fix_container_widths(chart, width)
    outer.pop("autosize", None)
    footer = {
        "text": lines or [""],
        "orient": "bottom",
        "anchor": "start",
        "fontSize": 11,
        "fontWeight": "normal",
        "lineHeight": FOOTER_LINE_HEIGHT,
        "offset": 16,
        "limit": 0,
    }
    return {**outer, "vconcat": [chart], "title": footer}


def _fix_container_widths(node: object, width: int) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "width" and value == "container":
                node[key] = width
            else:
                _fix_container_widths(value, width)
    elif isinstance(node, list):
        for item in node:
            _fix_container_widths(item, width)


def wide_frame(data: pd.DataFrame, *, value: str = "value") -> pd.DataFrame | None:
    """Period x series (one row per period, one column per series) of `value`; None when the
    rows are not a set of time series or a cell would hold two numbers."""
    needed = {"period_label", "series", value}
    if data.empty or not needed <= set(data.columns):
        return None
    cells = data[["period_label", "series", value]]
    if cells.duplicated(["period_label", "series"]).any():
        return None
    order = "period_start" if "period_start" in data else "period_label"
    periods = data.sort_values(order)["period_label"].drop_duplicates().tolist()
    wide = cells.pivot(index="period_label", columns="series", values=value).reindex(periods)
    wide.columns.name = None
    return wide.reset_index().rename(columns={"period_label": "period"})


def file_records(data: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """The source files (name, sha256, origin) behind the rows' sources."""
    if files.empty or "source" not in data:
        return files.iloc[0:0]
    return files[files["source"].isin(set(data["source"].dropna()))]


def file_hashes(data: pd.DataFrame, files: pd.DataFrame) -> str:
    return "; ".join(f"{r.file} sha256 {r.sha256}" for r in file_records(data, files).itertuples())


def citation_records(data: pd.DataFrame) -> list[dict]:
    columns = [
        c for c in ("source_title", "publisher", "vintage", "citation", "citation_url") if c in data
    ]
    if data.empty or "citation" not in data:
        return []
    records = []
    for row in data[columns].drop_duplicates().itertuples(index=False):
        record = dict(zip(columns, row, strict=True))
        records.append({k: str(v) for k, v in record.items() if pd.notna(v) and str(v).strip()})
    return records


def citation_text(
    data: pd.DataFrame, *, files: pd.DataFrame, link: str, accessed: str, version: str
) -> str:
    """Plain-text citation file: the view, access date, dashboard version, every distinct
    publication behind the rows, and the sha256 of each source file."""
    lines = [
        "Ketamine Watch export. Cite the original publications below.",
        f"View: {link or 'not recorded'}",
        f"Accessed: {accessed}",
        f"Dashboard version: Ketamine Watch {version}",
        "",
        "Publications:",
    ]
    lines += ["- " + "; ".join(f"{k}: {v}" for k, v in r.items()) for r in citation_records(data)]
    lines += ["", "Source files (sha256):"]
    for row in file_records(data, files).itertuples():
        lines.append(f"- {row.source}: {row.file} ({row.origin}) sha256 {row.sha256}")
    return "\n".join(lines) + "\n"


def _yaml(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def citation_cff(
    data: pd.DataFrame, *, files: pd.DataFrame, title: str, link: str, accessed: str, version: str
) -> str:
    """CITATION.cff (version 1.2.0) for the view, with each publication as a reference and the
    source files' hashes in the abstract."""
    hashes = file_hashes(data, files)
    abstract = f"Accessed {accessed}. Source files: {hashes or 'none recorded'}"
    out = [
        "cff-version: 1.2.0",
        'message: "Cite the original publications listed under references."',
        f"title: {_yaml('Ketamine Watch: ' + title)}",
        f"version: {_yaml(version)}",
        f"date-released: {_yaml(accessed)}",
        f"url: {_yaml(link or 'not recorded')}",
        "authors:",
        '  - name: "Ketamine Watch"',
        f"abstract: {_yaml(abstract)}",
        "references:",
    ]
    for record in citation_records(data) or [{"citation": "not recorded"}]:
        out += [
            "  - type: generic",
            f"    title: {_yaml(record.get('citation', record.get('source_title', '')))}",
            "    authors:",
            f"      - name: {_yaml(record.get('publisher', 'unknown'))}",
        ]
        if "citation_url" in record:
            out.append(f"    url: {_yaml(record['citation_url'])}")
        if "vintage" in record:
            out.append(f"    version: {_yaml(record['vintage'])}")
    return "\n".join(out) + "\n"


def _bib(text: str) -> str:
    return str(text).replace("{", "(").replace("}", ")").replace("\\", "/")


def citation_bibtex(
    data: pd.DataFrame, *, files: pd.DataFrame, title: str, link: str, accessed: str, version: str
) -> str:
    """One @misc entry for the view and one per publication behind it."""
    hashes = file_hashes(data, files)
    entries = [
        "@misc{ketaminewatch_view,\n"
        f"  title = {{Ketamine Watch: {_bib(title)}}},\n"
        f"  howpublished = {{\\url{{{_bib(link)}}}}},\n"
        f"  note = {{Version {_bib(version)}; accessed {accessed}; source files: "
        f"{_bib(hashes or 'none recorded')}}},\n"
        f"  urldate = {{{accessed}}}\n}}"
    ]
    for i, record in enumerate(citation_records(data), start=1):
        fields = [f"  title = {{{_bib(record.get('citation', ''))}}}"]
        if "publisher" in record:
            fields.append(f"  author = {{{{{_bib(record['publisher'])}}}}}")
        if "citation_url" in record:
            fields.append(f"  url = {{{_bib(record['citation_url'])}}}")
        if "vintage" in record:
            fields.append(f"  note = {{Vintage {_bib(record['vintage'])}}}")
        entries.append(f"@misc{{source{i},\n" + ",\n".join(fields) + "\n}")
    return "\n\n".join(entries) + "\n"
