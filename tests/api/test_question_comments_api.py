"""GET and POST /api/v1/assessments/<id>/comments/: the same rules as the browser, as JSON."""

import pytest

from assessments.models import QuestionComment, State

from ..workflow import act, advance, create_draft

QUESTION = "overview.audience"


def url(assessment):
    return f"/api/v1/assessments/{assessment.pk}/comments/"


@pytest.fixture
def in_legal(people):
    return advance(people, create_draft(people), State.LEGAL_REVIEW)


def test_the_reviewer_comments_the_team_sees_it_after_the_request_and_replies(people, client_for, in_legal):
    legal = client_for(people.reviewers["legal"])
    made = legal.post(url(in_legal), {"question": QUESTION, "text": "Who sees it?"}, format="json")
    assert made.status_code == 201
    body = made.json()
    assert (body["question"], body["role"], body["stage"], body["shared"]) == (QUESTION, "reviewer", "legal", False)
    team = client_for(people.alice)
    assert team.get(url(in_legal)).json() == []
    assert len(client_for(people.auditor).get(url(in_legal)).json()) == 1
    act(people, in_legal, "request_changes")
    listed = team.get(url(in_legal)).json()
    assert [c["text"] for c in listed] == ["Who sees it?"] and listed[0]["shared"] is True
    reply = team.post(url(in_legal), {"reply_to": body["id"], "text": "Clients only."}, format="json")
    assert reply.status_code == 201 and reply.json()["question"] == QUESTION


@pytest.mark.parametrize(("who", "status"), [("security", 409), ("alice", 403), ("auditor", 403), ("olga", 404)])
def test_comments_are_refused_with_the_right_status(people, client_for, in_legal, who, status):
    user = {"security": people.reviewers["security"], "alice": people.alice, "auditor": people.auditor}.get(
        who, people.olga
    )
    response = client_for(user).post(url(in_legal), {"question": QUESTION, "text": "Hm."}, format="json")
    assert response.status_code == status
    assert "detail" in response.json()
    assert not QuestionComment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"question": "nope.nope", "text": "x"},
        {"question": QUESTION},
        {"question": QUESTION, "text": ""},
        {"text": "x"},
        {"question": QUESTION, "text": "x", "extra": 1},
        {"question": QUESTION, "text": "x" * 2001},
        {"question": QUESTION, "text": "a\x00b"},
        {"question": 5, "text": "x"},
    ],
)
def test_bad_bodies_are_400s(people, client_for, in_legal, body):
    response = client_for(people.reviewers["legal"]).post(url(in_legal), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["detail"]


def test_a_refusal_outranks_a_bad_body(people, client_for, in_legal):
    response = client_for(people.alice).post(url(in_legal), {"question": QUESTION}, format="json")
    assert response.status_code == 403


def test_anonymous_callers_are_refused(client_for, people, in_legal):
    assert client_for().get(url(in_legal)).status_code == 401


def test_question_and_reply_to_together_are_a_400(people, client_for, in_legal):
    changed = act(people, in_legal, "request_changes")
    response = client_for(people.alice).post(
        url(changed), {"question": QUESTION, "reply_to": 1, "text": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "question" in response.json()


def test_a_reply_to_a_comment_the_team_cannot_see_is_a_404(people, client_for, in_legal):
    legal = client_for(people.reviewers["legal"])
    first = legal.post(url(in_legal), {"question": QUESTION, "text": "One."}, format="json").json()
    changed = act(people, in_legal, "request_changes")
    resubmitted = act(people, changed, "resubmit")
    pending = legal.post(url(resubmitted), {"question": QUESTION, "text": "Two."}, format="json").json()
    team = client_for(people.alice)
    # During review the team may reply, but only to what it was sent: the unsent note is not there for it.
    assert team.post(url(resubmitted), {"reply_to": pending["id"], "text": "?"}, format="json").status_code == 404
    assert team.post(url(resubmitted), {"reply_to": 10**12, "text": "?"}, format="json").status_code == 404
    assert team.post(url(resubmitted), {"reply_to": first["id"], "text": "Ok."}, format="json").status_code == 201
