"""A quasi-Poisson GLM with log link, fitted by iteratively reweighted least squares in NumPy, with
the attributes of a statsmodels `GLMResults` that etl/detect/farrington.py reads (params,
fittedvalues, scale, df_resid, normalized_cov_params, cov_params(), get_hat_matrix_diag(),
converged).

Why not statsmodels' GLM for every fit: a refresh tests thousands of (series, period) baselines,
three or four fits each, and statsmodels' per-fit overhead (2-3 ms) made the step take half a
minute on the seed; these fits have one or two parameters and a few dozen rows.
tests/test_farrington_r.py checks this fit against statsmodels' GLM (same estimates to 1e-6) and
the whole detector against R.

Like R's glm(): start from μ = y + 0.1, stop when |Δdeviance| / (|deviance| + 0.1) < 1e-8 (at most
25 iterations); prior weights w scale the variance (Var y = φ·μ/w); the dispersion is Pearson's
Σ w·(y − μ)²/μ / (n − p).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-8
MAX_ITERATIONS = 25


@dataclass(frozen=True)
class GlmFit:
    params: np.ndarray
    fittedvalues: np.ndarray
    scale: float
    df_resid: int
    converged: bool
    normalized_cov_params: np.ndarray  # (X' W X)⁻¹, as statsmodels names it
    _hat: np.ndarray

    def cov_params(self) -> np.ndarray:
        return self.normalized_cov_params * self.scale

    def get_hat_matrix_diag(self) -> np.ndarray:
        return self._hat


def _deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return float(2 * np.sum(w * term))


def fit_quasipoisson(y: np.ndarray, exog: np.ndarray, weights: np.ndarray | None) -> GlmFit | None:
    """The fit, or None when the weighted least squares step is singular or not finite."""
    w = np.ones_like(y) if weights is None else weights
    mu = y + 0.1
    eta = np.log(mu)
    deviance, converged = _deviance(y, mu, w), False
    for _ in range(MAX_ITERATIONS):
        z = eta + (y - mu) / mu
        working = w * mu
        xtw = exog.T * working
        try:
            beta = np.linalg.solve(xtw @ exog, xtw @ z)
        except np.linalg.LinAlgError:
            return None
        eta = exog @ beta
        mu = np.exp(eta)
        if not np.all(np.isfinite(mu)):
            return None
        new = _deviance(y, mu, w)
        if abs(new - deviance) / (abs(new) + 0.1) < EPSILON:
            converged = True
            deviance = new
            break
        deviance = new
    working = w * mu
    unscaled = np.linalg.inv((exog.T * working) @ exog)
    hat = np.einsum("ij,jk,ik->i", exog, unscaled, exog) * working
    df_resid = len(y) - exog.shape[1]
    scale = float(np.sum(w * (y - mu) ** 2 / mu) / df_resid) if df_resid > 0 else float("nan")
    return GlmFit(beta, mu, scale, df_resid, converged, unscaled, hat)
