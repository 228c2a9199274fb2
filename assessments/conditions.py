"""Conditions met in two steps, and carried across rounds (DESIGN section 3).

A reviewer sets a condition when approving. The team marks it met with evidence
(``condition_mark_met``: open -> awaiting_confirmation); a reviewer of the domain that set it, or
the chair, confirms it (``condition_confirm``: -> met) or reopens it with a comment
(``condition_reopen``: -> open). ``launch`` waits until every before-launch condition is met.
When a round ends with a change request, its conditions not yet met become ``proposed``; when the
domain's reviewer signs the next round they are kept (open again), unless the reviewer dropped or edited
one first (``condition_drop``; editing: ``services.carried_conditions``), or in the same approval.

Each service locks the assessment, then the condition, checks in the services' order (permission:
403; the status: 409; the input: 400), writes the change and an audit row holding the whole row as
it now is, and announces it with ``condition_changed`` in the same transaction.
"""

from django.db import transaction

from accounts import roles
from accounts.delegation import acting_by, delegation_for

from . import canonical, permissions
from .audit import audit_event
from .audit_records import records_of
from .errors import InputError, NotPermitted, TransitionConflict
from .models import REVIEW_STATES, Assessment, AuditEntry, Condition, ConditionEvidenceFile
from .signals import condition_changed

MAX_TEXT = 5000
Status = Condition.Status


def condition_row(condition):
    """The condition as the audit log records it after each step: every field a replay needs."""

    def username(user):
        return user.get_username() if user is not None else None

    return {
        "condition_id": condition.pk,
        "sign_off_id": condition.sign_off_id,
        "stage": condition.domain,
        "text": condition.text,
        "owner": username(condition.owner),
        "due_date": condition.due_date.isoformat() if condition.due_date else None,
        "before_launch": condition.before_launch,
        "status": condition.status,
        "evidence": condition.evidence,
        "evidence_file": {
            "name": condition.evidence_file_name,
            "content_type": condition.evidence_file_type,
            "size": condition.evidence_file_size,
            "sha256": condition.evidence_file_sha256,
        }
        if condition.has_evidence_file
        else None,
        "marked_met_by": username(condition.marked_met_by),
        "marked_met_at": condition.marked_met_at.isoformat() if condition.marked_met_at else None,
        "reviewed_by": username(condition.reviewed_by),
        "reviewed_at": condition.reviewed_at.isoformat() if condition.reviewed_at else None,
        "review_comment": condition.review_comment,
        "closed_at": condition.closed_at.isoformat() if condition.closed_at else None,
    }


def locked_condition(condition):
    """The assessment and the condition, both locked (in that order, as every service here takes them)."""
    assessment = (
        Assessment.objects.select_for_update().select_related("feature__team__group").get(pk=condition.assessment_id)
    )
    locked = Condition.objects.select_for_update(of=("self",)).select_related("sign_off").get(pk=condition.pk)
    return assessment, locked


def clean_text(value, *, field, required):
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError({field: f"The {field} must be text."})
    value = value.strip()
    if not canonical.is_storable_text(value):
        raise InputError({field: f"The {field} " + canonical.unstorable_text(value)})
    if required and not value:
        raise InputError({field: f"{field} required"}, message=f"{field.capitalize()} required.")
    if len(value) > MAX_TEXT:
        raise InputError({field: f"The {field} is {len(value)} characters long; the limit is {MAX_TEXT}."})
    return value


def _refuse_unless_status(condition, *wanted):
    if condition.status in wanted:
        return
    messages = {
        Status.PROPOSED: "This condition was carried from a round that ended with a change request; its reviewer "
        "keeps or drops it when signing again.",
        Status.OPEN: "This condition is open: the team has not marked it met.",
        Status.AWAITING_CONFIRMATION: "This condition was marked met and awaits confirmation.",
        Status.MET: "This condition is already confirmed met.",
        Status.DROPPED: "This condition was dropped.",
    }
    raise TransitionConflict(messages[condition.status], code=f"condition_{condition.status}")


def may_review(user, condition, assessment=None):
    """A reviewer of the domain that set it (or its delegate, while delegated), or the chair; never a member of
    the assessment's team."""
    if permissions.is_team_member(user, assessment or condition.assessment):
        return False
    return roles.user_has_role(user, roles.CHAIR) or bool(
        condition.domain
        and (roles.user_has_role(user, condition.domain) or delegation_for(user, condition.domain) is not None)
    )


def reviewer_delegation(user, condition):
    """The delegation a reviewer's step on ``condition`` is taken by (none for the chair or the domain's reviewer)."""
    return None if roles.user_has_role(user, roles.CHAIR) else acting_by(user, condition.domain)


def _refuse_unless_reviewer(user, condition):
    roles.forget(user)
    if permissions.is_team_member(user, condition.assessment):
        raise NotPermitted("The team meets its conditions; the committee confirms them.", code="team_member")
    if not may_review(user, condition):
        label = roles.DOMAIN_LABELS.get(condition.domain, "its domain")
        raise NotPermitted(
            f"Only a {label} reviewer, who set this condition, or the committee chair may confirm or reopen it.",
            code="not_condition_reviewer",
        )


def condition_refusal(*, step, condition, by):
    """The NotPermitted or TransitionConflict ``step`` ("met", "confirm", "reopen", "drop", "edit") would raise
    before reading any input, or None. Lets an endpoint answer 403 or 409 rather than 400 to a caller who could
    not act anyway."""
    try:
        if step in ("drop", "edit"):
            carried_refusal(by, condition, condition.assessment)
        elif step == "met":
            roles.forget(by)
            if not permissions.is_team_member(by, condition.assessment):
                raise NotPermitted(
                    f"Only members of the team {condition.assessment.feature.team.name} may mark its conditions met.",
                    code="not_team_member",
                )
            _refuse_unless_status(condition, Status.OPEN)
        else:
            _refuse_unless_reviewer(by, condition)
            _refuse_unless_status(condition, Status.AWAITING_CONFIRMATION)
    except (NotPermitted, TransitionConflict) as refusal:
        return refusal
    return None


def _record(assessment, condition, *, by, action, from_status, comment="", extra=None, acting_for=None):
    entry = audit_event(
        assessment,
        actor=by,
        action=action,
        comment=comment,
        acting_for=acting_for,
        details={
            **condition_row(condition),
            **(extra or {}),
            "from_status": from_status,
            "records": records_of(Condition.objects.filter(pk=condition.pk)),
        },
    )
    condition_changed.send(
        sender=Condition,
        assessment=assessment,
        condition=condition,
        from_status=from_status,
        actor=by,
        audit_entry=entry,
    )
    return condition


def condition_mark_met(*, condition, by, evidence, file=None):
    """The team records that an open condition is met, with evidence; it then awaits confirmation.

    Guarantees: only a member of the team (NotPermitted); only an open condition (TransitionConflict);
    evidence is required: text, a link or a file (``evidence_files.EvidenceFile``), else InputError "evidence
    required". The file's bytes are kept under their SHA-256; its name, kind, size and hash replace those of an
    earlier marking on the row and are in the audit row. The change, its audit row and the notices
    (``condition_changed``) are one transaction.
    """
    with transaction.atomic():
        assessment, condition = locked_condition(condition)
        roles.forget(by)
        if not permissions.is_team_member(by, assessment):
            raise NotPermitted(
                f"Only members of the team {assessment.feature.team.name} may mark its conditions met.",
                code="not_team_member",
            )
        _refuse_unless_status(condition, Status.OPEN)
        evidence = clean_text(evidence, field="evidence", required=file is None)
        from_status = condition.status
        condition.status = Status.AWAITING_CONFIRMATION
        condition.evidence = evidence
        condition.marked_met_by = by
        condition.marked_met_at = canonical.now()
        _keep_file(condition, file, by=by)
        condition.save()
        return _record(
            assessment, condition, by=by, action=AuditEntry.Action.CONDITION_MARKED_MET, from_status=from_status
        )


def _keep_file(condition, file, *, by):
    """The marking's file on the row (none: the row names none), its bytes stored once under their hash."""
    condition.evidence_file_name = file.name if file else ""
    condition.evidence_file_type = file.content_type if file else ""
    condition.evidence_file_size = file.size if file else None
    condition.evidence_file_sha256 = file.sha256 if file else ""
    if file is not None:
        ConditionEvidenceFile.objects.get_or_create(
            condition=condition,
            sha256=file.sha256,
            defaults={
                "name": file.name,
                "content_type": file.content_type,
                "size": file.size,
                "data": file.data,
                "uploaded_by": by,
                "uploaded_at": condition.marked_met_at,
            },
        )


def _reviewed(assessment, condition, *, by, to, action, comment):
    """A reviewer's step (confirm, reopen, drop): the new status, who reviewed it and when, closed unless open."""
    from_status = condition.status
    now = canonical.now()
    condition.status = to
    condition.reviewed_by, condition.reviewed_at, condition.review_comment = by, now, comment
    if to != Status.OPEN:
        condition.closed_at = now
    condition.save()
    return _record(
        assessment,
        condition,
        by=by,
        action=action,
        from_status=from_status,
        comment=comment,
        acting_for=reviewer_delegation(by, condition),
    )


def condition_confirm(*, condition, by, comment=""):
    """A reviewer of the domain that set the condition, or the chair, confirms it met.

    Guarantees: the team, and reviewers of other domains, are refused (NotPermitted); only a condition
    awaiting confirmation (TransitionConflict).
    """
    with transaction.atomic():
        assessment, condition = locked_condition(condition)
        condition.assessment = assessment
        _refuse_unless_reviewer(by, condition)
        _refuse_unless_status(condition, Status.AWAITING_CONFIRMATION)
        comment = clean_text(comment, field="comment", required=False)
        return _reviewed(
            assessment, condition, by=by, to=Status.MET, action=AuditEntry.Action.CONDITION_CONFIRMED, comment=comment
        )


def condition_reopen(*, condition, by, comment):
    """A reviewer of the domain that set the condition, or the chair, sends it back to the team: open again.

    Guarantees: as ``condition_confirm``; a comment saying why is required (InputError "comment required").
    """
    with transaction.atomic():
        assessment, condition = locked_condition(condition)
        condition.assessment = assessment
        _refuse_unless_reviewer(by, condition)
        _refuse_unless_status(condition, Status.AWAITING_CONFIRMATION)
        comment = clean_text(comment, field="comment", required=True)
        return _reviewed(
            assessment, condition, by=by, to=Status.OPEN, action=AuditEntry.Action.CONDITION_REOPENED, comment=comment
        )


def condition_drop(*, condition, by, comment):
    """The reviewer of the domain that set a carried (proposed) condition drops it, at their stage, before signing.

    Guarantees: as ``condition_confirm``, and only while the assessment waits at that domain's stage
    (TransitionConflict); a comment saying why is required.
    """
    with transaction.atomic():
        assessment, condition = locked_condition(condition)
        condition.assessment = assessment
        carried_refusal(by, condition, assessment)
        comment = clean_text(comment, field="comment", required=True)
        return carried_drop(assessment, condition, by=by, comment=comment)


def carried_refusal(by, condition, assessment):
    """Raise unless ``by`` may keep, edit or drop the carried ``condition`` now.

    A reviewer of the domain that set it (or the chair), never the team (NotPermitted); the condition is
    proposed and the assessment waits at that domain's stage (TransitionConflict).
    """
    _refuse_unless_reviewer(by, condition)
    _refuse_unless_status(condition, Status.PROPOSED)
    if assessment.state not in REVIEW_STATES or assessment.stage != condition.domain:
        label = roles.DOMAIN_LABELS.get(condition.domain, "its domain")
        raise TransitionConflict(
            f"A carried condition is kept, edited or dropped at {label} review, when its reviewer signs.",
            code="not_your_stage",
        )


def carried_drop(assessment, condition, *, by, comment):
    """Drop a carried condition; the caller holds the locks and checked ``carried_refusal``."""
    return _reviewed(
        assessment, condition, by=by, to=Status.DROPPED, action=AuditEntry.Action.CONDITION_DROPPED, comment=comment
    )


def carried_edit(assessment, condition, *, by, values, comment=""):
    """Change a carried condition's text, owner and due date (it stays proposed until its reviewer signs).

    The caller holds the locks, checked ``carried_refusal`` and validated ``values`` (``text``, ``owner``,
    ``due_date``, ``before_launch``); the audit row holds the row as it now is and what it was before.
    """
    before = condition_row(condition)
    for field in ("text", "owner", "due_date", "before_launch"):
        setattr(condition, field, values[field])
    condition.save()
    changed = {
        key: before[key]
        for key in ("text", "owner", "due_date", "before_launch")
        if before[key] != condition_row(condition)[key]
    }
    return _record(
        assessment,
        condition,
        by=by,
        action=AuditEntry.Action.CONDITION_EDITED,
        from_status=condition.status,
        comment=comment,
        extra={"previous": changed},
        acting_for=reviewer_delegation(by, condition),
    )
