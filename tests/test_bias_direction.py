"""The four-fifths rule by metric direction, one flag per finding, Wilson intervals (DESIGN section 5)."""

import pytest
from scipy.stats import binomtest

from assessments import bias, metrics
from assessments.bias import bias_flags, four_fifths_ratios, wilson_interval
from assessments.bias_upload import parse_csv


class Row:
    def __init__(self, group, value, n=500, dimension="race", metric="selection_rate"):
        self.dimension, self.metric, self.group, self.value, self.sample_size = dimension, metric, group, value, n


# -- the direction table --------------------------------------------------------------------------


def test_error_rates_are_lower_is_better_and_rates_of_good_outcomes_higher_is_better():
    for name in ("false_positive_rate", "false_negative_rate", "error_rate"):
        assert metrics.direction_of(name) == metrics.LOWER_IS_BETTER, name
    for name in ("selection_rate", "true_positive_rate", "accuracy", "precision", "recall"):
        assert metrics.direction_of(name) == metrics.HIGHER_IS_BETTER, name


def test_for_a_lower_is_better_metric_the_highest_value_is_the_disadvantaged_group():
    (flag,) = bias_flags([Row("A", 0.10, metric="false_positive_rate"), Row("B", 0.40, metric="false_positive_rate")])

    assert (flag.disadvantaged_group, flag.reference_group) == ("B", "A")
    assert flag.ratio == 0.25 and flag.direction == "lower_is_better"


def test_for_a_higher_is_better_metric_the_lowest_value_is_the_disadvantaged_group():
    (flag,) = bias_flags([Row("A", 0.10), Row("B", 0.40)])

    assert (flag.disadvantaged_group, flag.reference_group) == ("A", "B")
    assert flag.ratio == 0.25 and flag.direction == "higher_is_better"


@pytest.mark.parametrize("metric", ["selection_rate", "false_positive_rate"])
@pytest.mark.parametrize(
    ("low", "high", "flagged"),
    [(0.8, 1.0, False), (0.7999, 1.0, True), (0.8001, 1.0, False), (0.08, 0.1, False), (0.0799, 0.1, True)],
)
def test_the_four_fifths_boundary_is_exact_in_both_directions(metric, low, high, flagged):
    # 0.08 / 0.1 is 0.7999999999999999 in binary floating point; the rule reads the values as written.
    flags = bias_flags([Row("a", low, metric=metric), Row("b", high, metric=metric)])

    assert bool(flags) is flagged


@pytest.mark.parametrize(("n", "flagged"), [(29, True), (30, False)])
def test_the_small_sample_boundary_is_exact(n, flagged):
    flags = bias_flags([Row("a", 0.5, n=n), Row("b", 0.5)])

    assert [f.code for f in flags] == ([bias.SMALL_GROUP_FLAG] if flagged else [])


def test_one_ratio_flag_per_dimension_and_metric_and_one_small_sample_flag_per_group():
    rows = [
        Row(group, value, n=n, metric=metric)
        for metric in ("selection_rate", "true_positive_rate", "false_positive_rate")
        for group, value, n in (("Pacific Islander", 0.1, 12), ("White", 0.5, 800), ("Black", 0.45, 700))
    ]

    flags = bias_flags(rows)

    small = [f for f in flags if f.code == bias.SMALL_GROUP_FLAG]
    assert [(f.dimension, f.group, f.n) for f in small] == [("race", "Pacific Islander", 12)]
    assert small[0].small_metrics == ("false_positive_rate", "selection_rate", "true_positive_rate")
    ratio = [(f.metric, f.disadvantaged_group) for f in flags if f.code == bias.RATIO_FLAG]
    assert ratio == [
        ("false_positive_rate", "White"),
        ("selection_rate", "Pacific Islander"),
        ("true_positive_rate", "Pacific Islander"),
    ]


def test_a_file_with_one_group_under_30_and_three_metrics_raises_one_small_sample_flag():
    lines = ["dimension,group,n,metric,value"]
    for metric in ("selection_rate", "true_positive_rate", "accuracy"):
        lines += [f"race,Pacific Islander,12,{metric},0.5", f"race,White,800,{metric},0.5"]
    parsed = parse_csv(("\n".join(lines) + "\n").encode())
    assert parsed.ok, parsed.errors

    rows = [Row(r["group"], r["value"], n=r["n"], dimension=r["dimension"], metric=r["metric"]) for r in parsed.rows]
    flags = bias_flags(rows)

    assert [(f.code, f.group) for f in flags] == [(bias.SMALL_GROUP_FLAG, "Pacific Islander")]
    assert flags[0].key == "group_too_small:race:Pacific Islander"


def test_an_earlier_small_sample_key_still_answers_its_finding():
    (flag,) = bias_flags([Row("a", 0.5, n=10), Row("b", 0.5)])

    assert flag.answered_by({"group_too_small:race:selection_rate:a"})
    assert not flag.answered_by({"group_too_small:race:selection_rate:b"})


def test_a_later_measurement_of_a_group_replaces_the_earlier_one():
    from datetime import UTC, datetime

    old, new = Row("a", 0.2), Row("a", 0.9)
    old.created_at, new.created_at = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)

    (comparison,) = four_fifths_ratios([new, old, Row("b", 1.0)])

    assert [(g.group, g.value) for g in comparison["groups"]] == [("a", 0.9), ("b", 1.0)]


# -- intervals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score, no continuity correction).
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_bounds_match_published_values(successes, n, low, high):
    found = wilson_interval(successes / n, n)

    assert found == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(("successes", "n"), [(3, 10), (40, 400), (29, 29), (7, 31)])
def test_wilson_bounds_agree_with_scipy(successes, n):
    expected = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")

    assert wilson_interval(successes / n, n) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_a_flag_whose_intervals_overlap_is_not_conclusive_and_one_apart_is():
    small = bias_flags([Row("a", 0.5, n=40), Row("b", 0.7, n=40)])
    large = bias_flags([Row("a", 0.5, n=4000), Row("b", 0.7, n=4000)])

    assert small[0].conclusive is False and "not conclusive at this sample size" in small[0].label
    assert large[0].conclusive is True and "not conclusive" not in large[0].label
