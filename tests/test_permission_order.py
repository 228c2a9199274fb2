"""One order of checks for the browser and the API: stale state, permission, then input, then guards."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import Assessment, State

from .workflow import advance, create_draft


def api_post(user, assessment, payload):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/assessments/{assessment.pk}/transitions/", payload, format="json")


def browser_post(user, assessment, name, data):
    client = Client()
    client.force_login(user)
    return client.post(reverse("assessment_transition", args=[assessment.pk, name]), data)


@pytest.mark.parametrize("name", ["reject", "request_changes"])
def test_an_auditor_without_a_comment_is_refused_not_asked_for_one(people, name):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    api = api_post(people.auditor, assessment, {"name": name})
    browser = browser_post(people.auditor, assessment, name, {"comment": ""})

    assert api.status_code == 403 and browser.status_code == 403
    assert api.json()["detail"] == (
        "Only Legal, Security, Clinical, Product and Data/AI reviewers decide on assessments."
    )
    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW


def test_another_domains_reviewer_without_a_comment_gets_the_conflict(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    response = api_post(people.reviewers["clinical"], assessment, {"name": "reject"})
    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == "not_your_stage"


def test_a_refusal_outranks_a_malformed_body(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    # "comment": a list is malformed input, but the auditor could never reject anyway.
    assert api_post(people.auditor, assessment, {"name": "reject", "comment": ["x"]}).status_code == 403
    # The rightful reviewer with the same body is told about the input.
    response = api_post(people.reviewers["legal"], assessment, {"name": "reject", "comment": ["x"]})
    assert response.status_code == 400 and "comment" in response.json()


def test_the_rightful_reviewer_without_a_comment_is_asked_for_one(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    response = api_post(people.reviewers["legal"], assessment, {"name": "reject"})
    assert response.status_code == 400
    assert response.json()["comment"] == "Say what must change, or why: a comment is required."


def test_a_stale_expected_state_comes_before_everything(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    # Even someone who may never act learns first that the page was stale: nothing about them is revealed.
    with pytest.raises(TransitionConflict) as stale:
        services.assessment_transition(
            assessment=assessment, name="reject", by=people.auditor, expected_state=State.LEGAL_REVIEW
        )
    assert stale.value.reasons[0].code == "stale_state"


def test_guards_come_after_input(people):
    assessment = create_draft(people, **{"clinical.provides_therapy": True})
    with pytest.raises(InputError):
        services.assessment_transition(assessment=assessment, name="submit", by=people.alice, comment=7)
    with pytest.raises(TransitionConflict) as blocked:
        services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    assert blocked.value.reasons[0].code == "hard_stop"


def test_the_state_comes_after_permission(people):
    launched = advance(people, create_draft(people), State.LAUNCHED)
    with pytest.raises(NotPermitted):
        services.assessment_transition(assessment=launched, name="approve", by=people.auditor)
    with pytest.raises(TransitionConflict) as wrong_state:
        services.assessment_transition(assessment=launched, name="approve", by=people.reviewers["legal"])
    assert wrong_state.value.reasons[0].code == "wrong_state"


def test_guards_are_evaluated_once_per_transition(people, monkeypatch):
    from assessments import models

    assessment = create_draft(people)
    calls = []
    original = models.Assessment.submit_blockers

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(models.Assessment, "submit_blockers", counting)
    services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    assert len(calls) == 1


def test_the_system_may_take_only_the_transitions_declared_for_it(people):
    launched = advance(people, create_draft(people), State.LAUNCHED)
    with pytest.raises(NotPermitted):
        services.assessment_transition(assessment=launched, name="retire", by=services.SYSTEM)
    moved = services.assessment_transition(assessment=launched, name="start_reassessment", by=services.SYSTEM)
    assert moved.state == State.REASSESSMENT_DUE
    entry = moved.audit_entries.order_by("-seq").filter(transition="start_reassessment").first()
    assert (entry.actor_id, entry.actor_username) == (None, "system")
    new = moved.feature.assessments.get(version=2)
    assert new.state == State.DRAFT and new.created_by == moved.feature.owner


def test_nobody_may_name_the_system_only_transition(people):
    approved = advance(people, create_draft(people), State.APPROVED)
    response = api_post(people.alice, approved, {"name": "supersede"})
    assert response.status_code == 400
    assert "supersede" not in response.json()["name"].split("expected one of")[1]


def api_patch(user, assessment, payload):
    client = APIClient()
    client.force_authenticate(user)
    return client.patch(f"/api/v1/assessments/{assessment.pk}/", payload, format="json")


MALFORMED_EDIT = {"answers": "not an object", "expected_content_hash": "x"}


def test_editing_answers_a_refusal_outranks_a_malformed_body(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    # A reviewer could never edit the team's answers: 403 whatever the body says.
    refused = api_patch(people.reviewers["legal"], assessment, MALFORMED_EDIT)
    assert refused.status_code == 403 and "Only members of the team" in refused.json()["detail"]
    # The team could edit, but not now: 409, not a lecture about the body.
    conflict = api_patch(people.alice, assessment, MALFORMED_EDIT)
    assert conflict.status_code == 409
    assert conflict.json()["reasons"][0]["code"] == "not_editable"


def test_editing_answers_the_team_in_draft_is_told_about_its_input(people):
    draft = create_draft(people)
    response = api_patch(people.alice, draft, MALFORMED_EDIT)
    assert response.status_code == 400
    assert set(response.json()) >= {"answers", "expected_content_hash"}
