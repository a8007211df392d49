"""Where milestone and break labels go so none overprints another: labels of the same day or
within MERGE_DAYS merged into one, then each placed in the first of MILESTONE_ROWS rows where it
fits (left of its date when there is no room on the right), or left out (rule and tooltip only).
Pure arithmetic on text widths; no Altair."""

from __future__ import annotations

import pandas as pd

MILESTONE_ROWS = 3  # label rows above the plot
MILESTONE_ROW_HEIGHT = 13
LABEL_FONT_PX = 11  # 10 px was hard to read on a phone
CHAR_PX = 6.2  # a generous average glyph width at LABEL_FONT_PX
LABEL_DX = 2
LABEL_GAP_PX = 6
MERGE_DAYS = 366  # the same label again within this many days joins the earlier one


def merge_labels(dates: pd.Series, texts: pd.Series, *, merge_days: int = MERGE_DAYS) -> list[dict]:
    """Events -> labels: one per day (distinct texts joined by ' · '), then a run of the same
    label within `merge_days` of the previous one joins it with a count. Each label:
    {'date' (its first event), 'text', 'events' (how many)}."""
    by_day: dict[pd.Timestamp, list[str]] = {}
    for when, text in sorted(zip(pd.to_datetime(dates), texts, strict=True), key=lambda p: p[0]):
        day = pd.Timestamp(when).normalize()
        names = by_day.setdefault(day, [])
        if str(text) not in names:
            names.append(str(text))
    labels: list[dict] = []
    for day, names in by_day.items():
        text = " · ".join(names)
        last = labels[-1] if labels else None
        if last and last["base"] == text and (day - last["last"]).days <= merge_days:
            last["events"] += 1
            last["last"] = day
            continue
        labels.append({"date": day, "base": text, "last": day, "events": 1})
    return [
        {
            "date": label["date"],
            "text": label["base"] + (f" ({label['events']})" if label["events"] > 1 else ""),
            "events": label["events"],
        }
        for label in labels
    ]


def text_px(text: str) -> float:
    return len(str(text)) * CHAR_PX


def label_layout(
    labels: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    width_px: float,
    rows: int = MILESTONE_ROWS,
) -> pd.DataFrame:
    """Place labels (columns date, text, priority: lower first) in rows above a plot `width_px`
    wide: each goes in the first row where its extent clears every label already there, with
    LABEL_GAP_PX between. Adds row (-1: no room, rule and tooltip only), align ('left' from its
    rule, or 'right' when it would run off the plot's right edge), left_px and right_px."""
    out = labels.copy()
    span = max((pd.Timestamp(end) - pd.Timestamp(start)).total_seconds(), 1.0)
    placed: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    result: dict = {}
    order = out.assign(_p=out.get("priority", 0)).sort_values(["_p", "date"], kind="stable").index
    for index in order:
        when = pd.Timestamp(out.at[index, "date"])
        x = (when - pd.Timestamp(start)).total_seconds() / span * width_px
        width = text_px(out.at[index, "text"])
        if x + LABEL_DX + width <= width_px or x - LABEL_DX - width < 0:
            align, left, right = "left", x + LABEL_DX, x + LABEL_DX + width
        else:
            align, left, right = "right", x - LABEL_DX - width, x - LABEL_DX
        row = next(
            (
                r
                for r in range(rows)
                if all(right + LABEL_GAP_PX <= a or left >= b + LABEL_GAP_PX for a, b in placed[r])
            ),
            -1,
        )
        if row >= 0:
            placed[row].append((left, right))
        result[index] = (row, align, left, right)
    for i, column in enumerate(("row", "align", "left_px", "right_px")):
        out[column] = [result[index][i] for index in out.index]
    return out


def label_rows(
    dates: pd.Series,
    texts: pd.Series,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    width_px: int = 900,
) -> list[int]:
    """The row `label_layout` gives each label, in the given order (-1: no free row)."""
    frame = pd.DataFrame({"date": pd.to_datetime(list(dates)), "text": list(texts)})
    return label_layout(frame, start=start, end=end, width_px=width_px)["row"].tolist()
