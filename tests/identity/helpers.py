"""Helpers for the identity tests: a signed-in session, a confirmed TOTP device and its codes (computed as an app
would), and the two steps of signing in."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa

from ..factories import PASSWORD


def signed_in(user):
    """A browser session signed in as ``user`` without the log-in steps (no second factor proved)."""
    client = Client()
    client.force_login(user)
    return client


def code_for(device, steps_ahead=0):
    """The code the app shows ``steps_ahead`` 30-second steps from now (a step ahead: one not used yet)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def enrol(user):
    """A confirmed authenticator for ``user`` through the enrolment service; returns it and the recovery codes."""
    device = mfa.totp_enrolment_start(user=user)
    codes = mfa.totp_enrolment_confirm(user=user, device=device, code=code_for(device))
    return TOTPDevice.objects.get(pk=device.pk), codes


def password_step(client, username, password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def code_step(client, code, next_url=""):
    data = {"code": code}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login_second_factor"), data)
