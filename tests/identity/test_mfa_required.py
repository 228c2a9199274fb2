"""MFA_REQUIRED_FOR: a user of a listed role reaches nothing but enrolment until they have a second factor."""

import base64
import re

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from rest_framework.test import APIClient

from accounts.checks import mfa_required_for_names_roles
from accounts.models import SecurityEvent

from ..factories import PASSWORD
from .helpers import code_step, enrol, password_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal_must_enrol(settings):
    settings.MFA_REQUIRED_FOR = ["legal"]


def code_from_secret(secret, steps_ahead=0):
    """What an authenticator app computes from the base32 secret it was given."""
    return f"{totp(base64.b32decode(secret), drift=steps_ahead):06d}"


def test_a_committee_member_enrols_before_seeing_the_queue_and_then_signs_in_with_a_code(people, legal_must_enrol):
    lawyer = people.reviewers["legal"]
    client = Client()
    assert password_step(client, lawyer.username).url == "/"  # no factor yet: the password signs in

    # Every page but enrolment sends them to enrol.
    response = client.get(reverse("queue"))
    assert response.status_code == 302 and response.url == reverse("account_security")
    assert client.get("/").url == reverse("account_security")
    page = client.get(reverse("account_security"))
    assert page.status_code == 200
    assert "Your role requires a second factor" in page.content.decode()

    # Enrol: start, read the secret off the page, confirm with the code an app computes from it.
    assert client.post(reverse("account_security_totp_start")).url == reverse("account_security_totp")
    setup = client.get(reverse("account_security_totp")).content.decode()
    assert "<svg" in setup  # the QR code, inline
    secret = re.search(r'<code id="totp-secret">([A-Z2-7=]+)</code>', setup).group(1)
    confirmed = client.post(reverse("account_security_totp"), {"code": code_from_secret(secret)})
    assert confirmed.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-7]{8}</code></li>", confirmed.content.decode())) == 10
    assert client.get(reverse("queue")).status_code == 200  # this session proved the factor

    client.post(reverse("logout"))
    step = password_step(client, lawyer.username, next_url=reverse("queue"))
    assert step.url.startswith(reverse("login_second_factor"))
    signed_in = code_step(client, code_from_secret(secret, 1), next_url=reverse("queue"))
    assert signed_in.url == reverse("queue")

    queue = client.get(reverse("queue"))
    assert queue.status_code == 200
    assert "My queue" in queue.content.decode()
    assert SecurityEvent.objects.filter(kind="mfa_enrolled", user=lawyer).exists()


def test_logout_and_static_files_stay_reachable_before_enrolment(people, legal_must_enrol):
    client = Client()
    client.force_login(people.reviewers["legal"])

    assert client.get("/static/css/app.css").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("queue")).url.startswith(reverse("login"))  # logged out, not sent to enrol


def test_roles_not_listed_are_not_asked(people, legal_must_enrol):
    client = Client()
    client.force_login(people.reviewers["security"])

    assert client.get(reverse("queue")).status_code == 200


def test_without_the_setting_nobody_is_asked(people, settings):
    settings.MFA_REQUIRED_FOR = []
    client = Client()
    client.force_login(people.reviewers["legal"])

    assert client.get(reverse("queue")).status_code == 200


def test_a_single_sign_on_session_is_not_asked(people, legal_must_enrol, settings):
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "tests.identity.test_mfa_required.SsoBackend",
    ]
    client = Client()
    client.force_login(people.reviewers["legal"], backend="tests.identity.test_mfa_required.SsoBackend")

    assert client.get(reverse("queue")).status_code == 200


SSO_BACKEND = "tests.identity.test_mfa_required.SsoBackend"


class SsoBackend(ModelBackend):
    """Stands for an identity provider's backend: what matters here is only that it is not a local password."""


def test_the_api_in_a_session_says_so_in_json(people, legal_must_enrol):
    client = APIClient()
    client.force_login(people.reviewers["legal"])

    response = client.get("/api/v1/assessments/")

    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_no_token_for_a_member_who_must_enrol_first(people, legal_must_enrol):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "legal_reviewer", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_enrolment_required"


def test_a_session_begun_before_the_factor_was_added_elsewhere_must_sign_in_again(people, legal_must_enrol):
    lawyer = people.reviewers["legal"]
    client = Client()
    client.force_login(lawyer)
    enrol(lawyer)  # in another browser

    response = client.get(reverse("queue"))

    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("account_security")).status_code == 302  # signed out


def test_a_name_that_is_no_role_stops_the_start(settings):
    settings.MFA_REQUIRED_FOR = ["legal", "lawyers"]
    errors = mfa_required_for_names_roles(None)
    assert [error.id for error in errors] == ["accounts.E004"]
    assert "'lawyers'" in errors[0].msg

    settings.MFA_REQUIRED_FOR = ["legal", "committee_chair"]
    assert mfa_required_for_names_roles(None) == []
