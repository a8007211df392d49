"""Farrington flexible (Noufaily et al. 2013), a port of R `surveillance::farringtonFlexible`
(version 1.20) for series without seasonal factors (`noPeriods = 1`) and without a population
offset, on a regular time index.

What it computes, for the period k under test:
- the baseline: the periods within ±w of k − i·freq for i = 1..b (the same season in the b previous
  years), less the w most recent periods before k (`pastWeeksNotIncluded = w`);
- a quasi-Poisson GLM log(μ) = α + β·t on the baseline, refitted with past outbreaks down-weighted
  (Anscombe residuals above `weights_threshold` get weight ∝ s⁻²); the trend is kept only when
  significant (p < 0.05), b ≥ 3 and the prediction does not exceed the baseline's maximum;
- the dispersion φ = max(Pearson χ² / df, 1);
- the threshold: `nbPlugin` (Noufaily 2013, the default recommended there) is the 1 − α quantile of
  a negative binomial with mean μ̂ and variance φ·μ̂; `delta` (Farrington 1996) is the 2/3-power
  transformed normal upper bound, which also suits non-integer values such as loads and rates;
  `muan` plugs in the upper 1 − α bound of μ instead of μ̂ (the rules use it: the plug-in
  exceeded the nominal false-alarm rate in benchmarks/alerts_detection.py);
- `trend = False` (R's `control$trend`) fits the mean alone.
- no threshold (None) when fewer than `limit_cases` were observed in the last `limit_periods`
  periods (R's `limit54`), or when the GLM does not converge.

Reproduced on purpose, to match the reference implementation: after the refit R replaces the
model's working weights by the outbreak weights ω (`model$weights <- omega`), so the trend's t-test
and the prediction's standard error use the dispersion Σ ω·((y − μ)/μ)² / df rather than the
Pearson one (φ itself is the Pearson one). tests/test_farrington_r.py compares expected values and
thresholds with R on real series.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy import stats

from etl.detect.glm import fit_quasipoisson

PTHRESHOLD_TREND = 0.05
# "numpy" (etl/detect/glm.py, fast) or "statsmodels" (its GLM; tests check both agree).
FIT_WITH = "numpy"


@dataclass(frozen=True)
class FarringtonParams:
    freq: int  # periods per year: 12 monthly, 4 quarterly, 1 annual
    b: int = 5  # years back
    w: int = 3  # half-window, in periods
    alpha: float = 0.05
    weights_threshold: float = 2.58
    threshold_method: str = "nbPlugin"  # nbPlugin | delta | muan
    limit_cases: int = 5
    limit_periods: int = 4
    trend: bool = True  # R's control$trend: allow a time trend (kept only when significant)


@dataclass(frozen=True)
class FarringtonResult:
    expected: float
    upper: float
    phi: float
    trend: bool
    baseline_n: int


def first_testable(params: FarringtonParams) -> int:
    """The first 0-based index R can test: k (1-based) ≥ freq·b + w + 1."""
    return params.freq * params.b + params.w


def baseline_index(k: int, params: FarringtonParams) -> np.ndarray:
    """0-based indices of the baseline periods for the 0-based period k."""
    picked: set[int] = set()
    for i in range(1, params.b + 1):
        ref = k - i * params.freq
        picked.update(range(ref - params.w, ref + params.w + 1))
    picked -= set(range(k - params.w, k + 1))
    return np.array(sorted(p for p in picked if p >= 0), dtype=int)


def _fit(y: np.ndarray, t: np.ndarray, trend: bool, weights: np.ndarray | None):
    exog = np.column_stack([np.ones_like(t), t]) if trend else np.ones((len(t), 1))
    if FIT_WITH == "numpy":
        return fit_quasipoisson(y, exog, weights), exog
    model = sm.GLM(y, exog, family=sm.families.Poisson(), var_weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = model.fit(scale="X2", tol=1e-8, maxiter=50)  # R glm: epsilon 1e-8
        except (ValueError, np.linalg.LinAlgError):  # a degenerate baseline: no model
            return None, exog
    return result, exog


def _converged(result) -> bool:
    return (
        result is not None
        and bool(result.converged)
        and bool(np.all(np.isfinite(result.params)))
        and bool(np.isfinite(result.scale))
    )


def _reweighted(y: np.ndarray, t: np.ndarray, trend: bool, params: FarringtonParams):
    """R's algo.farrington.fitGLM.flexible: fit, down-weight outbreaks, refit; None if no fit."""
    result, _ = _fit(y, t, trend, None)
    if not _converged(result) and trend:
        trend = False
        result, _ = _fit(y, t, trend, None)
    if not _converged(result):
        return None
    phi = max(result.scale, 1.0)
    mu = result.fittedvalues
    hat = result.get_hat_matrix_diag()
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - mu**0.5) / np.sqrt(phi * (1 - hat))
    big = s > params.weights_threshold
    inverse_square = np.where(big, s, 1.0) ** -2.0
    gamma = len(s) / np.sum(inverse_square)
    omega = gamma * inverse_square
    result, _ = _fit(y, t, trend, omega)
    return _Fit(result, trend, omega, y) if _converged(result) else None


@dataclass(frozen=True)
class _Fit:
    result: object
    trend: bool
    omega: np.ndarray
    y: np.ndarray

    @property
    def phi(self) -> float:
        return max(float(self.result.scale), 1.0)

    @property
    def r_scale(self) -> float:
        """The dispersion R's summary.glm and predict.glm use after the refit (see top)."""
        mu = self.result.fittedvalues
        return float(np.sum(self.omega * ((self.y - mu) / mu) ** 2) / self.result.df_resid)

    def cov(self) -> np.ndarray:
        return np.asarray(self.result.normalized_cov_params) * self.r_scale


def _predict(fit: _Fit, k1: float) -> tuple[float, float]:
    """Linear predictor and its standard error at time k1 (1-based), as predict.glm(type=link)."""
    x0 = np.array([1.0, k1]) if fit.trend else np.array([1.0])
    eta = float(x0 @ fit.result.params)
    se = float(np.sqrt(x0 @ fit.cov() @ x0))
    return eta, se


def _trend_kept(fit: _Fit, k1: float, params: FarringtonParams) -> bool:
    eta, _ = _predict(fit, k1)
    tvalue = fit.result.params[1] / np.sqrt(fit.cov()[1, 1])
    pvalue = 2 * stats.t.sf(abs(tvalue), fit.result.df_resid)
    return params.b >= 3 and pvalue < PTHRESHOLD_TREND and np.exp(eta) <= np.nanmax(fit.y)


def fit_baseline(y: np.ndarray, t: np.ndarray, k1: float, params: FarringtonParams):
    """(eta, se_eta, phi, trend) for the period at time k1, or None when no model converges."""
    fit = _reweighted(y, t, params.trend, params)
    if fit is not None and fit.trend and not _trend_kept(fit, k1, params):
        fit = _reweighted(y, t, False, params)
    if fit is None:
        return None
    eta, se = _predict(fit, k1)
    return eta, se, fit.phi, fit.trend


def upper_bound(eta: float, se_eta: float, phi: float, params: FarringtonParams) -> float:
    """The alarm threshold for a prediction (see the module docstring)."""
    mu = float(np.exp(eta))
    z = stats.norm.ppf(1 - params.alpha)
    if params.threshold_method == "delta":
        se_mu = se_eta * mu  # predict.glm(type="response") by the delta method
        tau = phi + se_mu**2 / mu
        se = np.sqrt(4 / 9 * mu ** (1 / 3) * tau)
        return float((mu ** (2 / 3) + z * se) ** 1.5)
    quantile_mu = mu if params.threshold_method == "nbPlugin" else float(np.exp(eta + z * se_eta))
    if not np.isfinite(quantile_mu):
        return float("nan")
    if phi > 1:
        return float(stats.nbinom.ppf(1 - params.alpha, quantile_mu / (phi - 1), 1 / phi))
    return float(stats.poisson.ppf(1 - params.alpha, quantile_mu))


def farrington_at(values: np.ndarray, k: int, params: FarringtonParams) -> FarringtonResult | None:
    """Expected value and threshold for the 0-based period k of a regular series (NaN = missing)."""
    if k < first_testable(params):
        return None
    recent = values[max(k - params.limit_periods + 1, 0) : k + 1]
    if np.nansum(recent) < params.limit_cases:
        return None
    idx = baseline_index(k, params)
    y = values[idx]
    keep = np.isfinite(y)
    if keep.sum() < 3 or np.any(y[keep] < 0) or not np.any(y[keep] > 0):
        return None
    y, t = y[keep].astype(float), (idx[keep] + 1).astype(float)
    fitted = fit_baseline(y, t, float(k + 1), params)
    if fitted is None:
        return None
    eta, se_eta, phi, trend = fitted
    upper = upper_bound(eta, se_eta, phi, params)
    if not np.isfinite(upper):
        return None
    return FarringtonResult(float(np.exp(eta)), upper, phi, trend, int(keep.sum()))
