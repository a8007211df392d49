"""Simulated operating characteristics of the alert detectors, with the rules' own parameters.

For each count rule (monthly, quarterly and annual Farrington flexible, short-series EWMA) and
the annual rate rule it simulates negative-binomial series (mean `--mean`, variance
mean·`--phi`) and reports (the rate rule is fed the same counts: its delta threshold is
scale-dependent, so its row says how it behaves on count-like rates, no more):

- the false alarm rate per tested period on in-control series (the last 4 periods of each), with
  its binomial 95 % interval, against the nominal α (criterion: at most 1.5·α);
- the probability of detection within 2 periods of a step of 1.5×, 2× and 3× in the mean that
  starts 2 periods before the end (an alarm at the step's first or second period; criterion:
  ≥ 80 % for 2×).

Synthetic input only; nothing reaches the warehouse.

    python benchmarks/alerts_detection.py --reps 400 --readme
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._alerts_harness import write_section  # noqa: E402
from etl.detect.evaluate import check_period  # noqa: E402
from etl.detect.rules import load_rules  # noqa: E402

SCENARIOS = (("monthly_counts", "monthly", 72), ("quarterly_counts", "quarterly", 20),
             ("short_counts", "quarterly", 12), ("annual_counts", "annual", 12),
             ("annual_counts", "annual", 25), ("annual_rates", "annual", 25))  # fmt: skip
# Baselines measured in the same run: the settings the rules file rejected (Noufaily's plug-in
# threshold; a trend on 3 years of quarters), to show what the chosen ones buy.
BASELINES = (
    ("monthly_counts", "monthly", 72, {"threshold_method": "nbPlugin"}),
    ("quarterly_counts", "quarterly", 20, {"threshold_method": "nbPlugin", "trend": 1}),
    ("quarterly_counts", "quarterly", 20, {"trend": 1}),
    ("annual_counts", "annual", 25, {"trend": 1}),
    ("annual_rates", "annual", 25, {"trend": 1}),
)
STEPS = (1.5, 2.0, 3.0)
MARK = "<!-- alerts-detection -->"


def nb(rng: np.random.Generator, mean: np.ndarray, phi: float) -> np.ndarray:
    """Negative binomial with the given means and variance mean·phi (phi > 1)."""
    size = mean / (phi - 1)
    return rng.negative_binomial(size, size / (size + mean)).astype(float)


def alarm(rule, values: np.ndarray, k: int, frequency: str) -> bool | None:
    tested = check_period(rule, values, k, frequency)
    return None if tested is None else bool(values[k] > tested[1])


def false_alarms(rule, frequency: str, length: int, args, rng) -> tuple[int, int]:
    alarms = tested = 0
    for _ in range(args.reps):
        values = nb(rng, np.full(length, args.mean), args.phi)
        for k in range(length - 4, length):
            result = alarm(rule, values, k, frequency)
            if result is not None:
                tested += 1
                alarms += result
    return alarms, tested


def detections(rule, frequency: str, length: int, step: float, args, rng) -> tuple[int, int]:
    hits = 0
    for _ in range(args.reps):
        mean = np.full(length, args.mean)
        mean[length - 2 :] *= step
        values = nb(rng, mean, args.phi)
        hits += any(alarm(rule, values, k, frequency) for k in (length - 2, length - 1))
    return hits, args.reps


def interval(x: int, n: int) -> str:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(x, n, method="wilson")
    return f"{x / n:.2%} ({low:.2%}–{high:.2%})"


def run(args) -> list[str]:
    rules = {r.rule: r for r in load_rules()}
    rng = np.random.default_rng(args.seed)
    lines = [
        "| rule | series | α | false alarms per period (95% CI) | ≤ 1.5α | "
        + " | ".join(f"detected within 2 periods, {s:g}×" for s in STEPS)
        + " |",
        "|" + " --- |" * (5 + len(STEPS)),
    ]
    cases = [(rules[name], name, frequency, length) for name, frequency, length in SCENARIOS]
    for name, frequency, length, change in BASELINES:
        rule = dataclasses.replace(rules[name], params={**rules[name].params, **change})
        label = f"baseline: {name} with " + ", ".join(f"{k}={v}" for k, v in change.items())
        cases.append((rule, label, frequency, length))
    for rule, name, frequency, length in cases:
        alpha = float(rule.params["alpha"])
        fa, n = false_alarms(rule, frequency, length, args, rng)
        pods = [detections(rule, frequency, length, s, args, rng) for s in STEPS]
        ok = "yes" if fa / n <= 1.5 * alpha else "**no**"
        lines.append(
            f"| {name} ({rule.method}) | {length} {frequency} | {alpha:g} | {interval(fa, n)} "
            f"| {ok} | " + " | ".join(f"{h / r:.1%}" for h, r in pods) + " |"
        )
        print(lines[-1], flush=True)
    return lines


def write_readme(lines: list[str], args, seconds: float) -> None:
    intro = (
        f"Reproduce: `python benchmarks/alerts_detection.py --reps {args.reps} --readme` "
        f"({seconds / 60:.1f} min). Negative-binomial series, mean {args.mean:g}, variance "
        f"{args.phi:g}× the mean, seed {args.seed}; parameters from "
        "`etl/data/alert_rules.csv`. False alarms: the last 4 periods of in-control series. "
        "Detection: a step in the mean starting 2 periods before the end, detected when "
        "either of those 2 periods alarms. The `baseline:` rows are the settings the rules "
        "file rejected, measured in the same run: Noufaily's plug-in threshold (`nbPlugin`, "
        "which ignores the uncertainty of the expected value) and a trend fitted on three "
        "years of quarters or on five years. Annual series have five baseline points: "
        "their dispersion is poorly estimated and they alarm more often than α even "
        "without a trend (the rules file says so)."
    )
    title = "Alert detectors: false alarms and detection (simulated)"
    write_section(MARK, title, intro, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--mean", type=float, default=30.0)
    parser.add_argument("--phi", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=20130101)
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    lines = run(args)
    if args.readme:
        write_readme(lines, args, time.monotonic() - started)


if __name__ == "__main__":
    main()
