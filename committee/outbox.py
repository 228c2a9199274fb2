"""Sending the outbox: each email once, retried with backoff, re-driven when a task was lost.

An outbox row is claimed with a conditional UPDATE before it is sent, so of two tasks that
hold the same row (a redelivered message, a retry racing the re-drive) exactly one sends it.
A failed send is recorded on the row (attempts, last error, the next attempt's time) and
retried with a doubling delay until ``OUTBOX_MAX_ATTEMPTS``; then the row is marked failed,
and the admin lists it with its last error. A worker that died mid-send leaves a claim that
expires after ``OUTBOX_CLAIM_SECONDS`` (longer than the task time limit); the re-drive then
sends the row again.
"""

import logging
from contextlib import suppress
from datetime import timedelta
from itertools import islice

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from .mail import email_message
from .models import OutboxEmail

logger = logging.getLogger(__name__)

BATCH = 20  # emails per task: a task's time limit covers this many SMTP sends
REDRIVE_LIMIT = 2000  # emails the re-drive hands out per run; the next run takes the rest

# What publishing raises when the broker is unreachable (Celery wraps the transport's errors in it).
BROKER_DOWN = (OperationalError, ConnectionError, OSError)


def batched(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def enqueue(email_ids):
    """Hand these outbox emails to a worker. If the broker is down, they wait for the re-drive."""
    for chunk in batched(email_ids, BATCH):
        try:
            emails_send.apply_async((chunk,))
        except BROKER_DOWN as error:
            logger.warning("Broker unavailable (%s); outbox emails %s wait for the re-drive.", error, chunk)


# Defined here rather than in ``committee.tasks`` (which lists it) so that handing emails to a worker does not import
# the tasks, which import the sweeps, which write notices, which hand emails here: a cycle. Its name stays the one
# the broker's messages carry.
@shared_task(name="committee.tasks.emails_send", acks_late=True, ignore_result=True)
def emails_send(email_ids):
    """Send these outbox emails (each claimed first, so a redelivered task sends none twice)."""
    for email_id in email_ids:
        delay = email_deliver(email_id)
        if delay is not None:
            # If the broker is down, the row still records its next attempt and the re-drive sends it then.
            with suppress(*BROKER_DOWN):
                emails_send.apply_async(([email_id],), countdown=delay)


def claimable(now):
    """Rows that may be sent now: pending and due, or claimed by a worker whose claim has expired."""
    return Q(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxEmail.Status.SENDING, claimed_until__lt=now
    )


def email_deliver(email_id):
    """Send outbox email ``email_id`` if nobody has; returns the delay before a retry, or None.

    Guarantees: sends only after winning the claim (a conditional UPDATE: one winner however
    many tasks hold the id); marks the row sent, or records the error and when to retry, or
    gives up visibly after the last attempt.
    """
    now = timezone.now()
    won = (
        OutboxEmail.objects.filter(claimable(now), pk=email_id)
        .filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
        .update(
            status=OutboxEmail.Status.SENDING,
            claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not won:
        return None
    email = OutboxEmail.objects.select_related("recipient").get(pk=email_id)
    try:
        if not email.recipient.email:
            raise ValueError(f"{email.recipient.get_username()} has no email address.")
        email_message(email).send()
    except Exception as error:  # SMTP, network, a template: recorded on the row, retried, then given up
        return _record_failure(email, error)
    OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.SENDING).update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return None


def retry_delay(attempts):
    """Seconds before the next attempt after ``attempts`` failed ones: the base delay, doubling."""
    return settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)


def _record_failure(email, error):
    message = f"{type(error).__name__}: {error}"[:2000]
    now = timezone.now()
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.error("Gave up on outbox email %s after %s attempts: %s", email.pk, email.attempts, message)
        OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.SENDING).update(
            status=OutboxEmail.Status.FAILED, claimed_until=None, last_error=message
        )
        return None
    delay = retry_delay(email.attempts)
    logger.warning("Outbox email %s failed (attempt %s), retrying in %ss: %s", email.pk, email.attempts, delay, message)
    OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.SENDING).update(
        status=OutboxEmail.Status.PENDING,
        claimed_until=None,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=message,
    )
    return delay


def undelivered(now):
    """Ids of rows the re-drive should hand out: claimable, and older than the grace its own task had."""
    grace = now - timedelta(seconds=settings.OUTBOX_REDRIVE_GRACE_SECONDS)
    return list(
        OutboxEmail.objects.filter(claimable(now), attempts__lt=settings.OUTBOX_MAX_ATTEMPTS, created_at__lte=grace)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:REDRIVE_LIMIT]
    )


def outbox_redrive(now=None):
    """Hand every undelivered email to the workers again; returns how many. Safe to run any time."""
    now = now or timezone.now()
    # A worker that stopped during the last attempt leaves a claim nobody may take: give up on it, visibly.
    OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENDING, claimed_until__lt=now, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
    ).update(
        status=OutboxEmail.Status.FAILED,
        claimed_until=None,
        last_error=f"The worker stopped while sending it; gave up after {settings.OUTBOX_MAX_ATTEMPTS} attempts.",
    )
    ids = undelivered(now)
    if ids:
        enqueue(ids)
    return len(ids)


def email_retry(email_id):
    """An administrator's "send again" of a failed email: a fresh set of attempts."""
    return OutboxEmail.objects.filter(pk=email_id, status=OutboxEmail.Status.FAILED).update(
        status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
