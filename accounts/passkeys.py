"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn: registration, assertion and removal.

A passkey is a django-otp device (``WebAuthnCredential``), so ``accounts.mfa.has_second_factor`` counts it, a
session it verified is verified for ``MFA_REQUIRED_FOR``, and the recovery codes stand in for it as for an
authenticator app. This module is the one place that talks to the library's helper (``WebAuthnHelper``): each
ceremony has two halves, the options the browser's ``navigator.credentials`` call takes (``*_options``, which keeps
the challenge in the session, used once) and the check of what the browser answered (``registration_complete``,
``assertion_verify``). The pages post the browser's answer as JSON in a form field (static/js/passkeys.js).

The relying party (``OTP_WEBAUTHN_RP_ID``, ``OTP_WEBAUTHN_RP_NAME``) and the origins pages are served from
(``OTP_WEBAUTHN_ALLOWED_ORIGINS``) come from the settings. Each enrolment, removal and refused assertion is a
security event; counting a refused assertion towards the lockout is the caller's, as for a code.

Signing in, for example::

    options = passkeys.assertion_options(request, user, purpose=passkeys.LOGIN)   # JSON for the browser
    ...
    device = passkeys.assertion_verify(request, user, posted_json, purpose=passkeys.LOGIN)
    if device is None:
        second_factor_failure_record(request, user)
"""

import json
import logging

from django.db import IntegrityError, transaction
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from webauthn.helpers.exceptions import WebAuthnException

from . import mfa, security_events

logger = logging.getLogger(__name__)

# What an assertion is for: its challenge is kept per purpose, so one ceremony cannot answer another.
LOGIN = "login"
SIGN = "sign"
PURPOSES = (LOGIN, SIGN)
REGISTER_KEY = "accounts_passkey_registration"
ASSERT_KEY = "accounts_passkey_assertion"
NAME_MAX_LENGTH = 64
# A browser's answer is a few kilobytes at most; more is refused unread.
ANSWER_MAX_LENGTH = 64 * 1024


def confirmed_passkeys(user):
    """The user's passkeys, as listed on the security page (oldest first)."""
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"))


def has_passkey(user):
    return bool(user.is_authenticated) and WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def _helper(request):
    return WebAuthnCredential.get_webauthn_helper(request=request)


def _parse(answer):
    """The browser's JSON answer as a dict, or None when it is not one (too long, not JSON, not an object)."""
    if not isinstance(answer, str) or not answer or len(answer) > ANSWER_MAX_LENGTH:
        return None
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def registration_options(request):
    """The options of ``navigator.credentials.create`` for a new passkey of the signed-in user (its challenge kept)."""
    data, state = _helper(request).register_begin(user=request.user)
    request.session[REGISTER_KEY] = {"user": request.user.pk, "state": state}
    return data


def registration_complete(request, *, answer, name):
    """Check the browser's answer to the registration options and keep the passkey, named ``name``.

    Returns ``(device, recovery_codes)``: the codes when this is the user's first second factor (shown once), else
    None. Raises SecondFactorError when the answer is refused (the challenge is used up either way).
    """
    user = request.user
    pending = request.session.pop(REGISTER_KEY, None)
    name = " ".join(str(name or "").split())[:NAME_MAX_LENGTH]
    if not name:
        raise mfa.SecondFactorError("Give the passkey a name, such as the device it is on.")
    data = _parse(answer)
    if not isinstance(pending, dict) or pending.get("user") != user.pk or data is None:
        raise mfa.SecondFactorError("That passkey set-up did not finish; try again.")
    try:
        with transaction.atomic(), rewrite_exceptions(logger=logger):
            device = _helper(request).register_complete(user=user, state=pending["state"], data=data)
    except (OTPWebAuthnApiError, WebAuthnException, IntegrityError, ValueError, TypeError, KeyError) as error:
        # IntegrityError: a passkey registered already (its credential id is unique).
        security_events.record(
            security_events.Kind.MFA_FAILED, user=user, request=request, during="enrolment", device="passkey"
        )
        logger.info("passkey registration refused for %s: %r", user.pk, error)
        raise mfa.SecondFactorError("This passkey could not be checked; try again.") from None
    with transaction.atomic():
        device.name = name
        device.save(update_fields=["name"])
        security_events.record(
            security_events.Kind.MFA_ENROLLED, user=user, request=request, device="passkey", device_id=device.pk
        )
        codes = mfa.recovery_codes_if_first(user)
    return device, codes


def assertion_options(request, user, *, purpose):
    """The options of ``navigator.credentials.get`` for ``user``'s passkeys (its challenge kept for ``purpose``)."""
    data, state = _helper(request).authenticate_begin(user=user, require_user_verification=False)
    kept = request.session.get(ASSERT_KEY)
    kept = dict(kept) if isinstance(kept, dict) else {}
    kept[purpose] = {"user": user.pk, "state": state}
    request.session[ASSERT_KEY] = kept
    return data


def assertion_verify(request, user, answer, *, purpose):
    """Check the browser's answer to the assertion options of ``purpose``; return the passkey, else None.

    The challenge is used once, accepted or not. A refusal records ``mfa_failed`` (device "passkey").
    """
    kept = request.session.get(ASSERT_KEY)
    pending = kept.pop(purpose, None) if isinstance(kept, dict) else None
    if isinstance(kept, dict):
        request.session[ASSERT_KEY] = kept
    request.session.save()  # the challenge is gone before the answer is looked at
    data = _parse(answer)
    device = None
    if isinstance(pending, dict) and pending.get("user") == user.pk and data is not None:
        try:
            with rewrite_exceptions(logger=logger):
                device = _helper(request).authenticate_complete(user=user, state=pending["state"], data=data)
        except (OTPWebAuthnApiError, WebAuthnException, ValueError, TypeError, KeyError) as error:
            logger.info("passkey assertion refused for %s: %r", user.pk, error)
            device = None
    if device is not None and not device.confirmed:
        device = None
    if device is None:
        security_events.record(
            security_events.Kind.MFA_FAILED, user=user, request=request, device="passkey", purpose=purpose
        )
    return device


def passkey_remove(*, user, device_id, password, request):
    """Remove one of the user's passkeys, after checking the password (as removing an authenticator app).

    When it was the user's last second factor, the recovery codes go too.
    """
    mfa.confirm_password(request, user, password)
    with transaction.atomic():
        device = WebAuthnCredential.objects.filter(user=user, pk=device_id).first()
        if device is None:
            raise mfa.SecondFactorError("No such passkey.")
        removed_id = device.pk
        device.delete()
        removed = ["passkey", *mfa.recovery_codes_drop_if_last(user)]
        security_events.record(
            security_events.Kind.MFA_REMOVED, user=user, request=request, device_id=removed_id, removed=removed
        )
