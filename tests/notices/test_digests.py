"""The daily digest for those who prefer it, and the chair's weekly digest."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import State
from committee import sweeps
from committee.models import NoticePreference, Notification, OutboxEmail

from ..workflow import act, advance, create_draft
from .conftest import received

pytestmark = pytest.mark.django_db


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour, minutes=minute))


def test_digest_readers_get_one_email_a_day_with_their_notices(people, clock, django_capture_on_commit_callbacks):
    NoticePreference.objects.create(user=people.alice, email=NoticePreference.Email.DAILY_DIGEST)
    first = advance(people, create_draft(people), State.LEGAL_REVIEW)
    second = advance(people, create_draft(people), State.LEGAL_REVIEW)
    act(people, first, "request_changes", comment="First comment.")
    act(people, second, "reject", comment="Second comment.")
    assert len(received(people.alice)) == 2  # in the inbox at once
    tomorrow = timezone.localdate() + timedelta(days=1)
    clock.move_to(local(tomorrow, 6, 59))
    assert sweeps.daily_digests() == []
    clock.move_to(local(tomorrow, 7))
    with django_capture_on_commit_callbacks(execute=True):
        [digest] = sweeps.daily_digests()
    assert sweeps.daily_digests() == []
    assert digest.recipient == people.alice and digest.digest_of == tomorrow
    assert set(Notification.objects.filter(recipient=people.alice).values_list("email", flat=True)) == {digest.pk}
    [message] = [m for m in mail.outbox if m.to == [people.alice.email]]
    assert "First comment." in message.body and "Second comment." in message.body
    assert f"/assessments/{first.pk}/" in message.body and f"/assessments/{second.pk}/" in message.body
    ben = [m for m in mail.outbox if m.to == [people.ben.email]]
    assert len(ben) == 0  # ben's immediate emails went when the transitions committed (not captured here)
    assert OutboxEmail.objects.filter(recipient=people.ben).count() == 2


def monday_7(now):
    today = timezone.localdate(now)
    return local(today + timedelta(days=(7 - today.weekday()) % 7), 7)


def test_the_chair_gets_a_weekly_digest_once_a_week(people, clock, django_capture_on_commit_callbacks):
    submitted = advance(people, create_draft(people, name="Intake summary"), State.SECURITY_REVIEW)
    rejected = act(people, advance(people, create_draft(people, name="Chat companion"), State.LEGAL_REVIEW), "reject")
    monday = monday_7(clock.now())
    clock.move_to(monday - timedelta(minutes=1))
    sweeps.chair_digest()
    previous = Notification.objects.filter(kind="chair_digest").count()  # last week's digest (nothing in it)
    clock.move_to(monday)
    with django_capture_on_commit_callbacks(execute=True):
        [digest] = sweeps.chair_digest()
    assert digest.recipient == people.chair and digest.assessment is None
    assert sweeps.chair_digest() == []
    content = digest.context
    assert {a["id"] for a in content["submitted"]} == {submitted.pk, rejected.pk}
    assert [(a["id"], a["decision"]) for a in content["decided"]] == [(rejected.pk, "rejected")]
    body = digest.body
    assert "Intake summary v1" in body and "Chat companion v1: rejected" in body
    assert mail.outbox[-1].to == [people.chair.email]
    assert Notification.objects.filter(kind="chair_digest").count() == previous + 1
    clock.move_to(monday + timedelta(days=7))
    [next_week] = sweeps.chair_digest()
    assert next_week.context["submitted"] == [] and next_week.context["decided"] == []


def test_the_chair_digest_goes_out_even_to_a_digest_reader(people, clock):
    NoticePreference.objects.create(user=people.chair, email=NoticePreference.Email.DAILY_DIGEST)
    clock.move_to(monday_7(clock.now()))
    [digest] = sweeps.chair_digest()
    assert digest.email is not None and not digest.awaits_digest


def test_the_digest_lists_overdue_stages_and_upcoming_re_reviews(people, clock):
    late = advance(people, create_draft(people, name="Notes drafting"), State.CLINICAL_REVIEW)
    launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    clock.move_to(monday_7(local(launched.next_review_due - timedelta(days=20), 0)))
    [digest] = sweeps.chair_digest()
    assert [a["id"] for a in digest.context["overdue"]] == [late.pk]
    assert [a["id"] for a in digest.context["upcoming"]] == [launched.pk]
    assert "Clinical review" in digest.body and "Matching v1, due" in digest.body
