"""Bias evidence: the four-fifths rule and what Data/AI approval needs (DESIGN section 5)."""

from collections import defaultdict

from .errors import Reason

REQUIRED_DIMENSIONS = ("race", "religion", "gender")
FOUR_FIFTHS = 0.8
RELEVANT_DIMENSIONS_QUESTION = "bias.relevant_dimensions"


def required_dimensions(assessment):
    """race, religion, gender, plus every other dimension the team marked relevant."""
    marked = assessment.answers.get(RELEVANT_DIMENSIONS_QUESTION) or []
    return list(REQUIRED_DIMENSIONS) + [d for d in marked if d not in REQUIRED_DIMENSIONS and d != "other"]


def bias_evidence_blockers(assessment):
    """One reason per required identity dimension without per-group results."""
    present = set(assessment.bias_results.values_list("dimension", flat=True).distinct())
    return [
        Reason("bias_evidence_missing", f"Bias evidence is missing for {dimension_label(d)}.")
        for d in required_dimensions(assessment)
        if d not in present
    ]


def dimension_label(dimension):
    return dimension.replace("_", " ")


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
            }
        )
    return results
