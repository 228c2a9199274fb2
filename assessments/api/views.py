"""The REST API (DESIGN section 9): thin views over the same services and selectors as the browser.

Each view parses its input, asks ``assessments.selectors`` what the caller may
see (anything else is 404), calls one service, and renders the result. The
services decide what the caller may do (403), what the state allows (409) and
which values are valid (400); ``exceptions.api_exception_handler`` turns their
errors into JSON.
"""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiRequest, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import TOKEN_ERRORS_DOC, IssuedTokenSerializer, token_issued_response
from accounts.login import login_failure_record, login_refused_for
from assessments import bias_services, bias_upload, canonical, permissions, selectors, services
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.filters import AssessmentFilter
from assessments.models import Assessment, Condition, SignOff
from assessments.questionnaire import current_questionnaire, get_questionnaire

from . import serializers
from .exceptions import api_exception_handler
from .filters import StrictFilterBackend
from .pagination import AssessmentCursorPagination, CursorQuery
from .parsers import PayloadTooLarge, StrictJSONParser
from .query import refuse_unknown_query_parameters
from .schema import ASSESSMENT_ID, OVERDUE, QUERY_TEXT, RISK_LEVEL, STAGE, TEAM, error_responses
from .throttling import ReadRateThrottle, TokenRateThrottle, WriteRateThrottle


def _locked_out_response(request):
    """django-axes refused the sign-in: say so in JSON, with how long the lock lasts."""
    cool_off = get_cool_off(request)
    detail = "Too many failed sign-in attempts for this account from your address; it is locked"
    headers = {}
    if cool_off:
        minutes = max(1, round(cool_off.total_seconds() / 60))
        detail += f" for {minutes} minutes."
        headers["Retry-After"] = str(int(cool_off.total_seconds()))
    else:
        detail += " until an administrator unlocks it."
    return Response({"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)


class ApiView(APIView):
    # JSON in, JSON out, errors as JSON, authenticated, throttled per user.

    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer]
    permission_classes = [IsAuthenticated]
    throttle_classes = [ReadRateThrottle, WriteRateThrottle]
    # The query parameters this endpoint reads; any other is a 400 naming it (query.py).
    query_parameters = frozenset()

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        # Before content negotiation, so that ?format=xml is refused by name like any other unknown parameter.
        refuse_unknown_query_parameters(request, self.query_parameters)
        super().initial(request, *args, **kwargs)
        # Query parameters are text entering too: one that cannot be stored is a 400 naming it, not a 500.
        found = canonical.unstorable_paths({key: request.query_params.getlist(key) for key in request.query_params})
        if found:
            raise ValidationError(
                {str(path[0]) if path else "query": "This parameter " + message for path, message in found}
            )


def with_details(queryset):
    """Everything the assessment representation reads, in a fixed number of queries."""
    return queryset.select_related("feature__team").prefetch_related(
        Prefetch("sign_offs", queryset=SignOff.objects.select_related("reviewer")),
        Prefetch("conditions", queryset=Condition.objects.select_related("owner")),
    )


def visible_assessment(request, pk):
    """The assessment if the caller may see it; 404 otherwise, so its existence is not revealed."""
    try:
        return with_details(selectors.assessments_visible_to(request.user)).get(pk=pk)
    except Assessment.DoesNotExist:
        raise NotFound("No such assessment.") from None


def assessment_data(assessment):
    fresh = with_details(Assessment.objects).get(pk=assessment.pk)
    return serializers.AssessmentSerializer(fresh).data


class QuestionnaireView(ApiView):
    @extend_schema(
        summary="The current questionnaire",
        description="The questionnaire new assessments answer, with the same fields as its YAML file.",
        responses={200: serializers.QuestionnaireSerializer, **error_responses(401, 429)},
        tags=["questionnaire"],
    )
    def get(self, request):
        return Response(current_questionnaire().as_data())


class AssessmentListView(ApiView, GenericAPIView):
    serializer_class = serializers.AssessmentSummarySerializer
    pagination_class = AssessmentCursorPagination
    filter_backends = [StrictFilterBackend]
    filterset_class = AssessmentFilter
    # The filters, the cursor's parameters, and the retired ``page`` (refused with its own message).
    query_parameters = frozenset(
        [*AssessmentFilter.base_filters, *CursorQuery().fields, *AssessmentCursorPagination.retired]
    )

    def get_queryset(self):
        # Rows of the summary: the columns it shows, no answers, no sign-offs or conditions to prefetch.
        return selectors.assessments_visible_to(self.request.user).only(*serializers.SUMMARY_COLUMNS)

    @extend_schema(
        summary="List the assessments you may see",
        description="Your teams' assessments (drafts included) and, for the committee and auditors, "
        "every assessment past draft. Newest change first, walked by cursor: follow `next` for older changes and "
        "`previous` for newer ones; `null` means there is no such page. Nothing is counted, so every page costs "
        "the same however many assessments exist. Each row is a summary (state, risk level, round, the answers' "
        "`content_hash`); its `url` reads the whole assessment. A `cursor` the server did not write is a 400 though "
        "the schema admits it; a `team` you may not see matches nothing, as one that does not exist.",
        parameters=[TEAM, RISK_LEVEL, QUERY_TEXT, STAGE, OVERDUE],
        responses={
            200: serializers.AssessmentSummarySerializer(many=True),
            **error_responses(
                400, 401, 429, e400="A filter, `cursor` or `page_size` is not valid, or `page` was given."
            ),
        },
        tags=["assessments"],
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Create a draft",
        description="Creates the AI feature and its first assessment, as a draft of your team. "
        "Answers are checked against the questionnaire; a draft may be incomplete. `team` must be one you are a "
        "member of: any other slug is a 400 though the schema admits it.",
        request=serializers.AssessmentCreateSerializer,
        responses={
            201: serializers.AssessmentSerializer,
            **error_responses(400, 401, 413, 415, 429),
            409: OpenApiResponse(
                serializers.FieldErrorsSerializer, description="The team already has a feature of that name."
            ),
        },
        tags=["assessments"],
    )
    def post(self, request):
        payload = serializers.AssessmentCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        assessment = services.assessment_create(
            team=payload.validated_data["team"],
            feature_name=payload.validated_data["feature_name"],
            answers=payload.validated_data.get("answers", {}),
            by=request.user,
        )
        location = reverse("api-assessment-detail", kwargs={"pk": assessment.pk})
        return Response(assessment_data(assessment), status=status.HTTP_201_CREATED, headers={"Location": location})


class AssessmentDetailView(ApiView):
    @extend_schema(
        summary="Read an assessment",
        description="Its answers, risk, sign-offs (each with whether it is still valid) and conditions.",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.AssessmentSerializer, **error_responses(401, 404, 429)},
        tags=["assessments"],
    )
    def get(self, request, pk):
        return Response(serializers.AssessmentSerializer(visible_assessment(request, pk)).data)

    @extend_schema(
        summary="Edit answers",
        description="Merges the given answers into the saved ones (null clears a question). Only your team may, "
        "and only in draft or changes_requested; a change invalidates sign-offs bound to the old answers.",
        parameters=[ASSESSMENT_ID],
        request=serializers.AnswersUpdateSerializer,
        responses={
            200: serializers.AssessmentSerializer,
            **error_responses(
                400, 401, 403, 404, 409, 413, 415, 429, e409="Answers can be edited only in draft or changes_requested."
            ),
        },
        tags=["assessments"],
    )
    def patch(self, request, pk):
        assessment = visible_assessment(request, pk)
        questionnaire = get_questionnaire(assessment.questionnaire_version)
        payload = serializers.AnswersUpdateSerializer(data=request.data, context={"questionnaire": questionnaire})
        if not payload.is_valid():
            # Who may edit is decided before the input: a refusal outranks a malformed body.
            refusal = services.answers_edit_refusal(assessment=assessment, by=request.user)
            if refusal is not None:
                raise refusal
            raise ValidationError(payload.errors)
        updated = services.assessment_update_answers(
            assessment=assessment,
            answers=payload.validated_data.get("answers", {}),
            by=request.user,
            expected_content_hash=payload.validated_data.get("expected_content_hash"),
        )
        return Response(assessment_data(updated))


# One shape per kind of transition: approve alone takes conditions; request_changes and reject need a comment.
# The shapes' ``name`` enums do not overlap, so exactly one matches a valid request. (No discriminator: several
# names share a shape, and a mapping that repeats a shape reads to fuzzers as one alternative per name.)
TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="TransitionRequest",
    serializers=list(dict.fromkeys(serializers.TRANSITION_REQUESTS.values())),
    resource_type_field_name=None,
)


class TransitionsView(ApiView):
    @extend_schema(
        summary="Transitions you may take now",
        description="Only those your role allows in the current state and whose guards pass.",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.TransitionSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["transitions"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        return Response(selectors.available_transitions(request.user, assessment))

    @extend_schema(
        summary="Take a transition",
        description="Submit, approve (sign off the current stage, optionally with conditions), request changes, "
        "reject, resubmit, withdraw, launch, start a re-assessment or retire.",
        parameters=[ASSESSMENT_ID],
        request=TRANSITION_REQUEST,
        responses={
            200: serializers.AssessmentSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        tags=["transitions"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        payload = serializers.transition_request_serializer(request.data)
        if not payload.is_valid():
            # Who may act is decided before the input: a refusal outranks a malformed body.
            name = request.data.get("name") if isinstance(request.data, dict) else None
            refusal = services.transition_refusal(assessment=assessment, name=name, by=request.user)
            if isinstance(refusal, NotPermitted | TransitionConflict):
                raise refusal
            raise ValidationError(payload.errors)
        data = payload.validated_data
        updated = services.assessment_transition(
            assessment=assessment,
            name=data["name"],
            by=request.user,
            comment=data.get("comment", ""),
            conditions=data.get("conditions"),
            expected_state=data.get("expected_state"),
        )
        return Response(assessment_data(updated))


CSV_MEDIA_TYPE = "text/csv"
# Room for the multipart envelope (boundaries, part headers) around a file at the size limit.
UPLOAD_OVERHEAD = 64 * 1024


class BiasResultsView(ApiView):
    parser_classes = [StrictJSONParser, MultiPartParser]

    @extend_schema(
        summary="List bias evidence",
        description="Every per-group result, approval evidence and monitoring results alike (see kind).",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.BiasResultSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["bias evidence"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        rows = assessment.bias_results.select_related("created_by", "evidence_batch__created_by").order_by(
            "created_at", "pk"
        )
        return Response(serializers.BiasResultSerializer(rows, many=True).data)

    @extend_schema(
        summary="Add bias evidence",
        description='Per-group results as JSON, {"rows": [...], "description": "..."}; or a CSV file as a '
        "multipart upload (field file, at most 10 MB, with the field description): per-group results, or raw "
        "predictions from which the selection rate, true-positive rate and false-positive rate per group are "
        "computed (fairlearn), optionally for pairs of dimensions (field intersections, e.g. race+gender). "
        "The description (the model version and the data set: period, size, how groups were defined) is "
        "required. Every metric must be a declared one; an unknown metric is a 400 naming it and the known ones. "
        "All rows are saved, or none; a bad file gets a 400 naming each line and column. "
        "The team or a Data/AI reviewer may add evidence from draft up to Data/AI review, and monitoring "
        "results once launched.",
        parameters=[ASSESSMENT_ID],
        request={
            "application/json": serializers.BiasRowsSerializer,
            # The file is CSV: said in the part's encoding, so clients and fuzzers can send a CSV file.
            "multipart/form-data": OpenApiRequest(
                serializers.BiasFileSerializer, encoding={"file": {"contentType": CSV_MEDIA_TYPE}}
            ),
        },
        responses={
            201: serializers.BiasResultSerializer(many=True),
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                413,
                415,
                429,
                e409="Evidence can be added only up to Data/AI review, or as monitoring once launched.",
            ),
        },
        tags=["bias evidence"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        if request.content_type.startswith("multipart/"):
            return self._upload(request, assessment)
        services.bias_evidence_check(assessment=assessment, by=request.user)
        data = request.data
        if not isinstance(data, dict):
            shape = 'Send an object {"rows": [...], "description": "..."}.'
            raise InputError({"rows": shape, "description": bias_services.DESCRIPTION_NEEDED}, shape)
        payload = serializers.BiasRowsSerializer(data=data)
        payload.is_valid(raise_exception=True)
        rows = [dict(row) for row in payload.validated_data["rows"]]
        created = services.bias_results_add(
            assessment=assessment, rows=rows, by=request.user, description=payload.validated_data["description"]
        )
        return Response(serializers.BiasResultSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    def _upload(self, request, assessment):
        # Who may is decided first, then the size from the request's length, before the body is read.
        services.bias_evidence_check(assessment=assessment, by=request.user)
        limit = settings.BIAS_UPLOAD_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + UPLOAD_OVERHEAD:
            raise PayloadTooLarge(f"The file is over the limit of {limit // (1024 * 1024)} MB; nothing was read.")
        unknown = sorted(set(request.data) - {"file", "description", "intersections"})
        if unknown:
            raise ValidationError(
                {
                    key[:100]: "Unknown field; this request takes file, description, intersections."
                    for key in unknown[:20]
                }
            )
        description = request.data.get("description", "")
        if not isinstance(description, str) or not description.strip():
            raise InputError({"description": bias_services.DESCRIPTION_NEEDED}, bias_services.DESCRIPTION_NEEDED)
        try:
            intersections = bias_upload.parse_intersections(request.data.get("intersections", ""))
            parsed = bias_upload.read_upload(request.FILES.get("file"), intersections=intersections)
        except bias_upload.UploadRefused as refusal:
            if refusal.status == 413:
                raise PayloadTooLarge(refusal.message) from None
            raise ValidationError({"file": refusal.message}) from None
        if not parsed.ok:
            detail = f"The file has {len(parsed.errors)} problems; nothing was saved: {parsed.error_text()}"
            return Response({"detail": detail[:2000], "errors": parsed.errors}, status=status.HTTP_400_BAD_REQUEST)
        created = services.bias_results_add(
            assessment=assessment, rows=parsed.rows, by=request.user, description=description, **parsed.provenance()
        )
        return Response(serializers.BiasResultSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class BiasJustificationsView(ApiView):
    @extend_schema(
        summary="Justifications of dimensions that cannot be measured",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.BiasJustificationSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["bias evidence"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        rows = assessment.bias_justifications.select_related("created_by")
        return Response(serializers.BiasJustificationSerializer(rows, many=True).data)

    @extend_schema(
        summary="Justify a required dimension that cannot be measured",
        description="Recorded instead of evidence for that dimension (once per dimension); the team or a "
        "Data/AI reviewer, from draft up to Data/AI review. `dimension` must be one the approval requires (race, "
        "religion, gender and each the team marked relevant): any other is a 400 though the schema admits it.",
        parameters=[ASSESSMENT_ID],
        request=serializers.BiasJustificationRequestSerializer,
        responses={
            201: serializers.BiasJustificationSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        tags=["bias evidence"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        services.bias_evidence_check(assessment=assessment, by=request.user)
        payload = serializers.BiasJustificationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        justification = services.bias_justification_record(
            assessment=assessment, by=request.user, **payload.validated_data
        )
        return Response(serializers.BiasJustificationSerializer(justification).data, status=status.HTTP_201_CREATED)


class BiasMitigationsView(ApiView):
    @extend_schema(
        summary="Mitigations of bias flags",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.BiasMitigationSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["bias evidence"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        rows = assessment.bias_mitigations.select_related("created_by")
        return Response(serializers.BiasMitigationSerializer(rows, many=True).data)

    @extend_schema(
        summary="Record the mitigation of a flag",
        description="For a flag of the approval evidence (the team or a Data/AI reviewer, up to Data/AI review), "
        "or a flag raised by monitoring (a Data/AI reviewer, once launched). Once per flag.",
        parameters=[ASSESSMENT_ID],
        request=serializers.BiasMitigationRequestSerializer,
        responses={
            201: serializers.BiasMitigationSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        tags=["bias evidence"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        services.bias_evidence_check(assessment=assessment, by=request.user)
        payload = serializers.BiasMitigationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mitigation = services.bias_mitigation_record(assessment=assessment, by=request.user, **payload.validated_data)
        return Response(serializers.BiasMitigationSerializer(mitigation).data, status=status.HTTP_201_CREATED)


class BiasFlagsView(ApiView):
    @extend_schema(
        summary="Bias flags and whether each is mitigated",
        description="Flags of the approval evidence (ratios under 0.8, groups under 30 samples) and flags "
        "raised by monitoring after launch, with their mitigation deadline.",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.BiasFlagSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["bias evidence"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        return Response(serializers.BiasFlagSerializer(services.bias_flags_of(assessment), many=True).data)


QUESTION_COMMENT_REQUEST = PolymorphicProxySerializer(
    component_name="QuestionCommentRequest",
    serializers=[serializers.ReviewerCommentRequestSerializer, serializers.TeamReplyRequestSerializer],
    resource_type_field_name=None,
)


class QuestionCommentsView(ApiView):
    @extend_schema(
        summary="Comments on answers",
        description="The comments you may see, oldest round first: the committee and auditors see all; the team "
        "sees those a change request sent it, and its replies.",
        parameters=[ASSESSMENT_ID],
        responses={200: serializers.QuestionCommentSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["comments"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        comments = selectors.question_comments_visible_to(request.user, assessment)
        return Response(serializers.QuestionCommentSerializer(comments, many=True).data)

    @extend_schema(
        summary="Comment on an answer, or reply",
        description="The reviewer deciding at the current stage comments on an answer (question); the "
        '"request_changes" transition sends the round\'s comments to the team. The team replies to a comment it '
        "was sent (reply_to).",
        parameters=[ASSESSMENT_ID],
        request=QUESTION_COMMENT_REQUEST,
        responses={
            201: serializers.QuestionCommentSerializer,
            **error_responses(
                400, 401, 403, 404, 409, 413, 415, 429, e409="Not in review, another domain's stage, or replies closed."
            ),
        },
        tags=["comments"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        payload = serializers.question_comment_request_serializer(request.data)
        replying = isinstance(payload, serializers.TeamReplyRequestSerializer)
        # Who may comment is decided before the input: a refusal outranks a malformed body.
        denial = (
            permissions.team_reply_denial(request.user, assessment)
            if replying
            else permissions.reviewer_comment_denial(request.user, assessment)
        )
        if denial is not None and denial.status == 403:
            raise NotPermitted(denial.message, code=denial.code)
        if denial is not None:
            raise TransitionConflict(denial.message, [denial.reason])
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if replying and not (
            selectors.question_comments_visible_to(request.user, assessment)
            .filter(pk=data["reply_to"], shared_at__isnull=False, reply_to__isnull=True)
            .exists()
        ):
            raise NotFound("No such comment to reply to on this assessment.")
        comment = services.question_comment_add(
            assessment=assessment,
            question=data.get("question"),
            text=data["text"],
            by=request.user,
            reply_to=data.get("reply_to"),
        )
        return Response(serializers.QuestionCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class TokenView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]

    @extend_schema(
        summary="Get an API token",
        description='Exchange a username and password for a token; send it as "Authorization: Token <token>". '
        "A wrong username or password is a 400 though the schema admits it; repeated failures lock the account "
        "for an hour.",
        request=serializers.TokenRequestSerializer,
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
        payload = serializers.TokenRequestSerializer(data=request.data)
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
