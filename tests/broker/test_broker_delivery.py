"""Through a real Redis and a real worker: a transition's email arrives; a task delivered twice sends once."""

import pytest
from django.core import mail

from accounts import roles
from assessments import services
from committee import outbox
from committee.models import OutboxEmail
from committee.tasks import emails_send

from ..answers import complete_answers
from ..factories import UserFactory
from ..workflow import EVIDENCE, bias_rows
from .conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("depends_on_current_app")]


def draft_of(duo):
    draft = services.assessment_create(
        team=duo.team, feature_name="Intake summary", answers=complete_answers(), by=duo.owner
    )
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(), by=duo.owner)
    return draft


def test_a_transitions_email_arrives_through_the_broker(duo, celery_worker):
    draft = draft_of(duo)
    services.assessment_transition(assessment=draft, name="submit", by=duo.owner)
    wait_until(lambda: len(mail.outbox) == 1, message="the email")
    [message] = mail.outbox
    assert message.to == [duo.legal.email] and message.subject.startswith("Review requested: Intake summary v1")
    # The worker marks the row sent after the mail has left, in its own transaction: wait for it, do not race it.
    wait_until(lambda: OutboxEmail.objects.get().status == "sent", message="the outbox row marked sent")


def test_the_same_task_delivered_twice_sends_one_email(duo, celery_worker, monkeypatch):
    second_reviewer = UserFactory(username="lexa", roles=[roles.LEGAL])
    draft = draft_of(duo)
    with monkeypatch.context() as held:
        held.setattr(outbox, "enqueue", lambda ids: None)  # hold the transaction's own task back
        services.assessment_transition(assessment=draft, name="submit", by=duo.owner)
    assert OutboxEmail.objects.filter(status="pending").count() == 2
    twice = OutboxEmail.objects.get(recipient=duo.legal)
    marker = OutboxEmail.objects.get(recipient=second_reviewer)
    emails_send.apply_async(([twice.pk],), task_id="the-same-message")
    emails_send.apply_async(([twice.pk],), task_id="the-same-message")
    emails_send.apply_async(([marker.pk],))  # one worker, one queue: when this is sent, both copies were handled
    wait_until(lambda: OutboxEmail.objects.get(pk=marker.pk).status == "sent", message="the marker email")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([duo.legal.email, second_reviewer.email])
    twice.refresh_from_db()
    assert (twice.status, twice.attempts) == ("sent", 1)
