"""Every change to an assessment's bias evidence: results with their provenance, justifications, mitigations
(DESIGN section 5). ``services`` re-exports these names.

Each function locks the assessment, checks who may and when, validates all input
before writing anything, and writes the audit log in the same transaction. Audit
entries carry the full data of the rows they create (every result row with its id,
the batch with its provenance; each mitigation with its author, time, text and flag),
so that the tables can be checked against the log.
"""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from accounts import roles

from . import canonical, metrics, permissions
from .audit import audit_event
from .audit_records import records_of
from .bias import bias_flags, required_dimensions
from .errors import InputError, NotPermitted, TransitionConflict
from .models import (
    Assessment,
    AuditEntry,
    BiasBatch,
    BiasJustification,
    BiasMitigation,
    BiasResult,
    EvidenceKind,
    MonitoringFlag,
)
from .questionnaire import MAX_NUMBER, is_finite_number
from .signals import bias_flags_raised
from .states import BIAS_EVIDENCE_STATES, MONITORING_STATES

DIMENSION = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_BIAS_ROWS = 1000
MAX_NOTE = 5000
MAX_DESCRIPTION = 2000
DESCRIPTION_NEEDED = (
    "Describe where these numbers come from: the model version and the data set "
    "(period, size, how groups were defined)."
)


def _lock(assessment):
    return Assessment.objects.select_for_update().select_related("feature__team__group").get(pk=assessment.pk)


def evidence_kind_in(state):
    """The kind of bias evidence an assessment in ``state`` takes, or None when it takes none."""
    if state in BIAS_EVIDENCE_STATES:
        return EvidenceKind.APPROVAL
    if state in MONITORING_STATES:
        return EvidenceKind.MONITORING
    return None


def _refuse_unless_evidence_owner(locked, by):
    roles.forget(by)
    if not permissions.may_add_bias_evidence(by, locked):
        raise NotPermitted("Only the team or a Data/AI reviewer may add bias evidence.", code="not_evidence_owner")
    kind = evidence_kind_in(locked.state)
    if kind is None:
        raise TransitionConflict(
            "Bias evidence can be added up to Data/AI review, and as monitoring once launched; "
            f"this assessment is in {locked.get_state_display()}.",
            code="wrong_state",
        )
    return kind


def bias_evidence_check(*, assessment, by):
    """Raise NotPermitted or TransitionConflict when ``by`` may not add bias evidence to it now (reads only).

    Lets a caller refuse before reading an upload; the services check again under the lock.
    """
    _refuse_unless_evidence_owner(assessment, by)


# -- flags ----------------------------------------------------------------------------------------


def monitoring_flag_findings(monitoring_flags, rows):
    """``{key: bias.Flag}`` of the stored monitoring flags, recomputed from the rows of the batch that raised each."""
    by_batch = {}
    for row in rows:
        if row.kind == EvidenceKind.MONITORING:
            by_batch.setdefault(row.batch, []).append(row)
    found = {}
    for stored in monitoring_flags:
        for flag in bias_flags(by_batch.get(stored.batch, [])):
            if stored.flag == flag.key or stored.flag in flag.legacy_keys:
                found[stored.flag] = flag
    return found


def bias_flags_of(assessment):
    """The approval evidence's flags and the monitoring flags, each with whether it is mitigated (plain values).

    The one list of flags: the API, the browser's summary, list and form, and the dossier count from it.
    """
    return flags_with_notes(
        list(assessment.bias_results.order_by("created_at", "pk")),
        list(assessment.bias_mitigations.select_related("created_by")),
        list(assessment.monitoring_flags.all()),
    )


def flags_with_notes(rows, mitigations, monitoring_flags):
    """``bias_flags_of`` over rows and notes already loaded: each flag's plain values, its ``kind``,
    ``due_at``, ``mitigated``, its ``mitigation`` (the row, or None) and its ``finding`` (the ``bias.Flag``)."""
    by_key = {(m.kind, m.flag): m for m in mitigations}
    flags = []
    for flag in bias_flags([r for r in rows if r.kind == EvidenceKind.APPROVAL]):
        keys = (flag.key, *flag.legacy_keys)
        answered = next(
            (by_key[(EvidenceKind.APPROVAL, k)] for k in keys if (EvidenceKind.APPROVAL, k) in by_key), None
        )
        flags.append(
            {**flag.as_dict(), "kind": EvidenceKind.APPROVAL, "due_at": None, "finding": flag, **_note(answered)}
        )
    findings = monitoring_flag_findings(monitoring_flags, rows)
    for stored in monitoring_flags:
        finding = findings.get(stored.flag)
        data = finding.as_dict() if finding else _bare_flag(stored)
        data["key"] = stored.flag  # what a mitigation of it names, as it was raised
        answered = by_key.get((EvidenceKind.MONITORING, stored.flag))
        flags.append(
            {**data, "kind": EvidenceKind.MONITORING, "due_at": stored.due_at, "finding": finding, **_note(answered)}
        )
        flags[-1]["raised_at"] = stored.raised_at
    return flags


def _note(mitigation):
    return {"mitigated": mitigation is not None, "mitigation": mitigation}


def _bare_flag(stored):
    return {
        "key": stored.flag,
        "code": stored.code,
        "dimension": stored.dimension,
        "metric": stored.metric,
        "direction": metrics.direction_of(stored.metric) if stored.metric else "",
        "disadvantaged_group": "",
        "reference_group": "",
        "groups": [],
        "ratio": None,
        "conclusive": None,
        "group": stored.group,
        "n": None,
        "metrics": [],
    }


# -- results and their provenance ---------------------------------------------------------------------


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
        locked = _lock(assessment)
        kind = _refuse_unless_evidence_owner(locked, by)
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


# -- justifications and mitigations -------------------------------------------------------------------


def _clean_note(text, what, field="text"):
    if not isinstance(text, str) or not text.strip():
        raise InputError({field: f"Write the {what}."})
    text = text.strip()
    if not canonical.is_storable_text(text):
        raise InputError({field: f"The {what} " + canonical.unstorable_text(text)})
    if len(text) > MAX_NOTE:
        raise InputError({field: f"The {what} is {len(text)} characters long; the limit is {MAX_NOTE}."})
    return text


def bias_justification_record(*, assessment, dimension, text, by):
    """Record why a required dimension cannot be measured, instead of evidence for it.

    Guarantees: only the team or a Data/AI reviewer, only where approval evidence
    may be added; the dimension must be one the approval requires and have no
    justification yet (409 otherwise); recorded in the audit log in the same transaction.
    """
    with transaction.atomic():
        locked = _lock(assessment)
        kind = _refuse_unless_evidence_owner(locked, by)
        if kind != EvidenceKind.APPROVAL:
            raise TransitionConflict(
                "Justifications are part of the approval's evidence; this assessment is past Data/AI review.",
                code="wrong_state",
            )
        required = required_dimensions(locked)
        if not isinstance(dimension, str) or dimension not in required:
            raise InputError({"dimension": f"Choose one of the required dimensions: {', '.join(required)}."})
        text = _clean_note(text, "justification")
        if locked.bias_justifications.filter(dimension=dimension).exists():
            raise TransitionConflict(
                f"A justification for {dimension} is recorded already.", code="justification_exists"
            )
        now = canonical.now()
        justification = BiasJustification.objects.create(
            assessment=locked, dimension=dimension, text=text, created_by=by, created_at=now
        )
        audit_event(
            locked,
            actor=by,
            action=AuditEntry.Action.BIAS_JUSTIFIED,
            details={
                "justification_id": justification.pk,
                "dimension": dimension,
                "text": text,
                "created_by": by.get_username(),
                "created_at": canonical.timestamp(now),
                "records": records_of(BiasJustification.objects.filter(pk=justification.pk)),
            },
        )
    return justification


def bias_mitigation_record(*, assessment, flag, text, by):
    """Record what is done about one flag (its ``bias.Flag.key``); see ``bias_mitigations_record``."""
    return bias_mitigations_record(assessment=assessment, notes={flag: text}, by=by, field="text")[0]


def bias_mitigations_record(*, assessment, notes, by, field=None):
    """Record the mitigation notes of several flags at once: ``notes`` maps a flag key to its note.

    Approval evidence (draft up to Data/AI review): the team or a Data/AI reviewer, for
    flags the approval evidence raises now. Monitoring (launched): a Data/AI reviewer, for
    flags a monitoring result raised. One mitigation per flag, and only for a flag the
    evidence raises (409 otherwise). All are recorded or none: every note is checked
    before any is saved. Each is one audit entry (author, time, flag, text) in this transaction.
    """
    with transaction.atomic():
        locked = _lock(assessment)
        kind = _refuse_unless_evidence_owner(locked, by)
        if kind == EvidenceKind.MONITORING and not permissions.is_data_ai_reviewer_of(by, locked):
            raise NotPermitted(
                "After launch, a Data/AI reviewer records the mitigation of a monitoring flag.", code="not_data_ai"
            )
        if not isinstance(notes, dict) or not notes:
            raise InputError({"notes": "Write a mitigation note for at least one flag."})
        recorded = set(locked.bias_mitigations.filter(kind=kind).values_list("flag", flat=True))
        if kind == EvidenceKind.APPROVAL:
            findings = bias_flags(list(locked.bias_results.filter(kind=EvidenceKind.APPROVAL)))
            open_flags = {f.key for f in findings}
            # A finding answered under the key an earlier version gave it is answered.
            recorded |= {f.key for f in findings if f.answered_by(recorded)}
        else:
            open_flags = set(locked.monitoring_flags.values_list("flag", flat=True))
        cleaned, errors = {}, {}
        for flag, text in notes.items():
            try:
                cleaned[flag] = _clean_note(text, "mitigation note", field=field or f"notes[{flag}]")
            except InputError as error:
                errors.update(error.errors)
        if errors:
            raise InputError(errors, message="Some mitigation notes are not valid.")
        for flag in cleaned:
            if not isinstance(flag, str) or flag not in open_flags:
                # Which flags exist depends on the evidence as it is now: a conflict, like a stale state.
                raise TransitionConflict(
                    "The evidence raises no such flag now; choose one of the flags listed with the evidence.",
                    code="no_such_flag",
                )
            if flag in recorded:
                raise TransitionConflict("A mitigation for this flag is recorded already.", code="mitigation_exists")
        now = canonical.now()
        mitigations = []
        for flag, text in cleaned.items():
            mitigation = BiasMitigation.objects.create(
                assessment=locked, kind=kind, flag=flag, text=text, created_by=by, created_at=now
            )
            audit_event(
                locked,
                actor=by,
                action=AuditEntry.Action.BIAS_MITIGATED,
                details={
                    "mitigation_id": mitigation.pk,
                    "kind": kind,
                    "flag": flag,
                    "text": text,
                    "created_by": by.get_username(),
                    "created_at": canonical.timestamp(now),
                    "records": records_of(BiasMitigation.objects.filter(pk=mitigation.pk)),
                },
            )
            mitigations.append(mitigation)
    return mitigations


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
