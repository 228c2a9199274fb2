"""Sign-ins, failures, lockouts and sign-outs become security events (connected in ``AccountsConfig.ready``).

Django's and django-axes' signals carry the request, so every path that logs someone in or out (the login
form, the admin's, single sign-on, the test client) is recorded once, here.
"""

from axes.signals import user_locked_out
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .security_events import Kind, record

SSO_BACKEND = "accounts.sso_backend.SingleSignOnBackend"
# Set on the request by whoever logs a user out for a reason of their own (idle expiry), so that the
# sign-out is recorded as that reason and not as a plain sign-out.
LOGOUT_REASON_ATTRIBUTE = "security_logout_reason"


def _method(request):
    backend = getattr(request, "session", {}).get(BACKEND_SESSION_KEY, "") if request is not None else ""
    return "sso" if backend == SSO_BACKEND else "password"


def on_logged_in(sender, request, user, **kwargs):
    if _method(request) == "sso":
        record(Kind.SSO_LOGIN, user=user, request=request, new_user=bool(getattr(user, "sso_created", False)))
    else:
        record(Kind.LOGIN, user=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    refusal = getattr(request, "sso_refusal", None)
    if refusal is not None or "nonce" in credentials:
        record(Kind.LOGIN_FAILED, request=request, method="sso", reason=refusal.code if refusal else "refused")
        return
    username = credentials.get("username")
    record(
        Kind.LOGIN_FAILED,
        username=username if isinstance(username, str) else "",
        request=request,
        method="password",
    )


def on_locked_out(sender, request=None, username=None, **kwargs):
    record(Kind.LOCKOUT, username=username if isinstance(username, str) else "", request=request)


def on_logged_out(sender, request=None, user=None, **kwargs):
    if user is None:
        return  # nobody was logged in
    if getattr(request, LOGOUT_REASON_ATTRIBUTE, None) == Kind.SESSION_EXPIRED:
        return  # recorded by the idle-session middleware, with the idle time
    record(Kind.LOGOUT, user=user, request=request)


def connect():
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.security_events.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.security_events.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.security_events.locked_out")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.security_events.logged_out")
