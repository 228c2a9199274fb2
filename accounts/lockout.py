"""Every failed credential counts towards the lockout one way: passwords and second-factor codes, wherever asked.

Two limits. django-axes locks one username from one address after AXES_FAILURE_LIMIT failures (the
``user_login_failed`` signal counts one; ``authenticate()`` with the request sends it, and refuses a locked-out
username even with the right password), so nobody elsewhere can lock a user out. That alone lets one address try
a few passwords on every username; the address limit caps the failures of one address (an IPv6 /64, which one
client controls) at LOGIN_ADDRESS_FAILURE_LIMIT per LOGIN_ADDRESS_WINDOW seconds, after which log-ins from it
are refused, before any password is checked, until the window ends.

Every place that checks a password for a sensitive act (signing, removing a second factor, new recovery codes)
calls ``password_confirmed``, and every place that checks a code calls ``second_factor_failure_record`` on a
wrong one: each failure is counted against the username (django-axes) and the address, like a failed log-in.

Address counts live in the default cache (shared by every web process when CACHE_URL is set) in fixed windows,
incremented atomically, so parallel attempts are all counted.
"""

import math
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache

from .network import address_block, client_address

# The longest password any form or endpoint takes (a longer one is refused as input, before it is hashed).
PASSWORD_MAX_LENGTH = 4096


def password_confirmed(request, user, password):
    """Whether ``password`` is ``user``'s, for a sensitive act by the signed-in ``user``; a wrong one is counted.

    Through ``authenticate()`` with the request: django-axes counts a failure against the username and refuses
    a locked-out account (False, even with the right password, and the lockout answers the request); the
    failure is counted against the address too. An empty password is no attempt: False, counted nowhere.
    """
    if not password:
        return False
    found = authenticate(request=request, username=user.get_username(), password=password)
    if found is not None and found.pk == user.pk:
        return True
    login_failure_record(request)
    return False


def second_factor_failure_record(request, user):
    """Count a wrong second-factor code like a wrong password: against the address here, and against the username
    through django-axes (the user_login_failed signal), which locks it after AXES_FAILURE_LIMIT failures.

    For every caller that checks a code (the code step of signing in, the token endpoint, signing re-authentication);
    whether the user is now locked out is ``AxesProxyHandler.is_locked(request, {"username": ...})``.
    """
    login_failure_record(request)
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


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
    """Count one failure (a log-in, a password or a code) against the client's address."""
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
