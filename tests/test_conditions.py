"""Approval conditions: due by a date or before launch, met in two steps, carried as proposed after a change request."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services
from assessments.errors import InputError, TransitionConflict
from assessments.models import AuditEntry, Condition, State

from .workflow import act, advance, create_draft, meet


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

    meet(people, Condition.objects.get(), evidence="Published.")
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


def test_conditions_of_a_round_ended_by_a_change_request_are_carried_as_proposed(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Document retention.", "due_date": due_in(10)})
    assessment = approve_with(people, assessment, {"text": "Pen-test.", "before_launch": True})
    assessment = act(people, assessment, "request_changes")

    conditions = list(Condition.objects.order_by("pk"))
    assert [c.status for c in conditions] == [Condition.Status.PROPOSED] * 2
    assert all(c.closed_at is None and c.next_reminder_on is None for c in conditions)
    entry = AuditEntry.objects.filter(assessment_id=assessment.pk, transition="request_changes").get()
    assert entry.details["proposed_conditions"] == [c.pk for c in conditions]
    with pytest.raises(TransitionConflict):
        services.condition_mark_met(condition=conditions[0], by=people.alice, evidence="Done.")

    # Round 2: each domain's reviewer keeps its carried conditions when signing again (open, with the new sign-off).
    assessment = act(people, assessment, "resubmit")
    assert [c.status for c in Condition.objects.order_by("pk")] == [Condition.Status.PROPOSED] * 2
    assessment = act(people, assessment, "approve")  # Legal
    legal, security = Condition.objects.order_by("pk")
    assert (legal.status, security.status) == (Condition.Status.OPEN, Condition.Status.PROPOSED)
    assert legal.sign_off.review_round == 2 and legal.next_reminder_on is not None
    while assessment.state != State.APPROVED:
        assessment = act(people, assessment, "approve")
    # The kept before-launch condition still blocks launch: none disappears silently.
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "launch")
    assert [r.code for r in blocked.value.reasons] == ["condition_open"]


def test_met_conditions_stay_met_after_a_change_request(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Done early.", "due_date": due_in(3)})
    meet(people, Condition.objects.get())
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


def test_the_migration_carries_superseded_conditions_still_awaiting_their_domain(people):
    import importlib

    from django.apps import apps

    from assessments.models import SignOff

    asked = advance(people, create_draft(people), State.LEGAL_REVIEW)
    asked = approve_with(people, asked, {"text": "Carried.", "due_date": due_in(10)})
    act(people, asked, "request_changes")
    signed_again = advance(people, create_draft(people), State.LEGAL_REVIEW)
    signed_again = approve_with(people, signed_again, {"text": "Signed again.", "due_date": due_in(10)})
    signed_again = act(people, act(people, signed_again, "request_changes"), "resubmit")
    act(people, signed_again, "approve")  # Legal signed round 2 (and kept it, under the new rule)
    ended = advance(people, create_draft(people), State.LEGAL_REVIEW)
    ended = approve_with(people, ended, {"text": "Ended.", "due_date": due_in(10)})
    act(people, act(people, ended, "request_changes"), "withdraw")
    assert SignOff.objects.filter(assessment=signed_again, review_round=2, stage="legal").exists()
    # As rows were before: the change request closed each as superseded.
    Condition.objects.update(status="superseded", closed_at=timezone.now())

    importlib.import_module("assessments.migrations.0012_conditions_confirmed").carry_superseded(apps, None)

    statuses = dict(Condition.objects.values_list("text", "status"))
    assert statuses == {"Carried.": "proposed", "Signed again.": "dropped", "Ended.": "dropped"}
    assert Condition.objects.get(text="Carried.").closed_at is None


def test_a_carried_condition_stays_proposed_through_its_domains_own_change_request_and_is_kept_later(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Pen-test.", "before_launch": True})
    assessment = act(people, act(people, assessment, "request_changes"), "resubmit")
    # Legal, whose condition it is, asks for changes itself rather than signing: it stays proposed, said so.
    assessment = act(people, assessment, "request_changes")
    condition = Condition.objects.get()
    assert condition.status == Condition.Status.PROPOSED
    client = Client()
    client.force_login(people.alice)
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "<strong>Proposed</strong>: carried from a round that ended with a change request" in page
    assessment = act(people, act(people, assessment, "resubmit"), "approve")
    condition.refresh_from_db()
    assert condition.status == Condition.Status.OPEN and condition.sign_off.review_round == 3


def test_the_page_says_why_a_carried_condition_of_a_withdrawn_assessment_was_closed(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = approve_with(people, assessment, {"text": "Pen-test.", "before_launch": True})
    assessment = act(people, act(people, assessment, "request_changes"), "withdraw")
    entry = AuditEntry.objects.get(assessment_id=assessment.pk, transition="withdraw")
    assert entry.details["closed_conditions"] == [Condition.objects.get().pk]
    client = Client()
    client.force_login(people.reviewers["legal"])
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "<strong>Dropped</strong>" in page
    assert "Closed unanswered: the assessment was withdrawn." in page and "Reviewer’s note" not in page
