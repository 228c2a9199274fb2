"""Sign-ins, failures, lockouts and sign-outs are recorded as security events, once each, with the address."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import SecurityEvent

from ..factories import PASSWORD, UserFactory

Kind = SecurityEvent.Kind
LOGIN = reverse("login")


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def kinds():
    return list(SecurityEvent.objects.order_by("at", "id").values_list("kind", "username"))


@pytest.mark.django_db
def test_a_local_login_and_logout_are_recorded_with_the_address(client):
    alice = UserFactory(username="alice")
    client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    client.post(reverse("logout"), REMOTE_ADDR="198.51.100.7")
    assert kinds() == [(Kind.LOGIN, "alice"), (Kind.LOGOUT, "alice")]
    login = SecurityEvent.objects.get(kind=Kind.LOGIN)
    assert login.user == alice and login.address == "198.51.100.7" and login.details == {}


@pytest.mark.django_db
def test_a_failed_login_is_recorded_under_the_name_given_even_when_nobody_has_it(client):
    UserFactory(username="alice")
    client.post(LOGIN, {"username": "alice", "password": "wrong"})
    client.post(LOGIN, {"username": "mallory", "password": "wrong"})
    assert kinds() == [(Kind.LOGIN_FAILED, "alice"), (Kind.LOGIN_FAILED, "mallory")]
    failed = SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED).first()
    assert failed.user is None and failed.details == {"method": "password"}
    assert "wrong" not in str(list(SecurityEvent.objects.values_list("details", flat=True)))


@pytest.mark.django_db
def test_the_failure_that_reaches_the_limit_records_a_lockout(client, settings):
    UserFactory(username="alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert not SecurityEvent.objects.filter(kind=Kind.LOCKOUT).exists()
    client.post(LOGIN, {"username": "alice", "password": "wrong"})
    lockout = SecurityEvent.objects.get(kind=Kind.LOCKOUT)
    assert lockout.username == "alice" and lockout.address == "127.0.0.1"
    assert SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED).count() == settings.AXES_FAILURE_LIMIT


@pytest.mark.django_db
def test_logging_out_when_not_logged_in_records_nothing(client):
    client.post(reverse("logout"))
    assert kinds() == []
