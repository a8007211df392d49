"""The two detectors for series Farrington does not fit: EWMA for short count series and a
logit-linear regression for proportions. Both test one period k of a regular series against a
baseline of the `baseline` periods before it, leaving a guard band of `guard` periods between,
and alarm on increases only (a surveillance system looks for more harm, not less).

- EWMA (Roberts 1959; CDC NSSP-ESSENCE): the baseline gives μ and σ (σ at least √μ, the Poisson
  floor, so a flat baseline does not make every change an alarm); the statistic
  z = λ·x + (1 − λ)·z₋₁ runs from μ through the guard band to k; the alarm limit on z is
  μ + t₁₋α,ₘ₋₁·σ·√(λ/(2 − λ)·(1 − (1 − λ)^(2n)) + 1/m) for m baseline values (the last term and
  Student's t because μ and σ are estimated from a short baseline, which otherwise doubles the
  false alarms: benchmarks/README.md). It is returned on the value's own scale: the smallest
  x at k whose z would cross the limit, so "value above threshold" is the alarm.
- Logit regression: logit(p) = a + b·t on the baseline (percentages clipped to 0.5–99.5 %), and
  the one-sided 1 − α prediction bound at k (Student t), back-transformed to a percentage. The
  published percentages come without their denominators, so this is not a binomial GLM.

Each returns (expected, threshold) or None when the baseline has too few values.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

MIN_BASELINE = 5


def _baseline(values: np.ndarray, k: int, baseline: int, guard: int) -> np.ndarray | None:
    start, stop = k - guard - baseline, k - guard
    if start < 0:
        return None
    window = values[start:stop]
    window = window[np.isfinite(window)]
    return window if len(window) >= MIN_BASELINE else None


def ewma_at(
    values: np.ndarray, k: int, *, baseline: int, guard: int, alpha: float, ewma_lambda: float
) -> tuple[float, float] | None:
    base = _baseline(values, k, baseline, guard)
    if base is None:
        return None
    mu = float(base.mean())
    sigma = max(float(base.std(ddof=1)), np.sqrt(max(mu, 0.0)), 1e-9)
    lam = ewma_lambda
    z = mu
    for x in values[k - guard : k]:
        z = lam * x + (1 - lam) * z if np.isfinite(x) else z
    steps = guard + 1
    # The baseline mean is itself estimated: its variance σ²/n is added, and Student's t used.
    spread = np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps)) + 1 / len(base))
    limit = mu + stats.t.ppf(1 - alpha, len(base) - 1) * sigma * spread
    return mu, float((limit - (1 - lam) * z) / lam)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p / 100.0, 0.005, 0.995)
    return np.log(q / (1 - q))


def logit_at(
    values: np.ndarray, k: int, *, baseline: int, guard: int, alpha: float
) -> tuple[float, float] | None:
    start, stop = k - guard - baseline, k - guard
    if start < 0:
        return None
    t = np.arange(start, stop, dtype=float)
    y = values[start:stop]
    keep = np.isfinite(y)
    if keep.sum() < MIN_BASELINE:
        return None
    t, z = t[keep], _logit(y[keep])
    n = len(t)
    slope, intercept = np.polyfit(t, z, 1)
    resid = z - (intercept + slope * t)
    s2 = float(resid @ resid) / (n - 2)
    leverage = 1 + 1 / n + (k - t.mean()) ** 2 / float(((t - t.mean()) ** 2).sum())
    centre = intercept + slope * k
    upper = centre + stats.t.ppf(1 - alpha, n - 2) * np.sqrt(max(s2, 1e-12) * leverage)
    return float(100 / (1 + np.exp(-centre))), float(100 / (1 + np.exp(-upper)))
