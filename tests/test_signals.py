"""Disproportionality against hand-computed 2x2 tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from etl.signals import (
    disproportionality,
    load_label_expected,
    mask_expected,
    signal_table,
    signals_from_counts,
    signals_vs_active_comparator,
    table_from_counts,
)


def test_textbook_table() -> None:
    # a=20, b=80, c=100, d=9800; N = 10000.
    # PRR = (20/100) / (100/9900) = 0.2 / 0.0101010 = 19.8
    # ROR = (20*9800) / (80*100) = 196000 / 8000 = 24.5
    # se ln ROR = sqrt(1/20 + 1/80 + 1/100 + 1/9800) = sqrt(0.05 + 0.0125 + 0.01 + 0.00010204)
    #           = sqrt(0.07260204) = 0.269448
    # ROR CI = 24.5 * exp(±1.96 * 0.269448) = 24.5 * exp(±0.528118) -> 14.448 .. 41.545
    # se ln PRR = sqrt(1/20 - 1/100 + 1/100 - 1/9900) = sqrt(0.05 - 0.00010101) = 0.223383
    # PRR CI = 19.8 * exp(±1.96 * 0.223383) = 19.8 * exp(±0.437831) -> 12.780 .. 30.677
    # ad - bc = 196000 - 8000 = 188000; margins (a+b)(c+d)(a+c)(b+d) = 100*9900*120*9880
    #         = 1.1737440e12
    # chi2 (Yates) = 10000 * (188000 - 5000)^2 / 1.173744e12 = 10000 * 3.3489e10 / 1.173744e12
    #              = 285.318
    # chi2 (no correction) = 10000 * 188000^2 / 1.173744e12 = 301.122
    r = disproportionality(20, 80, 100, 9800)
    assert r.prr == pytest.approx(19.8)
    assert r.ror == pytest.approx(24.5)
    assert r.ror_lower == pytest.approx(14.448, abs=1e-3)
    assert r.ror_upper == pytest.approx(41.545, abs=1e-3)
    assert r.prr_lower == pytest.approx(12.780, abs=1e-3)
    assert r.prr_upper == pytest.approx(30.677, abs=1e-3)
    assert r.chi2 == pytest.approx(285.318, abs=1e-3)
    assert r.chi2_uncorrected == pytest.approx(301.122, abs=1e-3)
    assert r.evans and r.ror_signal


def test_small_a_fails_evans_even_with_high_prr() -> None:
    # a=2, b=8, c=10, d=980: PRR = 0.2 / (10/990) = 19.8, but a < 3.
    # Yates chi2 = 1000 * (|2*980 - 8*10| - 500)^2 / (10*990*12*988)
    #            = 1000 * 1380^2 / 117374400 = 16.225
    r = disproportionality(2, 8, 10, 980)
    assert r.prr == pytest.approx(19.8)
    assert r.chi2 == pytest.approx(16.225, abs=1e-3)
    assert not r.evans
    assert not r.ror_signal


def test_no_disproportion() -> None:
    # a/(a+b) = 10/100 = c/(c+d) = 100/1000 -> PRR = 1; ROR = 10*900/(90*100) = 1.
    # Yates: |9000 - 9000| - 550 < 0 -> clipped to 0.
    r = disproportionality(10, 90, 100, 900)
    assert r.prr == pytest.approx(1.0)
    assert r.ror == pytest.approx(1.0)
    assert r.chi2 == 0
    assert not r.evans and not r.ror_signal


def test_prr_two_chi2_borderline() -> None:
    # a=3, b=97, c=150, d=9750: PRR = 0.03 / (150/9900) = 1.98 (just under 2) -> no Evans signal.
    r = disproportionality(3, 97, 150, 9750)
    assert r.prr == pytest.approx(1.98)
    assert not r.evans


def test_zero_cell_gives_inf_not_exception() -> None:
    r = disproportionality(3, 7, 0, 990)
    assert math.isinf(r.prr) and math.isinf(r.ror)


def test_vectorised_matches_scalar_and_counts_route() -> None:
    # From marginals: a=20, n_drug=100, n_event=120, N=10000 -> b=80, c=100, d=9800.
    assert table_from_counts(a=20, n_drug=100, n_event=120, n_total=10000) == (20, 80, 100, 9800)
    frame = pd.DataFrame(
        {"a": [20, 2], "n_drug": [100, 10], "n_event": [120, 12], "n_total": [10000, 1000]}
    )
    out = signals_from_counts(frame)
    assert out["prr"].tolist() == pytest.approx([19.8, 19.8])
    assert out["evans"].tolist() == [True, False]
    with pytest.raises(ValueError, match="inconsistent"):
        table_from_counts(a=5, n_drug=4, n_event=10, n_total=100)


def test_active_comparator() -> None:
    # Drug: 200 reports, 20 with the event. Comparator: 1000 reports, 25 with it.
    # a=20, b=180, c=25, d=975: PRR = 0.1 / 0.025 = 4; ROR = 20*975 / (180*25) = 4.3333.
    drug = pd.DataFrame({"pt": ["DISSOCIATION", "RASH"], "reports": [20, 4]})
    comparator = pd.DataFrame({"pt": ["DISSOCIATION"], "reports": [25]})
    out = signals_vs_active_comparator(drug, comparator, n_drug=200, n_comparator=1000)
    row = out.set_index("pt").loc["DISSOCIATION"]
    assert row["prr"] == pytest.approx(4.0)
    assert row["ror"] == pytest.approx(19500 / 4500)
    assert out.set_index("pt").loc["RASH", "c"] == 0


def test_masking_flags_or_drops_label_expected_events() -> None:
    expected = load_label_expected()
    assert {"DISSOCIATION", "SEDATION"} <= set(
        expected.loc[expected.ingredient == "esketamine", "pt"]
    )
    frame = signal_table(
        pd.DataFrame(
            {
                "ingredient": ["esketamine", "esketamine", "ketamine"],
                "pt": ["Dissociation", "SEIZURE", "DISSOCIATION"],
                "a": [20, 5, 9],
                "b": [80, 95, 91],
                "c": [100, 50, 100],
                "d": [9800, 9850, 9800],
            }
        )
    )
    flagged = mask_expected(frame, expected)
    assert flagged["label_expected"].tolist() == [True, False, False]
    kept = mask_expected(frame, expected, drop=True)
    assert kept["pt"].tolist() == ["SEIZURE", "DISSOCIATION"]
