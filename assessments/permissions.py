"""Who may take which transition on which assessment.

Object permissions come from django-guardian, granted per assessment to the
team's group (view, change) and to the committee groups (view once submitted;
sign-off only to the domain whose stage is current). Role membership is checked
as well, so a superuser is not a reviewer or a team member by accident.
"""

from guardian.core import ObjectPermissionChecker

from committee import roles

TEAM_TRANSITIONS = ("submit", "resubmit", "withdraw", "launch", "start_reassessment", "retire")
REVIEW_TRANSITIONS = ("approve", "request_changes", "reject")


def _checker(user):
    checker = getattr(user, "_guardian_checker", None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        user._guardian_checker = checker
    return checker


def _fresh_checker(user):
    # Grants change during a transition; never trust a cached answer across them.
    user._guardian_checker = ObjectPermissionChecker(user)
    return user._guardian_checker


def is_team_member(user, assessment):
    return user.is_authenticated and assessment.feature.team.has_member(user)


def acts_for_team(user, assessment):
    """A member of the assessment's team, holding the team's change permission on it."""
    return (
        user.is_authenticated
        and user.is_active
        and is_team_member(user, assessment)
        and _fresh_checker(user).has_perm("change_assessment", assessment)
    )


def edited_by(user, assessment):
    from .models import AuditEntry

    return AuditEntry.objects.filter(
        assessment_id=assessment.pk,
        actor_id=user.pk,
        action__in=[AuditEntry.Action.CREATED, AuditEntry.Action.ANSWERS_CHANGED],
    ).exists()


def sign_off_denial(user, assessment):
    """Why this user may not sign off the current stage, or None when they may."""
    stage = assessment.stage
    if not user.is_authenticated or not user.is_active:
        return "You must be signed in as a committee member."
    if stage is None:
        return None  # the state decides; reported as a conflict
    label = roles.DOMAIN_LABELS[stage]
    if not roles.user_has_role(user, stage):
        return f"Only {label} reviewers may sign off at {label} review."
    if not _fresh_checker(user).has_perm("sign_off_assessment", assessment):
        return f"You have not been granted {label} sign-off on this assessment."
    if is_team_member(user, assessment):
        return "Separation of duties: you may not sign off an assessment of your own team."
    if edited_by(user, assessment):
        return "Separation of duties: you may not sign off an assessment you edited."
    return None


def may_sign_off(assessment, user):
    return sign_off_denial(user, assessment) is None


def may_act_for_team(assessment, user):
    return acts_for_team(user, assessment)


def transition_denial(name, user, assessment):
    """Why ``user`` may not take transition ``name`` on ``assessment``, or None."""
    if name in REVIEW_TRANSITIONS:
        return sign_off_denial(user, assessment)
    if name in TEAM_TRANSITIONS:
        if acts_for_team(user, assessment):
            return None
        return f"Only members of the team {assessment.feature.team.name} may do this."
    return "This is not a transition users may take."


def holds_transition_permission(assessment, name, user):
    """The transition's permission alone (django-fsm's ``has_transition_perm`` also checks guards)."""
    method = getattr(assessment, name)
    return bool(method._django_fsm.has_transition_perm(assessment, assessment.state, user))
