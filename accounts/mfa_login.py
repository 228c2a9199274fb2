"""Signing in with a second factor: after the password, a user with a confirmed device is not signed in yet.

The password step (``accounts.login.LoginView``) calls ``second_factor_pending``: for such a user it keeps only
their id and backend in the session, for PENDING_SECONDS, and sends them to the code step
(``accounts.mfa_views.SecondFactorLoginView``), which signs them in and marks the session verified
(django-otp) once a code is accepted. Until then the session is anonymous.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login

from . import mfa

PENDING_KEY = "accounts_second_factor_pending"
# Time between the password and the code; after it the password is asked again.
PENDING_SECONDS = 5 * 60


def second_factor_pending(request, user, success_url):
    """A redirect to the code step when ``user`` has a second factor (their password was right); else None."""
    if not mfa.has_second_factor(user):
        return None
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "since": time.time()}
    url = reverse("login_second_factor")
    if success_url:
        url += "?" + urlencode({"next": success_url})
    return redirect(url)


def pending_user(request):
    """The user who gave their password and owes a code, or None (none, or PENDING_SECONDS passed)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is not None:
        user.backend = pending.get("backend")
    return user


def pending_forget(request):
    request.session.pop(PENDING_KEY, None)


def second_factor_complete(request, user, device):
    """Sign ``user`` in, with the session verified by ``device``."""
    pending_forget(request)
    auth_login(request, user, backend=user.backend)
    otp_login(request, device)
