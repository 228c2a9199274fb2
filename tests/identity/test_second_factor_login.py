"""Signing in with a second factor: the password alone no longer signs in a user who has one."""

import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.mfa_login import PENDING_SECONDS
from accounts.models import SecurityEvent

from .helpers import code_for, code_step, enrol, password_step

pytestmark = pytest.mark.django_db


def signed_in_as(client):
    response = client.get(reverse("account_security"))
    return response.context["user"].get_username() if response.status_code == 200 else None


def test_a_user_without_a_second_factor_signs_in_with_the_password_alone(people):
    client = Client()

    response = password_step(client, "alice")

    assert response.status_code == 302 and response.url == "/"
    assert signed_in_as(client) == "alice"


def test_after_the_password_a_user_with_a_factor_is_asked_for_a_code_and_is_not_signed_in(people):
    enrol(people.alice)
    client = Client()

    response = password_step(client, "alice")

    assert response.status_code == 302 and response.url.startswith(reverse("login_second_factor"))
    assert signed_in_as(client) is None
    assert client.get(reverse("queue")).status_code == 302  # still anonymous: to the log-in page


def test_the_right_code_signs_in_with_a_verified_session(people):
    device, _ = enrol(people.alice)
    client = Client()
    password_step(client, "alice", next_url="/committee/queue/")

    response = code_step(client, code_for(device, 1), next_url="/committee/queue/")

    assert response.status_code == 302 and response.url == "/committee/queue/"
    response = client.get(reverse("account_security"))
    assert response.context["user"].get_username() == "alice"
    assert response.context["user"].is_verified()


def test_the_code_step_never_redirects_off_the_site(people):
    device, _ = enrol(people.alice)
    client = Client()
    password_step(client, "alice")

    response = code_step(client, code_for(device, 1), next_url="https://evil.example/")

    assert response.url == "/"


def test_a_wrong_code_is_refused_and_recorded(people):
    enrol(people.alice)
    client = Client()
    password_step(client, "alice")

    response = code_step(client, "not-a-code")

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert signed_in_as(client) is None
    assert SecurityEvent.objects.filter(kind="mfa_failed", user=people.alice).count() == 1


def test_five_wrong_codes_lock_the_account_like_wrong_passwords(people):
    device, _ = enrol(people.alice)
    client = Client()
    password_step(client, "alice")
    wrong = "123456" if code_for(device, 1) != "123456" else "654321"
    for _ in range(4):
        assert code_step(client, wrong).status_code == 400

    locked = code_step(client, wrong)  # the fifth failure locks

    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 5
    # Now even the password and the right code do not help.
    assert password_step(client, "alice").status_code == 429
    assert signed_in_as(client) is None


def test_four_wrong_codes_do_not_lock(people):
    device, _ = enrol(people.alice)
    client = Client()
    password_step(client, "alice")
    wrong = "123456" if code_for(device, 1) != "123456" else "654321"
    for _ in range(4):
        code_step(client, wrong)

    with time_machine.travel(time.time() + 10):  # past django-otp's own back-off after four failures
        response = code_step(client, code_for(device, 1))

    assert response.status_code == 302
    assert signed_in_as(client) == "alice"


def test_a_recovery_code_signs_in_once(people):
    _, codes = enrol(people.alice)
    client = Client()
    password_step(client, "alice")

    assert code_step(client, codes[0].upper()).status_code == 302
    assert signed_in_as(client) == "alice"
    event = SecurityEvent.objects.get(kind="recovery_code_used")
    assert event.user == people.alice and event.details == {"remaining": 9}

    again = Client()
    password_step(again, "alice")
    assert code_step(again, codes[0]).status_code == 400


def test_the_code_step_expires_and_the_password_is_asked_again(people):
    device, _ = enrol(people.alice)
    client = Client()
    with time_machine.travel(time.time(), tick=False) as traveller:
        password_step(client, "alice")
        traveller.shift(PENDING_SECONDS + 1)

        response = code_step(client, code_for(device, 0))

    assert response.status_code == 302 and response.url == reverse("login")
    assert signed_in_as(client) is None


def test_the_code_step_without_a_password_first_goes_back_to_log_in(people):
    response = Client().get(reverse("login_second_factor"))

    assert response.status_code == 302 and response.url == reverse("login")


def test_a_code_is_accepted_only_once(people):
    device, _ = enrol(people.alice)
    code = code_for(device, 1)
    first = Client()
    password_step(first, "alice")
    assert code_step(first, code).status_code == 302

    second = Client()
    password_step(second, "alice")

    assert code_step(second, code).status_code == 400
