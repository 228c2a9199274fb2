"""A broker outage loses nothing and sends nothing twice.

A throwaway Redis on a spare port; 50 transitions; Redis killed (its queued messages are
lost with it); 50 more transitions, which all succeed for the user; Redis restarted; the
re-drive runs as beat would run it. Every one of the 100 notices is emailed exactly once.
"""

import time

import pytest
from django.core import mail

from assessments import services
from committee.models import Notification, OutboxEmail
from committee.tasks import outbox_redrive

from .conftest import ThrowawayRedis, wait_until
from .test_broker_delivery import draft_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("depends_on_current_app")]


@pytest.fixture
def throwaway():
    server = ThrowawayRedis().start()
    yield server
    server.kill()


@pytest.fixture
def celery_config(throwaway, settings):
    return {
        "broker_url": throwaway.url,
        "broker_transport_options": {"visibility_timeout": 3600, "socket_connect_timeout": 1},
        "task_ignore_result": True,
        "worker_prefetch_multiplier": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
        "task_publish_retry_policy": settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": (
            settings.CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS
        ),
    }


def test_100_notices_across_a_redis_outage_are_each_delivered_once(duo, throwaway, celery_worker, settings):
    settings.OUTBOX_REDRIVE_GRACE_SECONDS = 0
    assessment = services.assessment_transition(assessment=draft_of(duo), name="submit", by=duo.owner)

    def transition():
        # Alternately to the reviewer and to the team: one notice each.
        nonlocal assessment
        if assessment.state == "legal_review":
            assessment = services.assessment_transition(
                assessment=assessment, name="request_changes", by=duo.legal, comment="Say more."
            )
        else:
            assessment = services.assessment_transition(
                assessment=assessment, name="resubmit", by=duo.owner, comment="Answered the change request."
            )

    for _ in range(49):
        transition()
    throwaway.kill()
    started = time.monotonic()
    for _ in range(50):
        transition()  # raises if the user saw an error
    assert time.monotonic() - started < 30  # a dead broker does not hold requests up
    assert Notification.objects.count() == OutboxEmail.objects.count() == 100
    assert OutboxEmail.objects.exclude(status="sent").exists()  # some were lost with Redis

    throwaway.start()

    def all_sent():
        if OutboxEmail.objects.exclude(status="sent").exists():
            outbox_redrive.delay()  # as beat does, every minute
            return False
        return True

    wait_until(all_sent, timeout=90, message="the re-drive to send every email")
    wait_until(lambda: len(mail.outbox) >= 100, timeout=10, message="the last email")
    time.sleep(1)  # anything sent twice would arrive now
    keys = [message.extra_headers["X-Outbox-Key"] for message in mail.outbox]
    assert len(keys) == 100 and len(set(keys)) == 100
    assert set(keys) == set(OutboxEmail.objects.values_list("key", flat=True))
    assert set(OutboxEmail.objects.values_list("status", "attempts")) == {("sent", 1)}
