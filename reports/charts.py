"""Horizontal bar charts drawn on the server as SVG geometry: no script, nothing fetched, nothing inline-styled.

A chart is a list of groups (a stage, a month), each with one bar per series. The
template ``reports/bar_chart.html`` draws it as an ``<svg role="img">`` with a
title and a description; the page shows the same numbers in a table beside it.
"""

import math
from dataclasses import dataclass

WIDTH = 640
LABEL_RIGHT = 112  # labels end here, right-aligned
PLOT_LEFT = 120
PLOT_RIGHT = 580  # room after the longest bar for its value
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
    height: float
    plot_left: int
    plot_top: int
    plot_bottom: float


def nice_top(largest):
    """A round upper end for the axis, at least ``largest`` (1, 2, 2.5 or 5 times a power of ten, times 4)."""
    if largest <= 0:
        return 4
    raw_step = largest / 4
    power = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw_step:
            return factor * power * 4
    return largest  # unreachable: factor 10 always fits


def number(value):
    """A value as the chart and table print it: whole numbers plain, others to one decimal."""
    if value is None:
        return "no data"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(*, chart_id, title, desc, series, groups):
    """``groups``: ``[(label, [value per series])]``, a value None when there is nothing to draw."""
    values = [v for _, row in groups for v in row if v is not None]
    top = nice_top(max(values, default=0))
    scale = (PLOT_RIGHT - PLOT_LEFT) / top
    per_group = len(series) * BAR + (len(series) - 1) * BAR_GAP
    drawn = []
    y = TOP
    for label, row in groups:
        bars = []
        for index, value in enumerate(row):
            bar_y = y + index * (BAR + BAR_GAP)
            width = 0 if value is None else max(value * scale, 0)
            bars.append(
                Bar(
                    x=PLOT_LEFT,
                    y=bar_y,
                    width=round(width, 2),
                    series=index,
                    text=number(value),
                    text_x=round(PLOT_LEFT + width + 4, 2),
                    text_y=bar_y + BAR - 3,
                )
            )
        drawn.append(Group(label=label, label_y=y + per_group / 2 + 4, bars=bars))
        y += per_group + GROUP_GAP
    ticks = [Tick(x=round(PLOT_LEFT + top * i / 4 * scale, 2), text=number(top * i / 4)) for i in range(5)]
    return Chart(
        chart_id=chart_id,
        title=title,
        desc=desc,
        series=list(series),
        groups=drawn,
        ticks=ticks,
        width=WIDTH,
        height=y - GROUP_GAP + 8,
        plot_left=PLOT_LEFT,
        plot_top=TOP - 6,
        plot_bottom=y - GROUP_GAP + 2,
    )
