"""The stage-deadline rule at its exact edges, read by every user of it: the queue, the inbox, the reminder sweep,
the chair's weekly digest and the analytics agree.

A stage is due ``REVIEW_DEADLINE_DAYS[risk level]`` days after it was entered. At exactly that moment it is not
overdue anywhere; one microsecond later (the clock's smallest unit) it is overdue everywhere. It counts 0 days
overdue during its first late day and 1 at exactly 24 hours late. The due moment is computed here from the
settings, not from the rule under test, so shifting the rule's edge by a day turns these tests red.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.deadlines import StageClock, days_overdue, is_overdue, overdue_q, stage_due_at
from assessments.models import Assessment, State
from committee import sweeps, weekly
from reports.analytics import committee_analytics

from .workflow import advance, create_draft

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime(2027, 3, 10, 9, 30))  # a Wednesday morning, far from the digest hours
MICROSECOND = timedelta(microseconds=1)
DAY = timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def at_legal(people, clock):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    return Assessment.objects.get(pk=assessment.pk)


def expected_due(assessment):
    """The deadline as the settings state it, independent of ``assessments.deadlines``."""
    assert assessment.risk_level in django_settings.REVIEW_DEADLINE_DAYS
    return assessment.stage_entered_at + timedelta(days=django_settings.REVIEW_DEADLINE_DAYS[assessment.risk_level])


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def queue_says_overdue(people):
    response = client_of(people.reviewers["legal"]).get(reverse("queue"))
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["clock"].overdue == ('class="is-overdue"' in response.content.decode())
    return row["clock"].overdue


def inbox_says_overdue(people):
    response = client_of(people.reviewers["legal"]).get(reverse("inbox"))
    assert response.status_code == 200
    clocks = [row["clock"] for row in response.context["needs_you"] if row["clock"]]
    assert clocks, "the review request is an action notice about the stage"
    assert len({clock.overdue for clock in clocks}) == 1
    return clocks[0].overdue


def digest_overdue(now):
    start, end = weekly.seven_full_days(sweeps.chair_digest_moment(now))
    content = sweeps.chair_digest_content(start, end, now)
    assert content["counts"]["overdue_now"] == len(content["overdue"])
    return content


def analytics_overdue(people, now):
    return committee_analytics(user=people.chair, now=now).overdue_total


def test_at_the_due_moment_nothing_calls_the_stage_overdue(people, at_legal, clock):
    due = expected_due(at_legal)
    assert stage_due_at(at_legal) == due
    clock.move_to(due)
    now = timezone.now()
    assert now == due
    assert not is_overdue(due, now)
    assert not StageClock(at_legal, now).overdue
    assert not Assessment.objects.filter(overdue_q(now)).exists()
    assert not queue_says_overdue(people)
    assert not inbox_says_overdue(people)
    assert digest_overdue(now)["overdue"] == []
    assert analytics_overdue(people, now) == 0
    assert sweeps.stage_reminders() == []


def test_one_microsecond_later_everything_calls_it_overdue(people, at_legal, clock):
    due = expected_due(at_legal)
    clock.move_to(due + MICROSECOND)
    now = timezone.now()
    assert is_overdue(due, now)
    assert StageClock(at_legal, now).overdue
    assert list(Assessment.objects.filter(overdue_q(now)).values_list("pk", flat=True)) == [at_legal.pk]
    assert queue_says_overdue(people)
    assert inbox_says_overdue(people)
    digest = digest_overdue(now)
    assert [(row["id"], row["days_overdue"]) for row in digest["overdue"]] == [(at_legal.pk, 0)]
    assert analytics_overdue(people, now) == 1
    [reminder] = sweeps.stage_reminders()
    assert reminder.kind == "stage_overdue"
    assert reminder.context["days_overdue"] == 0


@pytest.mark.parametrize(
    ("late", "days"),
    [
        (timedelta(0), 0),
        (MICROSECOND, 0),
        (DAY - MICROSECOND, 0),
        (DAY, 1),
        (2 * DAY - MICROSECOND, 1),
        (2 * DAY, 2),
    ],
)
def test_days_overdue_counts_whole_days_from_the_due_moment(people, at_legal, clock, late, days):
    due = expected_due(at_legal)
    clock.move_to(due + late)
    now = timezone.now()
    assert days_overdue(due, now) == days
    assert StageClock(at_legal, now).days_overdue == days
    overdue_rows = digest_overdue(now)["overdue"]
    assert [row["days_overdue"] for row in overdue_rows] == ([days] if late else [])


def test_the_sweep_counts_the_same_days_at_exactly_24_hours_late(people, at_legal, clock):
    due = expected_due(at_legal)
    clock.move_to(due + DAY)
    [reminder] = sweeps.stage_reminders()
    assert reminder.context["days_overdue"] == 1
