"""Action buttons: only the transitions this user may take now; each one enforced on the server."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Condition, SignOff, State

from ..workflow import advance, create_draft


def actions_of(client, assessment):
    response = client.get(reverse("assessment_detail", args=[assessment.pk]))
    assert response.status_code == 200
    return [t["name"] for t in response.context["allowed"]], response.content.decode()


def transition(client, assessment, name, **data):
    data.setdefault("expected_state", assessment.state)
    return client.post(reverse("assessment_transition", args=[assessment.pk, name]), data)


def test_the_team_sees_submit_and_withdraw_on_a_complete_draft(people, login):
    names, page = actions_of(login(people.alice), create_draft(people))
    assert names == ["submit", "withdraw"]
    assert "Edit answers" in page


def test_the_reviewer_of_the_current_stage_sees_their_three_decisions(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    names, page = actions_of(login(people.reviewers["legal"]), assessment)
    assert names == ["approve", "request_changes", "reject"]
    assert 'name="comment"' in page and 'name="conditions-0-text"' in page


@pytest.mark.parametrize("who", ["security", "clinical", "product", "data_ai"])
def test_reviewers_of_other_stages_see_no_action(people, login, who):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    names, page = actions_of(login(people.reviewers[who]), assessment)
    assert names == []
    assert f"assessments/{assessment.pk}/transitions/" not in page


def test_the_auditor_and_the_chair_see_no_action_buttons(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    for user in (people.auditor, people.chair):
        names, page = actions_of(login(user), assessment)
        assert names == []
        assert "/transitions/" not in page
        assert "Edit answers" not in page


def test_the_team_sees_no_review_decision(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    names, _ = actions_of(login(people.alice), assessment)
    assert names == ["withdraw"]


def test_a_forged_approval_by_the_auditor_is_refused_without_a_state_change(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    for name in ("approve", "request_changes", "reject", "withdraw"):
        response = transition(login(people.auditor), assessment, name, comment="forged")
        assert response.status_code == 403, name
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    assert not SignOff.objects.exists()


def test_a_reviewer_cannot_act_outside_their_stage(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    response = transition(login(people.reviewers["security"]), assessment, "approve")
    assert response.status_code == 409
    assert "This assessment is at Legal review; only Legal reviewers may decide now." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


def test_a_reviewer_cannot_take_team_actions(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    response = transition(login(people.reviewers["legal"]), assessment, "withdraw")
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


def test_another_teams_member_cannot_even_find_the_assessment(people, login):
    draft = create_draft(people)
    assert transition(login(people.olga), draft, "submit").status_code == 404
    assert transition(login(people.reviewers["legal"]), draft, "submit").status_code == 404
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_approving_with_a_condition(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = transition(
        login(people.reviewers["legal"]),
        assessment,
        "approve",
        comment="Approved.",
        **{
            "conditions-TOTAL_FORMS": "5",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-text": "Publish the retention policy.",
            "conditions-0-owner": "ben",
            "conditions-0-due_date": due,
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW
    condition = Condition.objects.get()
    assert (condition.text, condition.owner, condition.due_date.isoformat()) == (
        "Publish the retention policy.",
        people.ben,
        due,
    )


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"text": "Do it.", "due_date": ""}, "due_date", "Give a due date, or tick “Due before launch”."),
        ({"text": "", "due_date": "2099-01-01"}, "text", "Say what the team must do."),
        ({"text": "Do it.", "due_date": "31/02/2030"}, "due_date", "Give the due date as a date"),
        ({"text": "Do it.", "due_date": "2001-01-01"}, None, "The due date is in the past."),
        ({"text": "Do it.", "due_date": "2099-01-01", "owner": "olga"}, "owner", "Choose a member of the team."),
    ],
)
def test_a_bad_condition_is_shown_next_to_its_field_and_nothing_changes(people, login, row, field, message):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    data = {"conditions-TOTAL_FORMS": "5", "conditions-INITIAL_FORMS": "0"}
    data.update({f"conditions-0-{k}": v for k, v in row.items()})
    response = transition(login(people.reviewers["legal"]), assessment, "approve", comment="ok", **data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    if field:
        error_id = f'id="id_conditions-0-{field}-error"'
        assert error_id in page
        assert message in page[page.index(error_id) :][:300]
    assert "ok" in page  # the comment typed is still in its box
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    assert not Condition.objects.exists()


def test_request_changes_needs_a_comment_shown_next_to_the_box(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    response = transition(login(people.reviewers["legal"]), assessment, "request_changes", comment="  ")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="comment-request_changes-error"' in page
    assert "a comment is required" in page[page.index('id="comment-request_changes-error"') :][:300]
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


def test_a_stale_page_gets_a_clear_conflict(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    client = login(people.reviewers["legal"])
    assert transition(client, assessment, "approve").status_code == 302
    response = transition(client, assessment, "approve", expected_state=State.LEGAL_REVIEW)
    assert response.status_code == 409
    assert "moved to Security review while you were looking at it" in response.content.decode()
    assert SignOff.objects.count() == 1


def test_data_ai_approval_without_bias_evidence_is_blocked_with_reasons(people, login):
    assessment = create_draft(people)
    assessment = services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    for domain in ("legal", "security", "clinical", "product"):
        assessment = services.assessment_transition(assessment=assessment, name="approve", by=people.reviewers[domain])
    client = login(people.reviewers["data_ai"])
    names, page = actions_of(client, assessment)
    assert "approve" not in names
    assert "Approve (sign off): not now" in page
    for dimension in ("race", "religion", "gender"):
        assert f"Bias evidence is missing for {dimension}:" in page
    response = transition(client, assessment, "approve")
    assert response.status_code == 409
    assert "Bias evidence is missing" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == State.DATA_AI_REVIEW


def test_unknown_actions_are_not_found(people, login):
    assessment = create_draft(people)
    client = login(people.alice)
    assert client.post(reverse("assessment_transition", args=[assessment.pk, "supersede"])).status_code == 404
    assert client.post(reverse("assessment_transition", args=[assessment.pk, "explode"])).status_code == 404
    assert client.get(reverse("assessment_transition", args=[assessment.pk, "submit"])).status_code == 405


def test_csrf_is_enforced_on_transitions(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.reviewers["legal"])
    url = reverse("assessment_transition", args=[assessment.pk, "approve"])
    response = client.post(url, {"expected_state": assessment.state})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    # With the token from the page, the same post goes through.
    client.get(reverse("assessment_detail", args=[assessment.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"expected_state": assessment.state, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW


def test_csrf_is_enforced_on_answers_and_the_inbox(people):
    draft = create_draft(people)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.alice)
    before = dict(draft.answers)
    urls = [
        reverse("assessment_edit", args=[draft.pk]),
        reverse("assessment_new"),
        reverse("assessment_preview", args=[draft.pk]),
        reverse("notifications_read_all"),
        reverse("logout"),
    ]
    for url in urls:
        assert client.post(url, {"feature_name": "X", "team": "client-experience"}).status_code == 403, url
    draft.refresh_from_db()
    assert draft.answers == before


@pytest.mark.parametrize("who", ["legal", "security", "clinical", "product", "data_ai"])
def test_a_reviewer_cannot_see_a_teams_draft_anywhere(people, login, who):
    draft = create_draft(people, name="Unsubmitted idea")
    client = login(people.reviewers[who])
    for url in (
        reverse("assessment_detail", args=[draft.pk]),
        reverse("assessment_edit", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("assessment_preview", args=[draft.pk])).status_code == 404
    for page in (reverse("assessment_list"), reverse("home"), reverse("audit_trail")):
        assert "Unsubmitted idea" not in client.get(page).content.decode()


def test_the_auditor_cannot_see_drafts_either(people, login):
    draft = create_draft(people, name="Unsubmitted idea")
    client = login(people.auditor)
    assert client.get(reverse("assessment_detail", args=[draft.pk])).status_code == 404
    assert "Unsubmitted idea" not in client.get(reverse("assessment_list")).content.decode()
