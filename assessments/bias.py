"""Bias evidence: the four-fifths rule, small groups, and what Data/AI approval needs (DESIGN section 5).

Per dimension and metric, the worst group's value over the best group's is flagged
under 0.8 (the four-fifths rule); a group with fewer than 30 samples is flagged as
too small to judge. Data/AI approval needs evidence (or a recorded justification)
for race, religion, gender and every dimension the team marked relevant, and a
mitigation note for every flag of the approval evidence.

Reasons are structured (a code and its parameters); their text is rendered from
``REASON_TEXT`` so that every edge (page, API, email) says the same thing.
"""

from collections import defaultdict
from dataclasses import dataclass

from .errors import Reason

REQUIRED_DIMENSIONS = ("race", "religion", "gender")
FOUR_FIFTHS = 0.8
MIN_GROUP_SIZE = 30
RELEVANT_DIMENSIONS_QUESTION = "bias.relevant_dimensions"

RATIO_FLAG = "ratio_below_four_fifths"
SMALL_GROUP_FLAG = "group_too_small"

REASON_TEXT = {
    "bias_evidence_missing": "Bias evidence is missing for {dimension_label}: record per-group results, "
    "or a justification of why it cannot be measured.",
    "bias_flag_unmitigated": "The {metric} of {dimension_label} is flagged (worst ÷ best {ratio:.2f}, under 0.8: "
    "{worst_group} against {best_group}); record a mitigation note.",
    "bias_group_too_small": "The group “{group}” of {dimension_label} ({metric}) has {n} samples, fewer than "
    "{minimum}: too small to judge; record a mitigation note.",
}


def reason(code, **params):
    """A structured reason whose text is rendered from its code and parameters."""
    values = {**params}
    if "dimension" in values:
        values["dimension_label"] = dimension_label(values["dimension"])
    return Reason(code, REASON_TEXT[code].format(**values), params=params)


def required_dimensions(assessment):
    """race, religion, gender, plus every other dimension the team marked relevant."""
    marked = assessment.answers.get(RELEVANT_DIMENSIONS_QUESTION) or []
    return list(REQUIRED_DIMENSIONS) + [d for d in marked if d not in REQUIRED_DIMENSIONS and d != "other"]


def dimension_label(dimension):
    return dimension.replace("_", " ")


@dataclass(frozen=True)
class Flag:
    """One thing in the evidence that needs a mitigation note: a ratio under 0.8, or a group too small to judge."""

    code: str
    dimension: str
    metric: str
    group: str = ""
    ratio: float | None = None
    n: int | None = None
    worst_group: str = ""
    best_group: str = ""

    @property
    def key(self):
        """Names the flag across measurements: what a mitigation answers."""
        parts = [self.code, self.dimension, self.metric]
        if self.group:
            parts.append(self.group)
        return ":".join(parts)

    @property
    def label(self):
        if self.code == RATIO_FLAG:
            return (
                f"{dimension_label(self.dimension)} · {self.metric}: worst ÷ best {self.ratio:.2f} "
                f"({self.worst_group} against {self.best_group})"
            )
        return f"{dimension_label(self.dimension)} · {self.metric}: group “{self.group}” has only {self.n} samples"

    def as_reason(self):
        if self.code == RATIO_FLAG:
            return reason(
                "bias_flag_unmitigated",
                flag=self.key,
                dimension=self.dimension,
                metric=self.metric,
                ratio=self.ratio,
                worst_group=self.worst_group,
                best_group=self.best_group,
            )
        return reason(
            "bias_group_too_small",
            flag=self.key,
            dimension=self.dimension,
            metric=self.metric,
            group=self.group,
            n=self.n,
            minimum=MIN_GROUP_SIZE,
        )

    def as_dict(self):
        return {
            "key": self.key,
            "code": self.code,
            "dimension": self.dimension,
            "metric": self.metric,
            "group": self.group,
            "ratio": self.ratio,
            "n": self.n,
        }


def four_fifths_ratios(rows):
    """Per (dimension, metric): worst/best ratio, flagged when under 0.8.

    ``rows`` are BiasResult-like objects. A ratio needs two or more groups and a
    positive best value.
    """
    groups = defaultdict(list)
    for row in rows:
        groups[(row.dimension, row.metric)].append(row)
    results = []
    for (dimension, metric), members in sorted(groups.items()):
        values = [m.value for m in members]
        best, worst = max(values), min(values)
        ratio = worst / best if len(members) > 1 and best > 0 else None
        results.append(
            {
                "dimension": dimension,
                "metric": metric,
                "groups": len(members),
                "best_group": max(members, key=lambda m: m.value).group,
                "worst_group": min(members, key=lambda m: m.value).group,
                "ratio": ratio,
                "flagged": ratio is not None and ratio < FOUR_FIFTHS,
                "small_groups": sorted(m.group for m in members if m.sample_size < MIN_GROUP_SIZE),
            }
        )
    return results


def bias_flags(rows):
    """Every flag the rows raise, in a stable order: ratios under 0.8, then groups under 30 samples."""
    flags = []
    for r in four_fifths_ratios(rows):
        if r["flagged"]:
            flags.append(
                Flag(
                    RATIO_FLAG,
                    r["dimension"],
                    r["metric"],
                    ratio=r["ratio"],
                    worst_group=r["worst_group"],
                    best_group=r["best_group"],
                )
            )
    small = {}
    for row in rows:
        if row.sample_size < MIN_GROUP_SIZE:
            flag = Flag(SMALL_GROUP_FLAG, row.dimension, row.metric, group=row.group, n=row.sample_size)
            small.setdefault(flag.key, flag)
    flags.extend(small[k] for k in sorted(small))
    return flags


def approval_rows(rows):
    return [row for row in rows if row.kind == "approval"]


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
    reasons.extend(flag.as_reason() for flag in bias_flags(rows) if flag.key not in mitigated)
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
