"""Signing without a local password: the signer confirms with a fresh login at the identity provider.

An account that signs in only through single sign-on has no password to type when a signing act asks for a
re-authentication (``accounts.reauth``). ``begin`` sends its browser to the provider's authorization endpoint
with ``prompt=login`` and ``max_age=OIDC_REAUTH_MAX_AGE`` (OpenID Connect Core 1.0, section 3.1.2.1), and
remembers in the session, server-side, the state of that request, whose session user asked and where to come back
to (the caller keeps what the signer had typed). The provider answers at the same callback as a sign-on
(``accounts.sso_views``), which hands a state it finds here to ``finish``. That:

- exchanges the code and verifies the ID token like a sign-on (signature, issuer, audience, nonce, subject;
  ``accounts.sso_backend``), but creates, updates and logs in nobody;
- refuses an ID token whose subject is not linked to the session's user (another account at the provider), and
  one without ``auth_time`` or whose ``auth_time`` is older than ``OIDC_REAUTH_MAX_AGE`` seconds: the provider did
  not ask for the password again (a provider that ignores ``prompt``, or a request stripped of it on the way);
- on success notes the re-authentication (``reauth.note_reauthentication``) and returns to the page, where the
  signer completes the act with one more click, seeing what they sign.

Every outcome is a security event: ``reauthenticated`` (via ``sso``) or ``reauth_failed`` with a reason code.
"""

import time
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from . import reauth, security_events
from .models import SingleSignOnIdentity
from .sso_backend import SingleSignOnBackend
from .sso_discovery import ProviderUnavailable, provider

SESSION_KEY = "sso_signing_reauth"  # {state: {"user": pk, "return_to": path, "started_at": seconds}}
MAX_PENDING = 5
# How far in the future an auth_time may be (the provider's clock a little ahead of ours).
CLOCK_SKEW_SECONDS = 30


def max_age():
    return int(settings.OIDC_REAUTH_MAX_AGE)


class _SigningStart(OIDCAuthenticationRequestView):
    """The sign-on's authorization request (state, nonce, PKCE), asking the provider for a fresh login."""

    def __init__(self, *, authorization_endpoint):
        View.__init__(self)  # the endpoint comes from discovery, not from settings
        self.OIDC_OP_AUTH_ENDPOINT = authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get_extra_params(self, request):
        return {"prompt": "login", "max_age": str(max_age())}


class _Confirmation(SingleSignOnBackend):
    """The sign-on's code exchange and ID token checks; returns the verified claims instead of a user."""

    def get_or_create_user(self, access_token, id_token, payload):
        return payload


def begin(request, *, return_to):
    """Send the session's user to the identity provider to sign in again; come back to ``return_to`` (a path)."""
    if not url_has_allowed_host_and_scheme(return_to, allowed_hosts=None) or not return_to.startswith("/"):
        raise ValueError(f"return_to must be a path on this site, not {return_to!r}")
    try:
        endpoint = provider().authorization_endpoint
    except ProviderUnavailable as exc:
        return _refused(request, "provider_unavailable", str(exc), return_to)
    view = _SigningStart(authorization_endpoint=endpoint)
    view.setup(request)
    # It sets oidc_login_next, which is a sign-on's; a confirmation comes back to return_to and leaves it be.
    login_next = request.session.get("oidc_login_next")
    response = view.get(request)
    request.session["oidc_login_next"] = login_next
    state = parse_qs(urlparse(response["Location"]).query).get("state", [""])[0]
    pending = dict(request.session.get(SESSION_KEY) or {})
    for old in sorted(pending, key=lambda s: pending[s].get("started_at", 0))[: max(0, len(pending) - MAX_PENDING + 1)]:
        del pending[old]
    pending[state] = {"user": request.user.pk, "return_to": return_to, "started_at": time.time()}
    request.session[SESSION_KEY] = pending
    return response


def let_forms_reach_provider(response):
    """Let ``response``'s page post sign forms that continue to the provider; returns ``response``.

    A sign form posts to this site, which redirects to the provider's authorization endpoint; the page's
    Content-Security-Policy ``form-action`` governs that redirect too, so it names the provider's origin.
    """
    try:
        endpoint = urlparse(provider().authorization_endpoint)
    except ProviderUnavailable:
        return response  # the post says so (begin) and stays on this site
    if endpoint.scheme in ("http", "https") and endpoint.netloc:
        response._csp_update = {"form-action": [f"{endpoint.scheme}://{endpoint.netloc}"]}
    return response


def owns(request):
    """True when this callback answers a re-authentication this session started (not a sign-on)."""
    state = request.GET.get("state")
    pending = request.session.get(SESSION_KEY)
    return isinstance(state, str) and isinstance(pending, dict) and state in pending


def finish(request):
    """The provider's answer to ``begin``: note the re-authentication or refuse it; back to the page either way."""
    state = request.GET["state"]
    pending = dict(request.session[SESSION_KEY])
    started = pending.pop(state)
    request.session[SESSION_KEY] = pending
    # The state, nonce and code verifier mozilla-django-oidc stored: used once, whatever the outcome.
    states = dict(request.session.get("oidc_states") or {})
    credentials = states.pop(state, None)
    request.session["oidc_states"] = states
    return_to = started["return_to"]
    user = request.user
    if not user.is_authenticated or user.pk != started["user"]:
        # Signed out, or signed in as someone else, since the confirmation started: nothing to confirm.
        return _refused(request, "session_changed", "you are no longer signed in as the person who started it.", "/")
    error = request.GET.get("error")
    if error:
        return _refused(request, "provider_error", f"the identity provider answered {error[:100]!r}.", return_to)
    if credentials is None or not request.GET.get("code"):
        return _refused(request, "state", "the provider's answer did not match the request. Try again.", return_to)
    backend = _Confirmation()
    claims = backend.authenticate(
        request, nonce=credentials.get("nonce"), code_verifier=credentials.get("code_verifier")
    )
    if claims is None:
        refusal = getattr(request, "sso_refusal", None)
        code, message = (refusal.code, refusal.message) if refusal else ("token_invalid", "it could not be verified.")
        return _refused(request, code, message, return_to)
    linked = SingleSignOnIdentity.objects.filter(user=user, issuer=backend.provider.issuer, subject=claims["sub"])
    if not linked.exists():
        return _refused(
            request,
            "other_account",
            f"you signed in to {settings.OIDC_PROVIDER_NAME} as another person; "
            "sign in there with your own account to sign here.",
            return_to,
            subject=claims["sub"],
        )
    stale = auth_time_refusal(claims, now=time.time())
    if stale is not None:
        return _refused(request, *stale, return_to)
    reauth.note_reauthentication(request)
    security_events.record(
        security_events.Kind.REAUTHENTICATED, user=user, request=request, via="sso", auth_time=claims["auth_time"]
    )
    messages.success(request, f"Confirmed with {settings.OIDC_PROVIDER_NAME}: you can sign now.")
    return redirect(return_to)


def auth_time_refusal(claims, *, now):
    """None when the ID token's ``auth_time`` is within ``OIDC_REAUTH_MAX_AGE`` of ``now``, else (code, message)."""
    at = claims.get("auth_time")
    if isinstance(at, bool) or not isinstance(at, int | float):
        return (
            "auth_time_missing",
            "the identity provider did not say when you signed in, so the sign-in cannot confirm a signature.",
        )
    age = now - at
    if age > max_age() or age < -CLOCK_SKEW_SECONDS:
        return (
            "auth_time_stale",
            "the identity provider did not ask you to sign in again; a signature needs a fresh sign-in there.",
        )
    return None


def _refused(request, reason, message, return_to, **details):
    user = request.user if request.user.is_authenticated else None
    security_events.record(
        security_events.Kind.REAUTH_FAILED, user=user, request=request, via="sso", reason=reason, **details
    )
    messages.error(request, f"Confirming with {settings.OIDC_PROVIDER_NAME} did not work: {message}")
    return redirect(return_to)
