"""The chair's "Send a reminder now" on an overdue stage: through the outbox, in the audit trail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from assessments.deadlines import stage_due_at
from assessments.errors import TransitionConflict
from assessments.models import AuditEntry, State
from committee import services
from committee.models import Notification

from ..factories import UserFactory
from ..workflow import advance, create_draft
from .conftest import received

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(people, clock):
    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    clock.move_to(stage_due_at(assessment) + timedelta(hours=2))
    return assessment


def nudge_url(assessment):
    return reverse("stage_nudge", args=[assessment.pk])


def test_the_chair_reminds_the_stage_reviewers_and_the_audit_trail_says_so(
    people, overdue, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people.chair).post(nudge_url(overdue))
    assert response.status_code == 302 and response["Location"] == reverse("assessment_detail", args=[overdue.pk])
    assert received(people.reviewers["clinical"], "stage_nudged") == [("stage_nudged", overdue.pk)]
    assert received(people.alice, "stage_nudged") == []
    [message] = [m for m in mail.outbox if m.subject.startswith("Reminder from the committee chair")]
    assert message.to == [people.reviewers["clinical"].email]
    entry = AuditEntry.objects.filter(assessment_id=overdue.pk).order_by("-seq").first()
    assert (entry.action, entry.actor, entry.details["stage"]) == ("reminder_sent", people.chair, "clinical")
    assert entry.details["recipients"] == [people.reviewers["clinical"].username]
    page = login(people.auditor).get(reverse("assessment_detail", args=[overdue.pk])).content.decode()
    assert "reminded the Clinical reviewers: clinical_reviewer" in page


def test_a_second_reminder_the_same_day_is_refused_on_the_same_page(people, overdue, login):
    client = login(people.chair)
    client.post(nudge_url(overdue))
    client.get(reverse("assessment_detail", args=[overdue.pk]))  # the first click's message, read
    # The second click (a stale tab, a double click) comes back to the assessment's page with the reason.
    response = client.post(nudge_url(overdue), follow=True)
    assert response.redirect_chain == [(reverse("assessment_detail", args=[overdue.pk]), 302)]
    assert response.status_code == 200
    page = response.content.decode()
    at = timezone.localtime(Notification.objects.get(kind="stage_nudged").created_at).strftime("%H:%M")
    assert f"No reminder sent. The Clinical reviewers were already reminded today at {at}" in page
    assert 'class="message message-warning" role="status"' in page
    # The card itself says so, and offers no button that can only be refused.
    assert "You reminded the Clinical reviewers today at" in page
    assert "Send a reminder now" not in page
    assert Notification.objects.filter(kind="stage_nudged").count() == 1
    assert AuditEntry.objects.filter(action="reminder_sent").count() == 1


def test_the_next_day_the_button_is_back(people, overdue, clock, login):
    client = login(people.chair)
    client.post(nudge_url(overdue))
    url = reverse("assessment_detail", args=[overdue.pk])
    assert "Send a reminder now" not in client.get(url).content.decode()
    clock.shift(timedelta(days=1))
    client = login(people.chair)  # the session of yesterday has expired
    assert "Send a reminder now" in client.get(url).content.decode()
    assert client.post(nudge_url(overdue)).status_code == 302
    assert Notification.objects.filter(kind="stage_nudged").count() == 2


@pytest.mark.parametrize("who", ["alice", "auditor", "clinical", "admin"])
def test_only_the_chair_may(people, overdue, login, who):
    user = {"alice": people.alice, "auditor": people.auditor, "clinical": people.reviewers["clinical"]}.get(
        who, people.admin
    )
    response = login(user).post(nudge_url(overdue))
    assert response.status_code in (403, 404)
    assert not Notification.objects.filter(kind="stage_nudged").exists()
    assert not AuditEntry.objects.filter(action="reminder_sent").exists()


def test_an_outsider_cannot_even_see_it(people, overdue, login):
    assert login(people.olga).post(nudge_url(overdue)).status_code == 404


def test_not_before_the_deadline(people, clock, login):
    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    clock.move_to(stage_due_at(assessment) - timedelta(seconds=1))
    response = login(people.chair).post(nudge_url(assessment), follow=True)
    assert response.redirect_chain == [(reverse("assessment_detail", args=[assessment.pk]), 302)]
    assert "No reminder sent. A reminder can be sent only while a review stage is past its deadline" in (
        response.content.decode()
    )
    assert not Notification.objects.filter(kind="stage_nudged").exists()


def test_nobody_to_remind_is_said_plainly(people, overdue):
    people.reviewers["clinical"].groups.clear()
    with pytest.raises(TransitionConflict) as refused:
        services.stage_nudge(assessment=overdue, by=people.chair)
    assert [r.code for r in refused.value.reasons] == ["no_reviewer"]
    assert "add a Clinical reviewer" in refused.value.message


def test_the_button_shows_to_the_chair_on_an_overdue_stage_only(people, clock, overdue, login):
    url = reverse("assessment_detail", args=[overdue.pk])
    assert "Send a reminder now" in login(people.chair).get(url).content.decode()
    assert "Send a reminder now" not in login(people.reviewers["clinical"]).get(url).content.decode()
    clock.move_to(stage_due_at(overdue) - timedelta(hours=1))
    assert "Send a reminder now" not in login(people.chair).get(url).content.decode()


def test_get_is_not_allowed(people, overdue, login):
    assert login(people.chair).get(nudge_url(overdue)).status_code == 405


def test_a_chair_who_is_also_a_reviewer_elsewhere_may(people, overdue, login):
    both = UserFactory(username="chair_and_legal", roles=[roles.CHAIR, roles.LEGAL])
    assert login(both).post(nudge_url(overdue)).status_code == 302
