from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import roles
from assessments import services
from assessments.models import Assessment, AuditEntry, Condition, SignOff, State
from assessments.questionnaire import current_questionnaire
from tests.factories import UserFactory
from tests.workflow import advance, bias_rows, create_draft

from ..workflow import EVIDENCE


def url(assessment):
    return f"/api/v1/assessments/{assessment.pk}/transitions/"


def names(response):
    assert response.status_code == 200, response.content
    return [t["name"] for t in response.json()]


def in_future(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# -- listing what the caller may take --------------------------------------------------------


def test_the_team_may_submit_or_withdraw_a_complete_draft(people, client_for):
    response = client_for(people.alice).get(url(create_draft(people)))

    assert response.json() == [
        {"name": "submit", "label": "Submit for review"},
        {"name": "withdraw", "label": "Withdraw"},
    ]


def test_submit_is_not_offered_while_a_hard_stop_blocks_it(people, client_for):
    assessment = create_draft(people, **{"data.trained_on_therapy_conversations": True})

    assert names(client_for(people.alice).get(url(assessment))) == ["withdraw"]


def test_the_current_stage_reviewer_may_approve_request_changes_or_reject(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    assert names(client_for(people.reviewers["legal"]).get(url(assessment))) == [
        "approve",
        "request_changes",
        "reject",
    ]
    assert names(client_for(people.alice).get(url(assessment))) == ["withdraw"]


@pytest.mark.parametrize("role", ["security", "clinical", "product", "data_ai", "chair", "auditor", "admin"])
def test_nobody_else_is_offered_anything_at_legal_review(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)

    assert names(client_for(user).get(url(assessment))) == []


def test_approve_is_not_offered_at_data_ai_review_without_bias_evidence(people, client_for):
    assessment = create_draft(people)
    services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    for domain in roles.DOMAINS[:-1]:
        assessment = services.assessment_transition(assessment=assessment, name="approve", by=people.reviewers[domain])
    assert assessment.state == State.DATA_AI_REVIEW

    assert names(client_for(people.reviewers["data_ai"]).get(url(assessment))) == ["request_changes", "reject"]


def test_an_approved_assessment_offers_launch_to_the_team(people, client_for):
    assessment = advance(people, create_draft(people), State.APPROVED)

    assert names(client_for(people.alice).get(url(assessment))) == ["launch"]


@pytest.mark.parametrize("who", ["olga", "nobody", "chair", "auditor"])
def test_listing_on_an_invisible_draft_is_404(people, client_for, who):
    response = client_for(getattr(people, who)).get(url(create_draft(people)))

    assert response.status_code == 404


def test_listing_needs_authentication(people, client_for):
    assert client_for(None).get(url(create_draft(people))).status_code == 401


# -- taking one ------------------------------------------------------------------------------


def test_the_team_submits_a_draft(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), {"name": "submit"}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "legal_review"
    assert response.json()["id"] == assessment.pk
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, transition="submit").count() == 1


def test_the_legal_reviewer_approves_with_conditions(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    due = in_future()

    response = client_for(people.reviewers["legal"]).post(
        url(assessment),
        {
            "name": "approve",
            "comment": "Fine, with one condition.",
            "conditions": [{"text": "Publish the retention policy.", "owner": "ben", "due_date": due}],
            "expected_state": "legal_review",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "security_review"
    assert body["sign_offs"][0]["reviewer"] == "legal_reviewer"
    assert body["sign_offs"][0]["decision"] == "approved"
    assert body["sign_offs"][0]["valid"] is True
    assert body["conditions"] == [
        {
            "id": body["conditions"][0]["id"],
            "text": "Publish the retention policy.",
            "owner": "ben",
            "due_date": due,
            "before_launch": False,
            "status": "open",
            "met": False,
        }
    ]


def test_a_reviewer_requests_changes_with_a_comment(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(people.reviewers["legal"]).post(
        url(assessment), {"name": "request_changes", "comment": "Explain the escalation path."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "changes_requested"
    assert response.json()["sign_offs"][0]["comment"] == "Explain the escalation path."


def test_the_whole_path_to_launch_goes_through_the_api(people, client_for):
    assessment = create_draft(people)
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=people.alice)
    team = client_for(people.alice)
    assert team.post(url(assessment), {"name": "submit"}, format="json").status_code == 200
    for domain in roles.DOMAINS:
        response = client_for(people.reviewers[domain]).post(url(assessment), {"name": "approve"}, format="json")
        assert response.status_code == 200, response.json()

    response = team.post(url(assessment), {"name": "launch"}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "launched"
    assert [s["stage"] for s in response.json()["sign_offs"]] == list(roles.DOMAINS)


@pytest.mark.parametrize("role", ["security", "clinical", "product", "data_ai"])
def test_another_domains_reviewer_is_told_it_is_not_their_stage(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(people.reviewers[role]).post(url(assessment), {"name": "approve"}, format="json")

    # Their stage may still come: only the moment is wrong, a conflict rather than a refusal.
    assert response.status_code == 409
    assert response.json()["detail"] == "This assessment is at Legal review; only Legal reviewers may decide now."
    assert [r["code"] for r in response.json()["reasons"]] == ["not_your_stage"]
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["chair", "auditor", "admin"])
def test_only_reviewers_may_sign_off(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(getattr(people, role)).post(url(assessment), {"name": "approve"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only Legal, Security, Clinical, Product and Data/AI reviewers decide on assessments."
    )
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    assert not SignOff.objects.exists()


def test_the_team_may_not_sign_off(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(people.alice).post(url(assessment), {"name": "approve"}, format="json")

    assert response.status_code == 403


def test_a_reviewer_may_not_sign_off_their_own_teams_assessment(people, client_for):
    insider = UserFactory(username="lee", roles=[roles.LEGAL])
    people.team.members.add(insider)
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(insider).post(url(assessment), {"name": "approve"}, format="json")

    assert response.status_code == 403
    assert "Separation of duties" in response.json()["detail"]
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["legal", "chair", "auditor", "admin"])
def test_only_the_team_may_withdraw(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)

    response = client_for(user).post(url(assessment), {"name": "withdraw"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only members of the team Client Experience may do this."
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


def test_a_hard_stop_blocks_submit_with_409_and_reasons(people, client_for):
    assessment = create_draft(people, **{"clinical.provides_therapy": True})

    response = client_for(people.alice).post(url(assessment), {"name": "submit"}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "Submit for review is blocked."
    assert {"code": "hard_stop", "question": "clinical.provides_therapy"}.items() <= body["reasons"][0].items()
    assert body["reasons"][0]["message"].startswith("Hard stop: This breaks the Responsible AI policy")
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT


def test_missing_answers_block_submit(people, client_for):
    assessment = services.assessment_create(team=people.team, feature_name="Bare", answers={}, by=people.alice)

    response = client_for(people.alice).post(url(assessment), {"name": "submit"}, format="json")

    assert response.status_code == 409
    reasons = response.json()["reasons"]
    assert reasons and all(r["code"] == "answer_required" for r in reasons)
    purpose = current_questionnaire().questions["overview.purpose"].text
    assert {"code": "answer_required", "message": f"Answer required: {purpose}", "question": "overview.purpose"} in (
        reasons
    )


def test_data_ai_approval_without_bias_evidence_is_409(people, client_for):
    assessment = create_draft(people)
    services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    for domain in roles.DOMAINS[:-1]:
        assessment = services.assessment_transition(assessment=assessment, name="approve", by=people.reviewers[domain])

    response = client_for(people.reviewers["data_ai"]).post(url(assessment), {"name": "approve"}, format="json")

    assert response.status_code == 409
    assert response.json()["reasons"] == [
        {
            "code": "bias_evidence_missing",
            "message": f"Bias evidence is missing for {d}: record per-group results, "
            "or a justification of why it cannot be measured.",
            "question": None,
            "params": {"dimension": d},
        }
        for d in ("race", "religion", "gender")
    ]


@pytest.mark.parametrize("name", ["launch", "resubmit", "retire", "start_reassessment"])
def test_a_transition_the_state_does_not_allow_is_409(people, client_for, name):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), {"name": name}, format="json")

    assert response.status_code == 409
    assert "Draft" in response.json()["detail"]


def test_a_stale_expected_state_is_409(people, client_for):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)

    response = client_for(people.reviewers["security"]).post(
        url(assessment), {"name": "approve", "expected_state": "legal_review"}, format="json"
    )

    assert response.status_code == 409
    assert "while you were looking at it" in response.json()["detail"]
    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW


def test_a_terminal_assessment_takes_no_transition(people, client_for):
    assessment = advance(people, create_draft(people), State.REJECTED)

    response = client_for(people.alice).post(url(assessment), {"name": "withdraw"}, format="json")

    assert response.status_code == 409


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "teleport"}, "name"),
        ({}, "name"),
        ({"name": 3}, "name"),
        ({"name": "submit", "comment": 7 * ["x"]}, "comment"),
        ({"name": "submit", "comment": "x" * 5001}, "comment"),
        ({"name": "submit", "expected_state": "nowhere"}, "expected_state"),
        ({"name": "submit", "conditions": "soon"}, "conditions"),
        ({"name": "submit", "conditions": [{"text": "x", "due_date": "2999-01-01"}]}, "conditions"),
        ({"name": "submit", "state": "approved"}, "state"),
    ],
)
def test_bad_transition_input_is_400_naming_the_field(people, client_for, payload, field):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert response.json()["detail"]
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT


def test_an_unknown_transition_lists_the_known_ones(people, client_for):
    response = client_for(people.alice).post(url(create_draft(people)), {"name": "teleport"}, format="json")

    assert response.json()["name"].startswith('Unknown transition "teleport"; expected one of submit, resubmit')


def test_request_changes_without_a_comment_is_400(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(people.reviewers["legal"]).post(
        url(assessment), {"name": "request_changes", "comment": "  "}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["comment"] == "Say what must change, or why: a comment is required."
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


@pytest.mark.parametrize(
    "condition, message",
    [
        ({"text": "x", "due_date": "2001-01-01"}, "The due date is in the past."),
        ({"text": "x", "due_date": "next week"}, "due_date: Give the date as YYYY-MM-DD."),
        ({"text": "x", "due_date": "2999-1-1"}, "due_date: Give the date as YYYY-MM-DD."),
        ({"text": "x", "due_date": "2999-02-30"}, "due_date: Give the date as YYYY-MM-DD."),
        ({"text": "x", "owner": "olga", "due_date": "2999-01-01"}, "The owner must be a member"),
        ({"text": " ", "due_date": "2999-01-01"}, "text: Say what the team must do."),
        ({"due_date": "2999-01-01"}, "text: Say what the team must do."),
        ({"text": "x", "due_date": "2999-01-01", "priority": "high"}, "priority: Unknown field"),
    ],
)
def test_invalid_conditions_are_400_and_nothing_is_signed(people, client_for, condition, message):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(people.reviewers["legal"]).post(
        url(assessment), {"name": "approve", "conditions": [condition]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["conditions[1]"].startswith(message)
    assert not SignOff.objects.exists()
    assert not Condition.objects.exists()
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


def test_a_condition_that_is_not_an_object_is_400(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    response = client_for(people.reviewers["legal"]).post(
        url(assessment), {"name": "approve", "conditions": ["do it"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["conditions[1]"] == "Invalid data. Expected a dictionary, but got str."


@pytest.mark.parametrize("who", ["olga", "nobody", "auditor"])
def test_taking_a_transition_on_an_invisible_draft_is_404(people, client_for, who):
    assessment = create_draft(people)

    response = client_for(getattr(people, who)).post(url(assessment), {"name": "submit"}, format="json")

    assert response.status_code == 404
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT


def test_a_reviewer_gets_404_for_a_draft(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.reviewers["legal"]).post(url(assessment), {"name": "approve"}, format="json")

    assert response.status_code == 404


def test_taking_a_transition_needs_authentication(people, client_for):
    assessment = create_draft(people)

    assert client_for(None).post(url(assessment), {"name": "submit"}, format="json").status_code == 401
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT


def test_start_reassessment_returns_the_old_version_and_opens_a_new_draft(people, client_for):
    assessment = advance(people, create_draft(people), State.LAUNCHED)

    response = client_for(people.alice).post(url(assessment), {"name": "start_reassessment"}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "reassessment_due"
    new = Assessment.objects.get(feature=assessment.feature, version=2)
    listed = client_for(people.alice).get("/api/v1/assessments/", {"state": "draft"}).json()["results"]
    assert [row["id"] for row in listed] == [new.pk]
