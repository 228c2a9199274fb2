"""Log-in limits beyond django-axes: failed log-ins per client address, across usernames.

django-axes locks one username from one address after AXES_FAILURE_LIMIT
failures, so nobody elsewhere can lock a user out. That alone lets one address
try a few passwords on every username; this module caps the failures of one
address (an IPv6 /64, which one client controls) at LOGIN_ADDRESS_FAILURE_LIMIT
per LOGIN_ADDRESS_WINDOW seconds, after which log-ins from it are refused,
before any password is checked, until the window ends.

Counts live in the default cache (shared by every web process when CACHE_URL is
set) in fixed windows, incremented atomically, so parallel attempts are all
counted.
"""

import math
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import render

from .mfa_login import second_factor_pending
from .network import address_block, client_address
from .sso_discovery import sso_enabled


def _window():
    """The current window's number and the seconds left in it."""
    length = settings.LOGIN_ADDRESS_WINDOW
    now = time.time()
    number = int(now // length)
    return number, (number + 1) * length - now


def _key(request, number):
    address = client_address(request)
    return f"login-failures:{address_block(address) if address else 'unknown'}:{number}"


def login_refused_for(request):
    """Seconds until log-ins from the client's address are allowed again; None when they are allowed now."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if limit is None:
        return None
    number, remaining = _window()
    if cache.get(_key(request, number), 0) >= limit:
        return max(1, math.ceil(remaining))
    return None


def login_failure_record(request):
    """Count one failed log-in against the client's address."""
    if settings.LOGIN_ADDRESS_FAILURE_LIMIT is None:
        return
    number, remaining = _window()
    key = _key(request, number)
    timeout = math.ceil(remaining) + 60
    cache.add(key, 0, timeout=timeout)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 1, timeout=timeout)


def second_factor_failure_record(request, user):
    """Count a wrong second-factor code like a wrong password: against the address here, and against the username
    through django-axes (the user_login_failed signal), which locks it after AXES_FAILURE_LIMIT failures.

    For every caller that checks a code (the code step of signing in, the token endpoint, signing re-authentication);
    whether the user is now locked out is ``AxesProxyHandler.is_locked(request, {"username": ...})``.
    """
    login_failure_record(request)
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def address_limited_response(request, retry_after):
    response = render(
        request,
        "registration/address_limited.html",
        {"minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class LoginView(auth_views.LoginView):
    """Django's log-in form, refusing addresses over the failure limit and counting their failures."""

    http_method_names = ["get", "head", "post"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The "Sign in with <provider>" button, when single sign-on is configured.
        context["sso_provider_name"] = settings.OIDC_PROVIDER_NAME if sso_enabled() else ""
        return context

    def post(self, request, *args, **kwargs):
        retry_after = login_refused_for(request)
        if retry_after is not None:
            return address_limited_response(request, retry_after)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # A user with a second factor is not signed in yet: the code step follows (accounts/mfa_login.py).
        return second_factor_pending(self.request, form.get_user(), self.get_success_url()) or super().form_valid(form)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            login_failure_record(self.request)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post"]
