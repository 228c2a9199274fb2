"""One of a thing is said in the singular: "1 problem", "1 checkpoint holds", never "1 problems".

The texts built in Python use ``pluralize`` like the templates; a scan of the templates finds a count printed
before a plural noun without it.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from assessments.audit.verify import AuditReport
from assessments.bias import bias_flags
from assessments.models import BiasResult

# A count (a name, or anything |length) printed before a noun in the plural, in a template.
COUNTED = re.compile(r"\{\{\s*([\w.]+(?:\|length|\|default:\d+)?)\s*\}\}\s+(?:[a-z]+\s+)?([a-z]+s)\b(?!\{\{)")
NOUNS = {
    "problems", "rows", "samples", "days", "months", "minutes", "elements", "subcategories", "flags", "notes",
    "conditions", "comments", "questions", "answers", "items", "entries", "files", "features", "users",
    "checkpoints", "assessments", "reviewers", "notices", "attempts", "times", "stages",
}  # fmt: skip
# Names that are not counts: "the {{ stage_label }} reviewers".
NOT_COUNTS = {"stage_label"}


def _templates():
    root = Path(settings.BASE_DIR)
    for folder in [root / "templates", *root.glob("*/templates")]:
        if ".venv" in folder.parts:
            continue
        yield from sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt"))


def test_no_template_prints_a_count_before_a_plural_noun_without_pluralize():
    found = []
    for path in _templates():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in COUNTED.finditer(line):
                if match.group(2) in NOUNS and match.group(1) not in NOT_COUNTS:
                    found.append(f"{path.name}:{number}: {match.group(0)}")
    assert found == []


@pytest.mark.parametrize(
    ("rows", "assessments", "checkpoints", "says"),
    [
        (1, 1, 1, "1 row verified, signed head checked, 1 assessment matches the log; 1 checkpoint holds."),
        (2, 3, 2, "2 rows verified, signed head checked, 3 assessments match the log; 2 checkpoints hold."),
    ],
)
def test_the_verifier_s_summary(rows, assessments, checkpoints, says):
    assert AuditReport(rows=rows, assessments=assessments, checkpoints=checkpoints).summary().endswith(says)


@pytest.mark.parametrize(("count", "says"), [(1, "1 problem found"), (2, "2 problems found")])
def test_the_verifier_s_problems(count, says):
    report = AuditReport(rows=1)
    for _ in range(count):
        report.add("row_altered", "Row 1 was altered.")
    assert report.summary() == f"{says} in the audit log (1 row read)."


def test_a_group_of_one_sample_is_said_so():
    rows = [
        BiasResult(dimension="race", group="a", sample_size=1, metric="selection_rate", value=0.3),
        BiasResult(dimension="race", group="b", sample_size=400, metric="selection_rate", value=0.3),
    ]
    labels = [flag.label for flag in bias_flags(rows)]
    assert any("has only 1 sample (" in label for label in labels), labels
