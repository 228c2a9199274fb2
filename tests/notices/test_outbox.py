"""The outbox: each email sent once, however many tasks hold it; failures retried with backoff, then given up
visibly; the re-drive sends what a lost task did not."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.urls import reverse

from committee import outbox, tasks
from committee.models import OutboxEmail

from ..workflow import act, create_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def email(people, clock, django_capture_on_commit_callbacks):
    """One pending outbox email (its after-commit task not run: as if the broker had lost it)."""
    with django_capture_on_commit_callbacks(execute=False):
        act(people, create_draft(people), "submit")
    return OutboxEmail.objects.get()


def test_the_same_task_delivered_twice_sends_one_email(email):
    tasks.emails_send([email.pk])
    tasks.emails_send([email.pk])
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1


def test_a_claimed_email_is_not_sent_by_another_task(email, clock):
    OutboxEmail.objects.filter(pk=email.pk).update(status="sending", claimed_until=clock.now() + timedelta(minutes=5))
    tasks.emails_send([email.pk])
    assert mail.outbox == []


class FailingBackend:
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FailingBackend.calls += 1
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.calls = 0
    return FailingBackend


def test_smtp_failures_retry_with_backoff_then_give_up_visibly(email, clock, settings, smtp_down):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 60
    tasks.emails_send([email.pk])  # eager: its countdown retry runs at once and finds the row not yet due
    email.refresh_from_db()
    assert (email.status, email.attempts, smtp_down.calls) == ("pending", 1, 1)
    assert email.next_attempt_at == clock.now() + timedelta(seconds=60)
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in email.last_error
    clock.shift(timedelta(seconds=59))
    tasks.emails_send([email.pk])
    assert smtp_down.calls == 1  # not due yet
    clock.shift(timedelta(seconds=1))
    tasks.emails_send([email.pk])
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 2)
    assert email.next_attempt_at == clock.now() + timedelta(seconds=120)  # doubled
    clock.shift(timedelta(seconds=120))
    tasks.emails_send([email.pk])
    email.refresh_from_db()
    assert (email.status, email.attempts, smtp_down.calls) == ("failed", 3, 3)
    clock.shift(timedelta(days=1))
    assert outbox.outbox_redrive() == 0  # given up: the admin lists it
    tasks.emails_send([email.pk])
    assert smtp_down.calls == 3


def test_the_admin_lists_undelivered_emails_with_their_last_error(email, clock, settings, smtp_down, login, people):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    tasks.emails_send([email.pk])
    client = login(people.admin)
    page = client.get(reverse("admin:committee_outboxemail_changelist"), {"delivery": "undelivered"}).content.decode()
    assert "Connection unexpectedly closed" in page and "Gave up" in page
    response = client.post(
        reverse("admin:committee_outboxemail_changelist"), {"action": "send_again", "_selected_action": [email.pk]}
    )
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("pending", 0, "")


def test_the_redrive_sends_what_no_task_did_after_a_grace_period(email, clock, settings):
    settings.OUTBOX_REDRIVE_GRACE_SECONDS = 30
    clock.shift(timedelta(seconds=29))
    assert outbox.outbox_redrive() == 0  # its own task may still be on the way
    clock.shift(timedelta(seconds=1))
    assert outbox.outbox_redrive() == 1
    assert len(mail.outbox) == 1
    assert outbox.outbox_redrive() == 0
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_lost_worker_expires_and_the_redrive_sends_it(email, clock, settings):
    settings.OUTBOX_REDRIVE_GRACE_SECONDS = 0
    OutboxEmail.objects.filter(pk=email.pk).update(
        status="sending", attempts=1, claimed_until=clock.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    )
    assert outbox.outbox_redrive() == 0
    clock.shift(timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1))
    assert outbox.outbox_redrive() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, len(mail.outbox)) == ("sent", 2, 1)


def test_a_lost_last_attempt_is_given_up_not_left_claimed(email, clock, settings):
    OutboxEmail.objects.filter(pk=email.pk).update(
        status="sending", attempts=settings.OUTBOX_MAX_ATTEMPTS, claimed_until=clock.now()
    )
    clock.shift(timedelta(seconds=1))
    outbox.outbox_redrive()
    email.refresh_from_db()
    assert email.status == "failed" and "worker stopped" in email.last_error


def test_a_broker_outage_leaves_the_email_for_the_redrive(email, monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.emails_send, "apply_async", refuse)
    outbox.enqueue([email.pk])  # does not raise: the user's request already succeeded
    assert "wait for the re-drive" in caplog.text
    email.refresh_from_db()
    assert email.status == "pending"
