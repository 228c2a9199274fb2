"""A second factor for local accounts: TOTP (an authenticator app), passkeys and recovery codes, through django-otp.

The services here are the one place that enrols, checks and removes a second factor; the log-in step
(``accounts.mfa_login``), the enrolment page (``accounts.mfa_views``), the API's token endpoint and signing
re-authentication all call them. Each change and each refusal is a security event.

For other modules: ``verify_second_factor(user, code, request=...)`` checks a code (TOTP or a recovery code)
against the user's confirmed devices and returns the device that accepted it, or None;
``has_second_factor(user)`` says whether the user must give one; ``second_factor_required(user)`` whether their
roles (``MFA_REQUIRED_FOR``) oblige them to enrol. A caller that refuses a code counts it towards the lockout with
``accounts.lockout.second_factor_failure_record(request, user)``, as a wrong password; the password that removing
a factor or renewing the recovery codes asks for is checked by ``accounts.lockout.password_confirmed``, as every
password asked for a sensitive act.

Signing re-authentication, for example::

    if mfa.has_second_factor(user) and mfa.verify_second_factor(user, code, request=request) is None:
        second_factor_failure_record(request, user)
        ...  # refuse (403)
"""

import base64
import re

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import roles, security_events
from .lockout import password_confirmed

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
TOTP_DEVICE_NAME = "Authenticator app"
# Sessions signed in by these backends used a local password, so MFA_REQUIRED_FOR applies to them; a session of
# another backend (single sign-on) had its second factor at the identity provider.
LOCAL_PASSWORD_BACKENDS = frozenset(
    {"axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"}
)
# A TOTP code is six digits; anything else given is tried as a recovery code.
TOTP_CODE = re.compile(r"^[0-9]{6}$")


class SecondFactorError(Exception):
    """A second-factor change refused; ``message`` is for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def has_second_factor(user):
    """True when the user has a confirmed device, so that a password alone no longer signs them in."""
    return bool(user.is_authenticated) and user_has_device(user, confirmed=True)


def second_factor_required(user):
    """True when one of the user's roles is in MFA_REQUIRED_FOR (the settings' list of role names)."""
    required = set(settings.MFA_REQUIRED_FOR)
    return bool(required) and bool(required & roles.group_names(user))


def normalise_code(code):
    """What the person typed, without the spaces and dashes apps and printouts put in codes."""
    return re.sub(r"[\s-]", "", str(code or "")).lower()


def verify_second_factor(user, code, *, request=None):
    """Check ``code`` against the user's confirmed devices; return the device that accepted it, else None.

    A six-digit code is tried as TOTP (each code once: django-otp refuses a replay), anything else as a recovery
    code (used up by this call). A refusal records ``mfa_failed``; a recovery code used records
    ``recovery_code_used`` with how many remain. Counting failures towards a lockout is the caller's (it knows
    whether this is a log-in or a re-authentication).
    """
    code = normalise_code(code)
    device = None
    if code:
        kind = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
        with transaction.atomic():
            for candidate in devices_for_user(user, confirmed=True, for_verify=True):
                if isinstance(candidate, kind) and candidate.verify_token(code):
                    device = candidate
                    break
    if device is None:
        security_events.record(security_events.Kind.MFA_FAILED, user=user, request=request)
    elif isinstance(device, StaticDevice):
        security_events.record(
            security_events.Kind.RECOVERY_CODE_USED,
            user=user,
            request=request,
            remaining=device.token_set.count(),
        )
    return device


def confirmed_devices(user):
    """The user's confirmed TOTP devices and recovery-code set, as shown on the security page."""
    totp = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    remaining = recovery.token_set.count() if recovery is not None else 0
    return totp, recovery, remaining


def totp_enrolment_start(*, user):
    """The user's unconfirmed TOTP device, made now if none is waiting (its secret shown until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device):
    """The secret as the base32 text authenticator apps take when typed in."""
    return base64.b32encode(device.bin_key).decode("ascii")


def totp_qr_svg(device):
    """The otpauth:// address of the device as an inline SVG QR code (no script, no style attribute)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code of the authenticator secret")


def totp_enrolment_confirm(*, user, device, code, request=None):
    """Confirm the pending TOTP device with a code from the app; return the new recovery codes if none existed.

    Guarantees: the device is confirmed only if the code is right (SecondFactorError otherwise, recorded as
    ``mfa_failed``); enrolment is recorded (``mfa_enrolled``); a first enrolment also makes the recovery codes,
    returned here as the only time they are shown.
    """
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorError("That set-up has expired; start again.")
    code = normalise_code(code)
    if not (TOTP_CODE.match(code) and device.verify_token(code)):
        security_events.record(security_events.Kind.MFA_FAILED, user=user, request=request, during="enrolment")
        raise SecondFactorError("That code is not right. Enter the six digits your app shows now.")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        security_events.record(
            security_events.Kind.MFA_ENROLLED, user=user, request=request, device="totp", device_id=device.pk
        )
        codes = recovery_codes_if_first(user)
    return codes


def recovery_codes_if_first(user):
    """New recovery codes when the user has none (a first second factor), returned to be shown once; else None."""
    if StaticDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    return _recovery_codes_replace(user)


def has_primary_factor(user):
    """True when the user has an authenticator app or a passkey, which the recovery codes stand in for."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_codes_drop_if_last(user):
    """After a removal: with no authenticator app or passkey left, the recovery codes go too. What went, as names."""
    if has_primary_factor(user):
        return []
    StaticDevice.objects.filter(user=user).delete()
    return ["recovery_codes"]


def recovery_codes_regenerate(*, user, password, request):
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, after checking the password.

    The old codes stop working; the new ones are returned once and stored only in django-otp's table.
    """
    confirm_password(request, user, password)
    if not has_primary_factor(user):
        raise SecondFactorError("Set up an authenticator app or a passkey first; recovery codes stand in for them.")
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        security_events.record(security_events.Kind.MFA_ENROLLED, user=user, request=request, device="recovery_codes")
    return codes


def second_factor_remove(*, user, device_id, password, request):
    """Remove one of the user's TOTP devices, after checking the password.

    When it was the last second factor (no app or passkey left), the recovery codes go too, and the user signs in
    with a password alone again (unless MFA_REQUIRED_FOR sends them back to enrolment).
    """
    confirm_password(request, user, password)
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, pk=device_id).first()
        if device is None:
            raise SecondFactorError("No such authenticator.")
        device.delete()
        removed = ["totp", *recovery_codes_drop_if_last(user)]
        security_events.record(
            security_events.Kind.MFA_REMOVED, user=user, request=request, device_id=device_id, removed=removed
        )


def _recovery_codes_replace(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_DEVICE_NAME})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_password(request, user, password):
    """Raise SecondFactorError unless ``password`` is the user's (a change to the second factor re-authenticates).

    The one check of a password for a sensitive act here: a wrong one counts towards the lockout.
    """
    if not password:
        raise SecondFactorError("Enter your password.")
    if not password_confirmed(request, user, password):
        raise SecondFactorError("That is not your password; repeated failures lock the account.")
