"""The assessment page says the outcome first, why the user cannot act, and carries comments on answers."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.forms import dom_id
from assessments.models import QuestionComment, State

from ..workflow import act, advance, create_draft

QUESTION = "overview.audience"


def page(client, assessment, name="assessment_detail"):
    response = client.get(reverse(name, args=[assessment.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def comment_post(client, assessment, **data):
    return client.post(reverse("question_comment_create", args=[assessment.pk]), data)


# -- the outcome banner and the progress bar ------------------------------------------------------


def test_a_rejection_banner_names_the_reviewer_the_comment_and_what_now(people, login):
    rejected = advance(people, create_draft(people), State.SECURITY_REVIEW)
    rejected = act(people, rejected, "reject", comment="The vendor keeps transcripts for a year.")
    response, html = page(login(people.alice), rejected)
    banner = response.context["outcome"]
    assert banner["kind"] == "rejected"
    assert "security_reviewer" in banner["by"] and banner["stage"] == "Security"
    assert 'data-outcome="rejected"' in html
    assert "The vendor keeps transcripts for a year." in html
    assert "What now:" in html
    assert [s["status"] for s in response.context["progress"]] == [
        "signed",
        "rejected",
        "not_reached",
        "not_reached",
        "not_reached",
    ]
    assert "Rejected" in html and "Not reached" in html


def test_a_change_request_banner_lists_the_flagged_questions_with_links(people, login):
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    services.question_comment_add(
        assessment=in_legal, question=QUESTION, text="Do therapists see it?", by=people.reviewers["legal"]
    )
    changed = act(people, in_legal, "request_changes", comment="See my comment on the audience.")
    response, html = page(login(people.alice), changed)
    banner = response.context["outcome"]
    assert banner["kind"] == "changes_requested"
    assert [f["anchor"] for f in banner["flagged"]] == [dom_id(QUESTION)]
    assert f'href="#{dom_id(QUESTION)}"' in html
    assert [s["status"] for s in response.context["progress"]][0] == "changes_requested"


def test_no_banner_while_simply_waiting(people, login):
    in_review = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    response, _ = page(login(people.alice), in_review)
    assert response.context["outcome"] is None
    assert [s["status"] for s in response.context["progress"]] == [
        "signed",
        "signed",
        "waiting",
        "not_reached",
        "not_reached",
    ]


def test_approved_with_open_conditions_says_so(people, login):
    in_data = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    approved = act(
        people,
        in_data,
        "approve",
        conditions=[{"text": "Publish the model card.", "owner": "alice", "before_launch": True}],
    )
    response, html = page(login(people.alice), approved)
    assert response.context["outcome"]["kind"] == "conditions"
    assert "Approved with 1 open condition" in html and "Publish the model card." in html


def test_versions_link_to_each_other_and_the_old_one_points_at_the_new_draft(people, login):
    v1 = advance(people, create_draft(people), State.REASSESSMENT_DUE)
    v2 = v1.feature.assessments.get(version=2)
    client = login(people.alice)
    response, html = page(client, v1)
    assert response.context["outcome"]["kind"] == "reassessment_due"
    assert response.context["outcome"]["link"]["assessment"].pk == v2.pk
    assert "Open the new draft, version 2" in html
    assert f'href="{reverse("assessment_detail", args=[v2.pk])}"' in html
    _, html2 = page(client, v2)
    assert f'href="{reverse("assessment_detail", args=[v1.pk])}"' in html2


def test_a_superseded_version_links_to_the_newer_one(people, login):
    v1 = advance(people, create_draft(people), State.SUPERSEDED)
    v2 = v1.feature.assessments.get(version=2)
    response, _ = page(login(people.auditor), v1)
    assert response.context["outcome"]["kind"] == "superseded"
    assert response.context["outcome"]["link"]["assessment"].pk == v2.pk


def test_the_reviewer_does_not_see_versions_they_may_not_see(people, login):
    v1 = advance(people, create_draft(people), State.REASSESSMENT_DUE)
    response, _ = page(login(people.reviewers["legal"]), v1)
    # v2 is a draft: only the team sees it, so there is no link and no version list.
    assert response.context["versions"] == []
    assert "link" not in response.context["outcome"]


# -- why you cannot act --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        ("own_team", "own_team", "Separation of duties: you may not sign off an assessment of your own team."),
        ("other_stage", "not_your_stage", "This assessment is at Legal review; only Legal reviewers may decide now."),
        ("signed_other", "signed_other_stage", "you already signed Legal review in this round;"),
        ("edited", "edited_it", "Separation of duties: you may not sign off an assessment you edited."),
    ],
)
def test_a_reviewer_who_may_not_act_is_told_why(people, login, setup, code, words):
    legal = people.reviewers["legal"]
    assessment = create_draft(people)
    viewer = legal
    if setup == "own_team":
        people.team.members.add(legal)
    if setup == "edited":
        people.team.members.add(legal)
        services.assessment_update_answers(
            assessment=assessment, answers={"impact.benefits": "Faster intake."}, by=legal
        )
        people.team.members.remove(legal)
    assessment = advance(people, assessment, State.LEGAL_REVIEW)
    if setup == "other_stage":
        viewer = people.reviewers["security"]
    if setup == "signed_other":
        # Legal also sits on Security: having signed Legal in this round, they may not sign Security.
        legal.groups.add(*people.reviewers["security"].groups.all())
        assessment = act(people, assessment, "approve", by=legal)
    _, html = page(login(viewer), assessment)
    assert "Why you cannot act" in html
    assert f'data-reason="{code}"' in html
    assert words in html


# -- comments on answers in the browser ------------------------------------------------------------


def test_the_reviewer_comments_from_the_page_and_the_team_sees_it_after_the_request(people, login):
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    legal = login(people.reviewers["legal"])
    _, html = page(legal, in_legal)
    assert f'id="comment-on-{dom_id(QUESTION)}"' in html
    response = comment_post(legal, in_legal, question=QUESTION, text="Do therapists see it?", origin="page")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#{dom_id(QUESTION)}")
    team = login(people.alice)
    _, html = page(team, in_legal)
    assert "Do therapists see it?" not in html  # the reviewer's note stays with the committee for now
    assert "The comment stays with the committee" in html  # its audit row is there, without the text
    audit = team.get(reverse("audit_trail")).content.decode()
    assert "Do therapists see it?" not in audit
    act(people, in_legal, "request_changes", comment="See the comment.")
    _, html = page(team, in_legal)
    assert "Do therapists see it?" in html
    _, form = page(team, in_legal, "assessment_edit")
    question_block = re.search(rf'id="{dom_id(QUESTION)}".*?</fieldset>.*?(?=<div class="question)', form, re.S)
    assert question_block and "Do therapists see it?" in question_block.group(0)
    assert "Your reply to security" not in form and 'name="reply_to"' in form
    made = QuestionComment.objects.get()
    response = comment_post(team, in_legal, reply_to=made.pk, text="Only clients.", origin="form")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_edit", args=[in_legal.pk]) + f"#{dom_id(QUESTION)}"
    _, html = page(login(people.reviewers["legal"]), in_legal)
    assert "Only clients." in html
    # The committee reads every comment in the audit trail, with its text.
    audit = login(people.chair).get(reverse("audit_trail")).content.decode()
    assert "Do therapists see it?" in audit and "Only clients." in audit


@pytest.mark.parametrize(
    ("who", "status"), [("security", 409), ("alice", 403), ("auditor", 403), ("chair", 403), ("olga", 404)]
)
def test_comments_are_refused_to_everyone_but_the_deciding_reviewer(people, login, who, status):
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = {
        "security": people.reviewers["security"],
        "alice": people.alice,
        "auditor": people.auditor,
        "chair": people.chair,
        "olga": people.olga,
    }[who]
    response = comment_post(login(user), in_legal, question=QUESTION, text="Sneaky.")
    assert response.status_code == status
    assert not QuestionComment.objects.exists()


def test_another_team_cannot_see_the_comments(people, login):
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    services.question_comment_add(assessment=in_legal, question=QUESTION, text="Note.", by=people.reviewers["legal"])
    act(people, in_legal, "request_changes")
    client = login(people.olga)
    assert client.get(reverse("assessment_detail", args=[in_legal.pk])).status_code == 404
    assert client.get(reverse("api-assessment-comments", args=[in_legal.pk])).status_code == 404


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"question": "nope.nope", "text": "x"}, 400),
        ({"question": QUESTION, "text": ""}, 400),
        ({"question": QUESTION, "text": "a\x00b"}, 400),
        ({"question": QUESTION, "text": "y" * 2001}, 400),
    ],
)
def test_bad_comment_input_is_a_clear_400(people, login, data, status):
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    response = comment_post(login(people.reviewers["legal"]), in_legal, **data)
    assert response.status_code == status


def test_a_refused_submit_redirects_and_a_refresh_does_not_post_again(people, login):
    draft = create_draft(people)
    services.assessment_update_answers(assessment=draft, answers={"impact.benefits": None}, by=people.alice)
    client = login(people.alice)
    from .posting import form_data

    draft.refresh_from_db()
    data = form_data(dict(draft.answers), base_hash=draft.content_hash, action="submit")
    response = client.post(reverse("assessment_edit", args=[draft.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("#submit-blocked")
    first = client.get(response["Location"])
    assert "Saved, but not submitted" in first.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_starting_a_reassessment_lands_on_the_new_draft(people, login):
    v1 = advance(people, create_draft(people), State.LAUNCHED)
    client = login(people.alice)

    response = client.post(reverse("assessment_transition", args=[v1.pk, "start_reassessment"]))

    v2 = v1.feature.assessments.get(version=2)
    assert v2.state == State.DRAFT
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[v2.pk])
    # Any other transition still returns to the assessment it was taken on.
    v2_submitted = client.post(reverse("assessment_transition", args=[v2.pk, "withdraw"]))
    assert v2_submitted["Location"] == reverse("assessment_detail", args=[v2.pk])
