"""``POST /api/v1/auth/token/``: a username and password exchanged for an API token, with the sign-in limits.

The token's request and response shapes live here with the view, so that the token's API is read in one place.
"""

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.template.defaultfilters import pluralize
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.api import TOKEN_ERRORS_DOC, IssuedTokenSerializer, token_issued_response
from accounts.lockout import PASSWORD_MAX_LENGTH, login_failure_record, login_refused_for
from assessments.errors import InputError

from ..fields import Text
from ..schema import error_responses
from ..serializers.strict import StrictInputSerializer
from ..throttling import TokenRateThrottle
from .base import ApiView


class TokenRequestSerializer(StrictInputSerializer):
    username = Text(max_length=150, blank=False)
    password = Text(
        max_length=PASSWORD_MAX_LENGTH,
        allow_blank=False,
        style={"input_type": "password"},
        help_text="A wrong username or password is a 400; repeated failures lock the account for an hour (429).",
    )
    otp = Text(max_length=64, required=False, help_text="The second-factor code, for accounts that have one.")
    name = Text(max_length=100, required=False, help_text='What the token is for; default "API token <date>".')


def _locked_out_response(request):
    """django-axes refused the sign-in: say so in JSON, with how long the lock lasts."""
    cool_off = get_cool_off(request)
    detail = "Too many failed sign-in attempts for this account from your address; it is locked"
    headers = {}
    if cool_off:
        minutes = max(1, round(cool_off.total_seconds() / 60))
        detail += f" for {minutes} minute{pluralize(minutes)}."
        headers["Retry-After"] = str(int(cool_off.total_seconds()))
    else:
        detail += " until an administrator unlocks it."
    return Response({"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)


class TokenView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]

    @extend_schema(
        summary="Get an API token",
        description='Exchange a username and password for a token; send it as "Authorization: Token <token>". '
        "A wrong username or password is a 400 though the schema admits it; repeated failures lock the account "
        "for an hour.",
        request=TokenRequestSerializer,
        responses={
            200: IssuedTokenSerializer,
            **error_responses(400, 403, 409, 413, 415, 429, **TOKEN_ERRORS_DOC, e429="Throttled or locked."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        retry_after = login_refused_for(request)
        if retry_after is not None:
            return Response(
                {"detail": "Too many failed sign-ins from your network address; try again later."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry_after)},
            )
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=payload.validated_data["username"],
            password=payload.validated_data["password"],
        )
        if user is None:
            login_failure_record(request)
            if getattr(request, "axes_locked_out", False):
                return _locked_out_response(request)
            raise InputError({}, "Unable to sign in with that username and password.")
        data = payload.validated_data
        return token_issued_response(request, user, otp=data.get("otp", ""), name=data.get("name", ""))
