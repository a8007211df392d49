"""The simulation benchmark (benchmarks/alerts_detection.py) in the suite, on fewer series: with
the rules' own parameters, in-control negative-binomial series do not alarm significantly more
often than 1.5 × α per tested period (one-sided binomial test at 5 %: 1,000 tests cannot tell
1.3 % from 1.5 %, the full-size run in benchmarks/README.md gives the point estimates), and a
doubling is detected within 2 periods at least 80 % of the time. Deterministic (fixed seed)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from scipy.stats import binomtest

from benchmarks.alerts_detection import SCENARIOS, detections, false_alarms
from etl.detect.rules import load_rules

RULES = {rule.rule: rule for rule in load_rules()}
ARGS = argparse.Namespace(reps=250, mean=30.0, phi=1.5)


@pytest.mark.parametrize(("name", "frequency", "length"), SCENARIOS)
def test_false_alarms_and_detection_of_a_doubling(name: str, frequency: str, length: int) -> None:
    rule = RULES[name]
    rng = np.random.default_rng(20130101)
    alarms, tested = false_alarms(rule, frequency, length, ARGS, rng)
    assert tested >= 3 * ARGS.reps  # the detector tested (nearly) every period
    limit = 1.5 * float(rule.params["alpha"])
    assert binomtest(alarms, tested, limit, alternative="greater").pvalue > 0.05, alarms / tested
    hits, reps = detections(rule, frequency, length, 2.0, ARGS, rng)
    assert hits / reps >= 0.8
