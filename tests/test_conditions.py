"""Approval conditions: due by a date or before launch; a round ended by a change request supersedes its own."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services
from assessments.errors import InputError, TransitionConflict
from assessments.models import AuditEntry, Condition, State

from .workflow import act, advance, create_draft


def due_in(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def approve_with(people, assessment, *conditions):
    return act(people, assessment, "approve", conditions=list(conditions))


def test_a_before_launch_condition_blocks_launch_until_it_is_met(people):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Publish the model card.", "before_launch": True})
    assert assessment.state == State.APPROVED

    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "launch")
    assert [(r.code, r.message) for r in blocked.value.reasons] == [
        ("condition_open", "This condition must be met before launch: “Publish the model card.”.")
    ]

    services.condition_mark_met(condition=Condition.objects.get(), by=people.alice, comment="Published.")
    assert act(people, assessment, "launch").state == State.LAUNCHED


def test_a_dated_condition_does_not_block_launch(people):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Review the metrics.", "due_date": due_in(30)})
    assert act(people, assessment, "launch").state == State.LAUNCHED


def test_the_api_refuses_launch_while_a_before_launch_condition_is_open(people):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    approve_with(people, assessment, {"text": "Publish the model card.", "before_launch": True})
    client = APIClient()
    client.force_authenticate(people.alice)
    response = client.post(f"/api/v1/assessments/{assessment.pk}/transitions/", {"name": "launch"}, format="json")
    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == "condition_open"


def test_conditions_of_a_round_ended_by_a_change_request_are_superseded(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Document retention.", "due_date": due_in(10)})
    assessment = approve_with(people, assessment, {"text": "Pen-test.", "before_launch": True})
    assessment = act(people, assessment, "request_changes")

    conditions = list(Condition.objects.order_by("pk"))
    assert [c.status for c in conditions] == [Condition.Status.SUPERSEDED] * 2
    assert all(c.closed_at is not None for c in conditions)
    entry = AuditEntry.objects.filter(assessment_id=assessment.pk, transition="request_changes").get()
    assert entry.details["superseded_conditions"] == [c.pk for c in conditions]

    # Round 2: the old before-launch condition no longer blocks anything; reviewers set their own.
    assessment = act(people, assessment, "resubmit")
    while assessment.state != State.APPROVED:
        assessment = act(people, assessment, "approve")
    assert act(people, assessment, "launch").state == State.LAUNCHED
    with pytest.raises(TransitionConflict):
        services.condition_mark_met(condition=conditions[0], by=people.alice)


def test_met_conditions_stay_met_after_a_change_request(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Done early.", "due_date": due_in(3)})
    services.condition_mark_met(condition=Condition.objects.get(), by=people.alice)
    act(people, assessment, "request_changes")
    assert Condition.objects.get().status == Condition.Status.MET


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"text": "Both.", "before_launch": True, "due_date": "2999-01-01"}, "either before launch or by a date"),
        ({"text": "Neither."}, "Give the due date as YYYY-MM-DD, or make the condition due before launch."),
        ({"text": "Odd.", "before_launch": "yes"}, "before_launch must be true or false."),
    ],
)
def test_a_condition_is_due_by_a_date_or_before_launch(people, condition, message):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    with pytest.raises(InputError) as refused:
        approve_with(people, assessment, condition)
    assert message in refused.value.errors["conditions[1]"]
    assert not Condition.objects.exists()


def test_the_browser_sets_a_before_launch_condition(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    client = Client()
    client.force_login(people.reviewers["legal"])
    data = {
        "comment": "",
        "expected_state": "legal_review",
        "conditions-TOTAL_FORMS": "5",
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "5",
        "conditions-0-text": "Publish the model card.",
        "conditions-0-owner": "",
        "conditions-0-due_date": "",
        "conditions-0-before_launch": "on",
    }
    response = client.post(reverse("assessment_transition", args=[assessment.pk, "approve"]), data)
    assert response.status_code == 302
    condition = Condition.objects.get()
    assert (condition.before_launch, condition.due_date, condition.status) == (True, None, Condition.Status.OPEN)
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "Due before launch" in page
