"""Rules every chart keeps, checked on what the builders draw (rendered by vl-convert, no
network): no plot squeezed to nothing, time axes that read as years / quarters / months, no two
labels overprinting, a distinct (colour, shape, dash) per series, no tooltip field printing
'null', and context series (all-drug totals) never on a ketamine axis.

The same rules run over every chart the pages draw in tests/test_specs.py; here the builders get
the awkward inputs a real-data build has (two bars, twenty years of quarters, milestones on one
day, a total in the thousands beside ketamine counts in tens)."""

from __future__ import annotations

import itertools
import json
import random

import altair as alt
import pandas as pd
import pytest

from dashboard.adverse_events import charts as adverse_events_charts
from dashboard.common import charts, transforms
from dashboard.common.charts import annotations, axes, label_layout, theme
from dashboard.common.charts.context import is_context, split_context
from dashboard.common.charts.timeseries import marker_styles
from dashboard.common.specs import to_spec
from dashboard.poison_deaths import charts as harm_charts
from dashboard.therapeutic import charts as therapeutic_charts
from tests.chart_render import (
    TIME_LABEL,
    axis_labels,
    render,
    rendered_problems,
    spec_problems,
    tooltip_problems,
)


def observations(
    *,
    series: dict[str, list[float]],
    freq: str = "YS",
    start: str = "2015-01-01",
    flags: dict[int, str] | None = None,
    lower: bool | None = None,
    extra: dict | None = None,
) -> pd.DataFrame:
    """Hand-made observations: one row per period per series (`freq` a pandas period start)."""

    def with_ci(i: int) -> bool:  # lower: True every row, None every other row, False none
        return lower is True or (lower is None and i % 2 == 0)

    rows = []
    for name, values in series.items():
        starts = pd.date_range(start, periods=len(values), freq=freq)
        step = pd.tseries.frequencies.to_offset(freq)
        for i, (begin, value) in enumerate(zip(starts, values, strict=True)):
            end = begin + step - pd.Timedelta(days=1)
            label = (
                str(begin.year)
                if freq == "YS"
                else f"{begin.year}Q{begin.quarter}"
                if freq == "QS"
                else begin.strftime("%Y-%m")
            )
            rows.append(
                {
                    "indicator": name.lower().replace(" ", "_"),
                    "label": name,
                    "geography": "Testland",
                    "stratum": "all",
                    "period_start": begin,
                    "period_end": end,
                    "period_label": label,
                    "value": float(value),
                    "lower": value * 0.8 if with_ci(i) else None,
                    "upper": value * 1.2 if with_ci(i) else None,
                    "unit": "deaths",
                    "flags": (flags or {}).get(i, ""),
                    "citation": f"Publication on {name}",
                    **(extra or {}),
                }
            )
    return pd.DataFrame(rows)


def events(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(date, agency, category) -> the events table's columns."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in rows]),
            "date_label": [r[0] for r in rows],
            "precision": "day",
            "agency": [r[1] for r in rows],
            "category": [r[2] for r in rows],
            "event": [f"{r[1]} {r[2]} on {r[0]}" for r in rows],
            "citation_url": "https://example.org/event",
        }
    )


# Crowded like the real build: three DEA scheduling steps in 1999, FDA + EMA approvals weeks
# apart in 2019, two events on one day, and provisional years at the end.
CROWDED = events(
    [
        ("1999-04-09", "DEA", "scheduling"),
        ("1999-07-13", "DEA", "scheduling"),
        ("1999-08-12", "DEA", "scheduling"),
        ("2014-06-10", "UK Home Office", "scheduling"),
        ("2019-03-05", "FDA", "approval"),
        ("2019-03-05", "DEA", "scheduling"),
        ("2019-10-17", "EMA", "approval"),
        ("2019-12-18", "European Commission", "approval"),
        ("2020-08-01", "FDA", "approval"),
        ("2021-01-01", "European Commission", "approval"),
        ("2022-02-01", "FDA", "safety alert"),
        ("2023-09-01", "FDA", "safety alert"),
        ("2024-01-01", "MHRA", "safety alert"),
    ]
)


def frame_of(raw: pd.DataFrame) -> pd.DataFrame:
    return transforms.chart_frame(raw)


def built_charts() -> dict[str, alt.TopLevelMixin]:
    """Every builder with inputs that broke charts on the real-data build."""
    yearly = frame_of(
        observations(
            series={"Ketamine deaths A": list(range(1995, 2025)), "Ketamine deaths B": [3] * 30},
            start="1995-01-01",
            flags={28: "provisional", 29: "projected"},
        ).assign(series_breaks="2001-01-01: method change; 2011-01-01: new coding")
    )
    quarters_short = frame_of(
        observations(series={"Reports": [5, 7, 9, 4, 6, 8, 9, 11]}, freq="QS")
    )
    quarters_long = frame_of(
        observations(series={"Reports": list(range(80))}, freq="QS", start="2004-01-01")
    )
    months = frame_of(
        observations(series={"Share": [0.1 * i for i in range(36)]}, freq="MS", start="2019-01-01")
    )
    many = frame_of(observations(series={f"Series {i:02d}": [i, i + 1, i + 2] for i in range(12)}))
    uk = observations(
        series={"Ketamine mentioned": [7, 12, 30, 53]}, start="2015-01-01", extra={"domain": "x"}
    )
    scotland = observations(
        series={"drug misuse deaths (all substances; context)": [934, 1187, 1339, 1172]},
        start="2015-01-01",
    )
    published = pd.DataFrame(
        {
            "figure": ["cases in study A, 2019-2020", "cases in study B, 2019-2021"],
            "value": [962.0, 720.0],
            "lower": [None, None],
            "upper": [None, None],
            "unit": "cases",
            "period_label": ["2019-03/2020-03", ""],
            "citation": ["A", "B"],
        }
    )
    counts = pd.DataFrame(
        {
            "ingredient": ["ketamine", "ketamine", "esketamine"],
            "label": ["death", "hospitalised", "death"],
            "reports": [12, 30, 4],
        }
    )
    shares = pd.DataFrame(
        {
            "label": ["share psychiatric [Study X]", "share nervous [Study X]"],
            "period_label": ["2019Q1-2023Q4", "2019Q1-2023Q4"],
            "value": [33.2, 16.67],
            "source": "literature",
            "stratum": ["", None],
            "flags": ["", ""],
            "citation": ["X", "X"],
        }
    )
    side = pd.concat(
        [
            quarters_short.assign(group="Therapeutic supply", panel="Claims"),
            months.assign(group="Harm indicator", panel="Monthly share"),
        ],
        ignore_index=True,
    )
    breaks = pd.DataFrame(
        {
            "date": [pd.Timestamp("2015-04-01"), pd.Timestamp("2015-07-01")],
            "label": ["FDA approves Spravato: reporting break", "AERS -> FAERS"],
            "detail": ["approval", "system change"],
        }
    )
    return {
        "yearly with crowded milestones": charts.time_chart(
            data=yearly, title="T", y_title="deaths", milestones=CROWDED
        ),
        "quarters, two years": charts.time_chart(
            data=quarters_short, title="Q", y_title="reports", milestones=CROWDED
        ),
        "quarters, twenty years": charts.time_chart(
            data=quarters_long, title="Q", y_title="reports", milestones=CROWDED
        ),
        "months": charts.time_chart(data=months, title="M", y_title="percent"),
        "twelve series": charts.time_chart(data=many, title="Many", y_title="x"),
        "uk deaths with a context total": charts.time_chart(
            data=frame_of(pd.concat([uk, scotland], ignore_index=True)),
            title="UK",
            y_title="deaths",
            milestones=CROWDED,
        ),
        "quarterly reports with breaks": adverse_events_charts.quarterly_reports(
            data=quarters_short, breaks=breaks, title="Reports per quarter"
        ),
        "two published figures": adverse_events_charts.published_values(
            data=published, title="Cases analysed", x_title="cases"
        ),
        "one published ROR": adverse_events_charts.published_values(
            data=published.head(1), title="ROR", x_title="ROR", log_scale=True
        ),
        "count bars": adverse_events_charts.count_bars(data=counts, title="Outcomes"),
        "share bars": harm_charts.share_bars(data=shares, title="Shares"),
        "side by side": therapeutic_charts.side_by_side(
            data=side, milestones=CROWDED, title="Side"
        ),
        "milestone timeline": therapeutic_charts.milestone_timeline(
            events=CROWDED, title="Timeline"
        ),
        "sparkline": charts.sparkline(data=quarters_short),
    }


BUILT = built_charts()


@pytest.mark.parametrize("name", list(BUILT))
def test_every_builder_keeps_the_rules_on_awkward_inputs(name: str) -> None:
    assert spec_problems(to_spec(BUILT[name])) == []


def test_the_rules_catch_the_broken_charts_of_the_real_build() -> None:
    """The checks can fail: the charts as they were before these rules break each one."""
    data = frame_of(observations(series={"Reports": [5, 7, 9, 4, 6, 8]}, freq="QS", lower=None))
    squeezed = (
        alt.Chart(pd.DataFrame({"figure": ["a", "b"], "value": [962, 720]}))
        .mark_bar()
        .encode(y="figure:N", x="value:Q")
        .properties(title="Cases analysed", height=60)  # the whole chart in 60 px: fit
    )
    assert any("px tall" in p for p in rendered_problems(to_spec(squeezed), 1000))
    default_axis = alt.Chart(data).mark_point().encode(x="period_mid:T", y="value:Q")
    problems = spec_problems(to_spec(default_axis.properties(height=200)))
    assert any("period label rule" in p for p in problems)
    assert any("'April'" in p or "'July'" in p for p in problems)
    same_place = pd.DataFrame({"date": pd.to_datetime(["2019-03-05", "2019-03-20"])})
    stacked = alt.layer(
        alt.Chart(data).mark_point().encode(x=alt.X("period_mid:T", axis=axes.time_axis(data))),
        *[
            alt.Chart(same_place.iloc[[i]].assign(t=text))
            .mark_text(align="left", baseline="bottom")
            .encode(x="date:T", y=alt.value(0), text="t:N")
            for i, text in enumerate(["DEA scheduling", "DEA scheduling"])
        ],
    ).properties(height=200, autosize=theme.FIT_X)
    assert any("overprints" in p for p in spec_problems(to_spec(stacked)))
    null_tip = alt.Chart(data).mark_point().encode(x="period_mid:T", tooltip=["lower:Q"])
    assert tooltip_problems(to_spec(null_tip))
    one_marker = (
        alt.Chart(data)
        .mark_point()
        .encode(
            color=alt.Color("series:N", scale=alt.Scale(domain=["a", "b"], range=["#000", "#000"])),
            shape=alt.Shape("series:N", scale=alt.Scale(domain=["a", "b"], range=["circle"] * 2)),
        )
    )
    assert any("share" in p for p in spec_problems(to_spec(one_marker), widths=()))
    panel = alt.Chart(data).mark_point().encode(x=alt.X("period_mid:T", axis=axes.time_axis(data)))
    stacked_titles = alt.vconcat(panel.properties(title="A very long panel title " * 10), panel)
    assert any("container limit" in p for p in spec_problems(to_spec(stacked_titles), widths=()))


@pytest.mark.parametrize(
    ("freq", "periods", "start", "kind", "rule"),
    [
        ("YS", 30, "1993-01-01", "year", {"format": axes.YEAR_FORMAT}),
        ("QS", 8, "2019-01-01", "quarter", {"labelExpr": axes.QUARTER_LABEL}),
        ("QS", 80, "2004-01-01", "quarter", {"format": axes.YEAR_FORMAT}),
        ("MS", 30, "2019-01-01", "month", {"format": axes.MONTH_FORMAT}),
        ("MS", 180, "2010-01-01", "month", {"format": axes.YEAR_FORMAT}),
        ("6MS", 8, "2019-01-01", "year", {"format": axes.YEAR_FORMAT}),  # half-years
    ],
)
def test_time_axes_read_in_the_datas_own_periods(
    freq: str, periods: int, start: str, kind: str, rule: dict
) -> None:
    data = frame_of(observations(series={"S": list(range(periods))}, freq=freq, start=start))
    plan = axes.axis_plan(data)
    assert plan["kind"] == kind
    assert {k: plan[k] for k in rule} == rule
    graph = render(to_spec(charts.time_chart(data=data, title="T", y_title="x")), 1000)
    x_labels = axis_labels(graph)[0]  # the x axis is drawn first
    assert x_labels and all(TIME_LABEL.match(text) for text in x_labels), x_labels
    if kind == "quarter" and "labelExpr" in rule:
        assert x_labels[:4] == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    assert len(x_labels) <= axes.MAX_TICKS + 1


def test_labels_are_merged_by_day_and_by_a_repeated_label() -> None:
    data = frame_of(observations(series={"S": [1] * 30}, start="1995-01-01"))
    shown = annotations.milestone_events(CROWDED, data)
    merged = label_layout.merge_labels(shown["date"], shown["tag"])
    texts = [m["text"] for m in merged]
    assert texts.count("FDA approval · DEA scheduling") == 1  # one day, one label
    assert texts[0] == "DEA scheduling (3)"  # three steps in 1999, one label
    assert sum(m["events"] for m in merged) == len(shown) - 1  # the shared day counts once
    one_day = label_layout.merge_labels(
        pd.Series(pd.to_datetime(["2019-03-05"] * 3)), pd.Series(["A", "B", "A"])
    )
    assert [m["text"] for m in one_day] == ["A · B"]
    runs = label_layout.merge_labels(
        pd.Series(pd.to_datetime(["1999-04-09", "1999-07-13", "1999-08-12", "2005-01-01"])),
        pd.Series(["DEA scheduling"] * 4),
    )
    assert [(m["text"], m["events"]) for m in runs] == [
        ("DEA scheduling (3)", 3),
        ("DEA scheduling", 1),
    ]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("layout", list(annotations.LAYOUTS))
def test_laid_out_labels_never_overlap(seed: int, layout: str) -> None:
    rng = random.Random(seed)
    start, end = pd.Timestamp(2000, 1, 1), pd.Timestamp(2024, 12, 31)
    days = (end - start).days
    labels = pd.DataFrame(
        {
            "date": [start + pd.Timedelta(days=rng.randrange(days)) for _ in range(25)],
            "text": [
                rng.choice(["FDA approval", "break", "EMA approval · DEA scheduling"])
                for _ in range(25)
            ],
            "priority": [rng.choice([0, 1]) for _ in range(25)],
        }
    )
    width, _ = annotations.LAYOUTS[layout]
    placed = label_layout.label_layout(labels, start=start, end=end, width_px=width)
    shown = placed[placed["row"] >= 0]
    assert not shown.empty
    for _, row in shown.groupby("row"):
        spans = sorted(zip(row["left_px"], row["right_px"], strict=True))
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert left >= right + label_layout.LABEL_GAP_PX
    # Each label's extent is its text's width beside its own rule, inside the plot if it fits.
    for r in shown.itertuples():
        x = (r.date - start).total_seconds() / (end - start).total_seconds() * width
        assert r.right_px - r.left_px == pytest.approx(label_layout.text_px(r.text))
        assert (r.left_px >= x) if r.align == "left" else (r.right_px <= x)


def test_a_series_break_is_labelled_before_a_milestone_at_the_same_place() -> None:
    start, end = pd.Timestamp(2010, 1, 1), pd.Timestamp(2020, 12, 31)
    labels = pd.DataFrame(
        {
            "date": pd.to_datetime(["2015-01-01", "2015-01-01"]),
            "text": ["FDA approval", "break"],
            "priority": [1, 0],
        }
    )
    placed = label_layout.label_layout(labels, start=start, end=end, width_px=700, rows=1)
    assert placed["row"].tolist() == [-1, 0]
    near_edge = label_layout.label_layout(
        labels.head(1).assign(date=pd.Timestamp("2020-12-01")), start=start, end=end, width_px=700
    )
    assert near_edge["align"].tolist() == ["right"] and near_edge["right_px"].iloc[0] <= 700


def test_provisional_label_sits_inside_the_plot_below_the_milestone_rows() -> None:
    data = frame_of(observations(series={"S": [1, 2, 3, 4]}, flags={3: "provisional"}))
    layers = annotations.provisional_layers(data)
    text = json.loads(layers[-1].to_json())["mark"]
    assert text["baseline"] == "top" and text["dy"] > 0  # milestone labels: bottom, dy < 0


def test_milestones_can_be_hidden_and_breaks_stay() -> None:
    data = frame_of(observations(series={"S": list(range(30))}, start="1995-01-01")).assign(
        series_breaks="2001-01-01: method change"
    )
    shown = charts.time_chart(data=data, title="T", y_title="x", milestones=CROWDED).to_json()
    hidden = charts.time_chart(
        data=data, title="T", y_title="x", milestones=CROWDED, show_milestones=False
    ).to_json()
    assert "FDA approval" in shown and "FDA approval" not in hidden
    assert "method change" in hidden and theme.BREAK in hidden
    side = therapeutic_charts.side_by_side(
        data=data.assign(group="g", panel="p"),
        milestones=CROWDED,
        title="S",
        show_milestones=False,
    )
    assert "scheduling on 1999" not in side.to_json()
    assert (
        "scheduling on 1999"
        in therapeutic_charts.side_by_side(
            data=data.assign(group="g", panel="p"), milestones=CROWDED, title="S"
        ).to_json()
    )


def test_every_series_gets_its_own_colour_shape_and_dash() -> None:
    styles = marker_styles(64)
    assert len({(c, s, json.dumps(d)) for c, s, d in styles}) == 64
    assert [c for c, _, _ in styles[: len(theme.PALETTE)]] == theme.PALETTE
    assert len(set(theme.SHAPES)) == len(theme.SHAPES)
    assert len({json.dumps(d) for d in theme.DASHES}) == len(theme.DASHES)


def test_tooltips_leave_out_fields_a_row_does_not_have() -> None:
    none = frame_of(observations(series={"S": [1, 2, 3]}, lower=False))
    spec = json.loads(charts.time_chart(data=none, title="T", y_title="x").to_json())
    fields = {
        t["field"]
        for layer in spec["layer"]
        for t in (layer.get("encoding", {}).get("tooltip") or [])
        if isinstance(t, dict)
    }
    assert "value" in fields and not {"lower", "upper"} & fields
    some = frame_of(observations(series={"S": [1, 2, 3, 4]}, lower=None))  # CI on every other row
    spec = to_spec(charts.time_chart(data=some, title="T", y_title="x"))
    assert tooltip_problems(spec) == []
    point_tips = [
        {t["field"] for t in layer["encoding"]["tooltip"]}
        for layer in spec["layer"]
        if layer["mark"]["type"] == "point"
    ]
    assert any({"lower", "upper"} <= tips for tips in point_tips)
    assert any(not {"lower", "upper"} & tips for tips in point_tips)


def uk_rows(substance: bool) -> pd.DataFrame:
    ketamine = observations(series={"England: ketamine mentioned": [7, 12, 30, 53]})
    total = observations(series={"Scotland: drug misuse deaths": [934, 1187, 1339, 1172]})
    if substance:
        ketamine = ketamine.assign(substance="ketamine")
        total = total.assign(substance="all drugs")
    else:
        total = total.assign(label="Scotland: drug misuse deaths (all substances; context)")
    return frame_of(pd.concat([ketamine, total], ignore_index=True))


def y_domains(spec: dict) -> list[set[str]]:
    """Per panel, the series drawn on its y axis."""
    panels = spec.get("vconcat") or [spec]
    out = []
    for panel in panels:
        names: set[str] = set()
        for layer in panel.get("layer", []):
            values = spec["datasets"].get((layer.get("data") or {}).get("name"), [])
            if "y" in (layer.get("encoding") or {}):
                names |= {row.get("series") for row in values if row.get("series")}
        out.append(names)
    return out


@pytest.mark.parametrize("substance", [True, False])
def test_an_all_drugs_total_never_shares_a_y_axis_with_ketamine(substance: bool) -> None:
    rows = uk_rows(substance)
    own, context = split_context(rows)
    assert set(own["series"]) and set(context["series"])
    assert not is_context(own).any() and is_context(context).all()
    for chart in (
        charts.time_chart(data=rows, title="UK", y_title="deaths", milestones=CROWDED),
        charts.time_chart(data=own, context=context, title="UK", y_title="deaths"),
    ):
        spec = json.loads(chart.to_json())
        assert spec["resolve"]["scale"]["y"] == "independent"
        panels = y_domains(spec)
        ketamine = [p for p in panels if p & set(own["series"])]
        assert len(ketamine) == 1 and not ketamine[0] & set(context["series"])
        assert any(p and p <= set(context["series"]) for p in panels)
        assert "Context, not a ketamine count" in json.dumps(spec)
        assert spec_problems(to_spec(chart)) == []


def test_context_is_read_from_role_then_substance_then_the_label() -> None:
    rows = pd.DataFrame(
        {
            "role": ["focus", "comparator", "context", None, None, None, None],
            "substance": [None, None, None, "esketamine", "all drugs", None, None],
            "label": ["all drugs!", "x", "x", "all drugs", "x", "deaths (all substances)", "k"],
            "domain": ["context", "x", "x", "x", "x", "mortality", "mortality"],
        },
        index=[10, 3, 7, 1, 0, 5, 2],
    )
    assert is_context(rows).tolist() == [False, True, True, False, True, True, False]
    assert is_context(rows).index.tolist() == rows.index.tolist()


def test_a_context_only_chart_stays_one_panel() -> None:
    rows = uk_rows(True)
    context = rows[rows["substance"] == "all drugs"]
    spec = json.loads(charts.time_chart(data=context, title="ONS", y_title="deaths").to_json())
    assert "vconcat" not in spec and "layer" in spec


def test_bar_plots_grow_with_their_bars() -> None:
    heights = []
    for n in (1, 2, 5, 20):
        data = pd.DataFrame(
            {"figure": [f"figure {i}" for i in range(n)], "value": range(1, n + 1), "unit": "x"}
        )
        spec = json.loads(
            adverse_events_charts.published_values(data=data, title="T", x_title="x").to_json()
        )
        assert spec["autosize"]["type"] == "fit-x"  # `height` is the plot's, not the chart's
        heights.append(spec["height"])
    assert heights[0] >= theme.MIN_PLOT_PX
    assert heights == sorted(heights) and heights[-1] == 20 * theme.BAR_PX
