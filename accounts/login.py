"""The log-in views, and the page of an address over its failure limit (the limits: ``accounts.lockout``)."""

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import render

from .lockout import login_failure_record, login_refused_for
from .mfa_login import second_factor_pending
from .sso_discovery import sso_enabled


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
