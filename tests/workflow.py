"""Drive assessments through the real services to any state, for tests."""

import itertools
from datetime import timedelta

from django.utils import timezone

from accounts import roles
from accounts.delegation import delegation_create
from assessments import services
from assessments.models import STATE_STAGE, State

from .answers import complete_answers

_names = itertools.count(1)

REVIEW_ORDER = [
    State.LEGAL_REVIEW,
    State.SECURITY_REVIEW,
    State.CLINICAL_REVIEW,
    State.PRODUCT_REVIEW,
    State.DATA_AI_REVIEW,
    State.APPROVED,
]


EVIDENCE = "Matching model v3, bookings of March 2026 (2,140 clients); groups as the clients described themselves."


def bias_rows(dimensions=("race", "religion", "gender")):
    rows = []
    for dimension in dimensions:
        rows.append({"dimension": dimension, "group": "group a", "n": 220, "metric": "selection_rate", "value": 0.61})
        rows.append({"dimension": dimension, "group": "group b", "n": 190, "metric": "selection_rate", "value": 0.57})
    return rows


def create_draft(people, name=None, by=None, **answer_overrides):
    return services.assessment_create(
        team=people.team,
        feature_name=name or f"Feature {next(_names)}",
        answers=complete_answers(**answer_overrides),
        by=by or people.alice,
    )


def act(people, assessment, name, by=None, **kwargs):
    if by is None:
        by = people.reviewers[STATE_STAGE[assessment.state]] if assessment.state in STATE_STAGE else people.alice
    if name in ("request_changes", "reject") and "comment" not in kwargs:
        kwargs["comment"] = "Please explain the escalation path."
    if name == "resubmit" and "comment" not in kwargs:
        kwargs["comment"] = "Explained the escalation path."
    return services.assessment_transition(assessment=assessment, name=name, by=by, **kwargs)


def advance(people, assessment, target):
    """Take the happy path (and the named detours) until ``assessment`` is in ``target``."""
    target = State(target)
    if assessment.state == State.DRAFT and target == State.DRAFT:
        return assessment
    if target in (State.WITHDRAWN,):
        return act(people, assessment, "withdraw")
    if assessment.state == State.DRAFT:
        services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=people.alice)
        assessment = act(people, assessment, "submit")
    if target == State.LEGAL_REVIEW:
        return assessment
    if target == State.CHANGES_REQUESTED:
        return act(people, assessment, "request_changes")
    if target == State.REJECTED:
        return act(people, assessment, "reject")
    order = REVIEW_ORDER
    stop = target if target in order else State.APPROVED
    while assessment.state != stop:
        assessment = act(people, assessment, "approve")
    if target in order:
        return assessment
    assessment = act(people, assessment, "launch")
    if target == State.LAUNCHED:
        return assessment
    if target == State.REASSESSMENT_DUE:
        return act(people, assessment, "start_reassessment")
    if target == State.RETIRED:
        return act(people, assessment, "retire")
    if target == State.SUPERSEDED:
        assessment = act(people, assessment, "start_reassessment")
        new = assessment.feature.assessments.get(version=assessment.version + 1)
        advance(people, new, State.APPROVED)
        assessment.refresh_from_db()
        return assessment
    raise ValueError(f"cannot reach {target}")


def meet(people, condition, evidence="Done: see the linked document."):
    """The team marks ``condition`` met with evidence; a reviewer of the domain that set it confirms it."""
    from assessments import conditions

    condition = conditions.condition_mark_met(condition=condition, by=people.alice, evidence=evidence)
    return conditions.condition_confirm(condition=condition, by=people.reviewers[condition.domain])


def delegate(people, to, domain=roles.SECURITY, days=7):
    """The chair delegates ``domain`` to ``to`` from now for ``days`` (a reviewer on leave)."""
    return delegation_create(
        by=people.chair,
        delegate=to,
        domain=domain,
        reason="The reviewer is on leave.",
        ends_at=timezone.now() + timedelta(days=days),
    )
