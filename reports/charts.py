"""Horizontal bar charts drawn on the server as SVG geometry: no script, nothing fetched, nothing inline-styled.

A chart is a list of groups (a stage, a month), each with one bar per series. The
template ``reports/bar_chart.html`` draws it as an ``<svg role="img">`` with a
title and a description; the page shows the same numbers in a table beside it.
"""

import math
from dataclasses import dataclass

from . import analytics

# Narrow, so that the text stays legible when the drawing shrinks to a phone's width.
WIDTH = 480
LABEL_RIGHT = 82  # labels end here, right-aligned
PLOT_LEFT = 88
PLOT_RIGHT = 440  # room after the longest bar for its value
TOP = 26  # room for the tick labels
BAR = 14
BAR_GAP = 3
GROUP_GAP = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    series: int
    text: str
    text_x: float
    text_y: float


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


def bar_chart(*, chart_id, title, desc, series, groups, whole=False, stacked=False):
    """``groups``: ``[(label, [value per series])]``, a value None when there is nothing to draw.

    Side by side, each group has one bar per series; ``stacked``, one bar whose parts are the series,
    labelled with their total. ``whole``: the values are counts, so the axis steps are whole numbers.
    """
    if stacked:
        values = [sum(v or 0 for v in row) for _, row in groups]
    else:
        values = [v for _, row in groups for v in row if v is not None]
    top = nice_top(max(values, default=0), whole=whole)
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
                    text_y=bar_y + BAR - 3,
                )
            )
            if stacked:
                left += width
        if stacked:
            total = sum(v or 0 for v in row)
            bars.append(
                Bar(x=left, y=y, width=0, series=-1, text=number(total), text_x=round(left + 4, 2), text_y=y + BAR - 3)
            )
        drawn.append(Group(label=label, label_y=y + per_group / 2 + 4, bars=bars))
        y += per_group + GROUP_GAP
    ticks = [Tick(x=round(PLOT_LEFT + top * i / 4 * scale, 2), text=tick_text(top * i / 4)) for i in range(5)]
    return Chart(
        chart_id=chart_id,
        title=title,
        desc=desc,
        series=list(series),
        groups=drawn,
        ticks=ticks,
        width=WIDTH,
        label_right=LABEL_RIGHT,
        height=y - GROUP_GAP + 8,
        plot_left=PLOT_LEFT,
        plot_top=TOP - 6,
        plot_bottom=y - GROUP_GAP + 2,
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
        desc="; ".join(parts) + ".",
        series=["Median", "90th percentile"],
        groups=[(s.label, [s.median_days, s.p90_days]) for s in data.stage_times],
    )


def stage_load_chart(data):
    parts = [f"{s.label}: {s.waiting} waiting, {s.overdue} overdue" for s in data.stage_loads]
    return bar_chart(
        chart_id="stage-load",
        title="Assessments waiting and overdue at each review stage now",
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
        desc=f"In total {summary}." + (" " + "; ".join(busy) + "." if busy else " No decisions in this period."),
        series=[label for _, label in analytics.DECISIONS],
        groups=[(m.label, [m.counts[state] for state, _ in analytics.DECISIONS]) for m in data.months],
        whole=True,
        stacked=True,
    )
