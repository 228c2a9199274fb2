"""Passkeys as a second factor: adding a named one (and its recovery codes), signing in with it, removing it.

The browser's half is played by a software authenticator (tests/identity/authenticator.py) whose answers the
server checks for real: challenge, origin, relying party and signature.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import mfa
from accounts.models import SecurityEvent

from ..factories import PASSWORD
from .authenticator import SoftAuthenticator, add_passkey, b64url, options
from .helpers import enrol, password_step, signed_in

pytestmark = pytest.mark.django_db


def enrolled_client(user):
    """A signed-in session of ``user`` that added a passkey; returns it and the authenticator."""
    client = signed_in(user)
    authenticator = SoftAuthenticator()
    assert add_passkey(client, authenticator).status_code == 200
    return client, authenticator


def signed_in_as(client):
    response = client.get(reverse("account_security"))
    return response.context["user"].get_username() if response.status_code == 200 else None


def passkey_step(client, authenticator, **kwargs):
    answer = authenticator.get(options(client, "login_passkey_options"), **kwargs)
    return client.post(reverse("login_second_factor"), {"passkey": answer})


# Adding a passkey


def test_adding_a_passkey_keeps_it_named_and_shows_recovery_codes_once(people, alice):
    response = add_passkey(alice, SoftAuthenticator(), name="  Work   laptop ")

    assert response.status_code == 200
    assert response.templates[0].name == "accounts/recovery_codes.html"
    device = WebAuthnCredential.objects.get(user=people.alice)
    assert device.confirmed and device.name == "Work laptop"
    assert mfa.has_second_factor(people.alice)
    assert StaticDevice.objects.get(user=people.alice).token_set.count() == mfa.RECOVERY_CODE_COUNT
    event = SecurityEvent.objects.get(kind="mfa_enrolled", user=people.alice)
    assert event.details == {"device": "passkey", "device_id": device.pk}
    page = alice.get(reverse("account_security")).content.decode()
    assert "Work laptop" in page and "Remove this passkey" in page


def test_a_second_passkey_brings_no_new_codes(people):
    client, _ = enrolled_client(people.alice)
    codes_before = set(StaticDevice.objects.get(user=people.alice).token_set.values_list("token", flat=True))

    response = add_passkey(client, SoftAuthenticator(), name="Security key")

    assert response.status_code == 302 and response.url == reverse("account_security")
    assert WebAuthnCredential.objects.filter(user=people.alice).count() == 2
    assert set(StaticDevice.objects.get(user=people.alice).token_set.values_list("token", flat=True)) == codes_before


def test_anonymous_cannot_register_a_passkey(people):
    client = Client()

    for name in ("account_security_passkey_options", "account_security_passkey_add"):
        response = client.post(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
    assert not WebAuthnCredential.objects.exists()


def test_a_passkey_needs_a_name(people, alice):
    response = add_passkey(alice, SoftAuthenticator(), name="   ")

    assert response.status_code == 400
    assert "Give the passkey a name" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.parametrize("answer", ["", "not json", "[1, 2]", '{"id": "x"}', "{" * 70000])
def test_a_malformed_answer_is_a_400_not_a_500(people, alice, answer):
    options(alice, "account_security_passkey_options")

    response = alice.post(reverse("account_security_passkey_add"), {"name": "Laptop", "credential": answer})

    assert response.status_code == 400
    assert not WebAuthnCredential.objects.exists()


def test_an_answer_from_another_origin_is_refused(people, alice):
    phished = SoftAuthenticator(origin="https://evil.example")

    response = add_passkey(alice, phished)

    assert response.status_code == 400
    assert not WebAuthnCredential.objects.exists()
    assert SecurityEvent.objects.filter(kind="mfa_failed", user=people.alice, details__device="passkey").exists()


def test_a_registration_challenge_is_used_once(people, alice):
    authenticator = SoftAuthenticator()
    answer = authenticator.create(options(alice, "account_security_passkey_options"))
    alice.post(reverse("account_security_passkey_add"), {"name": "Laptop", "credential": answer})
    WebAuthnCredential.objects.all().delete()
    StaticDevice.objects.all().delete()

    replay = alice.post(reverse("account_security_passkey_add"), {"name": "Laptop", "credential": answer})

    assert replay.status_code == 400
    assert not WebAuthnCredential.objects.exists()


def test_a_passkey_registered_already_is_refused_not_a_500(people, alice):
    authenticator = SoftAuthenticator()
    add_passkey(alice, authenticator)

    again = add_passkey(alice, authenticator, name="Same key")  # the same credential id

    assert again.status_code == 400
    assert WebAuthnCredential.objects.filter(user=people.alice).count() == 1


def test_a_session_that_did_not_prove_the_existing_factor_cannot_add_a_passkey(people):
    enrol(people.alice)
    client = signed_in(people.alice)  # signed in, never verified by the authenticator app

    assert client.post(reverse("account_security_passkey_options")).status_code == 403
    assert client.post(reverse("account_security_passkey_add"), {"name": "x", "credential": "{}"}).status_code == 403


# Signing in


def test_after_the_password_the_passkey_signs_in_with_a_verified_session(people):
    _, authenticator = enrolled_client(people.alice)
    client = Client()
    response = password_step(client, "alice")
    assert response.url.startswith(reverse("login_second_factor"))
    assert "Use your passkey" in client.get(response.url).content.decode()

    response = passkey_step(client, authenticator)

    assert response.status_code == 302 and response.url == "/"
    assert signed_in_as(client) == "alice"
    assert client.session.get("otp_device_id", "").startswith("django_otp_webauthn.webauthncredential/")


def test_the_passkey_options_need_the_password_first(people):
    enrolled_client(people.alice)
    response = Client().post(reverse("login_passkey_options"))

    assert response.status_code == 403
    assert response.json()["detail"] == "Enter your username and password first."


def test_a_user_without_a_passkey_gets_no_options(people):
    enrol(people.alice)  # an authenticator app only
    client = Client()
    password_step(client, "alice")

    assert client.post(reverse("login_passkey_options")).status_code == 400


def test_another_users_passkey_does_not_sign_in(people):
    enrolled_client(people.alice)
    _, bens = enrolled_client(people.ben)
    client = Client()
    password_step(client, "alice")

    response = passkey_step(client, bens)

    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_a_wrong_signature_is_refused_recorded_and_counted_like_a_wrong_code(people):
    _, authenticator = enrolled_client(people.alice)
    client = Client()
    password_step(client, "alice")

    response = passkey_step(client, authenticator, challenge="AAAA")  # signed over another challenge

    assert response.status_code == 400
    assert "Your passkey was not accepted" in response.content.decode()
    assert signed_in_as(client) is None
    assert SecurityEvent.objects.filter(kind="mfa_failed", user=people.alice, details__purpose="login").exists()
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1


def test_five_refused_passkeys_lock_the_account(people):
    _, authenticator = enrolled_client(people.alice)
    client = Client()
    password_step(client, "alice")
    for _ in range(4):
        assert passkey_step(client, authenticator, challenge="AAAA").status_code == 400

    locked = passkey_step(client, authenticator, challenge="AAAA")

    assert locked.status_code == 429
    assert signed_in_as(client) is None


def test_an_assertion_is_accepted_once(people):
    _, authenticator = enrolled_client(people.alice)
    client = Client()
    password_step(client, "alice")
    answer = authenticator.get(options(client, "login_passkey_options"))
    assert client.post(reverse("login_second_factor"), {"passkey": answer}).status_code == 302
    client.post(reverse("logout"))
    password_step(client, "alice")

    replay = client.post(reverse("login_second_factor"), {"passkey": answer})

    assert replay.status_code == 400
    assert signed_in_as(client) is None


def test_a_challenge_is_used_up_by_a_refused_answer(people):
    _, authenticator = enrolled_client(people.alice)
    client = Client()
    password_step(client, "alice")
    answer = authenticator.get(options(client, "login_passkey_options"))
    assert client.post(reverse("login_second_factor"), {"passkey": "{}"}).status_code == 400

    late = client.post(reverse("login_second_factor"), {"passkey": answer})  # its challenge went with the refusal

    assert late.status_code == 400
    assert signed_in_as(client) is None


def test_a_recovery_code_still_signs_in_a_passkey_user(people, alice):
    response = add_passkey(alice, SoftAuthenticator())
    code = response.context["codes"][0]
    client = Client()
    password_step(client, "alice")

    response = client.post(reverse("login_second_factor"), {"code": code})

    assert response.status_code == 302
    assert signed_in_as(client) == "alice"


# Removing


def test_removing_a_passkey_needs_the_password(people):
    client, _ = enrolled_client(people.alice)
    device = WebAuthnCredential.objects.get(user=people.alice)

    refused = client.post(reverse("account_security_passkey_remove", args=[device.pk]), {"password": "wrong"})

    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()
    assert [str(m) for m in get_messages(refused.wsgi_request)] == [
        "That is not your password; repeated failures lock the account."
    ]


def test_removing_the_last_passkey_removes_the_codes_and_is_recorded(people):
    client, _ = enrolled_client(people.alice)
    device = WebAuthnCredential.objects.get(user=people.alice)

    response = client.post(reverse("account_security_passkey_remove", args=[device.pk]), {"password": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("account_security")
    assert "The passkey is removed." in [str(m) for m in get_messages(response.wsgi_request)]
    assert not WebAuthnCredential.objects.filter(pk=device.pk).exists()
    assert not StaticDevice.objects.filter(user=people.alice).exists()
    assert not mfa.has_second_factor(people.alice)
    event = SecurityEvent.objects.get(kind="mfa_removed", user=people.alice)
    assert event.details == {"device_id": device.pk, "removed": ["passkey", "recovery_codes"]}


def test_removing_a_passkey_keeps_the_codes_while_an_authenticator_app_remains(people):
    client, _ = enrolled_client(people.alice)
    enrol(people.alice)
    device = WebAuthnCredential.objects.get(user=people.alice)

    client.post(reverse("account_security_passkey_remove", args=[device.pk]), {"password": PASSWORD})

    assert StaticDevice.objects.filter(user=people.alice).exists()


def test_another_users_passkey_cannot_be_removed(people):
    enrolled_client(people.ben)
    bens = WebAuthnCredential.objects.get(user=people.ben)
    client, _ = enrolled_client(people.alice)

    response = client.post(reverse("account_security_passkey_remove", args=[bens.pk]), {"password": PASSWORD})

    assert response.status_code == 302
    assert WebAuthnCredential.objects.filter(pk=bens.pk).exists()
    assert not SecurityEvent.objects.filter(kind="mfa_removed").exists()


def test_anonymous_cannot_remove_a_passkey(people):
    enrolled_client(people.alice)
    device = WebAuthnCredential.objects.get(user=people.alice)

    response = Client().post(reverse("account_security_passkey_remove", args=[device.pk]), {"password": PASSWORD})

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()


def test_the_options_name_the_relying_party_and_exclude_existing_passkeys(people, settings):
    settings.OTP_WEBAUTHN_RP_NAME = "Acme assessments"
    client, authenticator = enrolled_client(people.alice)

    created = options(client, "account_security_passkey_options")

    assert created["rp"] == {"id": "localhost", "name": "Acme assessments"}
    assert [c["id"] for c in created["excludeCredentials"]] == [b64url(authenticator.credential_id)]


def test_a_passkey_satisfies_mfa_required_for(people, settings):
    settings.MFA_REQUIRED_FOR = ["legal"]
    lawyer = people.reviewers["legal"]
    client = Client()
    assert password_step(client, lawyer.username).url == "/"
    assert client.get(reverse("queue")).url == reverse("account_security")
    page = client.get(reverse("account_security")).content.decode()
    assert "Set up an authenticator app or a passkey" in page and "Add a passkey" in page
    authenticator = SoftAuthenticator()

    assert add_passkey(client, authenticator).status_code == 200  # the recovery codes
    assert client.get(reverse("queue")).status_code == 200  # this session proved the passkey

    client.post(reverse("logout"))
    password_step(client, lawyer.username)
    assert client.get(reverse("queue")).status_code == 302  # the password alone does not sign in
    assert passkey_step(client, authenticator).status_code == 302
    assert client.get(reverse("queue")).status_code == 200
