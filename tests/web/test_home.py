"""The home page shows each role what it needs, and nothing it may not see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import State

from ..workflow import advance, create_draft

HOME = reverse("home")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_team_member_sees_what_needs_their_action(people, login):
    draft = create_draft(people, name="Intake summary")
    changes = advance(people, create_draft(people, name="Therapist matching"), State.CHANGES_REQUESTED)
    page = login(people.alice).get(HOME).content.decode()
    assert "Needs your action" in page
    assert "Intake summary" in page and "Finish the answers and submit it for review." in page
    assert "Therapist matching" in page and "Answer the change request and resubmit." in page
    # The reviewer's request is quoted where the team will see it.
    assert changes.sign_offs.get().comment in page
    assert reverse("assessment_edit", args=[draft.pk]) in page
    assert "My queue" not in page


def test_a_team_member_sees_the_conditions_they_own(people, login):
    assessment = advance(people, create_draft(people, name="Journaling prompts"), State.DATA_AI_REVIEW)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    services.assessment_transition(
        assessment=assessment,
        name="approve",
        by=people.reviewers["data_ai"],
        conditions=[{"text": "Report bias results monthly.", "owner": "ben", "due_date": due}],
    )
    assert "Report bias results monthly." in login(people.ben).get(HOME).content.decode()
    assert "Report bias results monthly." not in login(people.alice).get(HOME).content.decode()


def test_a_condition_of_a_withdrawn_assessment_is_not_the_owners_to_meet(people, login):
    """As its notices resolve when the assessment is withdrawn, the home page no longer lists it."""
    from assessments.models import Condition

    from ..workflow import act

    due = timezone.localdate() + timedelta(days=30)
    kept = advance(people, create_draft(people, name="Kept"), State.LEGAL_REVIEW)
    kept = act(people, kept, "approve", conditions=[{"text": "Keep the log.", "owner": "ben", "due_date": due}])
    gone = advance(people, create_draft(people, name="Gone"), State.LEGAL_REVIEW)
    gone = act(people, gone, "approve", conditions=[{"text": "Moot now.", "owner": "ben", "due_date": due}])
    yesterday = timezone.localdate() - timedelta(days=1)
    Condition.objects.filter(assessment__in=[kept, gone]).update(due_date=yesterday)  # past due, as time makes it
    act(people, gone, "withdraw", by=people.alice)

    response = login(people.ben).get(HOME)
    listed = response.context["team_home"]["conditions"]
    assert [row["condition"].text for row in listed] == ["Keep the log."]
    assert listed[0]["overdue"] is True
    assert "Moot now." not in response.content.decode()


def test_a_reviewer_sees_their_queue_oldest_first_and_not_other_stages(people, login):
    first = advance(people, create_draft(people, name="Older one"), State.LEGAL_REVIEW)
    second = advance(people, create_draft(people, name="Newer one"), State.LEGAL_REVIEW)
    advance(people, create_draft(people, name="At security"), State.SECURITY_REVIEW)
    create_draft(people, name="Still a draft")
    page = login(people.reviewers["legal"]).get(HOME).content.decode()
    assert "My queue" in page
    assert page.index("Older one") < page.index("Newer one")
    assert "At security" not in page and "Still a draft" not in page
    assert first.pk and second.pk


def test_overdue_items_are_marked_in_the_queue(people, login):
    assessment = advance(people, create_draft(people, name="Waited too long"), State.LEGAL_REVIEW)
    type(assessment).objects.filter(pk=assessment.pk).update(stage_entered_at=timezone.now() - timedelta(days=40))
    page = login(people.reviewers["legal"]).get(HOME).content.decode()
    assert "Overdue by" in page


def test_the_chair_sees_the_whole_pipeline(people, login):
    advance(people, create_draft(people), State.LEGAL_REVIEW)
    advance(people, create_draft(people), State.CLINICAL_REVIEW)
    late = advance(people, create_draft(people, name="Stuck at clinical"), State.CLINICAL_REVIEW)
    type(late).objects.filter(pk=late.pk).update(stage_entered_at=timezone.now() - timedelta(days=40))
    response = login(people.chair).get(HOME)
    pipeline = response.context["pipeline"]
    counts = {s["domain"]: (s["count"], s["overdue"]) for s in pipeline["stages"]}
    assert counts["legal"] == (1, 0)
    assert counts["clinical"] == (2, 1)
    assert "Stuck at clinical" in response.content.decode()


def test_the_auditor_lands_on_the_audit_views(people, login):
    advance(people, create_draft(people, name="Approved feature"), State.APPROVED)
    create_draft(people, name="Secret draft")
    page = login(people.auditor).get(HOME).content.decode()
    assert reverse("audit_trail") in page
    assert reverse("assessment_list") in page
    assert "Approved feature" in page
    assert "Secret draft" not in page
    # Nothing to act on: no start button, no queue.
    assert reverse("assessment_new") not in page
    assert reverse("queue") not in page


def test_someone_without_a_role_is_told_what_to_do(people, login):
    page = login(people.nobody).get(HOME).content.decode()
    assert "You have no role here yet" in page


@pytest.mark.parametrize("who", ["alice", "chair", "auditor", "nobody", "admin"])
def test_every_role_gets_a_home_page(people, login, who):
    user = getattr(people, who)
    assert login(user).get(HOME).status_code == 200
