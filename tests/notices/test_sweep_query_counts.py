"""The sweeps cost the same number of queries at 10 and at 1,000 open assessments."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment, State
from committee import outbox, sweeps
from committee.models import NoticePreference, Notification, OutboxEmail

from ..web.bulk import bulk_assessments
from ..workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db

SWEEPS = {
    "stage_reminders": sweeps.stage_reminders,
    "condition_reminders": sweeps.condition_reminders,
    "rereview_notices": sweeps.rereview_notices,
    "reassessments_due": sweeps.reassessments_due,
    "daily_digests": sweeps.daily_digests,
    "chair_digest": sweeps.chair_digest,
    "outbox_redrive": outbox.outbox_redrive,
}


def queries(sweep):
    with CaptureQueriesContext(connection) as context:
        sweep()
    return len(context.captured_queries)


def counts():
    """Each sweep's query count from the same starting point, so each has the same work to do at both sizes."""
    swept = Notification.objects.exclude(kind__in=["review_requested", "decision"])  # what the sweeps wrote
    OutboxEmail.objects.filter(notifications__in=swept).delete()
    swept.delete()
    OutboxEmail.objects.filter(kind="digest").delete()  # its notices wait for a digest again
    OutboxEmail.objects.update(status="pending", attempts=0)
    sweeps.reminders_reschedule(restart=True)  # the reminders just sent are due again
    return {name: queries(sweep) for name, sweep in SWEEPS.items()}


def open_assessments(people, count, *, due):
    """``count`` assessments in every open state; when ``due``, every review stage in them is overdue."""
    created = bulk_assessments(people, count)
    ids = [a.pk for a in created]
    now = timezone.now()
    Assessment.objects.filter(pk__in=ids).update(
        stage_entered_at=now - timedelta(days=30) if due else now,
        next_review_due=timezone.localdate() + timedelta(days=300),
    )
    sweeps.reminders_reschedule(restart=True)  # the rows changed behind the services
    return created


@pytest.fixture
def something_of_each_due(people, clock):
    """One of each thing a sweep acts on, so every sweep does real work at both sizes."""
    NoticePreference.objects.create(user=people.ben, email=NoticePreference.Email.DAILY_DIGEST)
    late = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    condition = {"text": "Publish the model card.", "owner": "alice", "due_date": timezone.localdate().isoformat()}
    act(people, late, "approve", conditions=[condition])
    advance(people, create_draft(people), State.LAUNCHED)
    rereview = advance(people, create_draft(people), State.LAUNCHED)
    act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "reject")
    clock.shift(timedelta(days=30))
    Assessment.objects.filter(pk=rereview.pk).update(next_review_due=timezone.localdate() + timedelta(days=10))
    # Monday 07:00 or later, so the chair's and the daily digests are due too.
    clock.shift(timedelta(days=(7 - timezone.localdate().weekday()) % 7))
    Notification.objects.update(created_at=timezone.now() - timedelta(days=1))
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(days=1), next_attempt_at=timezone.now())


def test_equal_at_10_and_1000_open_assessments(people, something_of_each_due):
    open_assessments(people, 10, due=False)
    at_10 = counts()
    assert Notification.objects.filter(kind="stage_overdue").exists()  # the sweeps did send something
    assert OutboxEmail.objects.filter(kind="digest").exists()
    open_assessments(people, 990, due=False)
    at_1000 = counts()
    assert at_10 == at_1000


def test_equal_when_all_of_them_are_overdue(people, clock):
    """No query per overdue assessment either. SQLite caps one INSERT at 999 values (Django splits bulk inserts
    there), so on SQLite the larger size stays under one batch; PostgreSQL takes the full 1,000."""
    larger = 1000 if connection.vendor == "postgresql" else 60
    open_assessments(people, 10, due=True)
    at_10 = queries(sweeps.stage_reminders)
    open_assessments(people, larger - 10, due=True)
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()
    at_larger = queries(sweeps.stage_reminders)
    assert Notification.objects.filter(kind="stage_overdue").count() >= larger // 3
    assert at_10 == at_larger
