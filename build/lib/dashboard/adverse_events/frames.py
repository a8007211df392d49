"""Pure frame helpers for the Adverse events page: the reader's choice and the indicators it
selects, reporting breaks, provenance columns for detail-table rows, the signal table as analysts
read it, people counts by part, published figures grouped by unit. No Streamlit, no SQL."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import warehouse_contract as wc
from dashboard.common import transforms

EVANS = "Evans (PRR ≥ 2, χ² ≥ 4, a ≥ 3)"
ROR_RULE = "ROR 95% CI lower bound > 1 (a ≥ 3)"
# Units of published FAERS figures that are charted: (chart title, x title, log scale).
PUBLISHED_TITLES = {
    "reports": ("Reports analysed in published FAERS studies", "reports", False),
    "cases": ("Cases analysed in published FAERS studies", "cases", False),
    "ROR": ("Published reporting odds ratios (log scale; 1 = no disproportion)", "ROR", True),
    "percent": ("Published shares of signals by system organ class", "percent", False),
}
PUBLISHED_UNITS = tuple(PUBLISHED_TITLES)


def with_provenance(frame: pd.DataFrame, source: dict) -> pd.DataFrame:
    """Add the source's citation, link, vintage and title to every row (for captions and the
    citation file), so a chart of a detail table cites like a chart of observations."""
    if frame.empty:
        return frame
    vintage = source.get("vintage") or str(source.get("last_success") or "")[:10] or None
    return frame.assign(
        source_title=source.get("title"),
        citation=source.get("citation"),
        citation_url=source.get("homepage"),
        vintage=vintage,
    )


def with_share(frame: pd.DataFrame) -> pd.DataFrame:
    """`share` = reports / the drug's reports, where the total is known."""
    if frame.empty or "drug_reports" not in frame:
        return frame
    total = frame["drug_reports"].astype("float64").replace(0, np.nan)
    return frame.assign(share=frame["reports"] / total)


def criteria_met(evans: pd.Series, ror_signal: pd.Series) -> pd.Series:
    """'Evans (...); ROR ...' per row, or 'none'."""
    parts = [
        "; ".join(name for name, met in ((EVANS, bool(e)), (ROR_RULE, bool(r))) if met) or "none"
        for e, r in zip(evans, ror_signal, strict=True)
    ]
    return pd.Series(parts, index=evans.index, dtype="object")


def _interval(value: pd.Series, lower: pd.Series, upper: pd.Series) -> pd.Series:
    def one(v: float, lo: float, hi: float) -> str:
        if not np.isfinite(v):
            return "not estimable (a zero cell)"
        low = f"{lo:,.2f}" if np.isfinite(lo) else "–"
        high = f"{hi:,.2f}" if np.isfinite(hi) else "∞"
        return f"{v:,.2f} ({low} to {high})"

    return pd.Series(
        [one(*t) for t in zip(value, lower, upper, strict=True)], index=value.index, dtype="object"
    )


def signal_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The signal rows as shown: counts of the 2x2 table, PRR and ROR with 95% CIs, chi², the
    criteria met and whether the event is expected from the label."""
    if frame.empty:
        return frame
    numeric = frame.astype(
        {c: "float64" for c in ("prr", "prr_lower", "prr_upper", "ror", "ror_lower", "ror_upper")}
    )
    return pd.DataFrame(
        {
            "drug": frame["ingredient"],
            "event (MedDRA PT)": frame["pt"],
            "a: drug + event": frame["a"],
            "b: drug, other events": frame["b"],
            "c: comparator + event": frame["c"],
            "d: comparator, other events": frame["d"],
            "PRR (95% CI)": _interval(numeric["prr"], numeric["prr_lower"], numeric["prr_upper"]),
            "ROR (95% CI)": _interval(numeric["ror"], numeric["ror_lower"], numeric["ror_upper"]),
            "chi² (Yates)": frame["chi2"].astype("float64").round(2),
            "criteria met": criteria_met(frame["evans"], frame["ror_signal"]),
            "label-expected": frame["label_expected"].map({True: "yes", False: "no"}),
        }
    )


def forest_rows(frame: pd.DataFrame, per_drug: int = 20) -> pd.DataFrame:
    """Rows whose ROR and CI are finite (a zero cell has none), the most-reported per drug."""
    if frame.empty:
        return frame
    cols = ["ror", "ror_lower", "ror_upper"]
    values = frame[cols].astype("float64")
    finite = np.isfinite(values).all(axis=1) & (values["ror_lower"] > 0)
    kept = frame[finite].sort_values(["ingredient", "a"], ascending=[True, False])
    return kept.groupby("ingredient", group_keys=False).head(per_drug).reset_index(drop=True)


def published_by_unit(frame: pd.DataFrame) -> tuple[list[tuple[str, pd.DataFrame]], pd.DataFrame]:
    """([(unit, rows to chart)], rows for the table only). Each figure is named with its label,
    stratum and period, since each comes from its own study and definition."""
    if frame.empty:
        return [], frame
    named = frame.assign(
        figure=[
            f"{label} — {stratum}, {period}"
            for label, stratum, period in zip(
                frame["label"], frame["stratum"], frame["period_label"], strict=True
            )
        ]
    )
    charted = [
        (unit, named[named["unit"] == unit].reset_index(drop=True))
        for unit in PUBLISHED_UNITS
        if (named["unit"] == unit).any()
    ]
    rest = named[~named["unit"].isin(PUBLISHED_UNITS)].reset_index(drop=True)
    return charted, rest


# ---- the reader's choice and what it selects ---------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """What the reader picked: the data source (None when neither FAERS nor openFDA is loaded),
    the drugs, the drug's role in the report ('any' or 'suspect', FAERS only), the years
    received (None = all), whether label-expected events are masked from the signals, and the
    signals' comparator ('all' other drugs, or an active comparator group)."""

    source: str | None
    drugs: tuple[str, ...]
    role: str = "any"
    first: int | None = None
    last: int | None = None
    mask: bool = False
    comparator: str = "all"


def report_indicators(source: str, drugs: tuple[str, ...], role: str) -> tuple[str, ...]:
    """The per-quarter report indicators of one source for the chosen drugs (and role, FAERS)."""
    if source == wc.FAERS_QUARTERLY:
        scope = "suspect" if role == "suspect" else "any"
        return tuple(wc.FAERS_QUARTERLY_REPORTS[(d, scope)] for d in drugs)
    return tuple(wc.OPENFDA_REPORTS[d] for d in drugs)


def reporting_breaks(approvals: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Breaks to draw on the reports chart (date, label, detail): the first approval of Spravato
    (reports of a new product start with its launch), then the breaks the indicators document
    (`series_breaks`), leaving out their own mention of Spravato (the approval is already drawn)."""
    breaks = pd.DataFrame(columns=["date", "label", "detail"])
    if not approvals.empty:
        spravato = approvals.iloc[0]
        breaks = pd.DataFrame(
            {
                "date": [pd.Timestamp(spravato["date"])],
                "label": [f"{spravato['agency']} approves Spravato: reporting break"],
                "detail": [spravato["event"]],
            }
        )
    documented = [
        (when, text)
        for raw in rows.get("series_breaks", pd.Series(dtype=object)).dropna().unique()
        for when, text in transforms.parse_breaks(str(raw))
        if "spravato" not in text.lower()
    ]
    if documented:
        extra = pd.DataFrame(documented, columns=["date", "detail"]).drop_duplicates("date")
        breaks = pd.concat([breaks, extra.assign(label=extra["detail"])], ignore_index=True)
    return breaks


# The `dimension` each source gives to sex, age and reporter type.
PEOPLE_DIMENSIONS = {
    wc.FAERS_QUARTERLY: {"sex": "sex", "age": "age", "reporter": "reporter"},
    wc.OPENFDA: {"sex": "sex", "age": "agegroup", "reporter": "qualification"},
}


def people_part(people: pd.DataFrame, source: str, part: str) -> pd.DataFrame:
    """The rows of one part ('sex', 'age' or 'reporter') of a source's people counts."""
    if people.empty:
        return people
    return people[people["dimension"] == PEOPLE_DIMENSIONS[source][part]]
