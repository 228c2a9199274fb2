"""Horizontal bar charts drawn on the server as SVG geometry: no script, nothing fetched, nothing inline-styled.

A chart is a list of groups (a stage, a month), each with one bar per series. The
template ``reports/bar_chart.html`` draws it as an ``<svg role="img">`` with a
title and a description; the page shows the same numbers in a table beside it.
"""

import math
from dataclasses import dataclass

from . import analytics

# Narrow, so that the text stays legible when the drawing shrinks to a phone's width (about 300 px of a 360 px
# screen: the text is drawn at 13-16 units, so it is still 11-14 px there).
WIDTH = 340
LABEL_RIGHT = 72  # labels end here, right-aligned
PLOT_LEFT = 78
PLOT_RIGHT = 296  # room after the longest bar for its value
TITLE_Y = 18  # the chart's visible title
TICK_Y = 44  # the tick labels, above the plot
TOP = 54  # the first bar
BAR = 20
BAR_GAP = 4
GROUP_GAP = 14
AXIS_LABEL_GAP = 24  # below the last bar: the axis's name and unit


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    series: int
    text: str
    text_x: float
    text_y: float
    label: str = ""  # in words, for the bar's own <title>: "Legal, median: 2 days"


@dataclass(frozen=True)
class Group:
    label: str
    label_y: float
    bars: list


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    heading: str
    axis_label: str
    desc: str
    series: list
    groups: list
    ticks: list
    width: int
    label_right: int
    height: float
    plot_left: int
    plot_top: int
    plot_bottom: float
    bar_height: int = BAR
    title_y: int = TITLE_Y
    tick_y: int = TICK_Y
    axis_label_x: float = (PLOT_LEFT + PLOT_RIGHT) / 2
    axis_label_y: float = 0


def nice_top(largest, whole=False):
    """A round upper end for the axis, at least ``largest``: four steps of 1, 2, 2.5 or 5 times a power of ten.

    ``whole``: counts, whose steps are whole numbers.
    """
    if largest <= 0:
        return 4
    raw_step = largest / 4
    power = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw_step and (not whole or float(step).is_integer()):
            return step * 4
    return math.ceil(raw_step) * 4


def number(value):
    """A value as the chart and table print it: whole numbers plain, others to one decimal."""
    if value is None:
        return "no data"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def tick_text(value):
    return f"{value:g}"


def with_unit(value, unit):
    """``2 days``, ``1 day``, ``no data``: a value in words with its unit (``unit``: plural, singular)."""
    if value is None:
        return "no data"
    plural, singular = unit
    return f"{number(value)} {singular if value == 1 else plural}"


def bar_chart(*, chart_id, title, heading, axis_label, unit, desc, series, groups, whole=False, stacked=False):
    """``groups``: ``[(label, [value per series])]``, a value None when there is nothing to draw.

    Side by side, each group has one bar per series; ``stacked``, one bar whose parts are the series,
    labelled with their total. ``whole``: the values are counts, so the axis steps are whole numbers.
    ``heading`` is drawn above the plot, ``axis_label`` (the quantity and its unit) below it; ``unit``
    (plural, singular) names each bar's value in its own ``<title>``.
    """
    if stacked:
        values = [sum(v or 0 for v in row) for _, row in groups]
    else:
        values = [v for _, row in groups for v in row if v is not None]
    # At least one whole unit: a history of near-zero times draws as 0 to 1, not as 0 to 2e-06.
    top = max(nice_top(max(values, default=0), whole=whole), 1)
    scale = (PLOT_RIGHT - PLOT_LEFT) / top
    rows_per_group = 1 if stacked else len(series)
    per_group = rows_per_group * BAR + (rows_per_group - 1) * BAR_GAP
    drawn = []
    y = TOP
    for label, row in groups:
        bars = []
        left = PLOT_LEFT
        for index, value in enumerate(row):
            bar_y = y if stacked else y + index * (BAR + BAR_GAP)
            width = 0 if value is None else max(value * scale, 0)
            x = left if stacked else PLOT_LEFT
            bars.append(
                Bar(
                    x=round(x, 2),
                    y=bar_y,
                    width=round(width, 2),
                    series=index,
                    text="" if stacked else number(value),
                    text_x=round(x + width + 4, 2),
                    text_y=bar_y + BAR - 5,
                    label=f"{label}, {series[index].lower()}: {with_unit(value, unit)}",
                )
            )
            if stacked:
                left += width
        if stacked:
            total = sum(v or 0 for v in row)
            bars.append(
                Bar(x=left, y=y, width=0, series=-1, text=number(total), text_x=round(left + 4, 2), text_y=y + BAR - 5)
            )
        drawn.append(Group(label=label, label_y=y + per_group / 2 + 4, bars=bars))
        y += per_group + GROUP_GAP
    ticks = [Tick(x=round(PLOT_LEFT + top * i / 4 * scale, 2), text=tick_text(top * i / 4)) for i in range(5)]
    plot_bottom = y - GROUP_GAP + 2
    return Chart(
        chart_id=chart_id,
        title=title,
        heading=heading,
        axis_label=axis_label,
        desc=desc,
        series=list(series),
        groups=drawn,
        ticks=ticks,
        width=WIDTH,
        label_right=LABEL_RIGHT,
        height=plot_bottom + AXIS_LABEL_GAP + 6,
        plot_left=PLOT_LEFT,
        plot_top=TOP - 6,
        plot_bottom=plot_bottom,
        axis_label_y=plot_bottom + AXIS_LABEL_GAP,
    )


def analytics_charts(data):
    """The three charts of the committee analytics page, each described in words for screen readers."""
    return {
        "stage_days": stage_time_chart(data),
        "stage_load": stage_load_chart(data),
        "decisions": decisions_chart(data),
    }


def stage_time_chart(data):
    parts = [
        f"{s.label}: median {number(s.median_days)} days, 90th percentile {number(s.p90_days)} days, "
        f"{s.visits} finished visit{'s' if s.visits != 1 else ''}"
        if s.visits
        else f"{s.label}: no finished visits"
        for s in data.stage_times
    ]
    return bar_chart(
        chart_id="stage-days",
        title=f"Days per review stage, stage visits that ended in the last {analytics.WINDOW_DAYS} days",
        heading="Days per review stage",
        axis_label="Days in the stage (median, 90th percentile)",
        unit=("days", "day"),
        desc="; ".join(parts) + ".",
        series=["Median", "90th percentile"],
        groups=[(s.label, [s.median_days, s.p90_days]) for s in data.stage_times],
    )


def stage_load_chart(data):
    parts = [f"{s.label}: {s.waiting} waiting, {s.overdue} overdue" for s in data.stage_loads]
    return bar_chart(
        chart_id="stage-load",
        title="Assessments waiting and overdue at each review stage now",
        heading="Waiting and overdue now",
        axis_label="Assessments (count)",
        unit=("assessments", "assessment"),
        desc="; ".join(parts) + ".",
        series=["Waiting", "Overdue"],
        groups=[(s.label, [s.waiting, s.overdue]) for s in data.stage_loads],
        whole=True,
    )


def decisions_chart(data):
    totals = {label: sum(m.counts[state] for m in data.months) for state, label in analytics.DECISIONS}
    busy = [
        f"{m.label}: " + ", ".join(f"{m.counts[state]} {label.lower()}" for state, label in analytics.DECISIONS)
        for m in data.months
        if m.total
    ]
    summary = ", ".join(f"{n} {label.lower()}" for label, n in totals.items())
    return bar_chart(
        chart_id="decisions",
        title=f"Committee decisions per month, last {analytics.MONTHS} months",
        heading="Decisions per month",
        axis_label="Decisions (count)",
        unit=("decisions", "decision"),
        desc=f"In total {summary}." + (" " + "; ".join(busy) + "." if busy else " No decisions in this period."),
        series=[label for _, label in analytics.DECISIONS],
        groups=[(m.label, [m.counts[state] for state, _ in analytics.DECISIONS]) for m in data.months],
        whole=True,
        stacked=True,
    )
