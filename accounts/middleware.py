"""MFA_REQUIRED_FOR: a user of such a role reaches only the enrolment page (and logout, static files) until they
have a second factor, and a session of such a user that no code verified is ended.

Only sessions signed in with a local password are concerned: a single sign-on session's second factor is the
identity provider's business.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import mfa


class SecondFactorRequiredMiddleware:
    """After django-otp's OTPMiddleware, which tells whether this session was verified by a device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request) if settings.MFA_REQUIRED_FOR else None
        return refusal or self.get_response(request)

    def refusal(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.session.get(BACKEND_SESSION_KEY) not in mfa.LOCAL_PASSWORD_BACKENDS:
            return None
        if not mfa.second_factor_required(user):
            return None
        path = request.path_info
        if any(path.startswith(allowed) for allowed in self.allowed_paths()):
            return None
        if mfa.has_second_factor(user):
            # Enrolled elsewhere after this session began: sign in again, with the code.
            logout(request)
            return redirect(settings.LOGIN_URL)
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Your role requires a second factor: set one up at /account/security/ first."},
                status=403,
            )
        return redirect("account_security")

    @staticmethod
    def allowed_paths():
        return (
            reverse("account_security"),
            reverse("logout"),
            reverse("login"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
