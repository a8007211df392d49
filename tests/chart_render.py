"""Render a drawn chart spec the way the page shows it, and read what was drawn.

`render(spec, width)` gives vl-convert's scenegraph of the spec laid out as Streamlit lays it out
at a container `width` px wide (Streamlit's own `autosize` when the spec has none, the width
given to the chart or its `"container"` panels); the helpers below read the plot sizes, axis
labels and annotation texts out of it. Used by tests/test_chart_rules.py; nothing here touches
the network."""

from __future__ import annotations

import calendar
import copy
import json
import re
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


# ---- rules every drawn chart keeps ---------------------------------------------------------

MIN_PLOT_PX = 40
MONTH_NAMES = {*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept"}
# A time label reads as a year, a quarter, a month or a day in the data's own terms.
TIME_LABEL = re.compile(
    r"^(\d{4}|\d{4}Q[1-4]|\d{4}-\d{2}|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
    r"|\d{4}-\d{2}-\d{2})$"
)
LONG_DECIMALS = re.compile(r"\.\d*0{3,}$|\.\d{5,}$")
GLYPH_EM = 0.5  # a text's drawn width per character, in font sizes (Source Sans averages less)


def units(spec: dict, parent_data: object = None) -> Iterator[tuple[dict, object]]:
    """Every single-mark unit spec with the data it reads (its own or an ancestor's)."""
    data = spec.get("data", parent_data)
    if "mark" in spec:
        yield spec, data
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []) or []:
            yield from units(child, data)
    if isinstance(spec.get("spec"), dict):
        yield from units(spec["spec"], data)


def rows_of(spec: dict, data: object) -> list[dict] | None:
    if not isinstance(data, dict):
        return None
    if "values" in data:
        return list(data["values"])
    name = data.get("name")
    values = (spec.get("datasets") or {}).get(name)
    return list(values) if isinstance(values, list) else None


VALID_FILTER = re.compile(r"isValid\(datum\.(\w+)\)")


def _kept(row: dict, unit: dict) -> bool:
    """Apply the unit's `isValid(datum.x) && ...` filters (other filters keep every row)."""
    for step in unit.get("transform", []) or []:
        text = step.get("filter") if isinstance(step, dict) else None
        if isinstance(text, str):
            for name in VALID_FILTER.findall(text):
                if _empty(row.get(name)):
                    return False
    return True


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def tooltip_problems(spec: dict) -> list[str]:
    """Tooltip fields that would print 'null', 'NaN' or nothing for some row drawn."""
    spec = inline_datasets(spec)
    problems = []
    for unit, data in units(spec):
        tooltip = (unit.get("encoding") or {}).get("tooltip")
        if not isinstance(tooltip, list):
            continue
        rows = rows_of(spec, data)
        if rows is None:
            continue
        for entry in tooltip:
            field = entry.get("field") if isinstance(entry, dict) else None
            if not field or entry.get("aggregate"):
                continue
            empty = [r for r in rows if _kept(r, unit) and _empty(r.get(field))]
            if empty:
                problems.append(f"tooltip {entry.get('title', field)!r} empty on {len(empty)} rows")
    return problems


def marker_problems(spec: dict) -> list[str]:
    """Two series sharing one (colour, shape, dash): read from the scales on `series`."""
    styles: dict[str, dict[str, dict]] = {}
    for unit, _ in units(spec):
        for channel in ("color", "shape", "strokeDash"):
            enc = (unit.get("encoding") or {}).get(channel)
            if not isinstance(enc, dict) or not isinstance(enc.get("scale"), dict):
                continue
            scale = enc["scale"]
            if "domain" in scale and "range" in scale:
                field = enc.get("field")
                table = styles.setdefault(field, {})
                for name, value in zip(scale["domain"], scale["range"], strict=False):
                    table.setdefault(name, {})[channel] = json.dumps(value)
    problems = []
    for field, table in styles.items():
        seen: dict[tuple, str] = {}
        for name, style in table.items():
            if not {"shape", "strokeDash"} & set(style):
                continue  # bars and areas: colour plus a text label, no markers
            key = tuple(sorted(style.items()))
            if key in seen:
                problems.append(f"{field}: {seen[key]!r} and {name!r} share {key}")
            seen[key] = name
    return problems


def views(spec: dict) -> Iterator[list[dict]]:
    """Each view (a layer's units together, or a lone unit): they share one x axis."""
    if "layer" in spec:
        yield [u for u, _ in units({"layer": spec["layer"]})]
    elif "mark" in spec:
        yield [spec]
    for key in ("vconcat", "hconcat", "concat"):
        for child in spec.get(key, []) or []:
            yield from views(child)
    if isinstance(spec.get("spec"), dict):
        yield from views(spec["spec"])


def axis_spec_problems(spec: dict) -> list[str]:
    """Temporal x axes without an explicit year/quarter/month/day label rule (one layer of a
    view sets it; the others share its axis)."""
    from dashboard.common.charts import axes

    allowed_formats = {axes.YEAR_FORMAT, axes.MONTH_FORMAT, axes.DAY_FORMAT}
    problems = []
    for view in views(spec):
        xs = [
            (u.get("encoding") or {}).get("x")
            for u in view
            if isinstance((u.get("encoding") or {}).get("x"), dict)
        ]
        temporal = [
            x for x in xs if x.get("type") == "temporal" or str(x.get("field", "")).endswith(":T")
        ]
        if not temporal or any("axis" in x and x["axis"] is None for x in temporal):
            continue
        rules = [x["axis"] for x in temporal if isinstance(x.get("axis"), dict)]
        good = [
            a
            for a in rules
            if a.get("format") in allowed_formats or a.get("labelExpr") == axes.QUARTER_LABEL
        ]
        bad = [a for a in rules if a not in good and ("format" in a or "labelExpr" in a)]
        if not good or bad:
            problems.append(f"temporal x axis without a period label rule: {rules}")
    return problems


def rendered_problems(spec: dict, width: int) -> list[str]:
    """What the rendered chart shows: plot heights, axis labels, overprinted texts."""
    graph = render(spec, width)
    problems = []
    for group in plot_groups(graph):
        if float(group.get("height", 0) or 0) < MIN_PLOT_PX:
            problems.append(f"a plot is {group.get('height')} px tall at width {width}")
    for labels in axis_labels(graph):
        for text in labels:
            if text in MONTH_NAMES or LONG_DECIMALS.search(text.replace(",", "")):
                problems.append(f"axis label {text!r} at width {width}")
    boxes = []
    for item in texts(graph):
        if item.get("opacity", 1) == 0 or not str(item.get("text", "")).strip():
            continue
        size = float(item.get("fontSize", 11) or 11)
        width_px = len(str(item["text"])) * size * GLYPH_EM
        x = item["abs_x"] + float(item.get("dx", 0) or 0)
        left = {"left": x, "right": x - width_px}.get(item.get("align", "left"), x - width_px / 2)
        y = item["abs_y"] + float(item.get("dy", 0) or 0)
        top = {"bottom": y - size, "top": y}.get(item.get("baseline"), y - size / 2)
        boxes.append((left, left + width_px, top, top + size, str(item["text"])))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] < b[1] - 1 and b[0] < a[1] - 1 and a[2] < b[3] - 1 and b[2] < a[3] - 1:
                problems.append(f"{a[4]!r} overprints {b[4]!r} at width {width}")
    return problems


def container_text_problems(spec: dict) -> list[str]:
    """A stacked chart is fitted to the page's width: a title or legend that may be wider than a
    phone's container squeezes its plots to a sliver. Their limits must follow the container."""
    if not any(k in spec for k in ("vconcat", "hconcat", "concat")):
        return []
    problems = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            title = node.get("title")
            if isinstance(title, str) or (
                isinstance(title, dict) and "expr" not in json.dumps(title.get("limit"))
            ):
                problems.append(f"{where}: title {str(title)[:40]!r} has no container limit")
            for channel in (node.get("encoding") or {}).values():
                legend = channel.get("legend") if isinstance(channel, dict) else None
                if isinstance(legend, dict) and "expr" not in json.dumps(legend.get("labelLimit")):
                    problems.append(f"{where}: a legend has no container label limit")
            for key in ("vconcat", "hconcat", "concat", "layer"):
                for child in node.get(key, []) or []:
                    walk(child, f"{where}/{key}")

    walk(spec, "chart")
    return problems


def spec_problems(spec: dict, widths: tuple[int, ...] = (1000, 358)) -> list[str]:
    """Every rule at once, for one drawn spec."""
    problems = [
        *tooltip_problems(spec),
        *marker_problems(spec),
        *axis_spec_problems(spec),
        *container_text_problems(spec),
    ]
    for width in widths:
        problems += rendered_problems(spec, width)
    return problems
