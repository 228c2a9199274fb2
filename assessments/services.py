"""Every change to features, assessments and their evidence goes through these functions.

Each runs in one transaction, locks the assessment row it changes, writes the
audit log in the same transaction, and raises a domain error (assessments.errors)
with a readable message instead of half-doing anything.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from accounts import roles

from . import canonical, permissions, transitions
from .audit import audit_append, audit_event
from .audit_records import records_of
from .bias_services import (  # noqa: F401 (the bias services are services too)
    DIMENSION,
    MAX_BIAS_ROWS,
    MAX_NOTE,
    bias_evidence_check,
    bias_flags_of,
    bias_justification_record,
    bias_mitigation_record,
    bias_mitigations_record,
    bias_results_add,
    evidence_kind_in,
)
from .conditions import condition_mark_met
from .errors import AlreadyExists, InputError, NotPermitted, TransitionConflict
from .grants import grants_sync
from .integrity import violated_constraint
from .models import (
    AIFeature,
    Assessment,
    AuditEntry,
    FollowUp,
    QuestionComment,
    SignOff,
    State,
    TransitionContext,
)
from .questionnaire import current_questionnaire, get_questionnaire
from .questionnaire_upgrade import upgrade_answers
from .risk import risk_score
from .signals import assessment_transitioned
from .states import SUPERSEDED_BY_APPROVAL_STATES

MAX_COMMENT = 5000
MAX_CONDITIONS = 20
FEATURE_NAME_MAX = 200


class SystemActor:
    """The actor of what the system does on its own (periodic sweeps); the audit log names it "system"."""

    pk = None
    is_authenticated = False
    is_active = True
    is_system = True

    def get_username(self):
        return "system"

    def __str__(self):
        return "system"


SYSTEM = SystemActor()


# -- features and answers ------------------------------------------------------------------


def assessment_create(*, team, feature_name, answers, by, questionnaire_version=None):
    """Create a feature and its first assessment as a draft of ``team``.

    Guarantees: only a member of the team may create; the answers are validated
    against the current questionnaire (or ``questionnaire_version``, for history
    recorded on an older one, as the demo's); the new draft is visible to the team alone.
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
    questionnaire = get_questionnaire(questionnaire_version) if questionnaire_version else current_questionnaire()
    cleaned, errors = questionnaire.clean(answers if answers is not None else {})
    if errors:
        raise InputError({"answers": errors})
    with transaction.atomic():
        if AIFeature.objects.filter(team=team, name__iexact=name).exists():
            raise AlreadyExists(
                {
                    "feature_name": f"{team.name} already has a feature named {name!r}; "
                    "open it and start a re-assessment instead."
                }
            )
        feature = AIFeature.objects.create(name=name, team=team, owner=by)
        assessment = _new_version(feature=feature, version=1, answers=cleaned, by=by, questionnaire=questionnaire)
    return assessment


def _new_version(*, feature, version, answers, by, questionnaire, comment="", details=None):
    assessment = Assessment(
        feature=feature,
        version=version,
        questionnaire_version=questionnaire.version,
        answers=answers,
        # A version the system opens (a periodic re-review) belongs to the feature's owner; the log names "system".
        created_by=feature.owner if by is SYSTEM else by,
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
        details={
            "version": version,
            "questionnaire_version": questionnaire.version,
            "team": feature.team.slug,
            **(details or {}),
        },
    )
    return assessment


def _refresh_derived(assessment, questionnaire):
    score = risk_score(questionnaire, assessment.answers)
    assessment.risk_score = score
    assessment.risk_level = score["level"]
    assessment.content_hash = assessment.compute_content_hash()


def assessment_update_answers(*, assessment, answers, by, replace=False, expected_content_hash=None):
    """Change answers of a draft or an assessment with changes requested.

    ``answers`` updates the given question ids (``None`` or empty clears one);
    with ``replace`` they become the whole set. Guarantees: only the team edits;
    with ``expected_content_hash``, a change saved by someone else since the
    caller read the answers is a TransitionConflict (checked under the row lock),
    never silently overwritten; nothing is saved unless every answer is valid; a
    content change invalidates every sign-off bound to the old content and is
    recorded with its diff.
    """
    if not isinstance(answers, dict):
        raise InputError({"answers": "Answers must be an object mapping question ids to values."})
    with transaction.atomic():
        locked = _lock(assessment)
        roles.forget(by)
        _refuse_answers_edit(locked, by)
        if expected_content_hash and expected_content_hash != locked.content_hash:
            raise TransitionConflict(
                "Someone else saved changes to these answers after you read them; yours were not saved. "
                "Read the assessment again and reapply your changes.",
                code="stale_content",
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
        audit_event(
            locked,
            actor=by,
            action=AuditEntry.Action.ANSWERS_CHANGED,
            details={"changed": diff},
        )
        _invalidate_stale_sign_offs(locked, by)
    return locked


def answers_edit_refusal(*, assessment, by):
    """The error ``assessment_update_answers`` would raise before looking at the answers, or None.

    Lets the API answer 403 or 409 rather than 400 when the body is malformed but the
    caller could not edit anyway (DESIGN section 3: permission before input). Locks nothing.
    """
    try:
        _refuse_answers_edit(assessment, by)
    except (NotPermitted, TransitionConflict) as error:
        return error
    return None


def _refuse_answers_edit(assessment, by):
    if not permissions.acts_for_team(by, assessment):
        raise NotPermitted(
            f"Only members of the team {assessment.feature.team.name} may edit its answers.", code="not_team_member"
        )
    if not assessment.is_editable():
        raise TransitionConflict(
            f"Answers can be edited only in draft or after changes were requested; "
            f"this assessment is in {assessment.get_state_display()}.",
            code="not_editable",
        )


def _invalidate_stale_sign_offs(assessment, by):
    stale = list(assessment.sign_offs.filter(invalidated_at__isnull=True).exclude(content_hash=assessment.content_hash))
    now = timezone.now()
    for sign_off in stale:
        sign_off.invalidated_at = now
        sign_off.invalidated_reason = "The answers changed after this sign-off."
        sign_off.save(update_fields=["invalidated_at", "invalidated_reason"])
        audit_event(
            assessment,
            actor=by,
            action=AuditEntry.Action.SIGN_OFF_INVALIDATED,
            details={
                "sign_off_id": sign_off.pk,
                "stage": sign_off.stage,
                "signed_hash": sign_off.content_hash,
                "records": records_of(SignOff.objects.filter(pk=sign_off.pk)),
            },
        )


# -- the state machine --------------------------------------------------------------------


def assessment_transition(*, assessment, name, by, comment="", conditions=None, expected_state=None, now=None):
    """Take transition ``name`` as ``by`` (a user, or SYSTEM for what the system does); return the assessment.

    Guarantees, checked in this order for the browser and the API alike, with the
    assessment row locked so that of two concurrent transitions one wins and the
    other gets a conflict:

    1. a stale ``expected_state`` is a TransitionConflict;
    2. NotPermitted when the caller could never take it here (wrong role, own
       team, an editor, already signed another stage of this round);
    3. TransitionConflict when the state does not allow it, or only the moment is
       wrong (the stage is another domain's now);
    4. InputError for a missing comment or bad conditions;
    5. TransitionConflict with structured reasons when a guard refuses (each
       guard evaluated once).

    The sign-off, conditions, grants, audit row and whatever the receivers of
    ``assessment_transitioned`` write are in the same transaction as the state
    change, or none of them is. The guards and the effect read one clock: ``now``
    (a sweep's), else the moment the call began.
    """
    spec = _transition_named(name, by)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _lock(assessment)
            locked.transition_now = now
            roles.forget(by)  # decide on membership as it is now, not as a page cached it
            _refuse_unless_permitted(spec, locked, by, expected_state)
            comment = _clean_comment(comment, required=spec.comment_required)
            if conditions and not spec.takes_conditions:
                raise InputError({"conditions": "Only an approval can carry conditions."})
            parsed_conditions = _clean_conditions(conditions, locked) if spec.takes_conditions else []
            reasons = spec.blockers(locked)
            if reasons:
                raise TransitionConflict(f"{spec.label} is blocked.", reasons)
            return _take(spec, locked, by=by, comment=comment, conditions=parsed_conditions, now=now)
    except IntegrityError as exc:
        if violated_constraint(exc, RACE_CONSTRAINTS) is None:
            raise  # not a lost race: a bug, reported as one
        raise _concurrent_change() from exc
    except ConcurrentTransition as exc:
        raise _concurrent_change() from exc


# The unique constraints a transition breaks only when a concurrent one did the same first.
RACE_CONSTRAINTS = (
    (SignOff, "one_sign_off_per_stage_round"),
    (Assessment, "unique_assessment_version"),
)


def _concurrent_change():
    return TransitionConflict(
        "Someone else changed this assessment at the same moment; yours was not applied. Reload and try again.",
        code="concurrent_change",
    )


def transition_refusal(*, assessment, name, by):
    """The error ``assessment_transition`` would raise before looking at any input, or None.

    Lets a view answer 403 or 409 rather than 400 when the input is malformed but
    the caller could not take the transition anyway. Reads, locks nothing.
    """
    try:
        spec = _transition_named(name, by)
        _refuse_unless_permitted(spec, assessment, by, None)
    except (NotPermitted, TransitionConflict, InputError) as error:
        return error
    return None


def _transition_named(name, by):
    spec = transitions.get(name)
    if spec is None or not (spec.for_users or (by is SYSTEM and spec.system)):
        known = ", ".join(transitions.names_for_users())
        raise InputError({"name": f"Unknown transition {str(name)[:50]!r}; expected one of {known}."})
    return spec


def _refuse_unless_permitted(spec, assessment, by, expected_state):
    if expected_state and assessment.state != expected_state:
        seen = State(expected_state).label if expected_state in State.values else str(expected_state)[:30]
        raise TransitionConflict(
            f"This assessment moved to {assessment.get_state_display()} while you were looking at it ({seen}). "
            "Reload it and decide again.",
            code="stale_state",
        )
    denial = None if by is SYSTEM and spec.system else spec.denial(by, assessment)
    if denial is not None and denial.status == 403:
        raise NotPermitted(denial.message, code=denial.code)
    if not spec.available_from(assessment.state):
        raise TransitionConflict(
            f"You cannot {spec.label.lower()} an assessment in {assessment.get_state_display()}.",
            code="wrong_state",
        )
    if denial is not None:
        raise TransitionConflict(denial.message, [denial.reason])


def _take(spec, locked, *, by, comment, conditions, details=None, now=None):
    now = now or timezone.now()
    from_state = locked.state
    stage = locked.stage
    details = {**(details or {}), "review_round": locked.review_round}
    if stage:
        details["stage"] = stage
    ctx = TransitionContext(by=by, now=now, comment=comment, conditions=conditions, details=details)
    getattr(locked, spec.method_name)(ctx)
    if spec.gathers_comments:
        _gather_question_comments(locked, ctx)
    if conditions:
        ctx.details["conditions"] = [_condition_detail(c) for c in conditions]
    ctx.details["review_round"] = locked.review_round
    records = records_of(*ctx.records)
    if records:
        ctx.details["records"] = records
    locked.updated_at = now
    locked.save()
    entry = audit_append(
        assessment=locked,
        actor=by,
        action=AuditEntry.Action.TRANSITION,
        transition=spec.name,
        from_state=from_state,
        to_state=locked.state,
        comment=comment,
        content_hash=locked.content_hash,
        details=ctx.details,
    )
    grants_sync(locked)
    assessment_transitioned.send(
        sender=Assessment,
        assessment=locked,
        transition=spec.name,
        actor=by,
        from_state=from_state,
        to_state=locked.state,
        sign_off=ctx.sign_off,
        comment=comment,
        audit_entry=entry,
    )
    for follow_up in ctx.follow_ups:
        FOLLOW_UPS[follow_up](locked, by)
    locked.forget_checks()
    return locked


def _gather_question_comments(locked, ctx):
    """Send the round's reviewer comments not yet shared to the team, with this decision's sign-off."""
    pending = list(
        QuestionComment.objects.filter(
            assessment=locked,
            review_round=locked.review_round,
            role=QuestionComment.Role.REVIEWER,
            shared_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if pending:
        QuestionComment.objects.filter(pk__in=pending).update(shared_at=ctx.now, sign_off=ctx.sign_off)
        ctx.details["question_comments"] = pending
        ctx.records.append(QuestionComment.objects.filter(pk__in=pending))


def _condition_detail(condition):
    return {
        "text": condition["text"],
        "owner": condition["owner"].get_username(),
        "due_date": condition["due_date"].isoformat() if condition["due_date"] else None,
        "before_launch": condition["before_launch"],
    }


def _lock(assessment):
    return Assessment.objects.select_for_update().select_related("feature__team__group").get(pk=assessment.pk)


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
    """Validate conditions: ``[{"text", "owner", "due_date" (YYYY-MM-DD) or "before_launch": true}]``.

    The owner is a username of the team (the feature's owner when left out). Each
    condition is due by a date or before launch, not both and not neither.
    """
    if not conditions:
        return []
    if not isinstance(conditions, list):
        raise InputError({"conditions": "Conditions must be a list."})
    if len(conditions) > MAX_CONDITIONS:
        raise InputError({"conditions": f"At most {MAX_CONDITIONS} conditions per approval."})
    parsed = []
    errors = {}
    for index, raw in enumerate(conditions, start=1):
        message, condition = _clean_condition(raw, assessment)
        if message:
            errors[f"conditions[{index}]"] = message
        else:
            parsed.append(condition)
    if errors:
        raise InputError(errors, message="Some conditions are not valid.")
    return parsed


def _clean_condition(raw, assessment):
    """``(message, None)`` when the condition is not valid, else ``(None, condition)``."""
    team = assessment.feature.team
    if not isinstance(raw, dict):
        return "Each condition needs text, and a due date or before_launch.", None
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        return "Say what the team must do (text).", None
    if not is_plain_text(text):
        return "The condition's text " + canonical.unstorable_text(text), None
    if len(text) > 2000:
        return "The condition's text is over 2000 characters.", None
    owner_name = raw.get("owner")
    if owner_name in (None, ""):
        owner = assessment.feature.owner
    else:
        owner_name = str(owner_name)[:150]
        owner = get_user_model().objects.filter(username=owner_name).first() if is_plain_text(owner_name) else None
        if owner is None or not team.has_member(owner):
            return f"The owner must be a member of the team {team.name}, by username.", None
    before_launch = raw.get("before_launch", False)
    if not isinstance(before_launch, bool):
        return "before_launch must be true or false.", None
    due = raw.get("due_date")
    if before_launch:
        if due not in (None, ""):
            return "A condition is due either before launch or by a date, not both.", None
        due_date = None
    else:
        try:
            due_date = date.fromisoformat(due) if isinstance(due, str) else due
        except ValueError:
            due_date = None
        if not isinstance(due_date, date):
            return "Give the due date as YYYY-MM-DD, or make the condition due before launch.", None
        if due_date < timezone.localdate():
            return "The due date is in the past.", None
    return None, {"text": text.strip(), "owner": owner, "due_date": due_date, "before_launch": before_launch}


def _supersede_previous_versions(assessment, by):
    """Approving a version supersedes the feature's earlier approved, launched or due versions."""
    older = (
        Assessment.objects.select_for_update()
        .select_related("feature__team__group")
        .filter(
            feature=assessment.feature,
            version__lt=assessment.version,
            state__in=SUPERSEDED_BY_APPROVAL_STATES,
        )
        .order_by("version")
    )
    spec = transitions.get("supersede")
    for previous in older:
        _take(
            spec,
            previous,
            by=by,
            comment=f"Superseded by version {assessment.version}.",
            conditions=[],
            details={"superseded_by": assessment.pk},
        )


def _open_reassessment(assessment, by):
    """A re-assessment is a new draft version of the same feature, starting from the old answers."""
    questionnaire = current_questionnaire()
    # An older questionnaire's answers move through its documented mapping; what no answer fills is asked anew.
    upgraded = upgrade_answers(
        answers=assessment.answers, source=assessment.questionnaire_version, target=questionnaire.version
    )
    latest = assessment.feature.assessments.order_by("-version").values_list("version", flat=True).first()
    return _new_version(
        feature=assessment.feature,
        version=latest + 1,
        answers=upgraded.answers,
        by=by,
        questionnaire=questionnaire,
        comment=f"Re-assessment of version {assessment.version}.",
        details={"answers_from_questionnaire": assessment.questionnaire_version, "asked_anew": list(upgraded.asked)},
    )


FOLLOW_UPS = {
    FollowUp.SUPERSEDE_PREVIOUS: _supersede_previous_versions,
    FollowUp.OPEN_NEW_VERSION: _open_reassessment,
}


# -- conditions and bias evidence -------------------------------------------------------------


__all__ = [
    "transition_refusal",
    "SYSTEM",
    "assessment_create",
    "assessment_update_answers",
    "assessment_transition",
    "condition_mark_met",
    "bias_results_add",
    "bias_justification_record",
    "bias_mitigation_record",
    "bias_mitigations_record",
]


# -- comments on answers ---------------------------------------------------------------------------

MAX_QUESTION_COMMENT = 2000


def question_comment_add(*, assessment, question, text, by, reply_to=None):
    """A reviewer comments on one answer, or the team replies to a comment the team can see.

    Guarantees, in the order of the transitions' checks, with the assessment row
    locked: NotPermitted when the caller could never comment here (not the
    deciding reviewer, own team, an editor; not a team member for a reply),
    TransitionConflict when only the moment is wrong (another domain's stage, not
    in review, replies closed), InputError for an unknown question, a comment
    to reply to that the team cannot see, or bad text. The comment and its audit
    row are written together, or neither is.
    """
    with transaction.atomic():
        locked = _lock(assessment)
        roles.forget(by)
        replying = reply_to is not None
        if replying:
            denial = permissions.team_reply_denial(by, locked)
        else:
            denial = permissions.reviewer_comment_denial(by, locked)
        if denial is not None:
            if denial.status == 403:
                raise NotPermitted(denial.message, code=denial.code)
            raise TransitionConflict(denial.message, [denial.reason])
        parent = None
        if replying:
            parent = _comment_to_answer(locked, reply_to)
            question = parent.question
        questionnaire = get_questionnaire(locked.questionnaire_version)
        if not isinstance(question, str) or question not in questionnaire.questions:
            raise InputError({"question": "Choose a question of this assessment's questionnaire."})
        text = _clean_question_comment(text)
        now = timezone.now()
        comment = QuestionComment.objects.create(
            assessment=locked,
            question=question,
            review_round=parent.review_round if parent else locked.review_round,
            role=QuestionComment.Role.TEAM if replying else QuestionComment.Role.REVIEWER,
            stage="" if replying else locked.stage,
            author=by,
            reply_to=parent,
            text=text,
            created_at=now,
            shared_at=now if replying else None,
        )
        audit_event(
            locked,
            actor=by,
            action=AuditEntry.Action.QUESTION_COMMENT,
            comment=text,
            details={
                "comment_id": comment.pk,
                "question": question,
                "review_round": comment.review_round,
                "role": comment.role,
                "stage": comment.stage,
                "reply_to": parent.pk if parent else None,
                "records": records_of(QuestionComment.objects.filter(pk=comment.pk)),
            },
        )
    return comment


def _comment_to_answer(assessment, reply_to):
    """The shared reviewer comment the team replies to; anything else is bad input, whoever asks."""
    try:
        pk = int(reply_to)
    except (TypeError, ValueError, OverflowError):
        pk = None
    parent = (
        QuestionComment.objects.filter(
            assessment=assessment, pk=pk, role=QuestionComment.Role.REVIEWER, shared_at__isnull=False
        ).first()
        if pk is not None and 0 < pk < 2**63
        else None
    )
    if parent is None:
        raise InputError({"reply_to": "Reply to a comment the committee sent you on this assessment."})
    return parent


def _clean_question_comment(text):
    if not isinstance(text, str):
        raise InputError({"text": "The comment must be text."})
    text = text.strip()
    if not is_plain_text(text):
        raise InputError({"text": "The comment " + canonical.unstorable_text(text)})
    if not text:
        raise InputError({"text": "Write the comment: it is empty."})
    if len(text) > MAX_QUESTION_COMMENT:
        raise InputError({"text": f"The comment is {len(text)} characters long; the limit is {MAX_QUESTION_COMMENT}."})
    return text
