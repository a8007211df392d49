"""Parse openFDA count responses (written by `etl.sources.openfda.fetch`) into tables.

A count response is `{"meta": {..., "last_updated": "2026-07-30"}, "results": [{"time":
"20190305", "count": 3}, ...]}` (date fields) or `[{"term": "NAUSEA", "count": 12}, ...]`; a total
is `{"meta": {"results": {"total": n}}}`. openFDA returns a complete time series, so a quarter
with no day listed between the first report and the last update holds zero reports.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

from etl import observation_frame
from etl.contract import (
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    ParseError,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.signals import load_label_expected, mask_expected, signals_from_counts

LABELS = {
    "serious": {"1": "serious", "2": "not serious"},
    "death": {"1": "death"},
    "sex": {"0": "unknown", "1": "male", "2": "female"},
    "agegroup": {
        "1": "neonate",
        "2": "infant",
        "3": "child",
        "4": "adolescent",
        "5": "adult",
        "6": "elderly",
    },
    "qualification": {
        "1": "physician",
        "2": "pharmacist",
        "3": "other health professional",
        "4": "lawyer",
        "5": "consumer or non-health professional",
    },
}
DIMENSIONS = tuple(LABELS)
INGREDIENTS = ("ketamine", "esketamine")


def read_json(path: Path) -> dict:
    try:
        body = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"not JSON ({exc})", file=path) from None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        said = ": ".join(str(error[k]) for k in ("code", "message") if error.get(k))
        raise ParseError(f"an openFDA error, not counts ({said or 'no message'})", file=path)
    if (
        not isinstance(body, dict)
        or not ("results" in body or "meta" in body)
        or not isinstance(body.get("results", []), list)
    ):
        raise ParseError("not an openFDA response (no results list)", file=path)
    return body


def parse_files(files: SourceFiles, meta: SourceMeta) -> Tables:
    bodies = {name: read_json(paths[0]) for name, paths in files.items() if paths}
    for name, body in bodies.items():
        if not name.endswith("_total"):  # a total query's results are sample reports
            check_count_rows(body, files[name][0])
    if not bodies:
        return Tables()
    updated = max(
        (b.get("meta", {}).get("last_updated") or "" for b in bodies.values()), default=""
    )
    totals = {name.removesuffix("_total"): total_of(body, files[name][0])
              for name, body in bodies.items() if name.endswith("_total")}  # fmt: skip
    obs = pd.concat(
        [quarter_series(bodies, who, meta, updated) for who in (*INGREDIENTS, "all")],
        ignore_index=True,
    )
    counts = pd.concat(
        [term_counts(bodies, ing, dim) for ing in INGREDIENTS for dim in DIMENSIONS]
        + [pd.DataFrame({"ingredient": list(totals), "dimension": "total", "term": "all",
                         "label": "all reports", "reports": list(totals.values())})],
        ignore_index=True,
    )  # fmt: skip
    counts["last_updated"] = updated
    reactions = pd.concat(
        [reaction_counts(bodies, who) for who in (*INGREDIENTS, "all")], ignore_index=True
    )
    return Tables(
        observations=obs,
        indicators=indicators(meta),
        details={
            "openfda_counts": counts,
            "openfda_reaction_counts": reactions,
            "openfda_signals": signals(reactions, totals),
        },
    )


def check_count_rows(body: dict, path: Path) -> None:
    """Every row of a count answer is {term or time, count}: a whole number of reports and, for a
    date count, a real YYYYMMDD day. Refused with the file, row and value, never cast: a 2.5
    would become 2 and a renamed `count` field a column of blanks."""
    for index, row in enumerate(body.get("results", [])):
        where = f"results[{index}]"
        if not isinstance(row, dict) or not ({"term", "time"} & row.keys()):
            raise ParseError(f"{where} has neither 'term' nor 'time': {str(row)[:80]}", file=path)
        count = row.get("count")
        if isinstance(count, bool) or not isinstance(count, int):
            shown = "missing" if "count" not in row else repr(count)[:40]
            raise ParseError(f"{where}.count is {shown}, not a whole number of reports", file=path)
        if "time" in row and not is_day(row["time"]):
            raise ParseError(
                f"{where}.time {str(row['time'])[:40]!r} is not a YYYYMMDD day", file=path
            )


def is_day(text: object) -> bool:
    try:
        datetime.strptime(str(text), "%Y%m%d")
    except ValueError:
        return False
    return len(str(text)) == 8


def total_of(body: dict, path: Path) -> int:
    total = body.get("meta", {}).get("results", {}).get("total")
    if not isinstance(total, int):
        raise ParseError("no meta.results.total in a total query", file=path)
    return total


def quarter_series(bodies: dict, who: str, meta: SourceMeta, updated: str) -> pd.DataFrame:
    body = bodies.get(f"{who}_receivedate")
    columns = list(OBSERVATION_COLUMNS)
    if body is None or not body.get("results"):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    days = pd.DataFrame(body["results"])
    when = pd.to_datetime(days["time"], format="%Y%m%d")
    per_q = days.groupby(when.dt.to_period("Q"))["count"].sum()
    last = pd.Period(updated, "Q") if updated else per_q.index.max()
    full = pd.period_range(per_q.index.min(), max(last, per_q.index.max()), freq="Q")
    per_q = per_q.reindex(full, fill_value=0)
    labels = [f"{p.year}Q{p.quarter}" for p in per_q.index]
    flags = ["provisional" if p == last else "" for p in per_q.index]
    return observation_frame.observations(
        source=meta.id,
        indicator=f"openfda_{who}_reports",
        geography="World",
        period=labels,
        value=per_q.to_numpy(dtype=float),
        unit="reports",
        flags=flags,
        note=f"openFDA data last updated {updated}" if updated else "",
        citation=meta.citation,
        citation_url=meta.homepage,
        vintage=f"openFDA FAERS data last updated {updated}" if updated else "",
    )


def term_counts(bodies: dict, ingredient: str, dimension: str) -> pd.DataFrame:
    body = bodies.get(f"{ingredient}_{dimension}", {"results": []})
    rows = pd.DataFrame(body.get("results", []), columns=["term", "count"])
    terms = rows["term"].astype(str)
    return pd.DataFrame(
        {
            "ingredient": ingredient,
            "dimension": dimension,
            "term": terms,
            "label": terms.map(LABELS[dimension]).fillna(terms),
            "reports": rows["count"].astype("int64"),
        }
    )


def reaction_counts(bodies: dict, who: str) -> pd.DataFrame:
    body = bodies.get(f"{who}_reactions", {"results": []})
    rows = pd.DataFrame(body.get("results", []), columns=["term", "count"])
    return pd.DataFrame(
        {
            "ingredient": who,
            "pt": rows["term"].astype(str).str.upper(),
            "reports": rows["count"].astype("int64"),
        }
    )


def signals(reactions: pd.DataFrame, totals: dict[str, int]) -> pd.DataFrame:
    background = reactions[reactions["ingredient"] == "all"][["pt", "reports"]]
    drugs = reactions[reactions["ingredient"].isin(INGREDIENTS)]
    if drugs.empty or background.empty or "all" not in totals:
        # No signal rows, but every column a signal table has (the dashboard reads them).
        columns = {"ingredient": "object", "pt": "object", "a": "int64", "n_drug": "int64",
                   "n_event": "int64", "n_total": "int64"}  # fmt: skip
        frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    else:
        frame = drugs.rename(columns={"reports": "a"}).merge(
            background.rename(columns={"reports": "n_event"}), on="pt", how="inner"
        )
        frame["n_drug"] = frame["ingredient"].map(totals).astype("int64")
        frame["n_total"] = totals["all"]
        frame = frame[frame["n_event"] >= frame["a"]]
    return mask_expected(signals_from_counts(frame), load_label_expected())


def indicators(meta: SourceMeta) -> pd.DataFrame:
    what = {"ketamine": "with ketamine (openFDA generic name KETAMINE HYDROCHLORIDE)",
            "esketamine": "with esketamine (active substance ESKETAMINE)",
            "all": "of any drug (background)"}  # fmt: skip
    rows = [
        {
            "id": f"openfda_{who}_reports",
            "source": meta.id,
            "label": f"openFDA reports {text.split(' (')[0]}",
            "definition": f"FAERS safety reports {text}, by quarter of FDA receipt (receivedate).",
            "unit": "reports",
            "domain": "adverse_events",
            "comparability": (
                "openFDA keeps the latest version of each report but does not merge duplicate "
                "cases; counts differ from de-duplicated FAERS quarterly counts."
            ),
            "series_breaks": "2019-03-05 Spravato approval (esketamine)",
            "substance": "all drugs" if who == "all" else who,
        }
        for who, text in what.items()
    ]
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
