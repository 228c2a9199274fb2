"""Taking a transition of the state machine, and what follows one (superseding, opening a re-assessment).

The one way an assessment changes state: ``assessment_transition`` for users and
the sweeps, ``_take`` for the follow-ups a transition entails, in the same transaction.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from accounts import roles
from accounts.delegation import acting_by

from .. import canonical, transitions
from ..audit.chain import audit_append
from ..audit_records import records_of
from ..errors import InputError, NotPermitted, TransitionConflict
from ..grants import grants_sync
from ..integrity import violated_constraint
from ..locking import lock_assessment
from ..models import Assessment, AuditEntry, FollowUp, QuestionComment, SignOff, State, TransitionContext
from ..questionnaire import current_questionnaire
from ..questionnaire_upgrade import upgrade_answers
from ..signals import assessment_transitioned
from ..states import SUPERSEDED_BY_APPROVAL_STATES
from .actors import SYSTEM
from .approval_conditions import clean_conditions, condition_detail
from .carried_conditions import carried_apply, clean_carried
from .drafts import new_version

MAX_COMMENT = 5000


def assessment_transition(
    *, assessment, name, by, comment="", conditions=None, carried_conditions=None, expected_state=None, now=None
):
    """Take transition ``name`` as ``by`` (a user, or SYSTEM for what the system does); return the assessment.

    Guarantees, checked in this order for the browser and the API alike, with the
    assessment row locked so that of two concurrent transitions one wins and the
    other gets a conflict:

    1. a stale ``expected_state`` is a TransitionConflict;
    2. NotPermitted when the caller could never take it here (wrong role, own
       team, an editor, already signed another stage of this round);
    3. TransitionConflict when the state does not allow it, or only the moment is
       wrong (the stage is another domain's now);
    4. InputError for a missing comment, bad conditions or bad decisions on carried conditions
       (``carried_conditions``: ``[{"id", "action": "keep"|"edit"|"drop", ...}]``, approval only;
       services.carried_conditions);
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
            locked = lock_assessment(assessment)
            locked.transition_now = now
            roles.forget(by)  # decide on membership as it is now, not as a page cached it
            _refuse_unless_permitted(spec, locked, by, expected_state)
            comment = _clean_comment(comment, required=spec.comment_required)
            if conditions and not spec.takes_conditions:
                raise InputError({"conditions": "Only an approval can carry conditions."})
            if carried_conditions and not spec.takes_conditions:
                raise InputError({"carried_conditions": "Only an approval decides on carried conditions."})
            parsed_conditions = clean_conditions(conditions, locked) if spec.takes_conditions else []
            carried = clean_carried(carried_conditions, locked, by) if spec.takes_conditions else []
            reasons = spec.blockers(locked)
            if reasons:
                raise TransitionConflict(f"{spec.label} is blocked.", reasons)
            # Edits and drops first, each with its audit row; the sign-off then keeps what remains carried.
            carried_apply(carried, locked, by=by)
            taken = _take(spec, locked, by=by, comment=comment, conditions=parsed_conditions, now=now)
            # The clock was this transition's: a later check on the returned object reads its own moment
            # (a delegation granted or ended since is seen).
            taken.transition_now = None
            return taken
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


def transition_refusal(*, assessment, name, by, expected_state=None):
    """The error ``assessment_transition`` would raise before looking at any input, or None.

    Lets a view answer 403 or 409 rather than 400 when the input is malformed, or before it checks a
    signing password, when the caller could not take the transition anyway; in the same order: a stale
    ``expected_state`` first. Reads, locks nothing.
    """
    try:
        spec = _transition_named(name, by)
        _refuse_unless_permitted(spec, assessment, by, expected_state)
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
        ctx.details["conditions"] = [condition_detail(c) for c in conditions]
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
        acting_for=_acting_for(spec, ctx, by, stage, now),
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


def _acting_for(spec, ctx, by, stage, now):
    """The delegation a reviewer's transition was taken by: the sign-off's, or the stage's when none was made."""
    if ctx.sign_off is not None:
        return ctx.sign_off.delegation
    return acting_by(by, stage, now) if spec.actor == "reviewer" else None


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


def _clean_comment(comment, *, required):
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise InputError({"comment": "The comment must be text."})
    comment = comment.strip()
    if not canonical.is_storable_text(comment):
        raise InputError({"comment": "The comment " + canonical.unstorable_text(comment)})
    if required and not comment:
        raise InputError({"comment": "Say what must change, or why: a comment is required."})
    if len(comment) > MAX_COMMENT:
        raise InputError({"comment": f"The comment is {len(comment)} characters long; the limit is {MAX_COMMENT}."})
    return comment


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
    return new_version(
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
