"""The Farrington flexible port (etl/detect/farrington.py) against the reference implementation,
R `surveillance::farringtonFlexible`, on the same series with the parameters of
etl/data/alert_rules.csv: expected values and upper thresholds within 1 % at every period R tests.

Series: NFLIS monthly samples, an EUDA city's annual loads and ONS annual deaths (real values,
tests/fixtures/alerts/SOURCE.md), and FAERS quarterly ketamine report counts from a generated
20-quarter set, counted by the FAERS loader. R comes from Debian (`r-base-core`,
`r-cran-surveillance`; .ci/run installs them); the test skips only when `Rscript` is absent.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.detect.evaluate import check_period
from etl.detect.farrington import FarringtonParams, farrington_at, first_testable
from etl.detect.rules import PERIODS_PER_YEAR, load_rules
from etl.faers.load import load_quarters
from tests.alerts_kit import write_faers_history

ROOT = Path(__file__).resolve().parents[1]
R_SCRIPT = ROOT / "tests" / "r" / "farrington.R"
REAL = ROOT / "tests" / "fixtures" / "alerts" / "real_series.csv"
RULES = {rule.rule: rule for rule in load_rules()}
TOLERANCE = 0.01

NEEDS_R = pytest.mark.skipif(
    shutil.which("Rscript") is None,
    reason="R is absent: install Debian's r-base-core and r-cran-surveillance (.ci/run does)",
)


def params_of(rule_name: str, frequency: str, method: str | None = None) -> FarringtonParams:
    p = RULES[rule_name].params
    return FarringtonParams(
        freq=PERIODS_PER_YEAR[frequency],
        b=int(p["b"]),
        w=int(p["w"]),
        alpha=float(p["alpha"]),
        weights_threshold=float(p["weights_threshold"]),
        threshold_method=method or str(p["threshold_method"]),
        limit_cases=int(p["limit_cases"]),
        limit_periods=int(p["limit_periods"]),
        trend=bool(int(p.get("trend", 1))),
    )


def r_reference(values: np.ndarray, params: FarringtonParams, tmp_path: Path) -> pd.DataFrame:
    points = list(range(first_testable(params) + 1, len(values) + 1))
    settings = [params.freq, params.b, params.w, params.alpha, params.weights_threshold,
                params.limit_cases, params.limit_periods, int(params.trend)]  # fmt: skip
    spec = tmp_path / "series.txt"
    spec.write_text(
        "\n".join(
            [
                ",".join(repr(float(v)) for v in values),
                ",".join(str(s) for s in settings),
                params.threshold_method,
                ",".join(map(str, points)),
            ]
        )
        + "\n"
    )
    done = subprocess.run(
        ["Rscript", str(R_SCRIPT), str(spec)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"R failed (is r-cran-surveillance installed?): {done.stderr}"
    return pd.read_csv(io.StringIO(done.stdout))


def compare(values: np.ndarray, params: FarringtonParams, tmp_path: Path) -> int:
    """Assert agreement at every period R tests; return how many periods were compared."""
    reference = r_reference(values, params, tmp_path).dropna(subset=["upper"])
    assert len(reference) >= 3, "R tested too few periods to compare"
    for row in reference.itertuples():
        mine = farrington_at(values, int(row.k) - 1, params)
        assert mine is not None, f"period {row.k}: R gives a threshold, the port none"
        assert mine.expected == pytest.approx(row.expected, rel=TOLERANCE), f"expected at {row.k}"
        assert mine.upper == pytest.approx(row.upper, rel=TOLERANCE), f"threshold at {row.k}"
    return len(reference)


def real_series(name: str) -> np.ndarray:
    frame = pd.read_csv(REAL)
    return frame.loc[frame["series"] == name, "value"].to_numpy(dtype=float)


@NEEDS_R
@pytest.mark.parametrize("method", ["muan", "nbPlugin", "delta"])
def test_nflis_monthly_samples_match_r(method: str, tmp_path: Path) -> None:
    values = real_series("nflis_monthly_club_drugs_samples")
    assert len(values) == 132
    assert compare(values, params_of("monthly_counts", "monthly", method), tmp_path) >= 60


@NEEDS_R
def test_euda_city_loads_match_r(tmp_path: Path) -> None:
    values = real_series("euda_zagreb_cocaine")
    assert compare(values, params_of("annual_rates", "annual"), tmp_path) >= 5


@NEEDS_R
def test_ons_annual_deaths_match_r(tmp_path: Path) -> None:
    values = real_series("ons_deaths_all_persons")
    assert compare(values, params_of("annual_counts", "annual"), tmp_path) >= 20


GENERATED_SEED = 20190305


def generated_counts() -> list[int]:
    rng = np.random.default_rng(GENERATED_SEED)
    return [int(c) for c in rng.negative_binomial(20, 20 / (20 + 40), 20)]


def load_generated_faers(workdir: Path) -> np.ndarray:
    """Ketamine reports per quarter, as the FAERS loader counts a generated 20-quarter set."""
    mirror = write_faers_history(workdir / "faers-mirror", generated_counts())
    con = duckdb.connect()
    try:
        load_quarters(con, sorted((mirror / "faers_quarterly").iterdir()))
        sql = (
            "SELECT reports FROM faers_quarterly_counts WHERE ingredient = 'ketamine' "
            "AND role_scope = 'any' ORDER BY quarter"
        )
        return con.execute(sql).df()["reports"].to_numpy(dtype=float)
    finally:
        con.close()


@NEEDS_R
def test_generated_faers_quarterly_counts_match_r(tmp_path: Path) -> None:
    values = load_generated_faers(tmp_path)
    assert values.tolist() == generated_counts()  # the loader counted what was generated
    assert compare(values, params_of("quarterly_counts", "quarterly"), tmp_path) >= 5


def test_the_rule_path_uses_the_compared_port() -> None:
    """evaluate.check_period with the monthly rule gives the port's numbers (no other code path)."""
    values = real_series("nflis_monthly_club_drugs_samples")
    k = len(values) - 1
    mine = farrington_at(values, k, params_of("monthly_counts", "monthly"))
    assert check_period(RULES["monthly_counts"], values, k, "monthly") == (
        mine.expected,
        mine.upper,
    )


def test_numpy_fit_agrees_with_statsmodels_glm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast IRLS (etl/detect/glm.py) gives statsmodels' quasi-Poisson GLM results."""
    from etl.detect import farrington

    values = real_series("nflis_monthly_club_drugs_samples")
    params = params_of("monthly_counts", "monthly")
    ks = range(first_testable(params), len(values))
    fast = [farrington_at(values, k, params) for k in ks]
    monkeypatch.setattr(farrington, "FIT_WITH", "statsmodels")
    reference = [farrington_at(values, k, params) for k in ks]
    for mine, theirs in zip(fast, reference, strict=True):
        assert mine.expected == pytest.approx(theirs.expected, rel=1e-6)
        assert mine.upper == pytest.approx(theirs.upper, rel=1e-6)
        assert mine.phi == pytest.approx(theirs.phi, rel=1e-6)
