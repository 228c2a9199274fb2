"""The two ends of a single sign-on: sending the browser to the identity provider, and its callback.

mozilla-django-oidc's views, with the provider's endpoints read from its discovery document and every
failure (provider unreachable, sign-on refused, state expired) shown on the login page with its reason.
The callback also answers a signer's confirmation at the provider (``accounts.sso_reauth``), told apart by the
state it started, so that the provider knows one redirect address for both.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import sso_reauth
from .sso_discovery import ProviderUnavailable, provider, sso_enabled


def _failed(request, reason):
    messages.error(request, f"Single sign-on with {settings.OIDC_PROVIDER_NAME} did not complete: {reason}")
    return redirect("login")


class SingleSignOnStart(OIDCAuthenticationRequestView):
    http_method_names = ["get", "head"]

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is read from discovery in get(), not from settings

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except ProviderUnavailable as exc:
            return _failed(request, str(exc))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SingleSignOnCallback(OIDCAuthenticationCallbackView):
    http_method_names = ["get", "head"]

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        if sso_reauth.owns(request):
            return sso_reauth.finish(request)
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A callback whose state this session did not start: an old tab, or someone else's link.
            return _failed(request, "the sign-on was started in another session or has expired. Try again.")

    def login_failure(self):
        request = self.request
        refusal = getattr(request, "sso_refusal", None)
        if refusal is not None:
            return _failed(request, refusal.message)
        error = request.GET.get("error")
        if error:
            return _failed(request, f"the identity provider answered {error[:100]!r}.")
        return _failed(request, "the sign-on was started in another session or has expired. Try again.")
