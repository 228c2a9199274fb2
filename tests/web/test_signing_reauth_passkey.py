"""Signing in the browser with a passkey as the second factor of the re-authentication."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from assessments.models import SignOff, State
from tests.factories import PASSWORD
from tests.identity.authenticator import SoftAuthenticator, add_passkey, options
from tests.workflow import advance, create_draft


@pytest.fixture
def at_legal(people):
    return advance(people, create_draft(people), State.LEGAL_REVIEW)


@pytest.fixture
def signer(people, login):
    """The Legal reviewer's session, with a passkey added in it; returns the client and the authenticator."""
    client = login(people.reviewers["legal"])
    authenticator = SoftAuthenticator()
    assert add_passkey(client, authenticator).status_code == 200
    return client, authenticator


def approve(client, assessment, **extra):
    return client.post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {"expected_state": assessment.state, **extra},
    )


def sign_answer(client, authenticator, **kwargs):
    return authenticator.get(options(client, "account_security_passkey_sign_options"), **kwargs)


def test_ten_minutes_later_signing_takes_the_password_and_the_passkey(people, signer, at_legal):
    client, authenticator = signer
    legal = people.reviewers["legal"]
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        page = client.get(reverse("assessment_detail", args=[at_legal.pk])).content.decode()
        without = approve(client, at_legal, password=PASSWORD)
        right = approve(client, at_legal, password=PASSWORD, passkey=sign_answer(client, authenticator))

    assert "Sign with your password and your passkey" in page
    assert 'data-passkey-ceremony="get"' in page and "js/passkeys.js" in page
    assert without.status_code == 400 and "Use your passkey, or enter a code" in without.content.decode()
    assert right.status_code == 302
    assert SignOff.objects.get().reviewer == legal
    assert SecurityEvent.objects.filter(kind="reauthenticated", user=legal).count() == 1


def test_a_refused_passkey_does_not_sign_and_counts_towards_the_lockout(people, signer, at_legal):
    client, authenticator = signer
    legal = people.reviewers["legal"]
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        wrong = approve(client, at_legal, password=PASSWORD, passkey=sign_answer(client, authenticator, challenge="AA"))
        garbage = approve(client, at_legal, password=PASSWORD, passkey="{not json")

    assert wrong.status_code == 400 and "Your passkey was not accepted" in wrong.content.decode()
    assert garbage.status_code == 400
    assert not SignOff.objects.exists()
    assert AccessAttempt.objects.get(username=legal.username).failures_since_start == 2
    assert SecurityEvent.objects.filter(kind="reauth_failed", user=legal, details__reason="passkey").count() == 2


def test_another_users_passkey_does_not_sign(people, login, signer, at_legal):
    client, _ = signer
    others = SoftAuthenticator()
    add_passkey(login(people.alice), others)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = approve(client, at_legal, password=PASSWORD, passkey=sign_answer(client, others))

    assert response.status_code == 400
    assert not SignOff.objects.exists()


def test_a_recovery_code_stands_in_for_the_passkey(people, login, at_legal):
    client = login(people.reviewers["legal"])
    codes = add_passkey(client, SoftAuthenticator()).context["codes"]
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = approve(client, at_legal, password=PASSWORD, code=codes[0])

    assert response.status_code == 302
    assert SignOff.objects.exists()


def test_the_sign_options_need_a_signed_in_user_with_a_passkey(people, login):
    assert Client().post(reverse("account_security_passkey_sign_options")).status_code == 302
    assert login(people.alice).post(reverse("account_security_passkey_sign_options")).status_code == 400
