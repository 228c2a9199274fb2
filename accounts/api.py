"""API of one's own tokens (DESIGN sections 9 and 12): list them, revoke one, and the token issue's answer.

``GET /api/v1/auth/tokens/`` lists the caller's live tokens (never a key), ``DELETE /api/v1/auth/tokens/<id>/``
revokes one of them (another user's id is a 404). ``token_issued_response`` is what ``POST /api/v1/auth/token/``
answers once the password is right: it asks for the second factor of users who have one and makes the token.
"""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from . import mfa, tokens
from .lockout import second_factor_failure_record
from .models_tokens import ApiToken

MAX_TOKEN_ID = 2**53 - 1  # the largest id a JSON client reads exactly
OTP_REQUIRED = "otp_required"
OTP_INVALID = "otp_invalid"
ENROLMENT_REQUIRED = "mfa_enrolment_required"
TOKEN_LIMIT = "token_limit"


class ApiTokenSerializer(serializers.ModelSerializer):
    created = serializers.DateTimeField(source="created_at")
    last_used = serializers.DateTimeField(source="last_used_at", allow_null=True)
    expires = serializers.DateTimeField(source="expires_at")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "last_used", "expires"]
        read_only_fields = fields


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        help_text='The key, shown this once (only its digest is stored): send it as "Authorization: Token <token>".'
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


def _error(name, description):
    body = inline_serializer(name, {"detail": serializers.CharField(), "code": serializers.CharField(required=False)})
    return OpenApiResponse(body, description=description)


def token_issued_response(request, user, *, otp="", name=""):
    """The answer to a token request whose username and password were right.

    A user with a second factor must send ``otp`` (a TOTP or recovery code): without it 400 ``otp_required``; a
    wrong one 403 ``otp_invalid``, counted towards the lockout like a wrong password. A user whose role requires a
    second factor (MFA_REQUIRED_FOR) and who has none gets 403 ``mfa_enrolment_required``. A user holding
    MAX_LIVE_TOKENS live tokens gets 409 (reason ``token_limit``). Otherwise 200 with the new token and its key.
    """
    if mfa.has_second_factor(user):
        if not otp:
            return Response(
                {"detail": "Your account has a second factor: send its code as otp.", "code": OTP_REQUIRED},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if mfa.verify_second_factor(user, otp, request=request) is None:
            second_factor_failure_record(request, user)
            return Response(
                {"detail": "That second-factor code is not right.", "code": OTP_INVALID},
                status=status.HTTP_403_FORBIDDEN,
            )
    elif mfa.second_factor_required(user):
        return Response(
            {
                "detail": "Your role requires a second factor: set one up in the browser at /account/security/.",
                "code": ENROLMENT_REQUIRED,
            },
            status=status.HTTP_403_FORBIDDEN,
        )
    try:
        issued = tokens.token_create(user=user, name=name, request=request)
    except tokens.TokenLimitReached:
        message = f"You hold {tokens.MAX_LIVE_TOKENS} live tokens; revoke one first."
        # A refusal by stored state, as the API's other 409s: detail and reasons.
        reason = {"code": TOKEN_LIMIT, "message": message, "question": None}
        return Response({"detail": message, "reasons": [reason]}, status=status.HTTP_409_CONFLICT)
    return Response({"token": issued.key, **ApiTokenSerializer(issued.token).data})


TOKEN_ERRORS_DOC = {
    "e400": "Wrong username or password, a field missing, or `otp` missing for an account with a second factor "
    "(`code`: `otp_required`).",
    "e403": "The second-factor code is wrong (`code`: `otp_invalid`), or the account's role requires a second "
    "factor it has not set up (`code`: `mfa_enrolment_required`).",
    "e409": "The account holds the most live tokens it may (reason `token_limit`): revoke one first.",
}


class TokenRateThrottle(UserRateThrottle):
    """Reads and revocations of one's tokens, per user (API_THROTTLE_RATES["api_tokens"] changes the rate)."""

    scope = "api_tokens"

    def get_rate(self):
        rates = getattr(settings, "API_THROTTLE_RATES", None) or {}
        return rates.get(self.scope, "60/min")


class QueryParametersRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


class OwnTokensView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenRateThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(request.query_params)[:20]
        if unknown:
            message = "This endpoint takes no query parameters."
            raise QueryParametersRefused({"detail": message, **{name[:100]: message for name in unknown if name}})


COMMON_ERRORS = {
    400: _error("TokenQueryError", "A query parameter was given; these endpoints take none."),
    401: _error("TokenAuthError", "No valid credentials: send `Authorization: Token <token>`."),
    429: _error("TokenThrottled", "Too many requests; wait and retry."),
}


class TokenListView(OwnTokensView):
    @extend_schema(
        summary="Your API tokens",
        description="Your tokens that still work (not expired, not revoked), newest first; never their keys.",
        responses={200: ApiTokenSerializer(many=True), **COMMON_ERRORS},
        tags=["auth"],
    )
    def get(self, request):
        live = tokens.live_tokens(request.user, timezone.now())
        return Response(ApiTokenSerializer(live, many=True).data)


TOKEN_ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": MAX_TOKEN_ID},
    OpenApiParameter.PATH,
    description="The token's id, from the list.",
)


class TokenDetailView(OwnTokensView):
    @extend_schema(
        summary="Revoke one of your API tokens",
        description="The token stops working at once. Another user's token, or one already revoked or expired, is "
        "a 404.",
        parameters=[TOKEN_ID],
        responses={
            204: None,
            **COMMON_ERRORS,
            404: _error("TokenNotFound", "No such live token of yours."),
        },
        tags=["auth"],
    )
    def delete(self, request, pk):
        pk = int(pk)
        token = tokens.live_tokens(request.user).filter(pk=pk).first() if 1 <= pk <= MAX_TOKEN_ID else None
        if token is None or not tokens.token_revoke(token=token, by=request.user, request=request):
            raise NotFound("No such token of yours.")
        return Response(status=status.HTTP_204_NO_CONTENT)
