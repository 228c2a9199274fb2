"""What each transition tells whom, written in the transition's transaction and emailed after commit."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts import roles
from assessments import services
from assessments.errors import TransitionConflict
from assessments.models import State
from committee.models import NoticePreference, Notification, OutboxEmail

from ..factories import UserFactory
from ..workflow import EVIDENCE, act, advance, bias_rows, create_draft
from .conftest import kinds_of, received

pytestmark = pytest.mark.django_db


def submitted(people, **kwargs):
    draft = create_draft(people, **kwargs)
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(), by=people.alice)
    return act(people, draft, "submit")


def test_submitting_asks_the_legal_reviewers_and_nobody_else(people):
    assessment = submitted(people)
    assert received(people.reviewers["legal"]) == [("review_requested", assessment.pk)]
    for user in (people.alice, people.ben, people.chair, people.auditor, people.olga, people.reviewers["security"]):
        assert received(user) == []


def test_a_team_member_in_the_reviewers_group_is_never_asked(people):
    people.ben.groups.add(Group.objects.get(name=roles.LEGAL))  # ben did not edit it: only his team excludes him
    outsider = UserFactory(username="second_legal", roles=[roles.LEGAL])
    assessment = submitted(people)
    assert received(people.ben) == []
    assert received(outsider) == [("review_requested", assessment.pk)]


def test_a_reviewer_who_edited_it_is_not_asked(people):
    draft = create_draft(people, by=people.ben)
    people.team.members.remove(people.ben)
    people.ben.groups.add(Group.objects.get(name=roles.LEGAL))
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(), by=people.alice)
    assessment = act(people, draft, "submit")
    assert received(people.ben) == []
    assert received(people.reviewers["legal"]) == [("review_requested", assessment.pk)]


def test_a_reviewer_who_signed_another_stage_of_the_round_is_not_asked(people):
    both = UserFactory(username="legal_and_clinical", roles=[roles.LEGAL, roles.CLINICAL])
    assessment = act(people, submitted(people), "approve", by=both)
    assessment = act(people, assessment, "approve")  # Security, by its own reviewer
    assert assessment.state == State.CLINICAL_REVIEW
    assert received(people.reviewers["clinical"]) == [("review_requested", assessment.pk)]
    assert received(both) == [("review_requested", assessment.pk)]  # asked at Legal only: may not sign Clinical


def test_each_approval_asks_the_next_stage_and_the_last_tells_the_team(people):
    assessment = submitted(people)
    for domain in roles.DOMAINS[1:]:
        assessment = act(people, assessment, "approve")
        assert received(people.reviewers[domain]) == [("review_requested", assessment.pk)], domain
    assert assessment.state == State.DATA_AI_REVIEW
    assessment = act(people, assessment, "approve", comment="Evidence is sound.")
    assert assessment.state == State.APPROVED
    assert received(people.alice) == received(people.ben) == [("decision", assessment.pk)]
    decision = Notification.objects.get(recipient=people.alice)
    assert decision.context["decision"] == "approved" and decision.subject.startswith("Approved: ")
    assert "Evidence is sound." in decision.body


@pytest.mark.parametrize("name, label", [("request_changes", "Changes requested"), ("reject", "Rejected")])
def test_a_change_request_or_rejection_goes_to_the_team_with_the_comment(people, name, label):
    assessment = advance(people, submitted(people), State.SECURITY_REVIEW)
    act(people, assessment, name, comment="Say how a client reaches a person in a crisis.")
    notice = Notification.objects.get(recipient=people.alice)
    assert notice.kind == "decision" and notice.subject.startswith(f"{label}: ")
    assert "Say how a client reaches a person in a crisis." in notice.body and "Security" in notice.body
    assert kinds_of(people.ben) == ["decision"]
    assert kinds_of(people.reviewers["security"]) == ["review_requested"]  # from the approval before; nothing new


def test_resubmitting_asks_legal_again(people):
    assessment = act(people, submitted(people), "request_changes")
    act(people, assessment, "resubmit")
    assert kinds_of(people.reviewers["legal"]) == ["review_requested", "review_requested"]


def test_approval_reminds_owners_of_conditions_to_meet_before_launch(people):
    assessment = advance(people, submitted(people), State.DATA_AI_REVIEW)
    condition = {"text": "Publish the model card.", "owner": "ben", "before_launch": True}
    act(people, assessment, "approve", conditions=[condition])
    assert kinds_of(people.ben) == ["decision", "condition_before_launch"]
    assert "Publish the model card." in Notification.objects.get(kind="condition_before_launch").body
    assert kinds_of(people.alice) == ["decision"]


def test_team_transitions_without_a_reader_send_nothing(people):
    assessment = create_draft(people)
    act(people, assessment, "withdraw")
    assert not Notification.objects.exists()


def test_a_refused_transition_writes_no_notice(people):
    assessment = create_draft(people)  # no bias evidence: Data/AI will refuse later, submit works
    with pytest.raises(TransitionConflict):
        act(people, advance(people, act(people, assessment, "submit"), State.DATA_AI_REVIEW), "approve")
    assert not Notification.objects.filter(kind="decision").exists()


def test_the_email_is_sent_after_commit_with_text_html_and_a_link(people, django_capture_on_commit_callbacks):
    draft = create_draft(people)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(people, draft, "submit")
    assert mail.outbox == [] and OutboxEmail.objects.get().status == "pending"  # the inbox entry is there already
    assert kinds_of(people.reviewers["legal"]) == ["review_requested"]
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    link = f"http://127.0.0.1:8000/assessments/{draft.pk}/"
    assert message.to == [people.reviewers["legal"].email]
    assert message.subject.startswith("Review requested: ") and link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    assert OutboxEmail.objects.get().status == "sent"


def test_user_text_is_escaped_in_the_html_email(people, django_capture_on_commit_callbacks):
    assessment = advance(people, submitted(people), State.LEGAL_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        act(people, assessment, "request_changes", comment="<script>alert(1)</script> & more")
    html = mail.outbox[-1].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<script>alert(1)</script> & more" in mail.outbox[-1].body


def test_digest_readers_and_people_without_an_address_get_no_immediate_email(people):
    NoticePreference.objects.create(user=people.alice, email=NoticePreference.Email.DAILY_DIGEST)
    people.ben.email = ""
    people.ben.save()
    act(people, advance(people, submitted(people), State.LEGAL_REVIEW), "reject")
    alice, ben = Notification.objects.get(recipient=people.alice), Notification.objects.get(recipient=people.ben)
    assert alice.email is None and alice.awaits_digest
    assert ben.email is None and not ben.awaits_digest
    assert not OutboxEmail.objects.filter(recipient__in=[people.alice, people.ben]).exists()


def test_inactive_people_are_not_told(people):
    people.ben.is_active = False
    people.ben.save()
    act(people, advance(people, submitted(people), State.LEGAL_REVIEW), "reject")
    assert kinds_of(people.alice) == ["decision"] and kinds_of(people.ben) == []
