"""Re-authentication at the moment of signing: the signer shows they are present and mean it.

A signing act (approve, request changes, reject) needs a re-authentication no older than
``SIGNING_REAUTH_SECONDS``: in the browser the session remembers when its user last proved who they are (the
log-in itself counts; ``note_reauthentication``), and the sign form asks for the password again, plus a code
from a confirmed django-otp device when the user has one, once that moment is too long ago. Through the API
every signing act carries the password (``check_password_for_signing``): a token proves who sent a request, not
that its owner was present.

The password is checked by ``accounts.lockout.password_confirmed``, like every password asked for a sensitive
act: a failure counts towards the lockout, and a locked-out account is refused; each failure and success is a
security event.

The code is checked by ``accounts.mfa`` (TOTP or a recovery code), or, for a user with a passkey, the passkey's
assertion (the browser's JSON, ``passkey``) by ``accounts.passkeys``; a wrong one counts towards the lockout like a
wrong password (``accounts.lockout.second_factor_failure_record``).

An account without a local password that signs in through single sign-on (``signs_through_provider``) confirms
with a fresh login at the identity provider instead (``accounts.sso_reauth``), which notes the re-authentication
here; through the API it cannot sign at all (``BROWSER_ONLY``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from . import mfa, passkeys, security_events
from .lockout import password_confirmed, second_factor_failure_record
from .sso_discovery import sso_enabled

SESSION_KEY = "reauthenticated_at"

# Codes of the refusals, for programs (the API's ``code``) and tests.
REQUIRED = "reauthentication_required"
WRONG = "reauthentication_failed"
BROWSER_ONLY = "sign_in_the_browser"


@dataclass(frozen=True)
class Refusal:
    """Why a re-authentication did not happen: ``code`` for programs, ``message`` for people, ``field``."""

    code: str
    message: str
    field: str = "password"


def window_seconds():
    return int(getattr(settings, "SIGNING_REAUTH_SECONDS", 300))


def note_reauthentication(request):
    """Record in the session that its user proved who they are just now."""
    request.session[SESSION_KEY] = timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="accounts.reauth.log_in_counts")
def _log_in_counts(sender, request, user, **kwargs):
    # A log-in is a re-authentication: signing straight after it asks for nothing more.
    if request is not None and hasattr(request, "session"):
        note_reauthentication(request)


def is_fresh(request):
    """True when the session's user re-authenticated within ``SIGNING_REAUTH_SECONDS``."""
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    age = timezone.now().timestamp() - at
    return 0 <= age <= window_seconds()


def needs_code(user):
    return mfa.has_second_factor(user)


def has_local_password(user):
    return user.has_usable_password()


def signs_through_provider(user):
    """True when ``user`` has no local password and confirms a signature by signing in at the identity provider."""
    return not has_local_password(user) and sso_enabled() and user.sso_identities.exists()


def reauthenticate_in_browser(request, *, password, code="", passkey=""):
    """Check the signer's password (and code or passkey, with a confirmed device); note success in the session.

    Returns None on success, else a Refusal. Each attempt is a security event; a wrong password counts
    towards the lockout.
    """
    user = request.user
    if not has_local_password(user):
        return Refusal(BROWSER_ONLY, "Your account has no password here: sign in again through single sign-on.")
    if not password:
        return Refusal(REQUIRED, "Enter your password to sign.")
    if not password_confirmed(request, user, password):
        security_events.record(security_events.Kind.REAUTH_FAILED, user=user, request=request, reason="password")
        return Refusal(WRONG, "That password is not right.")
    if needs_code(user):
        if passkey:
            if passkeys.assertion_verify(request, user, passkey, purpose=passkeys.SIGN) is None:
                second_factor_failure_record(request, user)
                security_events.record(security_events.Kind.REAUTH_FAILED, user=user, request=request, reason="passkey")
                return Refusal(WRONG, "Your passkey was not accepted. Try it again, or enter a code.", field="code")
        elif not code:
            if passkeys.has_passkey(user):
                return Refusal(REQUIRED, "Use your passkey, or enter a code or a recovery code.", field="code")
            return Refusal(REQUIRED, "Enter the code from your authenticator app, or a recovery code.", field="code")
        elif mfa.verify_second_factor(user, code, request=request) is None:
            second_factor_failure_record(request, user)
            security_events.record(security_events.Kind.REAUTH_FAILED, user=user, request=request, reason="code")
            return Refusal(WRONG, "That code is not right.", field="code")
    security_events.record(security_events.Kind.REAUTHENTICATED, user=user, request=request, via="browser")
    note_reauthentication(request)
    return None


def check_password_for_signing(request, user, password):
    """The API's rule: a signing act carries the signer's password. None when it is right, else a Refusal.

    An account without a usable password (single sign-on only) signs in the browser.
    """
    if not has_local_password(user):
        return Refusal(
            BROWSER_ONLY,
            "Your account signs in through single sign-on and has no password here; sign in the browser.",
        )
    if not password:
        return Refusal(REQUIRED, 'Signing needs your password: send it as "password" with this request.')
    if not password_confirmed(request, user, password):
        security_events.record(security_events.Kind.REAUTH_FAILED, user=user, request=request, reason="password")
        return Refusal(WRONG, "That password is not right; repeated failures lock the account.")
    security_events.record(security_events.Kind.REAUTHENTICATED, user=user, request=request, via="api")
    return None


def what_signing_asks(request):
    """What the browser's sign form asks now: ``{"password": bool, "code": bool, "passkey": bool, "provider":
    name or ""}``.

    Nothing while fresh; ``provider`` (its name) when the signer confirms at the identity provider
    (``accounts.sso_reauth``); with a passkey, the code field takes a code or a recovery code in its place.
    """
    if is_fresh(request):
        return {"password": False, "code": False, "passkey": False, "provider": ""}
    if signs_through_provider(request.user):
        return {"password": False, "code": False, "passkey": False, "provider": settings.OIDC_PROVIDER_NAME}
    return {
        "password": True,
        "code": needs_code(request.user),
        "passkey": passkeys.has_passkey(request.user),
        "provider": "",
    }
