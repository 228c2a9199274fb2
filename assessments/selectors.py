"""What a user may see, shared by the browser views and the API."""

from django.db.models import F
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from committee import roles

from .models import STAGE_STATE, Assessment
from .permissions import holds_transition_permission
from .services import TRANSITIONS, transition_blockers


def assessments_visible_to(user):
    """Assessments the user may see: their teams' (drafts included) and, for the committee, all past draft."""
    if not user.is_authenticated or not user.is_active:
        return Assessment.objects.none()
    base = Assessment.objects.select_related("feature__team")
    if user.is_superuser:
        return base
    return get_objects_for_user(
        user, "assessments.view_assessment", klass=base, accept_global_perms=False, with_superuser=False
    )


def assessment_visible_to(user, pk):
    """The assessment if the user may see it; 404 otherwise, so its existence is not revealed."""
    try:
        return assessments_visible_to(user).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None


def review_queue_for(user):
    """Assessments waiting at the user's domains' stages, oldest first."""
    states = [STAGE_STATE[d] for d in roles.user_domains(user)]
    return (
        assessments_visible_to(user)
        .filter(state__in=states)
        .exclude(feature__team__members=user)
        .order_by(F("stage_entered_at").asc(nulls_last=True), "pk")
    )


def transitions_for(user, assessment):
    """Transitions the user holds permission for in the current state, each with its blockers.

    ``allowed`` is True when it can be taken now; otherwise ``reasons`` say what blocks it.
    """
    options = []
    for name, spec in TRANSITIONS.items():
        method = getattr(assessment, name)
        if not method._django_fsm.has_transition(assessment.state):
            continue
        if not holds_transition_permission(assessment, name, user):
            continue
        reasons = transition_blockers(name, assessment)
        options.append({"name": name, "label": spec.label, "allowed": not reasons, "reasons": reasons})
    return options


def available_transitions(user, assessment):
    """Transitions the user may take now: ``[{"name", "label"}]``."""
    return [{"name": t["name"], "label": t["label"]} for t in transitions_for(user, assessment) if t["allowed"]]


__all__ = [
    "assessments_visible_to",
    "assessment_visible_to",
    "review_queue_for",
    "transitions_for",
    "available_transitions",
]
