"""The Farrington port against R `surveillance::farringtonFlexible`: the largest relative
difference in expected value and threshold over every period R tests, per series and threshold
method, with the rules' parameters. The same comparison is asserted (within 1 %) by
tests/test_farrington_r.py; this script writes the measured differences to benchmarks/README.md.

Series: tests/fixtures/alerts/real_series.csv (real NFLIS, EUDA and ONS values) and generated
FAERS quarterly counts counted by the FAERS loader. Needs Rscript and r-cran-surveillance.

    python benchmarks/alerts_r_compare.py --readme
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks._alerts_harness import write_section  # noqa: E402
from etl.detect.farrington import farrington_at  # noqa: E402
from tests.test_farrington_r import (  # noqa: E402
    load_generated_faers,
    params_of,
    r_reference,
    real_series,
)

MARK = "<!-- alerts-r-compare -->"
CASES = (
    ("NFLIS monthly club-drug samples, US (132 months)", "nflis", "monthly_counts", "monthly"),
    ("EUDA cocaine load, Zagreb (14 years)", "euda", "annual_rates", "annual"),
    ("ONS drug-poisoning deaths, England and Wales (30 years)", "ons", "annual_counts", "annual"),
    ("FAERS ketamine reports, generated (20 quarters)", "faers", "quarterly_counts", "quarterly"),
)
SERIES = {"nflis": "nflis_monthly_club_drugs_samples", "euda": "euda_zagreb_cocaine",
          "ons": "ons_deaths_all_persons"}  # fmt: skip


def differences(values: np.ndarray, params, workdir: Path) -> tuple[int, float, float]:
    reference = r_reference(values, params, workdir).dropna(subset=["upper"])
    worst_e = worst_u = 0.0
    for row in reference.itertuples():
        mine = farrington_at(values, int(row.k) - 1, params)
        worst_e = max(worst_e, abs(mine.expected / row.expected - 1))
        worst_u = max(worst_u, abs(mine.upper / row.upper - 1))
    return len(reference), worst_e, worst_u


def run() -> list[str]:
    lines = [
        "| series | rule | threshold | periods compared | max rel. diff. expected "
        "| max rel. diff. threshold |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for title, key, rule, frequency in CASES:
            values = load_generated_faers(workdir) if key == "faers" else real_series(SERIES[key])
            methods = ("muan", "nbPlugin", "delta") if key == "nflis" else (None,)
            for method in methods:
                params = params_of(rule, frequency, method)
                n, e, u = differences(values, params, workdir)
                lines.append(
                    f"| {title} | {rule} | {params.threshold_method} | {n} | {e:.1e} | {u:.1e} |"
                )
                print(lines[-1], flush=True)
    return lines


def write_readme(lines: list[str]) -> None:
    version = subprocess.run(
        ["Rscript", "-e", "cat(as.character(packageVersion('surveillance')))"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    intro = (
        "Reproduce: `python benchmarks/alerts_r_compare.py --readme`. R "
        f"`surveillance` {version} (Debian `r-cran-surveillance`), `farringtonFlexible` with "
        "the parameters of `etl/data/alert_rules.csv`; the largest relative difference over "
        "every period R tests. `tests/test_farrington_r.py` asserts each is under 1 %."
    )
    write_section(MARK, "Alert detectors: the Farrington port against R", intro, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readme", action="store_true")
    lines = run()
    if parser.parse_args().readme:
        write_readme(lines)


if __name__ == "__main__":
    main()
