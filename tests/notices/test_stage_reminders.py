"""Overdue review stages: the domain's reviewers at most once per 24 hours, the chairs after 3 days."""

from datetime import timedelta

import pytest

from accounts import roles
from assessments.deadlines import stage_due_at
from assessments.models import State
from committee import sweeps
from committee.models import Notification

from ..factories import UserFactory
from ..workflow import advance, create_draft
from .conftest import just_before, kinds_of, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_security(people, clock):
    return advance(people, create_draft(people), State.SECURITY_REVIEW)


def overdue_kinds(user):
    return [k for k in kinds_of(user) if k != "review_requested"]


def test_nothing_before_the_deadline_then_a_reminder_when_it_falls_due(people, clock, at_security):
    due = stage_due_at(at_security)
    clock.move_to(just_before(due))
    assert sweeps.stage_reminders() == []
    clock.move_to(due + timedelta(seconds=1))
    created = sweeps.stage_reminders()
    assert [(n.recipient, n.kind) for n in created] == [(people.reviewers["security"], "stage_overdue")]
    assert "Overdue: Security review" in created[0].subject


def test_a_second_sweep_at_the_same_moment_sends_nothing_new(people, clock, at_security):
    clock.move_to(stage_due_at(at_security) + timedelta(hours=1))
    assert len(sweeps.stage_reminders()) == 1
    assert sweeps.stage_reminders() == []
    assert Notification.objects.filter(kind="stage_overdue").count() == 1


def test_then_at_most_once_in_each_24_hours(people, clock, at_security):
    due = stage_due_at(at_security)
    reviewer = people.reviewers["security"]
    clock.move_to(due + timedelta(minutes=5))
    sweeps.stage_reminders()
    clock.move_to(just_before(due + timedelta(hours=24)))
    assert sweeps.stage_reminders() == []
    clock.move_to(due + timedelta(hours=24))
    assert [n.recipient for n in sweeps.stage_reminders()] == [reviewer]
    clock.move_to(due + timedelta(hours=47))
    assert sweeps.stage_reminders() == []
    assert overdue_kinds(reviewer) == ["stage_overdue", "stage_overdue"]


def test_team_members_never_get_reviewer_reminders(people, clock, at_security):
    people.alice.groups.add(*people.reviewers["security"].groups.all())  # alice created it
    people.ben.groups.add(*people.reviewers["security"].groups.all())  # ben is only on the team
    clock.move_to(stage_due_at(at_security) + timedelta(days=5))
    sweeps.stage_reminders()
    assert overdue_kinds(people.alice) == [] and overdue_kinds(people.ben) == []
    assert overdue_kinds(people.reviewers["security"]) == ["stage_overdue"]
    assert overdue_kinds(people.reviewers["legal"]) == []  # another domain


def test_the_chair_is_told_once_when_3_days_overdue(people, clock, at_security):
    second_chair = UserFactory(username="vice_chair", roles=[roles.CHAIR])
    due = stage_due_at(at_security)
    clock.move_to(just_before(due + timedelta(days=3)))
    sweeps.stage_reminders()
    assert received(people.chair) == []
    clock.move_to(due + timedelta(days=3))
    sweeps.stage_reminders()
    assert received(people.chair) == received(second_chair) == [("stage_escalated", at_security.pk)]
    escalation = Notification.objects.filter(kind="stage_escalated").first()
    assert "3 days overdue" in escalation.subject
    clock.move_to(due + timedelta(days=6))
    sweeps.stage_reminders()
    assert received(people.chair) == [("stage_escalated", at_security.pk)]


def test_a_decided_stage_is_not_reminded(people, clock, at_security):
    clock.move_to(stage_due_at(at_security) + timedelta(days=1))
    sweeps.stage_reminders()
    at_clinical = advance(people, at_security, State.CLINICAL_REVIEW)
    assert sweeps.stage_reminders() == []  # clinical's own clock starts now
    assert overdue_kinds(people.reviewers["security"]) == ["stage_overdue"]
    clock.move_to(stage_due_at(at_clinical) + timedelta(minutes=1))
    assert [n.recipient for n in sweeps.stage_reminders()] == [people.reviewers["clinical"]]


def test_the_deadline_follows_the_risk_level(people, clock, settings):
    settings.REVIEW_DEADLINE_DAYS = {1: 10, 2: 7, 3: 5, 4: 2}
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    days = settings.REVIEW_DEADLINE_DAYS[assessment.risk_level]
    clock.shift(timedelta(days=days) - timedelta(minutes=1))
    assert sweeps.stage_reminders() == []
    clock.shift(timedelta(minutes=2))
    assert len(sweeps.stage_reminders()) == 1


def test_an_escalation_after_one_day_says_one_day(people, clock, at_security, settings):
    settings.STAGE_ESCALATION_AFTER_DAYS = 1
    clock.move_to(stage_due_at(at_security) + timedelta(days=1))
    sweeps.stage_reminders()
    [escalation] = Notification.objects.filter(kind="stage_escalated", recipient=people.chair)
    assert "is 1 day overdue" in escalation.subject and "1 day overdue." in escalation.body
