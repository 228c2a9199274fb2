"""A feature's drafts: creating a feature and its first assessment, opening a new version, editing answers.

Each service runs in one transaction, locks the assessment row it changes and
writes the audit log in the same transaction (see ``assessments.services``).
"""

from django.db import transaction
from django.utils import timezone

from accounts import roles

from .. import canonical, permissions
from ..audit.chain import audit_append, audit_event
from ..audit_records import records_of
from ..errors import AlreadyExists, InputError, NotPermitted, TransitionConflict
from ..grants import grants_sync
from ..locking import lock_assessment
from ..models import AIFeature, Assessment, AuditEntry, SignOff
from ..questionnaire import current_questionnaire, get_questionnaire
from ..risk import risk_score
from .actors import SYSTEM

FEATURE_NAME_MAX = 200


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
    if not canonical.is_storable_text(name):
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
        assessment = new_version(feature=feature, version=1, answers=cleaned, by=by, questionnaire=questionnaire)
    return assessment


def new_version(*, feature, version, answers, by, questionnaire, comment="", details=None):
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
        locked = lock_assessment(assessment)
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
