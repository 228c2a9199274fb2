"""Every 409 explains itself with structured reasons worded for people: no question ids, no doubled labels."""

import re

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import SignOff, State
from assessments.questionnaire import current_questionnaire
from tests.signing_client import SigningClient

from .workflow import advance, create_draft

QUESTION_IDS = set(current_questionnaire().questions)
ID_LIKE = re.compile(r"\b[a-z]+\.[a-z_]+\b")


def post(user, assessment, payload):
    client = SigningClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/assessments/{assessment.pk}/transitions/", payload, format="json")


def conflicts(people):
    """(user, assessment, payload) for every kind of 409 the transitions endpoint gives."""
    hard_stopped = create_draft(
        people, **{"clinical.provides_therapy": True, "data.trained_on_therapy_conversations": True}
    )
    unanswered = services.assessment_create(team=people.team, feature_name="Bare", answers={}, by=people.alice)
    dense = create_draft(
        people,
        **{
            "transparency.disclosure_text": "Algorithmic personalisation methodologies, operationalised through "
            "probabilistic inferential architectures, facilitate individualised recommendations."
        },
    )
    no_bias = create_draft(people)
    services.assessment_transition(assessment=no_bias, name="submit", by=people.alice)
    for domain in ("legal", "security", "clinical", "product"):
        no_bias = services.assessment_transition(assessment=no_bias, name="approve", by=people.reviewers[domain])
    at_data_ai = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    SignOff.objects.filter(assessment=at_data_ai, stage="clinical").update(invalidated_at=timezone.now())
    changed = advance(people, create_draft(people), State.LEGAL_REVIEW)
    type(changed).objects.filter(pk=changed.pk).update(answers={**changed.answers, "overview.vendor": "Other"})
    with_condition = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    services.assessment_transition(
        assessment=with_condition,
        name="approve",
        by=people.reviewers["data_ai"],
        conditions=[{"text": "Publish the model card.", "before_launch": True}],
    )
    at_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    return [
        (people.alice, hard_stopped, {"name": "submit"}),
        (people.alice, unanswered, {"name": "submit"}),
        (people.alice, dense, {"name": "submit"}),
        (people.reviewers["data_ai"], no_bias, {"name": "approve"}),
        (people.reviewers["data_ai"], at_data_ai, {"name": "approve"}),
        (people.reviewers["legal"], changed, {"name": "approve"}),
        (people.alice, with_condition, {"name": "launch"}),
        (people.reviewers["security"], at_legal, {"name": "approve"}),
        (people.reviewers["legal"], at_legal, {"name": "approve", "expected_state": "draft"}),
        (people.alice, at_legal, {"name": "launch"}),
    ]


def test_every_409_reason_has_a_code_and_a_message_in_words(people):
    codes = set()
    for user, assessment, payload in conflicts(people):
        response = post(user, assessment, payload)
        assert response.status_code == 409, (payload, response.json())
        body = response.json()
        assert set(body) == {"detail", "reasons"}
        assert body["reasons"], body
        for reason in body["reasons"]:
            assert set(reason) - {"params"} == {"code", "message", "question"}
            assert reason["code"] and reason["message"]
            assert reason["question"] is None or reason["question"] in QUESTION_IDS
            assert not (set(ID_LIKE.findall(reason["message"])) & QUESTION_IDS), reason
            assert reason["message"].count("Hard stop:") <= 1, reason
            assert not reason["message"].lower().startswith("hard stop: hard stop"), reason
            codes.add(reason["code"])
    assert codes >= {
        "hard_stop",
        "answer_required",
        "disclosure_too_hard",
        "bias_evidence_missing",
        "sign_offs_missing",
        "answers_changed",
        "condition_open",
        "not_your_stage",
        "stale_state",
        "wrong_state",
    }


@pytest.mark.parametrize("qid", ["clinical.provides_therapy", "data.third_party_ai_in_therapy_communications"])
def test_a_hard_stop_reason_names_its_question_and_says_hard_stop_once(people, qid):
    assessment = create_draft(people, **{qid: True})
    reasons = post(people.alice, assessment, {"name": "submit"}).json()["reasons"]
    (stop,) = [r for r in reasons if r["code"] == "hard_stop"]
    assert stop["question"] == qid
    assert stop["message"].startswith("Hard stop: ") and stop["message"].count("Hard stop") == 1
