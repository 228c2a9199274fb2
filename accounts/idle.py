"""Sessions end after ``SESSION_IDLE_SECONDS`` without a request.

The time of the last request is kept in the session. To spare a session write on every request it is
rewritten only when it is ``ACTIVITY_RESOLUTION`` seconds old or more, so a session ends between
``SESSION_IDLE_SECONDS - ACTIVITY_RESOLUTION`` and ``SESSION_IDLE_SECONDS`` after its last request: never
later. A login starts the clock.
"""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .security_events import Kind, record
from .security_receivers import LOGOUT_REASON_ATTRIBUTE

LAST_ACTIVITY_KEY = "last_activity"
ACTIVITY_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="accounts.idle.start_clock")
def start_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A request without a session cookie has no one signed in: reading request.user would mark the session
        # accessed and add "Vary: Cookie" to public pages that caches may share (the register).
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request, user):
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY_KEY)
        idle_limit = settings.SESSION_IDLE_SECONDS
        if isinstance(last, int) and idle_limit and now - last > idle_limit:
            setattr(request, LOGOUT_REASON_ATTRIBUTE, Kind.SESSION_EXPIRED)
            record(Kind.SESSION_EXPIRED, user=user, request=request, idle_seconds=now - last)
            auth.logout(request)
            minutes = max(1, idle_limit // 60)
            messages.info(
                request,
                f"You were logged out after {minutes} minute{'s' if minutes != 1 else ''} without activity. "
                "Log in again to continue.",
            )
            return
        if not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION:
            request.session[LAST_ACTIVITY_KEY] = now
