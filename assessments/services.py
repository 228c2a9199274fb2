"""Every change to features, assessments and their evidence goes through these functions.

Each runs in one transaction, locks the assessment row it changes, writes the
audit log in the same transaction, and raises a domain error (assessments.errors)
with a readable message instead of half-doing anything.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from committee import roles

from . import canonical, permissions
from .audit import audit_append
from .errors import InputError, NotPermitted, TransitionConflict
from .grants import grants_sync
from .models import (
    AIFeature,
    Assessment,
    AuditEntry,
    BiasResult,
    Condition,
    SignOff,
    State,
)
from .questionnaire import MAX_NUMBER, current_questionnaire, get_questionnaire, is_finite_number
from .risk import risk_score


@dataclass(frozen=True)
class TransitionSpec:
    label: str
    comment_required: bool = False


TRANSITIONS = {
    "submit": TransitionSpec("Submit for review"),
    "resubmit": TransitionSpec("Resubmit for review"),
    "approve": TransitionSpec("Approve (sign off)"),
    "request_changes": TransitionSpec("Request changes", comment_required=True),
    "reject": TransitionSpec("Reject", comment_required=True),
    "withdraw": TransitionSpec("Withdraw"),
    "launch": TransitionSpec("Mark launched"),
    "start_reassessment": TransitionSpec("Start re-assessment"),
    "retire": TransitionSpec("Retire"),
}
MAX_COMMENT = 5000
MAX_CONDITIONS = 20
FEATURE_NAME_MAX = 200


# -- features and answers ------------------------------------------------------------------


def assessment_create(*, team, feature_name, answers, by):
    """Create a feature and its first assessment as a draft of ``team``.

    Guarantees: only a member of the team may create; the answers are validated
    against the current questionnaire; the new draft is visible to the team alone.
    """
    if not team.has_member(by):
        raise NotPermitted(f"Only members of the team {team.name} may create its assessments.")
    name = (feature_name or "").strip() if isinstance(feature_name, str) else ""
    if not name:
        raise InputError({"feature_name": "Give the feature a name."})
    if not is_plain_text(name):
        raise InputError({"feature_name": "The name " + canonical.unstorable_text(name)})
    if len(name) > FEATURE_NAME_MAX:
        raise InputError({"feature_name": f"The name is {len(name)} characters long; the limit is 200."})
    questionnaire = current_questionnaire()
    cleaned, errors = questionnaire.clean(answers if answers is not None else {})
    if errors:
        raise InputError({"answers": errors})
    with transaction.atomic():
        if AIFeature.objects.filter(team=team, name__iexact=name).exists():
            raise InputError(
                {
                    "feature_name": f"{team.name} already has a feature named {name!r}; "
                    "open it and start a re-assessment instead."
                }
            )
        feature = AIFeature.objects.create(name=name, team=team, owner=by)
        assessment = _new_version(feature=feature, version=1, answers=cleaned, by=by, questionnaire=questionnaire)
    return assessment


def _new_version(*, feature, version, answers, by, questionnaire, comment=""):
    assessment = Assessment(
        feature=feature,
        version=version,
        questionnaire_version=questionnaire.version,
        answers=answers,
        created_by=by,
    )
    _refresh_derived(assessment, questionnaire)
    assessment.save()
    grants_sync(assessment)
    audit_append(
        assessment=assessment,
        actor=by,
        action=AuditEntry.Action.CREATED,
        to_state=assessment.state,
        comment=comment,
        content_hash=assessment.content_hash,
        details={"version": version, "questionnaire_version": questionnaire.version},
    )
    return assessment


def _refresh_derived(assessment, questionnaire):
    score = risk_score(questionnaire, assessment.answers)
    assessment.risk_score = score
    assessment.risk_level = score["level"]
    assessment.content_hash = assessment.compute_content_hash()


def assessment_update_answers(*, assessment, answers, by, replace=False):
    """Change answers of a draft or an assessment with changes requested.

    ``answers`` updates the given question ids (``None`` or empty clears one);
    with ``replace`` they become the whole set. Guarantees: only the team edits;
    nothing is saved unless every answer is valid; a content change invalidates
    every sign-off bound to the old content and is recorded with its diff.
    """
    if not isinstance(answers, dict):
        raise InputError({"answers": "Answers must be an object mapping question ids to values."})
    with transaction.atomic():
        locked = _lock(assessment)
        if not permissions.acts_for_team(by, locked):
            raise NotPermitted(f"Only members of the team {locked.feature.team.name} may edit its answers.")
        if not locked.is_editable():
            raise TransitionConflict(
                f"Answers can be edited only in draft or after changes were requested; "
                f"this assessment is in {locked.get_state_display()}.",
            )
        questionnaire = get_questionnaire(locked.questionnaire_version)
        merged = dict(answers) if replace else {**locked.answers, **answers}
        cleaned, errors = questionnaire.clean(merged)
        if errors:
            raise InputError({"answers": errors})
        if cleaned == locked.answers:
            return locked
        diff = {
            qid: {"from": locked.answers.get(qid), "to": cleaned.get(qid)}
            for qid in sorted(set(locked.answers) | set(cleaned))
            if locked.answers.get(qid) != cleaned.get(qid)
        }
        locked.answers = cleaned
        _refresh_derived(locked, questionnaire)
        locked.updated_at = timezone.now()
        locked.save()
        audit_append(
            assessment=locked,
            actor=by,
            action=AuditEntry.Action.ANSWERS_CHANGED,
            from_state=locked.state,
            to_state=locked.state,
            content_hash=locked.content_hash,
            details={"changed": diff},
        )
        _invalidate_stale_sign_offs(locked, by)
    return locked


def _invalidate_stale_sign_offs(assessment, by):
    stale = list(assessment.sign_offs.filter(invalidated_at__isnull=True).exclude(content_hash=assessment.content_hash))
    now = timezone.now()
    for sign_off in stale:
        sign_off.invalidated_at = now
        sign_off.invalidated_reason = "The answers changed after this sign-off."
        sign_off.save(update_fields=["invalidated_at", "invalidated_reason"])
        audit_append(
            assessment=assessment,
            actor=by,
            action=AuditEntry.Action.SIGN_OFF_INVALIDATED,
            from_state=assessment.state,
            to_state=assessment.state,
            content_hash=assessment.content_hash,
            details={"sign_off_id": sign_off.pk, "stage": sign_off.stage, "signed_hash": sign_off.content_hash},
        )


# -- the state machine --------------------------------------------------------------------


def assessment_transition(*, assessment, name, by, comment="", conditions=None, expected_state=None):
    """Take transition ``name`` as user ``by``; return the updated assessment.

    Guarantees: the assessment row is locked, so of two concurrent transitions
    one wins and the other gets TransitionConflict; NotPermitted when the user
    may not take it; TransitionConflict with reasons when the state or a guard
    forbids it. The sign-off, conditions, grants and audit row are written in
    the same transaction as the state change, or not at all.
    """
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise InputError({"name": f"Unknown transition {str(name)[:50]!r}; expected one of {', '.join(TRANSITIONS)}."})
    comment = _clean_comment(comment, required=spec.comment_required)
    try:
        with transaction.atomic():
            locked = _lock(assessment)
            if expected_state and locked.state != expected_state:
                raise TransitionConflict(
                    f"This assessment moved to {locked.get_state_display()} while you were looking at it "
                    f"({State(expected_state).label if expected_state in State.values else expected_state}). "
                    "Reload it and decide again."
                )
            method = getattr(locked, name)
            if not method._django_fsm.has_transition(locked.state):
                raise TransitionConflict(
                    f"You cannot {spec.label.lower()} an assessment in {locked.get_state_display()}."
                )
            if not permissions.holds_transition_permission(locked, name, by):
                raise NotPermitted(permissions.transition_denial(name, by, locked) or "You may not do this.")
            parsed_conditions = _clean_conditions(conditions, locked) if name == "approve" else []
            if conditions and name != "approve":
                raise InputError({"conditions": "Only an approval can carry conditions."})
            reasons = transition_blockers(name, locked)
            if reasons:
                raise TransitionConflict(f"{spec.label} is blocked.", reasons)
            from_state = locked.state
            stage = locked.stage
            method()
            _apply_effects(name, locked, by=by, stage=stage, comment=comment, conditions=parsed_conditions)
            locked.updated_at = timezone.now()
            locked.save()
            audit_append(
                assessment=locked,
                actor=by,
                action=AuditEntry.Action.TRANSITION,
                transition=name,
                from_state=from_state,
                to_state=locked.state,
                comment=comment,
                content_hash=locked.content_hash,
                details=_audit_details(name, locked, stage, parsed_conditions),
            )
            grants_sync(locked)
            if name == "start_reassessment":
                _open_reassessment(locked, by)
    except (ConcurrentTransition, IntegrityError) as exc:
        raise TransitionConflict(
            "Someone else changed this assessment at the same moment; yours was not applied. Reload and try again."
        ) from exc
    return locked


def _lock(assessment):
    return Assessment.objects.select_for_update().select_related("feature__team").get(pk=assessment.pk)


def is_plain_text(text):
    # PostgreSQL cannot store NUL, and a lone UTF-16 surrogate is not text at all: both are bad input.
    return canonical.is_storable_text(text)


def _clean_comment(comment, *, required):
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise InputError({"comment": "The comment must be text."})
    comment = comment.strip()
    if not is_plain_text(comment):
        raise InputError({"comment": "The comment " + canonical.unstorable_text(comment)})
    if required and not comment:
        raise InputError({"comment": "Say what must change, or why: a comment is required."})
    if len(comment) > MAX_COMMENT:
        raise InputError({"comment": f"The comment is {len(comment)} characters long; the limit is {MAX_COMMENT}."})
    return comment


def _clean_conditions(conditions, assessment):
    """Validate conditions: ``[{"text", "owner" (username, optional), "due_date" (YYYY-MM-DD)}]``."""
    if not conditions:
        return []
    if not isinstance(conditions, list):
        raise InputError({"conditions": "Conditions must be a list."})
    if len(conditions) > MAX_CONDITIONS:
        raise InputError({"conditions": f"At most {MAX_CONDITIONS} conditions per approval."})
    team = assessment.feature.team
    user_model = get_user_model()
    parsed = []
    errors = {}
    for index, raw in enumerate(conditions, start=1):
        key = f"conditions[{index}]"
        if not isinstance(raw, dict):
            errors[key] = "Each condition needs text, an owner and a due date."
            continue
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            errors[key] = "Say what the team must do (text)."
            continue
        if not is_plain_text(text):
            errors[key] = "The condition's text " + canonical.unstorable_text(text)
            continue
        if len(text) > 2000:
            errors[key] = "The condition's text is over 2000 characters."
            continue
        owner_name = raw.get("owner")
        if owner_name in (None, ""):
            owner = assessment.feature.owner
        else:
            owner_name = str(owner_name)[:150]
            owner = user_model.objects.filter(username=owner_name).first() if is_plain_text(owner_name) else None
            if owner is None or not team.has_member(owner):
                errors[key] = f"The owner must be a member of the team {team.name}, by username."
                continue
        due = raw.get("due_date")
        try:
            due_date = date.fromisoformat(due) if isinstance(due, str) else due
        except ValueError:
            due_date = None
        if not isinstance(due_date, date):
            errors[key] = "Give the due date as YYYY-MM-DD."
            continue
        if due_date < timezone.localdate():
            errors[key] = "The due date is in the past."
            continue
        parsed.append({"text": text.strip(), "owner": owner, "due_date": due_date})
    if errors:
        raise InputError(errors, message="Some conditions are not valid.")
    return parsed


def transition_blockers(name, assessment):
    """Readable reasons why guard conditions forbid transition ``name`` now (empty when none)."""
    if name in ("submit", "resubmit"):
        return assessment.submit_blockers()
    if name == "approve":
        return assessment.approval_blockers()
    return []


def _apply_effects(name, assessment, *, by, stage, comment, conditions):
    now = timezone.now()
    if name in ("submit", "resubmit"):
        assessment.review_round += 1
        assessment.submitted_at = now
        assessment.stage_entered_at = now
        assessment.content_hash = assessment.compute_content_hash()
    elif name in ("approve", "request_changes", "reject"):
        decision = {
            "approve": SignOff.Decision.APPROVED,
            "request_changes": SignOff.Decision.CHANGES_REQUESTED,
            "reject": SignOff.Decision.REJECTED,
        }[name]
        sign_off = SignOff.objects.create(
            assessment=assessment,
            stage=stage,
            review_round=assessment.review_round,
            reviewer=by,
            decision=decision,
            comment=comment,
            content_hash=assessment.content_hash,
            created_at=now,
        )
        for condition in conditions:
            Condition.objects.create(assessment=assessment, sign_off=sign_off, created_at=now, **condition)
        assessment.stage_entered_at = now if assessment.stage else None
        if assessment.state in (State.APPROVED, State.REJECTED):
            assessment.decided_at = now
        if assessment.state == State.APPROVED:
            _supersede_previous_versions(assessment, by)
    elif name == "withdraw":
        assessment.stage_entered_at = None
    elif name == "launch":
        assessment.launched_at = now
        days = settings.REREVIEW_INTERVAL_DAYS.get(assessment.risk_level or 4, 90)
        assessment.next_review_due = timezone.localdate() + timedelta(days=days)


def _audit_details(name, assessment, stage, conditions):
    details = {"review_round": assessment.review_round}
    if stage:
        details["stage"] = stage
    if conditions:
        details["conditions"] = [
            {"text": c["text"], "owner": c["owner"].get_username(), "due_date": c["due_date"].isoformat()}
            for c in conditions
        ]
    if name == "launch":
        details["next_review_due"] = assessment.next_review_due.isoformat()
    return details


def _supersede_previous_versions(assessment, by):
    older = Assessment.objects.select_for_update().filter(
        feature=assessment.feature,
        version__lt=assessment.version,
        state__in=[State.APPROVED, State.LAUNCHED, State.REASSESSMENT_DUE],
    )
    for previous in older:
        from_state = previous.state
        previous.supersede()
        previous.updated_at = timezone.now()
        previous.save()
        audit_append(
            assessment=previous,
            actor=by,
            action=AuditEntry.Action.TRANSITION,
            transition="supersede",
            from_state=from_state,
            to_state=previous.state,
            comment=f"Superseded by version {assessment.version}.",
            content_hash=previous.content_hash,
            details={"superseded_by": assessment.pk},
        )


def _open_reassessment(assessment, by):
    """A re-assessment is a new draft version of the same feature, starting from the old answers."""
    questionnaire = current_questionnaire()
    cleaned, errors = questionnaire.clean(assessment.answers)
    if errors:  # answers of an older questionnaire that no longer fit start empty
        cleaned = {
            qid: v for qid, v in assessment.answers.items() if qid not in errors and qid in questionnaire.questions
        }
        cleaned, _ = questionnaire.clean(cleaned)
        cleaned = cleaned or {}
    latest = assessment.feature.assessments.order_by("-version").values_list("version", flat=True).first()
    return _new_version(
        feature=assessment.feature,
        version=latest + 1,
        answers=cleaned,
        by=by,
        questionnaire=questionnaire,
        comment=f"Re-assessment of version {assessment.version}.",
    )


# -- conditions and bias evidence -------------------------------------------------------------


def condition_mark_met(*, condition, by, comment=""):
    """The team records that an approval condition has been met."""
    comment = _clean_comment(comment, required=False)
    with transaction.atomic():
        locked = _lock(condition.assessment)
        if not permissions.is_team_member(by, locked):
            raise NotPermitted(f"Only members of the team {locked.feature.team.name} may close its conditions.")
        condition = Condition.objects.select_for_update().get(pk=condition.pk)
        if condition.met:
            raise TransitionConflict("This condition is already recorded as met.")
        condition.met = True
        condition.met_at = timezone.now()
        condition.save(update_fields=["met", "met_at"])
        audit_append(
            assessment=locked,
            actor=by,
            action=AuditEntry.Action.CONDITION_MET,
            from_state=locked.state,
            to_state=locked.state,
            comment=comment,
            content_hash=locked.content_hash,
            details={"condition_id": condition.pk, "text": condition.text},
        )
    return condition


BIAS_EVIDENCE_STATES = (
    State.DRAFT,
    State.CHANGES_REQUESTED,
    State.LEGAL_REVIEW,
    State.SECURITY_REVIEW,
    State.CLINICAL_REVIEW,
    State.PRODUCT_REVIEW,
    State.DATA_AI_REVIEW,
)
DIMENSION = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_BIAS_ROWS = 1000


def bias_results_add(*, assessment, rows, by):
    """Add per-group bias results. The team or a Data/AI reviewer may, up to Data/AI review.

    Rows: ``{"dimension", "group", "n", "metric", "value"}``. All rows are
    validated first; none is saved unless all are valid. Evidence does not change
    the content hash, so it does not invalidate other domains' sign-offs.
    """
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
        raise InputError(errors, message="Some bias result rows are not valid.")
    with transaction.atomic():
        locked = _lock(assessment)
        may_add = permissions.acts_for_team(by, locked) or (
            roles.user_has_role(by, roles.DATA_AI) and not permissions.is_team_member(by, locked)
        )
        if not may_add:
            raise NotPermitted("Only the team or a Data/AI reviewer may add bias evidence.")
        if locked.state not in BIAS_EVIDENCE_STATES:
            raise TransitionConflict(
                f"Bias evidence can be added up to Data/AI review; this assessment is in {locked.get_state_display()}."
            )
        now = timezone.now()
        created = BiasResult.objects.bulk_create(
            [BiasResult(assessment=locked, created_by=by, created_at=now, **row) for row in cleaned]
        )
        audit_append(
            assessment=locked,
            actor=by,
            action=AuditEntry.Action.BIAS_EVIDENCE_ADDED,
            from_state=locked.state,
            to_state=locked.state,
            content_hash=locked.content_hash,
            details={"rows": [{**row} for row in cleaned]},
        )
    return created


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
    if not isinstance(group, str) or not group.strip() or len(group) > 100 or not is_plain_text(group):
        return "The group must be text of at most 100 characters.", None
    if not isinstance(metric, str) or not metric.strip() or len(metric) > 100 or not is_plain_text(metric):
        return "The metric must be text of at most 100 characters.", None
    n = row["n"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1 or n > 2_000_000_000:
        return "The sample size n must be a whole number of at least 1.", None
    value = row["value"]
    if not is_finite_number(value) or abs(value) > MAX_NUMBER:
        return "The value must be a number.", None
    return None, {
        "dimension": dimension.strip().lower(),
        "group": group.strip(),
        "sample_size": n,
        "metric": metric.strip(),
        # As the database gives it back: -0.0 is stored as 0.0 (see canonical.normalise_number).
        "value": float(canonical.normalise_number(value)),
    }


__all__ = [
    "TRANSITIONS",
    "assessment_create",
    "assessment_update_answers",
    "assessment_transition",
    "condition_mark_met",
    "bias_results_add",
]
