"""The security page: enrol an authenticator by confirming a code, recovery codes shown once, removal by password."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.models import SecurityEvent

from ..factories import PASSWORD
from .helpers import code_for, code_step, enrol, password_step

pytestmark = pytest.mark.django_db


def test_the_page_needs_a_sign_in(people):
    response = Client().get(reverse("account_security"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_wrong_code_does_not_confirm_the_authenticator(people, alice):
    alice.post(reverse("account_security_totp_start"))
    device = TOTPDevice.objects.get(user=people.alice)
    wrong = "123456" if code_for(device) != "123456" else "654321"

    response = alice.post(reverse("account_security_totp"), {"code": wrong})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert not mfa.has_second_factor(people.alice)
    assert SecurityEvent.objects.filter(kind="mfa_failed", user=people.alice).exists()


def test_starting_twice_keeps_one_pending_secret(people, alice):
    alice.post(reverse("account_security_totp_start"))
    alice.post(reverse("account_security_totp_start"))

    assert TOTPDevice.objects.filter(user=people.alice, confirmed=False).count() == 1


def test_the_setup_page_shows_the_secret_as_text_and_as_an_svg_qr_code(people, alice):
    alice.post(reverse("account_security_totp_start"))
    device = TOTPDevice.objects.get(user=people.alice)

    page = alice.get(reverse("account_security_totp")).content.decode()

    assert mfa.totp_secret(device) in page
    assert '<svg width="' in page and "<path" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # the CSP allows no inline style


def test_the_setup_page_without_a_pending_secret_goes_back(people, alice):
    assert alice.get(reverse("account_security_totp")).url == reverse("account_security")


def test_recovery_codes_are_remade_with_the_password_and_the_old_ones_stop_working(people, alice):
    _, old = enrol(people.alice)

    refused = alice.post(reverse("account_security_recovery_codes"), {"password": "wrong"})
    assert refused.status_code == 302
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(old)

    response = alice.post(reverse("account_security_recovery_codes"), {"password": PASSWORD})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    new = list(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    for code in new:
        assert code in response.content.decode()
    client = Client()
    password_step(client, "alice")
    assert code_step(client, old[0]).status_code == 400


def test_removing_the_authenticator_needs_the_password_and_brings_back_password_only(people, alice):
    device, _ = enrol(people.alice)
    url = reverse("account_security_totp_remove", args=[device.pk])

    refused = alice.post(url, {"password": "wrong"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert [str(m) for m in get_messages(refused.wsgi_request)] == [
        "That is not your password; repeated failures lock the account."
    ]

    removed = alice.post(url, {"password": PASSWORD})

    assert removed.status_code == 302 and removed.url == reverse("account_security")
    assert "The authenticator app is removed." in [str(m) for m in get_messages(removed.wsgi_request)]
    assert not TOTPDevice.objects.filter(user=people.alice).exists()
    assert not StaticDevice.objects.filter(user=people.alice).exists()
    assert password_step(Client(), "alice").url == "/"
    event = SecurityEvent.objects.get(kind="mfa_removed")
    assert event.user == people.alice and event.details["removed"] == ["totp", "recovery_codes"]


def test_nobody_removes_another_users_authenticator(people, alice):
    device, _ = enrol(people.ben)

    alice.post(reverse("account_security_totp_remove", args=[device.pk]), {"password": PASSWORD})

    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not SecurityEvent.objects.filter(kind="mfa_removed").exists()


@pytest.mark.parametrize("pk", ["99999999999999999999", "abc", "-1"])
def test_an_id_that_is_not_one_is_a_404(people, alice, pk):
    response = alice.post(f"/account/security/totp/{pk}/remove/", {"password": PASSWORD})

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["account_security_totp_start", "account_security_recovery_codes"])
def test_changes_are_posts(people, alice, name):
    assert alice.get(reverse(name)).status_code == 405


def test_the_page_costs_a_fixed_number_of_queries(people, alice, django_assert_max_num_queries):
    enrol(people.alice)
    with django_assert_max_num_queries(12):
        assert alice.get(reverse("account_security")).status_code == 200
