"""Acceptance (issue 23): a change request from Security on one question, a resubmission with a note, Legal
re-signing in one action with its conditions kept; the dossier shows the note and the word-level diff."""

import re

import pytest

from assessments.models import Condition, State
from tests.signing_client import SigningClient

from ..resign import NOTE, change_summary, ended_by_security
from .conftest import page_texts

pytestmark = pytest.mark.django_db


def client_for(user):
    client = SigningClient()
    client.force_authenticate(user)
    return client


def test_the_dossier_shows_the_note_and_the_word_level_diff_after_a_one_action_re_sign(people):
    assessment = ended_by_security(people)
    assert assessment.state == State.CHANGES_REQUESTED
    change_summary(people, assessment)
    path = f"/api/v1/assessments/{assessment.pk}/transitions/"
    team = client_for(people.alice)
    assert team.post(path, {"name": "resubmit"}, format="json").status_code == 400
    assert team.post(path, {"name": "resubmit", "comment": NOTE}, format="json").status_code == 200
    carried = list(Condition.objects.filter(assessment=assessment).order_by("pk"))
    assert [c.status for c in carried] == ["proposed", "proposed"]

    body = {"name": "approve", "carried_conditions": [{"id": c.pk, "action": "keep"} for c in carried]}
    response = client_for(people.reviewers["legal"]).post(path, body, format="json")
    assert response.status_code == 200 and response.json()["state"] == State.SECURITY_REVIEW
    assert [c["status"] for c in response.json()["conditions"]] == ["open", "open"]

    pdf = client_for(people.auditor).get(f"/api/v1/assessments/{assessment.pk}/dossier.pdf")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", " ", " ".join(page_texts(pdf.content)))
    assert f"What the team changed: “{NOTE}”" in text
    # Word by word, in the history: the changed word removed and added, the rest of the sentence as it was.
    assert "changed 1 answer In one line, what is the feature?: Drafts session notes" in text
    # (Compared without white space: where a line wraps, the extracted text has a space or none.)
    wanted = "for the {+treating +}therapist to review {+and sign +}before they are [-saved-]{+filed+}."
    assert re.sub(r"\s", "", wanted) in re.sub(r"\s", "", text)
