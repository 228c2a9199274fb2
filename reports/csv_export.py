"""The assessment list as CSV that a spreadsheet opens as data, never as formulas."""

import csv

from assessments import metrics
from assessments.bias import group_value
from assessments.presenters.answers import RISK_NAMES

from .analytics import DECISIONS

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

COLUMNS = [
    "assessment_id",
    "feature",
    "team",
    "version",
    "state",
    "risk_level",
    "risk_name",
    "created_at",
    "submitted_at",
    "decided_at",
    "launched_at",
    "next_review_due",
    "content_hash",
    "dossier_document_id",
    "dossier_sha256",
    "dossier_issued_at",
]


def inert(value):
    """The cell as text a spreadsheet shows as typed: formula-looking text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = text.replace("\x00", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def row_of(assessment):
    dossier = (getattr(assessment, "issued_dossiers", None) or [None])[0]
    return [
        assessment.pk,
        assessment.feature.name,
        assessment.feature.team.name,
        assessment.version,
        assessment.state,
        assessment.risk_level,
        RISK_NAMES.get(assessment.risk_level, ""),
        assessment.created_at,
        assessment.submitted_at,
        assessment.decided_at,
        assessment.launched_at,
        assessment.next_review_due,
        assessment.content_hash,
        dossier.document_id if dossier else None,
        dossier.sha256 if dossier else None,
        dossier.issued_at if dossier else None,
    ]


class _Echo:
    def write(self, value):
        return value


def csv_lines(assessments):
    """The header and one line per assessment, as text chunks to stream."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # the BOM makes spreadsheets read UTF-8
    for assessment in assessments:
        yield writer.writerow([inert(value) for value in row_of(assessment)])


ANALYTICS_COLUMNS = ["measure", "group", "series", "value", "unit", "from", "to"]


def analytics_rows(analytics):
    """The committee analytics in long form: one line per number, each with what it measures and over when."""
    since, now = analytics.since, analytics.now
    for stage in analytics.stage_times:
        yield ["stage_days", stage.label, "median", _rounded(stage.median_days), "days", since, now]
        yield ["stage_days", stage.label, "p90", _rounded(stage.p90_days), "days", since, now]
        yield ["stage_days", stage.label, "finished_visits", stage.visits, "count", since, now]
    for load in analytics.stage_loads:
        yield ["stage_now", load.label, "waiting", load.waiting, "count", None, now]
        yield ["stage_now", load.label, "overdue", load.overdue, "count", None, now]
    for month in analytics.months:
        for state, _ in DECISIONS:
            yield ["decisions", month.month, state.value, month.counts[state], "count", None, now]


def _rounded(days):
    return None if days is None else f"{days:.2f}"


def analytics_csv_lines(analytics):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(ANALYTICS_COLUMNS)
    for row in analytics_rows(analytics):
        yield writer.writerow([inert(value) for value in row])


BIAS_COLUMNS = [
    "assessment_id",
    "kind",
    "measured_at",
    "dimension",
    "group",
    "n",
    "metric",
    "direction",
    "value",
    "ci_low",
    "ci_high",
    "batch",
    "method",
    "tool",
    "description",
    "source_name",
    "source_sha256",
    "created_by",
]


def bias_csv_lines(assessment, rows):
    """An assessment's bias evidence as CSV, each row with its metric's direction, its 95% interval and its
    batch's provenance: group names and descriptions are user text, so every cell is inert."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(BIAS_COLUMNS)
    for row in rows:
        found = group_value(row)
        provenance = row.evidence_batch
        cells = [
            assessment.pk,
            row.kind,
            row.created_at,
            row.dimension,
            row.group,
            row.sample_size,
            row.metric,
            metrics.direction_of(row.metric),
            repr(row.value),
            "" if found.ci_low is None else repr(round(found.ci_low, 6)),
            "" if found.ci_high is None else repr(round(found.ci_high, 6)),
            row.batch,
            provenance.method if provenance else "",
            provenance.tool if provenance else "",
            provenance.description if provenance else "",
            row.source_name,
            row.source_sha256,
            row.created_by.get_username(),
        ]
        yield writer.writerow([inert(value) for value in cells])
