"""Justifications (why a required dimension cannot be measured) and mitigation notes (what is done about a flag).

Each is recorded under the assessment's lock with its audit entry (author, time,
text and flag) in the same transaction.
"""

from django.db import transaction

from .. import canonical, permissions
from ..audit.chain import audit_event
from ..audit_records import records_of
from ..bias import bias_flags, required_dimensions
from ..errors import InputError, NotPermitted, TransitionConflict
from ..locking import lock_assessment
from ..models import AuditEntry, BiasJustification, BiasMitigation, EvidenceKind
from .evidence import refuse_unless_evidence_owner

MAX_NOTE = 5000


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
        locked = lock_assessment(assessment)
        kind = refuse_unless_evidence_owner(locked, by)
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
        locked = lock_assessment(assessment)
        kind = refuse_unless_evidence_owner(locked, by)
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
