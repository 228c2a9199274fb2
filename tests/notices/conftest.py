from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from committee.models import Notification

# A Wednesday morning, far from the digest hours, in the project's time zone.
START = timezone.make_aware(datetime(2027, 3, 10, 9, 30))


@pytest.fixture
def clock():
    """A controlled clock (time-machine): ``clock.now()``, ``clock.move_to(dt)``, ``clock.shift(delta)``."""
    with time_machine.travel(START, tick=False) as traveller:
        traveller.now = timezone.now
        traveller.shift = lambda delta: traveller.move_to(timezone.now() + delta)
        yield traveller


def received(user, kind=None):
    """``[(kind, assessment id)]`` in the user's inbox, oldest first."""
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("kind", "assessment_id"))


def kinds_of(user):
    return [kind for kind, _ in received(user)]


def just_before(moment):
    return moment - timedelta(seconds=1)


@pytest.fixture
def login(db):
    """``login(user)``: a test client with that user's session."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
