"""``/api/v1/assessments/<id>/transitions/``: the transitions you may take now, and taking one."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import reauth
from assessments import selectors, services, transitions
from assessments.errors import NotPermitted, TransitionConflict
from assessments.models import State

from ..schema import ASSESSMENT_ID, error_responses
from ..serializers.assessments import AssessmentSerializer
from ..serializers.transitions import TRANSITION_REQUESTS, TransitionSerializer, transition_request_serializer
from .base import ApiView, assessment_data, visible_assessment

# One shape per kind of transition: approve alone takes conditions; request_changes and reject need a comment.
# The shapes' ``name`` enums do not overlap, so exactly one matches a valid request. (No discriminator: several
# names share a shape, and a mapping that repeats a shape reads to fuzzers as one alternative per name.)
TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="TransitionRequest",
    serializers=list(dict.fromkeys(TRANSITION_REQUESTS.values())),
    resource_type_field_name=None,
)


class TransitionsView(ApiView):
    @extend_schema(
        summary="Transitions you may take now",
        description="Only those your role allows in the current state and whose guards pass.",
        parameters=[ASSESSMENT_ID],
        responses={200: TransitionSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["transitions"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        return Response(selectors.available_transitions(request.user, assessment))

    @extend_schema(
        summary="Take a transition",
        description="Submit, approve (sign off the current stage, optionally with conditions), request changes, "
        "reject, resubmit, withdraw, launch, start a re-assessment or retire. Approve, request changes and reject "
        'are signing acts and carry your "password": without it a 400 with code reauthentication_required, a '
        "wrong one a 403 (counted towards the lockout); accounts that sign in through single sign-on only sign in "
        "the browser (403).",
        parameters=[ASSESSMENT_ID],
        request=TRANSITION_REQUEST,
        responses={
            200: AssessmentSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        tags=["transitions"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        payload = transition_request_serializer(request.data)
        if not payload.is_valid():
            # Who may act is decided before the input: a refusal (a stale state first) outranks a malformed body.
            body = request.data if isinstance(request.data, dict) else {}
            expected_state = body.get("expected_state")
            refusal = services.transition_refusal(
                assessment=assessment,
                name=body.get("name"),
                by=request.user,
                # Only a state's name: a malformed expected_state is the body's fault, a 400.
                expected_state=expected_state if expected_state in State.values else None,
            )
            if isinstance(refusal, NotPermitted | TransitionConflict):
                raise refusal
            raise ValidationError(payload.errors)
        data = payload.validated_data
        if transitions.get(data["name"]).signs:
            _reauthenticate(request, assessment, data)
        updated = services.assessment_transition(
            assessment=assessment,
            name=data["name"],
            by=request.user,
            comment=data.get("comment", ""),
            conditions=data.get("conditions"),
            carried_conditions=data.get("carried_conditions"),
            expected_state=data.get("expected_state"),
        )
        return Response(assessment_data(updated))


def _reauthenticate(request, assessment, data):
    """A signing act carries the signer's password, checked after a stale state and who may act (their refusals
    outrank it: a late approval is a 409 stale_state, and checks no password)."""
    refusal = services.transition_refusal(
        assessment=assessment, name=data["name"], by=request.user, expected_state=data.get("expected_state")
    )
    if isinstance(refusal, NotPermitted | TransitionConflict):
        raise refusal
    failed = reauth.check_password_for_signing(request._request, request.user, data.get("password", ""))
    if failed is None:
        return
    if failed.code == reauth.REQUIRED:
        raise ValidationError({"detail": failed.message, "code": failed.code, "password": failed.message})
    # A 403 that says why for programs too: reauthentication_failed, or sign_in_the_browser (no password here).
    raise PermissionDenied({"detail": failed.message, "code": failed.code})
