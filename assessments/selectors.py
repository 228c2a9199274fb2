"""What a user may see, shared by the browser views and the API."""

from django.db.models import F, Q
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from committee import roles

from . import permissions, transitions
from .models import STAGE_STATE, Assessment, QuestionComment


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
    """Assessments waiting at the user's domains' stages, oldest first (never their own teams')."""
    states = [STAGE_STATE[d] for d in roles.user_domains(user)]
    return (
        assessments_visible_to(user)
        .filter(state__in=states)
        .exclude(feature__team__group_id__in=roles.group_ids(user))
        .order_by(F("stage_entered_at").asc(nulls_last=True), "pk")
    )


def _concerns(user, spec):
    """Whether a transition belongs to this user's roles (team work for members, decisions for reviewers)."""
    if spec.actor == "reviewer":
        return bool(roles.user_domains(user))
    return spec.actor == "team" and bool(roles.group_ids(user))


def transitions_for(user, assessment):
    """The transitions of the user's roles in the current state, each with whether it can be taken now.

    ``[{"name", "label", "spec", "allowed", "reasons"}]``: ``allowed`` is True when
    it can be taken now; otherwise ``reasons`` (structured) say why not: a
    separation-of-duties refusal, another domain's stage, or the guards'
    reasons. Transitions that are simply not the user's business (a team's
    launch for a reviewer, anything for an auditor) are left out.
    """
    options = []
    for spec in transitions.user_transitions().values():
        if not spec.available_from(assessment.state):
            continue
        denial = permissions.denial(spec.actor, user, assessment)
        if denial is not None:
            if spec.actor == "team" or not _concerns(user, spec) or denial.code == "not_reviewer":
                continue
            options.append(_option(spec, False, [denial.reason]))
            continue
        reasons = spec.blockers(assessment)
        options.append(_option(spec, not reasons, reasons))
    return options


def _option(spec, allowed, reasons):
    return {"name": spec.name, "label": spec.label, "spec": spec, "allowed": allowed, "reasons": reasons}


def available_transitions(user, assessment):
    """Transitions the user may take now: ``[{"name", "label"}]``."""
    return [{"name": t["name"], "label": t["label"]} for t in transitions_for(user, assessment) if t["allowed"]]


def question_comments_visible_to(user, assessment):
    """Comments on the answers of an assessment the user already may see.

    The committee and the auditor see every comment; the team sees the ones a
    change request sent them, and its own replies (a reviewer's notes stay with
    the committee until then). Call only with an assessment from the selectors above.
    """
    comments = QuestionComment.objects.filter(assessment=assessment).select_related("author")
    if permissions.is_team_member(user, assessment):
        comments = comments.filter(Q(shared_at__isnull=False) | Q(role=QuestionComment.Role.TEAM))
    return comments.order_by("review_round", "created_at", "pk")


__all__ = [
    "question_comments_visible_to",
    "assessments_visible_to",
    "assessment_visible_to",
    "review_queue_for",
    "transitions_for",
    "available_transitions",
]
