"""The daily digest for those who prefer it, and the chair's weekly digest."""

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import State
from committee import sweeps
from committee.mail import email_message
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


def test_the_chair_digest_covers_the_last_seven_full_days_and_agrees_with_the_analytics(people, clock, login):
    from reports.analytics import committee_analytics

    # The digest of Monday 15 Mar 2027, 07:00 covers Monday 8 Mar 00:00 to Sunday 14 Mar 24:00.
    week_start = local(datetime(2027, 3, 8).date(), 0)
    digest_at = local(datetime(2027, 3, 15).date(), 7)
    clock.move_to(week_start - timedelta(days=20))
    late = advance(people, create_draft(people, name="Long waiting"), State.LEGAL_REVIEW)  # overdue by the digest
    clock.move_to(week_start - timedelta(microseconds=1))
    advance(people, create_draft(people, name="Just before"), State.LEGAL_REVIEW)  # not this week
    clock.move_to(week_start)
    first = advance(people, create_draft(people, name="At the start"), State.LEGAL_REVIEW)  # this week
    clock.move_to(local(datetime(2027, 3, 10).date(), 9))
    act(people, first, "request_changes")
    approved = advance(people, create_draft(people, name="Approved"), State.APPROVED)
    advance(people, create_draft(people, name="Pending"), State.SECURITY_REVIEW)  # submitted, not decided
    clock.move_to(local(datetime(2027, 3, 14).date(), 23, 59))
    act(people, advance(people, create_draft(people, name="Late Sunday"), State.LEGAL_REVIEW), "reject")
    clock.move_to(digest_at - timedelta(hours=7))  # Monday 00:00: the next week
    advance(people, create_draft(people, name="Monday morning"), State.LEGAL_REVIEW)
    clock.move_to(digest_at)

    [digest] = sweeps.chair_digest()
    counts = digest.context["counts"]
    week = committee_analytics(user=people.chair, now=digest_at).week

    assert (digest.context["period_start"], digest.context["period_end"]) == ("2027-03-08", "2027-03-14")
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2027-03-08", "2027-03-14")
    assert counts == {
        "submitted": 4,  # At the start, Approved, Pending, Late Sunday
        "decided": 3,
        "decided_approved": 1,
        "decided_changes_requested": 1,
        "decided_rejected": 1,
        "overdue_now": 1,  # Long waiting
    }
    assert [a["id"] for a in digest.context["overdue"]] == [late.pk]
    assert counts["submitted"] == week.submitted and counts["decided"] == week.decided
    assert counts["overdue_now"] == week.overdue_now
    assert {f"decided_{state}": n for state, n in week.decisions.items()} == {
        key: value for key, value in counts.items() if key.startswith("decided_")
    }
    assert approved.pk in [a["id"] for a in digest.context["decided"]]
    assert "8 Mar to 14 Mar 2027" in digest.body and "New submissions: 4" in digest.body
    assert "Overdue review stages now: 1" in digest.body
    # The analytics page, read at the digest's moment, shows the same week and the same figures.
    page = login(people.chair).get(reverse("reports_analytics")).content.decode()
    assert "8 Mar to 14 Mar 2027" in page
    shown = dict(re.findall(r"<div><dt>([^<]+)</dt><dd>(\d+)</dd></div>", page))
    assert shown["New submissions"] == str(counts["submitted"]) and shown["Decisions"] == str(counts["decided"])
    assert shown["Approved"] == "1" and shown["Changes requested"] == "1" and shown["Rejected"] == "1"
    assert shown["Overdue review stages now"] == str(counts["overdue_now"])


def test_the_daily_digest_counts_what_needs_you_as_the_badge_does_and_says_what_is_done(people, clock, login):
    legal = people.reviewers["legal"]
    NoticePreference.objects.create(user=legal, email=NoticePreference.Email.DAILY_DIGEST)
    decided = advance(people, create_draft(people, name="Decided"), State.LEGAL_REVIEW)
    advance(people, create_draft(people, name="Waiting"), State.LEGAL_REVIEW)
    act(people, decided, "approve")
    clock.move_to(local(timezone.localdate() + timedelta(days=1), 7))
    [digest] = sweeps.daily_digests()

    body = email_message(digest).body
    badge = login(legal).get(reverse("inbox")).context["needing"]
    assert badge == 1 and "1 notice needs you now." in body
    [done_line] = [line for line in body.splitlines() if "(done " in line]
    assert "Decided v1" in done_line and "nothing is left for you to do" in done_line
    assert not [line for line in body.splitlines() if "Waiting v1" in line and "(done " in line]
