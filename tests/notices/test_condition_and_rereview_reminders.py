"""Conditions: the owner 7 days before, on the day, then weekly. Launched features: the team 30 days before
the re-review date; on the date the system starts the re-assessment and the team is told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import AuditEntry, State
from committee import sweeps, tasks
from committee.models import Notification

from ..workflow import act, advance, create_draft
from .conftest import kinds_of, received

pytestmark = pytest.mark.django_db


def with_condition(people, due_in_days, owner="ben"):
    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    due = timezone.localdate() + timedelta(days=due_in_days)
    condition = {"text": "Report acceptance per language monthly.", "owner": owner, "due_date": due.isoformat()}
    assessment = act(people, assessment, "approve", conditions=[condition])
    return assessment, assessment.conditions.get()


def condition_kinds(user):
    return [k for k in kinds_of(user) if k.startswith("condition")]


def test_the_owner_is_reminded_before_on_and_weekly_after_the_due_date(people, clock):
    assessment, condition = with_condition(people, due_in_days=20)
    due = condition.due_date
    schedule = [  # (days from the due date, kinds the owner has by then)
        (-8, []),
        (-7, ["condition_due_soon"]),
        (-1, ["condition_due_soon"]),
        (0, ["condition_due_soon", "condition_due"]),
        (6, ["condition_due_soon", "condition_due"]),
        (7, ["condition_due_soon", "condition_due", "condition_overdue"]),
        (13, ["condition_due_soon", "condition_due", "condition_overdue"]),
        (14, ["condition_due_soon", "condition_due", "condition_overdue", "condition_overdue"]),
    ]
    for offset, expected in schedule:
        clock.move_to(timezone.make_aware(timezone.datetime.combine(due + timedelta(days=offset), clock.now().time())))
        sweeps.condition_reminders()
        sweeps.condition_reminders()  # a second sweep at the same moment adds nothing
        assert condition_kinds(people.ben) == expected, offset
    assert condition_kinds(people.alice) == []  # only the owner
    assert "Report acceptance per language monthly." in Notification.objects.filter(recipient=people.ben).last().body


def test_a_condition_set_close_to_its_date_is_reminded_at_once(people, clock):
    with_condition(people, due_in_days=3)
    assert [n.kind for n in sweeps.condition_reminders()] == ["condition_due_soon"]


def test_met_conditions_and_ended_assessments_are_not_reminded(people, clock):
    _, met = with_condition(people, due_in_days=2)
    services.condition_mark_met(condition=met, by=people.alice, evidence="Done.")
    rejected, _ = with_condition(people, due_in_days=2)
    act(people, rejected, "reject")
    assert sweeps.condition_reminders() == []


@pytest.fixture
def launched(people, clock):
    return advance(people, create_draft(people), State.LAUNCHED)


def test_the_team_hears_30_days_before_the_re_review(people, clock, launched):
    date = launched.next_review_due
    clock.move_to(clock.now() + (date - timezone.localdate() - timedelta(days=31)))
    assert sweeps.rereview_notices() == []
    clock.shift(timedelta(days=1))
    created = sweeps.rereview_notices()
    assert sorted(n.recipient.username for n in created) == ["alice", "ben"]
    assert sweeps.rereview_notices() == []
    clock.shift(timedelta(days=10))
    assert sweeps.rereview_notices() == []
    assert received(people.alice, "rereview_upcoming") == [("rereview_upcoming", launched.pk)]
    assert received(people.reviewers["legal"], "rereview_upcoming") == []


def test_on_the_date_the_system_starts_the_re_assessment(people, clock, launched):
    clock.move_to(clock.now() + (launched.next_review_due - timezone.localdate() - timedelta(days=1)))
    assert sweeps.reassessments_due() == []
    clock.shift(timedelta(days=1))
    assert sweeps.reassessments_due() == [launched.pk]
    tasks.reassessments_sweep()  # eager: each due one in its own task
    launched.refresh_from_db()
    assert launched.state == State.REASSESSMENT_DUE
    entry = AuditEntry.objects.filter(assessment_id=launched.pk, transition="start_reassessment").get()
    assert entry.actor_id is None and entry.actor_username == "system"
    new = launched.feature.assessments.get(version=2)
    assert new.state == State.DRAFT
    assert received(people.alice, "rereview_started") == received(people.ben, "rereview_started")
    assert received(people.alice, "rereview_started") == [("rereview_started", new.pk)]
    assert "v2 is open" in Notification.objects.get(recipient=people.alice, kind="rereview_started").subject
    # Delivered again (or swept again): nothing more happens.
    assert sweeps.reassessment_start(launched.pk) is None
    tasks.reassessments_sweep()
    assert launched.feature.assessments.count() == 2
    assert Notification.objects.filter(kind="rereview_started").count() == 2
