"""Bias evidence: the four-fifths rule by metric direction, small groups, intervals, and what Data/AI
approval needs (DESIGN section 5).

Per dimension and metric, the disadvantaged group is the one with the worst value in the
metric's declared direction (``metrics.py``: the lowest for higher-is-better metrics, the
highest for error rates) and the reference group the one with the best; their ratio is
lowest ÷ highest, flagged under 0.8 (the four-fifths rule). That is one ratio flag per
(evidence kind, dimension, metric). A group with fewer than 30 samples on any metric is
one small-sample flag per (dimension, group), whatever the number of metrics.

Each proportion gets a 95% Wilson score interval from its ``n``; a ratio flag whose two
groups' intervals overlap is labelled "not conclusive at this sample size" (it still
needs a mitigation note). Data/AI approval needs evidence (or a recorded justification)
for race, religion, gender and every dimension the team marked relevant, and a mitigation
note for every flag of the approval evidence.

Reasons are structured (a code and its parameters); their text is rendered from
``REASON_TEXT`` so that every edge (page, API, email) says the same thing.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.template.defaultfilters import pluralize

from . import metrics
from .errors import Reason

REQUIRED_DIMENSIONS = ("race", "religion", "gender")
FOUR_FIFTHS = 0.8
_THRESHOLD = Decimal(repr(FOUR_FIFTHS))
MIN_GROUP_SIZE = 30
RELEVANT_DIMENSIONS_QUESTION = "bias.relevant_dimensions"
# The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
INTERVAL_METHOD = "95% Wilson score interval of each proportion, from its sample size n"
NOT_CONCLUSIVE = "not conclusive at this sample size"

RATIO_FLAG = "ratio_below_four_fifths"
SMALL_GROUP_FLAG = "group_too_small"

REASON_TEXT = {
    "bias_evidence_missing": "Bias evidence is missing for {dimension_label}: record per-group results, "
    "or a justification of why it cannot be measured.",
    "bias_flag_unmitigated": "The {metric} of {dimension_label} is flagged ({direction_text}: "
    "{disadvantaged_group} {disadvantaged_value:.4g} against {reference_group} {reference_value:.4g}, "
    "lowest ÷ highest {ratio:.2f}, under 0.8{conclusive_text}); record a mitigation note.",
    "bias_group_too_small": "The group “{group}” of {dimension_label} has {n} samples for {metrics_text}, fewer "
    "than {minimum}: too small to judge; record a mitigation note.",
}


def reason(code, **params):
    """A structured reason whose text is rendered from its code and parameters."""
    values = {**params}
    if "dimension" in values:
        values["dimension_label"] = dimension_label(values["dimension"])
    if "direction" in values:
        values["direction_text"] = metrics.DIRECTION_TEXT[values["direction"]]
    if "conclusive" in values:
        values["conclusive_text"] = "; " + NOT_CONCLUSIVE if values["conclusive"] is False else ""
    if "metrics" in values:
        values["metrics_text"] = ", ".join(values["metrics"])
    return Reason(code, REASON_TEXT[code].format(**values), params=params)


def required_dimensions(assessment):
    """race, religion, gender, plus every other dimension the team marked relevant."""
    marked = assessment.answers.get(RELEVANT_DIMENSIONS_QUESTION) or []
    return list(REQUIRED_DIMENSIONS) + [d for d in marked if d not in REQUIRED_DIMENSIONS and d != "other"]


def dimension_label(dimension):
    return dimension.replace("_", " ")


def wilson_interval(proportion, n, z=Z95):
    """The Wilson score interval of a proportion observed over ``n`` samples: ``(low, high)``."""
    if n <= 0 or not 0 <= proportion <= 1:
        return None
    centre = proportion + z * z / (2 * n)
    spread = z * math.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


@dataclass(frozen=True)
class GroupValue:
    """One group's value on one metric, with its 95% interval when the metric is a proportion."""

    group: str
    n: int
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None

    def as_dict(self):
        return {"group": self.group, "n": self.n, "value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


def group_value(row):
    interval = wilson_interval(row.value, row.sample_size) if metrics.metric(row.metric).proportion else None
    low, high = interval or (None, None)
    return GroupValue(row.group, row.sample_size, row.value, low, high)


def intervals_overlap(a, b):
    """True when two groups' intervals overlap, False when they do not, None when either has none."""
    if None in (a.ci_low, a.ci_high, b.ci_low, b.ci_high):
        return None
    return a.ci_low <= b.ci_high and b.ci_low <= a.ci_high


@dataclass(frozen=True)
class Flag:
    """One finding in the evidence that needs a mitigation note.

    A ratio flag (per dimension and metric) names the disadvantaged group, the reference
    group, their values, the ratio and the metric's direction; a small-sample flag (per
    dimension and group) names the group, its smallest ``n`` and the metrics it is small for.
    """

    code: str
    dimension: str
    metric: str = ""
    direction: str = ""
    group: str = ""
    ratio: float | None = None
    n: int | None = None
    disadvantaged_group: str = ""
    reference_group: str = ""
    groups: tuple = ()
    # False when the two groups' intervals overlap; None when there are no intervals.
    conclusive: bool | None = None
    small_metrics: tuple = ()

    @property
    def key(self):
        """Names the flag across measurements: what a mitigation answers."""
        if self.code == RATIO_FLAG:
            return f"{RATIO_FLAG}:{self.dimension}:{self.metric}"
        return f"{SMALL_GROUP_FLAG}:{self.dimension}:{self.group}"

    @property
    def legacy_keys(self):
        """Keys earlier versions gave this finding (a small group was flagged once per metric), which stored
        mitigations and monitoring flags may still name."""
        if self.code == RATIO_FLAG:
            return ()
        return tuple(f"{SMALL_GROUP_FLAG}:{self.dimension}:{m}:{self.group}" for m in self.small_metrics)

    def answered_by(self, keys):
        """Whether a key in ``keys`` (mitigated or known flags) names this flag, by its key or a legacy one."""
        return self.key in keys or any(k in keys for k in self.legacy_keys)

    @property
    def disadvantaged(self):
        return next((g for g in self.groups if g.group == self.disadvantaged_group), None)

    @property
    def reference(self):
        return next((g for g in self.groups if g.group == self.reference_group), None)

    @property
    def direction_text(self):
        return metrics.DIRECTION_TEXT.get(self.direction, "")

    @property
    def label(self):
        if self.code == RATIO_FLAG:
            text = (
                f"{dimension_label(self.dimension)} · {self.metric} ({self.direction_text}): "
                f"{self.disadvantaged_group} {self.disadvantaged.value:.4g} against {self.reference_group} "
                f"{self.reference.value:.4g}, lowest ÷ highest {self.ratio:.2f}"
            )
            return text + (f" ({NOT_CONCLUSIVE})" if self.conclusive is False else "")
        return (
            f"{dimension_label(self.dimension)}: group “{self.group}” has only {self.n} sample{pluralize(self.n)} "
            f"({', '.join(self.small_metrics)})"
        )

    def as_reason(self):
        if self.code == RATIO_FLAG:
            return reason(
                "bias_flag_unmitigated",
                flag=self.key,
                dimension=self.dimension,
                metric=self.metric,
                direction=self.direction,
                ratio=self.ratio,
                disadvantaged_group=self.disadvantaged_group,
                disadvantaged_value=self.disadvantaged.value,
                reference_group=self.reference_group,
                reference_value=self.reference.value,
                conclusive=self.conclusive,
            )
        return reason(
            "bias_group_too_small",
            flag=self.key,
            dimension=self.dimension,
            group=self.group,
            n=self.n,
            metrics=list(self.small_metrics),
            minimum=MIN_GROUP_SIZE,
        )

    def as_dict(self):
        """The flag as plain values: what the API, the audit log and ``assessment.json`` carry."""
        return {
            "key": self.key,
            "code": self.code,
            "dimension": self.dimension,
            "metric": self.metric,
            "direction": self.direction,
            "disadvantaged_group": self.disadvantaged_group,
            "reference_group": self.reference_group,
            "groups": [g.as_dict() for g in self.groups],
            "ratio": self.ratio,
            "conclusive": self.conclusive,
            "group": self.group,
            "n": self.n,
            "metrics": list(self.small_metrics),
        }


def current_rows(rows):
    """The latest row of each (dimension, metric, group): a later measurement of a group replaces an earlier one."""
    latest = {}
    ordered = sorted(enumerate(rows), key=lambda ir: (_when(ir[1]), ir[0]))
    for _, row in ordered:
        latest[(row.dimension, row.metric, row.group)] = row
    return list(latest.values())


def _when(row):
    created = getattr(row, "created_at", None)
    return (created.timestamp() if created is not None else 0.0, getattr(row, "pk", None) or 0)


def _ratio(low, high):
    """lowest ÷ highest on the values as written (0.08 ÷ 0.1 is 0.8, not 0.7999999999999999), or None."""
    if high <= 0 or low < 0:
        return None
    return Decimal(repr(float(low))) / Decimal(repr(float(high)))


def four_fifths_ratios(rows):
    """Per (dimension, metric): the disadvantaged and reference groups in the metric's direction, the ratio
    lowest ÷ highest, whether it is flagged (under 0.8) and whether the groups' intervals overlap.

    ``rows`` are BiasResult-like objects of one kind of evidence. A ratio needs two or more groups and a
    positive highest value.
    """
    by_pair = defaultdict(list)
    for row in current_rows(rows):
        by_pair[(row.dimension, row.metric)].append(row)
    results = []
    for (dimension, metric), members in sorted(by_pair.items()):
        declared = metrics.metric(metric)
        groups = tuple(group_value(m) for m in sorted(members, key=lambda m: m.group))
        lowest = min(groups, key=lambda g: g.value)
        highest = max(groups, key=lambda g: g.value)
        disadvantaged, reference = (highest, lowest) if declared.lower_is_better else (lowest, highest)
        exact = _ratio(lowest.value, highest.value) if len(groups) > 1 else None
        flagged = exact is not None and exact < _THRESHOLD
        results.append(
            {
                "dimension": dimension,
                "metric": metric,
                "direction": declared.direction,
                "direction_text": metrics.DIRECTION_TEXT[declared.direction],
                "groups": groups,
                "group_count": len(groups),
                "disadvantaged_group": disadvantaged.group,
                "reference_group": reference.group,
                "disadvantaged_value": disadvantaged.value,
                "reference_value": reference.value,
                "ratio": float(exact) if exact is not None else None,
                "flagged": flagged,
                "conclusive": (not intervals_overlap(disadvantaged, reference))
                if intervals_overlap(disadvantaged, reference) is not None
                else None,
                "small_groups": sorted({m.group for m in members if m.sample_size < MIN_GROUP_SIZE}),
            }
        )
    return results


def bias_flags(rows):
    """Every flag the rows (of one kind of evidence) raise, in a stable order: one per (dimension, metric)
    whose ratio is under 0.8, then one per (dimension, group) with fewer than 30 samples on any metric."""
    flags = []
    for r in four_fifths_ratios(rows):
        if r["flagged"]:
            flags.append(
                Flag(
                    RATIO_FLAG,
                    r["dimension"],
                    r["metric"],
                    direction=r["direction"],
                    ratio=r["ratio"],
                    disadvantaged_group=r["disadvantaged_group"],
                    reference_group=r["reference_group"],
                    groups=r["groups"],
                    conclusive=r["conclusive"],
                )
            )
    small = defaultdict(list)
    for row in current_rows(rows):
        if row.sample_size < MIN_GROUP_SIZE:
            small[(row.dimension, row.group)].append(row)
    for (dimension, group), members in sorted(small.items()):
        smallest = min(members, key=lambda m: (m.sample_size, m.metric))
        flags.append(
            Flag(
                SMALL_GROUP_FLAG,
                dimension,
                group=group,
                n=smallest.sample_size,
                groups=(GroupValue(group, smallest.sample_size, None),),
                small_metrics=tuple(sorted({m.metric for m in members})),
            )
        )
    return flags


def bias_evidence_blockers(assessment):
    """Why Data/AI may not approve for want of bias evidence: structured reasons, each naming what is missing.

    - a required dimension with neither approval evidence nor a recorded justification;
    - a flag of the approval evidence (ratio under 0.8, group under 30) without a mitigation note.
    """
    rows = list(assessment.bias_results.filter(kind="approval"))
    present = {row.dimension for row in rows}
    justified = set(assessment.bias_justifications.values_list("dimension", flat=True))
    mitigated = set(assessment.bias_mitigations.filter(kind="approval").values_list("flag", flat=True))
    reasons = [
        reason("bias_evidence_missing", dimension=d)
        for d in required_dimensions(assessment)
        if d not in present and d not in justified
    ]
    reasons.extend(flag.as_reason() for flag in bias_flags(rows) if not flag.answered_by(mitigated))
    return reasons


def measurements(rows):
    """Rows grouped by the addition that recorded them (one upload, one form): ``[(batch, kind, when, rows)]``."""
    batches = {}
    for row in rows:
        batches.setdefault(row.batch or f"row{row.pk}", []).append(row)
    found = [(batch, members[0].kind, members[0].created_at, members) for batch, members in batches.items()]
    return sorted(found, key=lambda m: (m[2], m[0]))


def ratio_history(rows):
    """Per dimension, the worst four-fifths ratio over its metrics at each measurement: for the chart.

    ``{dimension: [{"when", "kind", "ratio"}]}``; a measurement without a ratio for the dimension is left out.
    """
    history = defaultdict(list)
    for _, kind, when, members in measurements(rows):
        worst = {}
        for r in four_fifths_ratios(members):
            if r["ratio"] is not None:
                worst[r["dimension"]] = min(worst.get(r["dimension"], r["ratio"]), r["ratio"])
        for dimension, ratio in worst.items():
            history[dimension].append({"when": when, "kind": kind, "ratio": ratio})
    return dict(sorted(history.items()))
