"""A session idle for more than SESSION_IDLE_SECONDS is logged out, with a message and a security event."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.idle import ACTIVITY_RESOLUTION, LAST_ACTIVITY_KEY
from accounts.models import SecurityEvent

from ..factories import UserFactory

Kind = SecurityEvent.Kind
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
IDLE = 1800


@pytest.fixture
def alice(db, settings):
    settings.SESSION_IDLE_SECONDS = IDLE
    return UserFactory(username="alice")


def logged_in(response):
    return response.wsgi_request.user.is_authenticated


def test_a_session_idle_exactly_the_limit_lives_and_one_second_more_ends(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        traveller.shift(timedelta(seconds=IDLE))
        assert logged_in(client.get(reverse("home")))
        traveller.shift(timedelta(seconds=IDLE + 1))
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not logged_in(response)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You were logged out after 30 minutes without activity. Log in again to continue."
    ]
    expired = SecurityEvent.objects.get(kind=Kind.SESSION_EXPIRED)
    assert expired.user == alice and expired.details == {"idle_seconds": IDLE + 1}
    assert not SecurityEvent.objects.filter(kind=Kind.LOGOUT).exists()  # recorded once, as the expiry


def test_activity_keeps_the_session_alive(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        for _ in range(4):
            traveller.shift(timedelta(seconds=IDLE - ACTIVITY_RESOLUTION))
            assert logged_in(client.get(reverse("home")))
    assert not SecurityEvent.objects.filter(kind=Kind.SESSION_EXPIRED).exists()


def test_activity_is_written_at_most_once_a_minute(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        started = client.session[LAST_ACTIVITY_KEY]
        traveller.shift(timedelta(seconds=ACTIVITY_RESOLUTION - 1))
        client.get(reverse("home"))
        assert client.session[LAST_ACTIVITY_KEY] == started
        traveller.shift(timedelta(seconds=1))
        client.get(reverse("home"))
        assert client.session[LAST_ACTIVITY_KEY] == started + ACTIVITY_RESOLUTION


def test_the_limit_comes_from_the_setting(client, alice, settings):
    settings.SESSION_IDLE_SECONDS = 60
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        traveller.shift(timedelta(seconds=61))
        response = client.get(reverse("home"))
    assert not logged_in(response)
    assert "after 1 minute without" in str(list(get_messages(response.wsgi_request))[0])


def test_an_api_request_with_an_idle_session_is_refused(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        traveller.shift(timedelta(seconds=IDLE + 1))
        response = client.get("/api/v1/assessments/")
    assert response.status_code in (401, 403)
    assert SecurityEvent.objects.filter(kind=Kind.SESSION_EXPIRED).count() == 1
