"""Adding per-group bias results with their provenance, and the monitoring flags a new result raises.

Locks the assessment, checks who may and when, validates every row before
writing any, and writes the audit log in the same transaction; the entry carries
every result row with its id and the batch with its provenance, so that the
tables can be checked against the log.
"""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from .. import canonical, metrics
from ..audit.chain import audit_event
from ..audit_records import records_of
from ..bias import bias_flags
from ..errors import InputError
from ..locking import lock_assessment
from ..models import Assessment, AuditEntry, BiasBatch, BiasResult, EvidenceKind, MonitoringFlag
from ..questionnaire import MAX_NUMBER, is_finite_number
from ..signals import bias_flags_raised
from .evidence import refuse_unless_evidence_owner

DIMENSION = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_BIAS_ROWS = 1000
MAX_DESCRIPTION = 2000
DESCRIPTION_NEEDED = (
    "Describe where these numbers come from: the model version and the data set "
    "(period, size, how groups were defined)."
)


def bias_results_add(
    *,
    assessment,
    rows,
    by,
    description,
    method=BiasBatch.Method.RESULTS_ENTERED,
    batch=None,
    source_name="",
    source_sha256="",
    tool="",
    intersections=(),
):
    """Add per-group bias results with their provenance. The team or a Data/AI reviewer may, up to Data/AI
    review (approval evidence) or once launched (monitoring results).

    Rows: ``{"dimension", "group", "n", "metric", "value"}``; every metric must be a declared one
    (``metrics.py``) and, being a proportion, between 0 and 1. ``description`` (required) says which
    model version and data set the numbers come from. Who may is decided first; then all rows are
    validated and none is saved unless all are valid. Rows added together are one measurement, a
    ``BiasBatch`` keeping the source file's name and SHA-256, the method (and the library that computed
    the rates), the uploader and the time; a batch already saved is not saved again (a double click, a
    repeated upload confirmation) and its rows are returned. The audit entry holds the batch and every
    row. Evidence does not change the content hash, so it does not invalidate other domains' sign-offs.
    A monitoring result that raises a flag not seen before records it with its deadline and announces it
    (``signals.bias_flags_raised``) in this transaction.
    """
    batch = batch or uuid.uuid4().hex
    with transaction.atomic():
        locked = lock_assessment(assessment)
        kind = refuse_unless_evidence_owner(locked, by)
        cleaned = _clean_bias_rows(rows)
        description = _clean_description(description)
        if method not in BiasBatch.Method.values:
            raise InputError({"method": f"The method must be one of {', '.join(BiasBatch.Method.values)}."})
        if not isinstance(batch, str) or not re.fullmatch(r"[0-9a-f]{32}", batch):
            raise InputError({"batch": "The batch must be 32 hexadecimal characters."})
        existing = list(BiasResult.objects.filter(assessment=locked, batch=batch))
        if existing:
            return existing
        now = canonical.now()
        provenance = BiasBatch.objects.create(
            assessment=locked,
            token=batch,
            kind=kind,
            method=method,
            tool=tool[:100],
            intersections=[list(pair) for pair in intersections],
            source_name=source_name[:255],
            source_sha256=source_sha256,
            description=description,
            created_by=by,
            created_at=now,
        )
        created = BiasResult.objects.bulk_create(
            [
                BiasResult(
                    assessment=locked,
                    kind=kind,
                    batch=batch,
                    evidence_batch=provenance,
                    source_name=provenance.source_name,
                    source_sha256=source_sha256,
                    created_by=by,
                    created_at=now,
                    **row,
                )
                for row in cleaned
            ]
        )
        details = {
            "kind": kind,
            "batch": batch,
            "provenance": batch_data(provenance),
            "rows": [{"id": r.pk, **row} for r, row in zip(created, cleaned, strict=True)],
        }
        if source_name or source_sha256:
            details["source"] = {"name": provenance.source_name, "sha256": source_sha256}
        details["records"] = records_of(
            BiasBatch.objects.filter(pk=provenance.pk), BiasResult.objects.filter(assessment=locked, batch=batch)
        )
        audit_event(locked, actor=by, action=AuditEntry.Action.BIAS_EVIDENCE_ADDED, details=details)
        if kind == EvidenceKind.MONITORING:
            _raise_monitoring_flags(locked, created, by, batch, now)
    return created


def batch_data(provenance):
    """A batch's provenance as plain values: the audit log, the API and ``assessment.json`` carry these."""
    return {
        "id": provenance.pk,
        "token": provenance.token,
        "kind": provenance.kind,
        "method": provenance.method,
        "method_label": provenance.get_method_display(),
        "tool": provenance.tool,
        "intersections": provenance.intersections,
        "source_name": provenance.source_name,
        "source_sha256": provenance.source_sha256,
        "description": provenance.description,
        "created_by": provenance.created_by.get_username(),
        "created_by_id": provenance.created_by_id,
        "created_at": canonical.timestamp(provenance.created_at),
    }


def _clean_description(description):
    if not isinstance(description, str) or not description.strip():
        raise InputError({"description": DESCRIPTION_NEEDED}, message=DESCRIPTION_NEEDED)
    description = description.strip()
    if not canonical.is_storable_text(description):
        raise InputError({"description": "The description " + canonical.unstorable_text(description)})
    if len(description) > MAX_DESCRIPTION:
        raise InputError(
            {"description": f"The description is {len(description)} characters long; the limit is {MAX_DESCRIPTION}."}
        )
    return description


def _raise_monitoring_flags(locked, rows, by, batch, now):
    """Record the flags of this monitoring result that neither the approval evidence nor earlier monitoring had."""
    known = set(locked.monitoring_flags.values_list("flag", flat=True))
    known |= {f.key for f in bias_flags(list(locked.bias_results.filter(kind=EvidenceKind.APPROVAL)))}
    new = [flag for flag in bias_flags(rows) if not flag.answered_by(known)]
    if not new:
        return []
    due = now + timedelta(days=settings.BIAS_MITIGATION_DAYS)
    flags = MonitoringFlag.objects.bulk_create(
        [
            MonitoringFlag(
                assessment=locked,
                flag=flag.key,
                code=flag.code,
                dimension=flag.dimension,
                metric=flag.metric,
                group=flag.group,
                batch=batch,
                raised_at=now,
                due_at=due,
            )
            for flag in new
        ]
    )
    entry = audit_event(
        locked,
        actor=by,
        action=AuditEntry.Action.BIAS_FLAGS_RAISED,
        details={
            "batch": batch,
            "flags": [f.as_dict() for f in new],
            "due_at": canonical.timestamp(due),
            "records": records_of(MonitoringFlag.objects.filter(assessment=locked, batch=batch)),
        },
    )
    bias_flags_raised.send(sender=Assessment, assessment=locked, flags=flags, actor=by, audit_entry=entry)
    return flags


# -- row validation ---------------------------------------------------------------------------------


def _clean_bias_rows(rows):
    if not isinstance(rows, list) or not rows:
        raise InputError({"rows": "Send one or more rows."})
    if len(rows) > MAX_BIAS_ROWS:
        raise InputError({"rows": f"At most {MAX_BIAS_ROWS} rows at a time."})
    cleaned, errors = [], {}
    for index, row in enumerate(rows, start=1):
        message, value = _clean_bias_row(row)
        if message:
            errors[f"rows[{index}]"] = message
        else:
            cleaned.append(value)
    if errors:
        unknown = sorted({m for m in errors.values() if m.startswith("Unknown metric")})
        raise InputError(errors, message=unknown[0] if len(unknown) == 1 else "Some bias result rows are not valid.")
    return cleaned


def _clean_bias_row(row):
    if not isinstance(row, dict):
        return "Each row needs dimension, group, n, metric and value.", None
    missing = [k for k in ("dimension", "group", "n", "metric", "value") if k not in row]
    if missing:
        return f"Missing {', '.join(missing)}.", None
    dimension = row["dimension"]
    if not isinstance(dimension, str) or not DIMENSION.match(dimension.strip().lower()):
        return "The dimension must be a short lowercase name such as race, religion or gender.", None
    group, metric = row["group"], row["metric"]
    if not isinstance(group, str) or not group.strip() or len(group) > 100 or not canonical.is_storable_text(group):
        return "The group must be text of at most 100 characters.", None
    if not isinstance(metric, str) or not metric.strip() or len(metric) > 100 or not canonical.is_storable_text(metric):
        return "The metric must be text of at most 100 characters.", None
    if not metrics.is_known(metric.strip()):
        return metrics.unknown_metric_message(metric.strip()), None
    n = row["n"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1 or n > 2_000_000_000:
        return "The sample size n must be a whole number of at least 1.", None
    value = row["value"]
    if not is_finite_number(value) or abs(value) > MAX_NUMBER:
        return "The value must be a number.", None
    if metrics.metric(metric.strip()).proportion and not 0 <= value <= 1:
        return f"The {metric.strip()} is a proportion: its value must be between 0 and 1.", None
    return None, {
        "dimension": dimension.strip().lower(),
        "group": group.strip(),
        "sample_size": n,
        "metric": metric.strip(),
        # As the database gives it back: -0.0 is stored as 0.0 (see canonical.normalise_number).
        "value": float(canonical.normalise_number(value)),
    }
