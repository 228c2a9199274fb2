"""Pages and endpoints of passkeys: the options each browser ceremony starts from (JSON), adding a named passkey and
removing one on the security page. Thin: each calls ``accounts.passkeys`` and answers.

The browser's answers come back as JSON in an ordinary form field (static/js/passkeys.js): ``credential`` when
adding a passkey here, ``passkey`` in the code step of signing in (``accounts.mfa_views.SecondFactorLoginView``)
and in the sign forms (``accounts.reauth``).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views import View
from django_otp import login as otp_login

from . import mfa, mfa_login, passkeys
from .mfa_views import MethodsFirst, SecondFactorRemoveView, SecurityView, render_recovery_codes


def _refused(detail, status):
    return JsonResponse({"detail": detail}, status=status)


def _options(data):
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"  # a challenge, used once
    return response


def _posted(request, name, limit):
    return str(request.POST.get(name, ""))[:limit]


class RegistrationOptionsView(MethodsFirst, LoginRequiredMixin, View):
    """The options for ``navigator.credentials.create``: a new passkey for the signed-in user."""

    http_method_names = ["post"]

    def post(self, request):
        # A session that has not proved the existing second factor cannot add another (an attacker with the
        # password alone must not slip a passkey of theirs in). Such a session does not normally exist here.
        if mfa.has_second_factor(request.user) and not request.user.is_verified():
            return _refused("Sign in with your second factor before adding a passkey.", 403)
        return _options(passkeys.registration_options(request))


class PasskeyAddView(MethodsFirst, LoginRequiredMixin, View):
    """The browser's new passkey (``credential``) and its ``name``: kept once checked; first one brings codes."""

    http_method_names = ["post"]

    def post(self, request):
        if mfa.has_second_factor(request.user) and not request.user.is_verified():
            return _refused("Sign in with your second factor before adding a passkey.", 403)
        try:
            device, codes = passkeys.registration_complete(
                request,
                answer=_posted(request, "credential", passkeys.ANSWER_MAX_LENGTH + 1),
                name=_posted(request, "name", 1000),
            )
        except mfa.SecondFactorError as error:
            return SecurityView.page(request, passkey_error=error.message, status=400)
        if not request.user.is_verified():
            otp_login(request, device)  # this session has just proved the passkey
        messages.success(request, "Your passkey is set up. Signing in now asks for it after your password.")
        if codes:
            return render_recovery_codes(request, codes)
        return redirect("account_security")


class PasskeyRemoveView(SecondFactorRemoveView):
    remove = staticmethod(passkeys.passkey_remove)
    removed = "The passkey is removed."


class LoginAssertionOptionsView(MethodsFirst, View):
    """The options for ``navigator.credentials.get`` in the code step: the user whose password was just right."""

    http_method_names = ["post"]

    def post(self, request):
        user = mfa_login.pending_user(request)
        if user is None:
            return _refused("Enter your username and password first.", 403)
        if not passkeys.has_passkey(user):
            return _refused("This account has no passkey.", 400)
        return _options(passkeys.assertion_options(request, user, purpose=passkeys.LOGIN))


class SignAssertionOptionsView(MethodsFirst, LoginRequiredMixin, View):
    """The options for ``navigator.credentials.get`` when signing: the signed-in user's passkeys."""

    http_method_names = ["post"]

    def post(self, request):
        if not passkeys.has_passkey(request.user):
            return _refused("You have no passkey.", 400)
        return _options(passkeys.assertion_options(request, request.user, purpose=passkeys.SIGN))
