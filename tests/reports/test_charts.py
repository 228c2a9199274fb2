"""The server-drawn bar charts: round axes, bars to scale, stacked parts end to end."""

import pytest

from reports.charts import PLOT_LEFT, PLOT_RIGHT, bar_chart, nice_top

PLOT = PLOT_RIGHT - PLOT_LEFT


@pytest.mark.parametrize(
    ("largest", "whole", "top"),
    [(0, False, 4), (1, True, 4), (1, False, 1), (4.2, False, 8), (9.3, False, 10), (7, True, 8), (130, True, 200)],
)
def test_the_axis_ends_on_a_round_number_at_least_the_largest_value(largest, whole, top):
    assert nice_top(largest, whole=whole) == pytest.approx(top)
    assert nice_top(largest, whole=whole) >= largest


def test_bars_side_by_side_are_drawn_to_scale_and_labelled():
    chart = bar_chart(
        chart_id="c",
        title="t",
        heading="h",
        axis_label="Days",
        unit=("days", "day"),
        desc="d",
        series=["Median", "90th"],
        groups=[("Legal", [2, 4.2]), ("Security", [None, None])],
    )
    legal, security = chart.groups
    assert [b.width for b in legal.bars] == [pytest.approx(PLOT * 2 / 8), pytest.approx(PLOT * 4.2 / 8)]
    assert [b.text for b in legal.bars] == ["2", "4.2"]
    assert [b.text for b in security.bars] == ["no data", "no data"] and all(b.width == 0 for b in security.bars)
    assert [t.text for t in chart.ticks] == ["0", "2", "4", "6", "8"]


def test_stacked_parts_lie_end_to_end_with_their_total_after_them():
    chart = bar_chart(
        chart_id="c",
        title="t",
        heading="h",
        axis_label="Decisions",
        unit=("decisions", "decision"),
        desc="d",
        series=["A", "B", "C"],
        groups=[("Mar", [1, 2, 1])],
        whole=True,
        stacked=True,
    )
    first, second, third, total = chart.groups[0].bars
    assert second.x == pytest.approx(first.x + first.width)
    assert third.x == pytest.approx(second.x + second.width)
    assert third.x + third.width == pytest.approx(PLOT_LEFT + PLOT * 4 / 4)
    assert total.text == "4" and first.text == ""
    assert [t.text for t in chart.ticks] == ["0", "1", "2", "3", "4"]


def test_each_bar_says_in_words_what_it_shows_with_its_unit():
    chart = bar_chart(
        chart_id="c",
        title="t",
        heading="h",
        axis_label="Days",
        unit=("days", "day"),
        desc="d",
        series=["Median", "90th percentile"],
        groups=[("Legal", [1, 4.25]), ("Security", [None, None])],
    )
    legal, security = chart.groups
    assert [b.label for b in legal.bars] == ["Legal, median: 1 day", "Legal, 90th percentile: 4.2 days"]
    assert security.bars[0].label == "Security, median: no data"
    # The axis's name sits below the last bar, inside the drawing.
    assert chart.plot_bottom < chart.axis_label_y < chart.height


def test_near_zero_values_still_draw_on_a_readable_axis():
    chart = bar_chart(
        chart_id="c",
        title="t",
        heading="h",
        axis_label="Days",
        unit=("days", "day"),
        desc="d",
        series=["Median"],
        groups=[("Legal", [0.000001])],
    )
    assert [t.text for t in chart.ticks] == ["0", "0.25", "0.5", "0.75", "1"]
