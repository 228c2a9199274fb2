"""Every place that asks for a password for a sensitive act counts a wrong one towards the lockout, one way.

The places: signing in the browser (re-authentication), signing through the API, new recovery codes, removing
an authenticator. Each checks through ``accounts.lockout.password_confirmed``: a wrong password is counted by
django-axes against the username and against the client's address, and an account locked out (after
AXES_FAILURE_LIMIT failures, wherever they happened) is refused even with the right password.
"""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import reauth
from accounts.lockout import login_refused_for
from assessments.models import SignOff, State

from ..factories import PASSWORD
from ..workflow import advance, create_draft
from .helpers import enrol

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=10)  # past SIGNING_REAUTH_SECONDS: the browser asks for the password again


class Place:
    """One place that asks for the password: ``attempt(password)`` tries the act, ``done()`` says if it happened."""

    def __init__(self, people, name):
        self.user = people.reviewers["legal"]
        self.name = name
        if name in ("browser_sign", "api_sign"):
            self.assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
        else:
            self.device, self.codes = enrol(self.user)
        if name == "api_sign":
            self.client = APIClient()
            self.client.force_authenticate(self.user)
        else:
            self.client = Client()
            self.client.force_login(self.user)
        if name == "browser_sign":  # the log-in is long past: the sign form asks for the password again
            session = self.client.session
            session[reauth.SESSION_KEY] = (timezone.now() - LATER).timestamp()
            session.save()

    def attempt(self, password):
        if self.name == "browser_sign":
            return self.client.post(
                reverse("assessment_transition", args=[self.assessment.pk, "approve"]),
                {"expected_state": State.LEGAL_REVIEW, "password": password},
            )
        if self.name == "api_sign":
            return self.client.post(
                f"/api/v1/assessments/{self.assessment.pk}/transitions/",
                {"name": "approve", "password": password},
                format="json",
            )
        if self.name == "recovery_codes":
            return self.client.post(reverse("account_security_recovery_codes"), {"password": password})
        return self.client.post(reverse("account_security_totp_remove", args=[self.device.pk]), {"password": password})

    def done(self):
        if self.name in ("browser_sign", "api_sign"):
            return SignOff.objects.filter(assessment=self.assessment).exists()
        if self.name == "recovery_codes":
            return sorted(StaticToken.objects.values_list("token", flat=True)) != sorted(self.codes)
        return not TOTPDevice.objects.filter(pk=self.device.pk).exists()


PLACES = ["browser_sign", "api_sign", "recovery_codes", "totp_remove"]


@pytest.mark.parametrize("name", PLACES)
def test_a_wrong_password_counts_against_the_username_and_the_address(people, settings, name):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1
    place = Place(people, name)

    place.attempt("guess")

    assert not place.done()
    assert AccessAttempt.objects.get(username=place.user.username).failures_since_start == 1
    assert login_refused_for(RequestFactory().get("/")) is not None  # the address's one failure allowed


@pytest.mark.parametrize("name", PLACES)
def test_a_locked_out_account_is_refused_even_with_the_right_password(people, name):
    place = Place(people, name)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        place.attempt("guess")

    response = place.attempt(PASSWORD)

    assert response.status_code == 429  # django-axes answers: the account is locked, as after failed sign-ins
    assert not place.done()


@pytest.mark.parametrize("name", PLACES)
def test_the_right_password_does_the_act(people, name):
    place = Place(people, name)

    place.attempt(PASSWORD)

    assert place.done()
    assert not AccessAttempt.objects.filter(username=place.user.username, failures_since_start__gt=0).exists()


def test_failures_at_different_places_add_up(people):
    places = [Place(people, name) for name in PLACES]
    for at in range(settings.AXES_FAILURE_LIMIT):
        places[at % len(places)].attempt("guess")

    assert places[0].attempt(PASSWORD).status_code == 429
    assert not places[0].done()


# -- nothing checks a password another way ---------------------------------------------------------------------

APPS = ("accounts", "assessments", "committee", "reports", "config")
# Those that call authenticate on purpose: the one check (lockout), the API's sign-in (a log-in, counted the same
# way: assessments/api/views/auth.py), the single sign-on backend (its parent's, for the provider's callback) and
# the signer's confirmation at the provider (accounts/sso_reauth.py: the backend's exchange of the code, no password).
AUTHENTICATES = {
    "accounts/lockout.py",
    "assessments/api/views/auth.py",
    "accounts/sso_backend.py",
    "accounts/sso_reauth.py",
}


def _calls(name):
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call):
                    called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                    if called == name:
                        yield str(path.relative_to(root)), node.lineno


def test_no_module_checks_a_user_s_password_itself():
    # accounts/token_revocation.py compares a stored hash with the previous one (django.contrib.auth.hashers),
    # a function of two hashes, not a user's password.
    assert [(path, line) for path, line in _calls("check_password") if path != "accounts/token_revocation.py"] == []
    assert {path for path, _ in _calls("authenticate")} == AUTHENTICATES
