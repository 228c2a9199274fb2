"""Resubmitting after a change request needs a note of what changed, which every reviewer sees."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import AuditEntry, State
from committee.models import Notification

from .workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db
NOTE = "Added the escalation path to a clinician."


def transition(user, assessment, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/assessments/{assessment.pk}/transitions/", body, format="json")


def test_resubmitting_without_a_note_is_a_400(people):
    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    for body in ({"name": "resubmit"}, {"name": "resubmit", "comment": ""}, {"name": "resubmit", "comment": "  "}):
        response = transition(people.alice, assessment, body)
        assert response.status_code == 400, body
        assert "comment is required" in response.json()["comment"]
    assessment.refresh_from_db()
    assert assessment.state == State.CHANGES_REQUESTED


def test_the_note_is_recorded_and_shown_to_every_reviewer(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes")
    response = transition(people.alice, assessment, {"name": "resubmit", "comment": NOTE})
    assert response.status_code == 200 and response.json()["state"] == State.LEGAL_REVIEW
    entry = AuditEntry.objects.get(assessment_id=assessment.pk, transition="resubmit")
    assert entry.comment == NOTE
    # Legal is asked with the note; the page shows it to each reviewer, at every stage of the round.
    notice = Notification.objects.get(
        recipient=people.reviewers["legal"], assessment=assessment, key__contains=f"e{entry.seq}"
    )
    assert NOTE in notice.body
    assessment.refresh_from_db()
    assessment = act(people, assessment, "approve")
    for domain in ("legal", "security"):
        client = Client()
        client.force_login(people.reviewers[domain])
        page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
        assert "What the team changed (round 2)" in page and NOTE in page
