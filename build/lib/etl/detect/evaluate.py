"""Run the detectors over every published series: one row per series (which rule, or why none)
and one row per series and tested period (value, expected, threshold, alarm, reason).

A series is one (indicator, geography, stratum) of `observations`. Its periods are laid on a
regular monthly, quarterly or annual grid so "one year back" is a fixed number of steps; a missing
period is a gap (NaN), never a zero. The last `evaluate_last` periods of each series are tested
(the band the charts draw); whether an alarm becomes an alert is decided in etl/detect/store.py.
Caveat: a value flagged as revised or provisional is tested like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.detect import words
from etl.detect.farrington import FarringtonParams, farrington_at
from etl.detect.rules import PERIODS_PER_YEAR, TOO_SHORT, Rule, frequency_named, kind_of, rule_for
from etl.detect.simple import ewma_at, logit_at

METHOD_NAMES = {
    "farrington": "Farrington flexible (Noufaily 2013)",
    "ewma": "EWMA control chart",
    "logit": "logit regression",
    "none": "not tested",
}
KEY = ("indicator", "geography", "stratum")
EVALUATION_TEXT = words(
    "source indicator label unit geography stratum series_key period_label method rule reason"
)
SERIES_COLUMNS = words(
    "series_key source indicator label unit geography stratum frequency kind points rule "
    "method status reference"
)


@dataclass(frozen=True)
class Series:
    key: str
    meta: dict
    starts: np.ndarray  # datetime64[M], a regular grid (gaps included)
    labels: np.ndarray  # the published period labels (None in a gap)
    values: np.ndarray  # float, NaN in a gap


def series_key(indicator: str, geography: str, stratum: str) -> str:
    return f"{indicator}|{geography}|{stratum}"


STEP = {"monthly": 1, "quarterly": 3, "annual": 12}


def regular(
    months: np.ndarray, labels: np.ndarray, values: np.ndarray, frequency: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A series (sorted by start month, months since 1970) on a full grid from its first to its
    last period, gaps as NaN. NumPy only: per-series pandas work cost seconds per refresh."""
    keep = np.append(months[1:] != months[:-1], True)  # one value per period: the last given
    months, labels, values = months[keep], labels[keep], values[keep]
    if frequency not in STEP or len(months) == 0:
        return months.astype("datetime64[M]"), labels, values
    slot = (months - months[0]) // STEP[frequency]
    size = int(slot[-1]) + 1
    grid_values = np.full(size, np.nan)
    grid_values[slot] = values
    grid_labels = np.full(size, None, dtype=object)
    grid_labels[slot] = labels
    grid = (months[0] + STEP[frequency] * np.arange(size)).astype("datetime64[M]")
    return grid, grid_labels, grid_values


def check_period(rule: Rule, values: np.ndarray, k: int, frequency: str):
    """(expected, threshold) for period k under the rule, or None when it cannot be tested."""
    p = rule.params
    if rule.method == "farrington":
        params = FarringtonParams(
            freq=PERIODS_PER_YEAR[frequency],
            b=int(p["b"]),
            w=int(p["w"]),
            alpha=float(p["alpha"]),
            weights_threshold=float(p["weights_threshold"]),
            threshold_method=str(p["threshold_method"]),
            limit_cases=int(p["limit_cases"]),
            limit_periods=int(p["limit_periods"]),
            trend=bool(int(p.get("trend", 1))),
        )
        result = farrington_at(values, k, params)  # method named with its threshold below
        return None if result is None else (result.expected, result.upper)
    common = {"baseline": int(p["baseline"]), "guard": int(p["guard"]), "alpha": float(p["alpha"])}
    if rule.method == "ewma":
        return ewma_at(values, k, ewma_lambda=float(p["ewma_lambda"]), **common)
    if rule.method == "logit":
        return logit_at(values, k, **common)
    return None


def method_name(rule: Rule) -> str:
    """The method in words, with Farrington's threshold (they differ in what they assume)."""
    name = METHOD_NAMES[rule.method]
    threshold = rule.params.get("threshold_method")
    return f"{name}, {threshold} threshold" if rule.method == "farrington" else name


def reason_text(row: dict, rule: Rule, frequency: str) -> str:
    where = row["geography"] + (
        "" if row["stratum"] in ("", "all", "total") else f", {row['stratum']}"
    )
    verdict = "above" if row["alarm"] else "within"
    return (
        f"{row['label']} ({where}), {row['period_label']}: {row['value']:,.4g} {row['unit']} is "
        f"{verdict} the threshold of {row['threshold']:,.4g} (expected {row['expected']:,.4g}; "
        f"{method_name(rule)}, α = {rule.params.get('alpha')}, {frequency} rule "
        f"'{rule.rule}')"
    )


def evaluate_series(series: Series, rule: Rule, frequency: str) -> list[dict]:
    values, starts, labels = series.values, series.starts, series.labels
    rows = []
    for k in range(max(len(values) - rule.evaluate_last, 0), len(values)):
        if not np.isfinite(values[k]):
            continue
        tested = check_period(rule, values, k, frequency)
        if tested is None:
            continue
        expected, threshold = tested
        row = {
            **series.meta,
            "series_key": series.key,
            "period_start": starts[k].astype("datetime64[us]"),
            "period_label": labels[k],
            "value": float(values[k]),
            "expected": expected,
            "threshold": threshold,
            "alarm": bool(values[k] > threshold),
            "method": method_name(rule),
            "rule": rule.rule,
        }
        row["reason"] = reason_text(row, rule, frequency)
        rows.append(row)
    return rows


def series_shapes(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per series: its key columns, frequency, kind and number of points (vectorised:
    most series are single published figures and never need a grid)."""
    days = (
        pd.to_datetime(observations["period_end"]) - pd.to_datetime(observations["period_start"])
    ).dt.days
    shapes = (
        observations.assign(_days=days)
        .groupby(["indicator", "geography", "stratum"], sort=True)
        .agg(
            source=("source", "first"),
            label=("label", "first"),
            unit=("unit", "first"),
            points=("value", "size"),
            days=("_days", "median"),
        )
        .reset_index()
    )
    shapes["frequency"] = shapes["days"].map(frequency_named)
    shapes["kind"] = shapes["unit"].map(kind_of)
    return shapes


def series_of(shape: dict, rows: np.ndarray, columns: dict[str, np.ndarray]) -> Series:
    meta = {k: shape[k] for k in ("source", "indicator", "label", "unit", "geography", "stratum")}
    starts, labels, values = regular(
        columns["months"][rows],
        columns["labels"][rows],
        columns["values"][rows],
        shape["frequency"],
    )
    key = series_key(shape["indicator"], shape["geography"], shape["stratum"])
    return Series(key, meta, starts, labels, values)


def as_columns(observations: pd.DataFrame) -> dict[str, np.ndarray]:
    """The sorted observations' start months, labels and values as NumPy arrays."""
    starts = pd.to_datetime(observations["period_start"]).to_numpy().astype("datetime64[M]")
    return {
        "months": starts.astype("int64"),
        "labels": observations["period_label"].to_numpy(dtype=object),
        "values": observations["value"].to_numpy(dtype=float),
    }


def evaluate(observations: pd.DataFrame, rules: list[Rule]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(series, evaluations) for observations with source, indicator, label, unit, geography,
    stratum, period_start, period_end, period_label and value."""
    series_rows, evaluations = [], []
    observations = observations.sort_values([*KEY, "period_start"], kind="stable")
    observations = observations.reset_index(drop=True)
    positions = observations.groupby(list(KEY), sort=True).indices
    columns = as_columns(observations)
    for shape in series_shapes(observations).to_dict("records"):
        rule = rule_for(rules, shape["frequency"], shape["kind"], shape["points"])
        rows = []
        if rule.method != "none":
            rows_of = positions[tuple(shape[k] for k in KEY)]
            series = series_of(shape, rows_of, columns)
            rows = evaluate_series(series, rule, shape["frequency"])
        evaluations += rows
        status = "tested" if rows else (TOO_SHORT if rule.method == "none" else "no baseline")
        series_rows.append(
            {
                **shape,
                "series_key": series_key(*(shape[k] for k in KEY)),
                "rule": rule.rule,
                "method": method_name(rule),
                "status": status,
                "reference": rule.reference,
            }
        )
    tested = pd.DataFrame(evaluations) if evaluations else no_evaluations()
    return pd.DataFrame(series_rows, columns=SERIES_COLUMNS), tested


def no_evaluations() -> pd.DataFrame:
    """The evaluations' columns with their types, for a warehouse with nothing to test."""
    text = dict.fromkeys(EVALUATION_TEXT, pd.Series(dtype="object"))
    numbers = dict.fromkeys(("value", "expected", "threshold"), pd.Series(dtype="float64"))
    return pd.DataFrame(
        {
            **text,
            **numbers,
            "period_start": pd.Series(dtype="datetime64[us]"),
            "alarm": pd.Series(dtype="bool"),
        }
    )
