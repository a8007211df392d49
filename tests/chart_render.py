"""Render a drawn chart spec the way the page shows it, and read what was drawn.

`render(spec, width)` gives vl-convert's scenegraph of the spec laid out as Streamlit lays it out
at a container `width` px wide (Streamlit's own `autosize` when the spec has none, the width
given to the chart or its `"container"` panels); the helpers below read the plot sizes, axis
labels and annotation texts out of it. Used by tests/test_chart_rules.py; nothing here touches
the network."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pyarrow as pa
import vl_convert as vlc


def inline_datasets(spec: dict) -> dict:
    """Arrow IPC datasets (as the page sends them) -> JSON rows (as vl-convert reads them)."""
    out = copy.deepcopy(spec)
    datasets = {}
    for name, payload in (out.get("datasets") or {}).items():
        if isinstance(payload, bytes | bytearray):
            frame = pa.ipc.open_stream(payload).read_all().to_pandas()
            payload = json.loads(frame.to_json(orient="records", date_format="iso"))
        datasets[name] = payload
    if datasets:
        out["datasets"] = datasets
    return out


def streamlit_autosize(spec: dict) -> dict:
    """The autosize Streamlit gives a spec without one (elements/vega_charts.py)."""
    if "autosize" in spec:
        return spec["autosize"]
    if "facet" in spec:
        return {"type": "pad", "contains": "padding"}
    if "vconcat" in spec:
        return {"type": "fit-x", "contains": "padding"}
    return {"type": "fit", "contains": "padding"}


def _widen(node: object, width: int) -> None:
    if isinstance(node, dict):
        if node.get("width") == "container":
            node["width"] = width
        for value in node.values():
            _widen(value, width)
    elif isinstance(node, list):
        for value in node:
            _widen(value, width)


def render(spec: dict, width: int) -> dict:
    out = inline_datasets(spec)
    out["autosize"] = streamlit_autosize(out)
    kind = out["autosize"]["type"] if isinstance(out["autosize"], dict) else out["autosize"]
    if kind in ("fit", "fit-x") and not any(k in out for k in ("vconcat", "hconcat", "facet")):
        out["width"] = width
    _widen(out, width - 80)  # panels: the container less the y axis
    return vlc.vegalite_to_scenegraph(out)


def items(node: object, parents: tuple = ()) -> Iterator[tuple[dict, tuple]]:
    """Every scenegraph item with its chain of enclosing marks."""
    if isinstance(node, dict):
        if "scenegraph" in node:
            yield from items(node["scenegraph"], parents)
            return
        yield node, parents
        for child in node.get("items", []) or []:
            yield from items(child, (*parents, node))


def plot_groups(graph: dict) -> list[dict]:
    """The plot rectangles: groups that hold data marks (role 'mark' with items)."""
    found = []
    for node, parents in items(graph):
        if node.get("marktype") == "group" or "items" not in node:
            continue
        if node.get("role") == "mark" and node.get("items") and parents:
            owner = next(
                (p for p in reversed(parents) if "height" in p and "width" in p and p is not node),
                None,
            )
            if owner is not None and all(owner is not f for f in found):
                found.append(owner)
    return found


def axis_labels(graph: dict) -> list[list[str]]:
    """Per axis, its label texts in order."""
    axes = []
    for node, _ in items(graph):
        if node.get("role") == "axis-label" and node.get("marktype") == "text":
            axes.append([str(i.get("text")) for i in node.get("items", [])])
    return axes


def texts(graph: dict, role: str = "mark") -> list[dict]:
    """Text items drawn by text marks (not axes, titles or legends), with their absolute x, y."""
    out = []

    def walk(mark: dict, x0: float, y0: float) -> None:
        for item in mark.get("items", []) or []:
            x = x0 + float(item.get("x", 0) or 0)
            y = y0 + float(item.get("y", 0) or 0)
            if mark.get("marktype") == "text" and mark.get("role") == role:
                out.append({**item, "abs_x": x, "abs_y": y})
            if mark.get("marktype") == "group":
                for child in item.get("items", []) or []:
                    walk(child, x, y)

    walk(graph["scenegraph"], 0.0, 0.0)
    return out
