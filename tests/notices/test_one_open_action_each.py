"""One thing to do, one open notice: the reminders and the chair's nudge about a review its reader was already asked
for are information, so the badge, the inbox, the queue and the API count each review once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import conditions
from assessments.deadlines import stage_due_at
from assessments.models import State
from committee import services, sweeps
from committee.models import Notification

from ..workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db


def open_actions(user):
    return Notification.objects.filter(recipient=user).needing_action()


def test_reminders_and_the_nudge_do_not_add_to_what_needs_the_reviewer(people, clock, login):
    security = people.reviewers["security"]
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    due = stage_due_at(assessment)
    for days in (0, 1, 2):
        clock.move_to(due + timedelta(days=days, minutes=5))
        sweeps.stage_reminders()
    services.stage_nudge(assessment=assessment, by=people.chair)
    assert Notification.objects.filter(recipient=security, kind="stage_overdue").count() == 3

    [still_open] = open_actions(security)
    assert still_open.kind == "review_requested"
    assert set(
        Notification.objects.filter(kind__in=["stage_overdue", "stage_nudged"]).values_list("category", flat=True)
    ) == {"info"}
    client = login(security)
    assert client.get(reverse("inbox")).context["needing"] == 1
    assert len(client.get(reverse("queue")).context["rows"]) == 1
    api = APIClient()
    api.force_authenticate(security)
    listed = api.get("/api/v1/notices/").json()
    assert sum(n["category"] == "action" and n["resolved_at"] is None for n in listed) == 1

    act(people, assessment, "approve")
    assert not open_actions(security).exists()


def test_a_reminder_to_someone_never_asked_is_their_action(people, clock):
    """A reviewer who joined the domain after the stage began was never asked: the reminder asks them."""
    from tests.factories import UserFactory

    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    newcomer = UserFactory(username="security_two", roles=["security"])
    clock.move_to(stage_due_at(assessment) + timedelta(minutes=5))
    sweeps.stage_reminders()
    assert [n.kind for n in open_actions(newcomer)] == ["stage_overdue"]
    assert [n.kind for n in open_actions(people.reviewers["security"])] == ["review_requested"]


def test_a_condition_due_then_overdue_is_one_thing_to_meet(people, clock):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    due_date = clock.now().date() + timedelta(days=30)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Rotate the keys.", "due_date": due_date}])
    condition = assessment.conditions.get()
    owner = condition.owner
    for day in (due_date - timedelta(days=7), due_date, due_date + timedelta(days=7), due_date + timedelta(days=14)):
        clock.move_to(clock.now().replace(year=day.year, month=day.month, day=day.day))
        sweeps.condition_reminders()
    reminders = Notification.objects.filter(recipient=owner, condition=condition)
    assert reminders.count() >= 3
    assert open_actions(owner).filter(condition=condition).count() == 1

    conditions.condition_mark_met(condition=condition, by=people.alice, evidence="Keys rotated on the 3rd.")
    assert not open_actions(owner).filter(condition=condition).exists()
