"""Pages of the second factor: the code step of signing in, and the account's security page (enrol, recovery
codes, removal). Thin: each parses the form, calls ``accounts.mfa`` and renders."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import mfa, mfa_login, passkeys
from .lockout import PASSWORD_MAX_LENGTH, login_refused_for, second_factor_failure_record
from .login import address_limited_response

CODE_MAX_LENGTH = 64


def _posted(request, name, limit=CODE_MAX_LENGTH):
    return str(request.POST.get(name, ""))[:limit]


class MethodsFirst:
    """A method the view does not use is a 405 before anything else (a sign-in redirect included)."""

    def dispatch(self, request, *args, **kwargs):
        return self.method_refused(request) or super().dispatch(request, *args, **kwargs)

    def method_refused(self, request):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request)
        return None


class SecondFactorLoginView(MethodsFirst, View):
    """The code step: a TOTP or recovery code, or a passkey's assertion (``passkey``, the browser's JSON), from the
    user whose password was right a moment ago."""

    http_method_names = ["get", "head", "post"]
    template_name = "registration/login_second_factor.html"

    def dispatch(self, request, *args, **kwargs):
        refused = self.method_refused(request)
        if refused:
            return refused
        self.user = mfa_login.pending_user(request)
        if self.user is None:
            mfa_login.pending_forget(request)
            messages.info(request, "Enter your username and password first.")
            return redirect(settings.LOGIN_URL)
        self.credentials = {"username": self.user.get_username()}
        return super().dispatch(request, *args, **kwargs)

    def next_url(self):
        url = self.request.POST.get("next") or self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return url if safe else settings.LOGIN_REDIRECT_URL

    def get(self, request):
        return self.render(error=None)

    def post(self, request):
        retry_after = login_refused_for(request)
        if retry_after is not None:
            return address_limited_response(request, retry_after)
        if AxesProxyHandler.is_locked(request, self.credentials):
            return self.locked_out()
        answer = str(request.POST.get("passkey", ""))[: passkeys.ANSWER_MAX_LENGTH + 1]
        if answer:
            device = passkeys.assertion_verify(request, self.user, answer, purpose=passkeys.LOGIN)
        else:
            device = mfa.verify_second_factor(self.user, _posted(request, "code"), request=request)
        if device is None:
            # Counted like a wrong password: django-axes locks the username after AXES_FAILURE_LIMIT.
            second_factor_failure_record(request, self.user)
            if AxesProxyHandler.is_locked(request, self.credentials):
                return self.locked_out()
            if answer:
                return self.render(error="Your passkey was not accepted. Try it again, or enter a code.")
            return self.render(error="That code is not right. Enter the code your app shows now, or a recovery code.")
        mfa_login.second_factor_complete(request, self.user, device)
        return redirect(self.next_url())

    def locked_out(self):
        mfa_login.pending_forget(self.request)
        return get_lockout_response(self.request, credentials=self.credentials)

    def render(self, error):
        context = {
            "error": error,
            "next": self.next_url(),
            "username": self.user.get_username(),
            "has_passkey": passkeys.has_passkey(self.user),
        }
        return render(self.request, self.template_name, context, status=400 if error else 200)


class SecurityView(MethodsFirst, LoginRequiredMixin, View):
    """The account's second factors: what is enrolled, and the forms to enrol, regenerate and remove."""

    http_method_names = ["get", "head"]

    def get(self, request):
        return self.page(request)

    @staticmethod
    def page(request, passkey_error=None, status=200):
        totp, recovery, remaining = mfa.confirmed_devices(request.user)
        context = {
            "totp_devices": totp,
            "passkeys": passkeys.confirmed_passkeys(request.user),
            "recovery": recovery,
            "recovery_remaining": remaining,
            "required": mfa.second_factor_required(request.user),
            "enrolled": mfa.has_second_factor(request.user),
            "passkey_error": passkey_error,
            "passkey_name_max": passkeys.NAME_MAX_LENGTH,
        }
        return render(request, "accounts/security.html", context, status=status)


class TotpStartView(MethodsFirst, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        mfa.totp_enrolment_start(user=request.user)
        return redirect("account_security_totp")


class TotpConfirmView(MethodsFirst, LoginRequiredMixin, View):
    """The QR code and the secret of the pending device, and the code that confirms it."""

    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.method_refused(request):
            self.device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
            if self.device is None:
                return redirect("account_security")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(error=None)

    def post(self, request):
        try:
            codes = mfa.totp_enrolment_confirm(
                user=request.user, device=self.device, code=_posted(request, "code"), request=request
            )
        except mfa.SecondFactorError as error:
            return self.render(error=error.message)
        otp_login(request, self.device)  # this session has just proved the factor
        messages.success(request, "Your authenticator app is set up. Signing in now asks for its code.")
        if codes:
            return render_recovery_codes(request, codes)
        return redirect("account_security")

    def render(self, error):
        context = {
            "device": self.device,
            "secret": mfa.totp_secret(self.device),
            "qr_svg": mfa.totp_qr_svg(self.device),
            "error": error,
        }
        return render(self.request, "accounts/totp_setup.html", context, status=400 if error else 200)


class RecoveryCodesView(MethodsFirst, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            codes = mfa.recovery_codes_regenerate(
                user=request.user, password=_posted(request, "password", PASSWORD_MAX_LENGTH), request=request
            )
        except mfa.SecondFactorError as error:
            messages.error(request, error.message)
            return redirect("account_security")
        return render_recovery_codes(request, codes)


class SecondFactorRemoveView(MethodsFirst, LoginRequiredMixin, View):
    """Removes one of the user's second factors once the password is confirmed: ``remove`` is the service
    (keyword-only ``user``, ``device_id``, ``password``, ``request``; raises ``mfa.SecondFactorError``), ``removed``
    the message said when it is done."""

    http_method_names = ["post"]
    remove = None
    removed = ""

    def post(self, request, pk):
        password = _posted(request, "password", PASSWORD_MAX_LENGTH)
        try:
            self.remove(user=request.user, device_id=pk, password=password, request=request)
        except mfa.SecondFactorError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.removed)
        return redirect("account_security")


class TotpRemoveView(SecondFactorRemoveView):
    remove = staticmethod(mfa.second_factor_remove)
    removed = "The authenticator app is removed."


def render_recovery_codes(request, codes):
    # Shown in this response only: they are not kept anywhere the page could show them again.
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account_security")})
    response["Cache-Control"] = "no-store"
    return response
