"""The fairness metrics bias evidence may report, each with its direction: declared here once (DESIGN section 5).

Everything that compares groups reads this table: the four-fifths computation and its
flags (``bias.py``), the uploads and the API (an unknown metric is refused, naming the
known ones), the browser, the CSV exports and the dossier.

- ``higher_is_better``: the disadvantaged group is the one with the lowest value;
  the ratio is its value over the highest (lowest / highest).
- ``lower_is_better`` (error rates): the disadvantaged group is the one with the
  highest value; the ratio is still lowest / highest, so 0.10 against 0.40 is 0.25.

Every metric here is a proportion (a share of people, between 0 and 1), so each
group's value gets a 95% Wilson interval from its ``n``.
"""

from dataclasses import dataclass

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
# A metric recorded before directions were declared (evidence stored by an earlier version of the tool):
# compared as it was then, highest value as the reference, and labelled so.
UNDECLARED = "undeclared"
DIRECTIONS = (HIGHER_IS_BETTER, LOWER_IS_BETTER)
DIRECTION_TEXT = {
    HIGHER_IS_BETTER: "higher is better",
    LOWER_IS_BETTER: "lower is better",
    UNDECLARED: "direction not declared (compared as higher is better)",
}


@dataclass(frozen=True)
class Metric:
    name: str
    direction: str
    label: str
    proportion: bool = True

    @property
    def lower_is_better(self):
        return self.direction == LOWER_IS_BETTER


_DECLARED = (
    Metric("selection_rate", HIGHER_IS_BETTER, "selection rate"),
    Metric("true_positive_rate", HIGHER_IS_BETTER, "true-positive rate"),
    Metric("true_negative_rate", HIGHER_IS_BETTER, "true-negative rate"),
    Metric("recall", HIGHER_IS_BETTER, "recall"),
    Metric("precision", HIGHER_IS_BETTER, "precision"),
    Metric("accuracy", HIGHER_IS_BETTER, "accuracy"),
    Metric("balanced_accuracy", HIGHER_IS_BETTER, "balanced accuracy"),
    Metric("false_positive_rate", LOWER_IS_BETTER, "false-positive rate"),
    Metric("false_negative_rate", LOWER_IS_BETTER, "false-negative rate"),
    Metric("error_rate", LOWER_IS_BETTER, "error rate"),
    Metric("false_discovery_rate", LOWER_IS_BETTER, "false-discovery rate"),
    Metric("false_omission_rate", LOWER_IS_BETTER, "false-omission rate"),
)
METRICS = {m.name: m for m in _DECLARED}
KNOWN = tuple(sorted(METRICS))


def metric(name):
    """The declared metric of that name; an undeclared one (stored before the table existed) as UNDECLARED."""
    return METRICS.get(name) or Metric(name, UNDECLARED, name.replace("_", " "), proportion=False)


def direction_of(name):
    return metric(name).direction


def is_known(name):
    return name in METRICS


def unknown_metric_message(name):
    """What an upload naming an unknown metric is told: the name and every known one."""
    return f"Unknown metric “{name}”; the known metrics are: {', '.join(KNOWN)}."
