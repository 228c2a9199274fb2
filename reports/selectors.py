"""What the auditor's workspace shows, built on the core's one definition of visibility."""

from django.db.models import Prefetch, Q
from django.http import Http404

from accounts import roles
from assessments import permissions
from assessments.models import State
from assessments.selectors import assessment_visible_to, assessments_visible_to, visibility_condition

from .models import Dossier


def may_use_workspace(user):
    """Auditors, the committee chair and administrators work in /reports/."""
    return user.is_authenticated and (
        user.is_superuser or roles.user_has_role(user, roles.AUDITOR) or roles.user_has_role(user, roles.CHAIR)
    )


def workspace_assessments(user):
    """Every assessment past draft that the user may see, with its issued dossier (if any) prefetched."""
    return (
        assessments_visible_to(user)
        .exclude(state=State.DRAFT)
        .prefetch_related(Prefetch("dossiers", queryset=Dossier.objects.issued(), to_attr="issued_dossiers"))
    )


def workspace_condition(user, *, through):
    """A filter for rows (dossier downloads) whose assessment is in the user's workspace: visible, past draft."""
    return visibility_condition(user, through=through) & ~Q(**{f"{through}__state": State.DRAFT})


def dossier_assessment(user, pk):
    """The assessment whose dossier the user asks for; 404 when they may not see it.

    Visibility is the core's (the team, the committee, auditors); a draft is never
    shown outside its team, administrators included.
    """
    assessment = assessment_visible_to(user, pk)
    if assessment.state == State.DRAFT and not permissions.is_team_member(user, assessment):
        raise Http404("No such assessment.")
    return assessment


def may_see_analytics(user):
    """The committee (chair and reviewers), auditors and administrators; not product teams."""
    return user.is_authenticated and (
        user.is_superuser
        or roles.user_has_role(user, roles.CHAIR)
        or roles.user_has_role(user, roles.AUDITOR)
        or bool(roles.user_domains(user))
    )
