"""``/api/v1/assessments/``: list the assessments you may see, create a draft, read one, edit its answers."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from assessments import selectors, services
from assessments.filters import AssessmentFilter
from assessments.questionnaire import get_questionnaire

from ..filters import StrictFilterBackend
from ..pagination import AssessmentCursorPagination, CursorQuery
from ..schema import ASSESSMENT_ID, OVERDUE, QUERY_TEXT, RISK_LEVEL, STAGE, TEAM, error_responses
from ..serializers.assessments import (
    SUMMARY_COLUMNS,
    AnswersUpdateSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    AssessmentSummarySerializer,
)
from ..serializers.errors import FieldErrorsSerializer
from .base import ApiView, assessment_data, visible_assessment


class AssessmentListView(ApiView, GenericAPIView):
    serializer_class = AssessmentSummarySerializer
    pagination_class = AssessmentCursorPagination
    filter_backends = [StrictFilterBackend]
    filterset_class = AssessmentFilter
    # The filters, the cursor's parameters, and the retired ``page`` (refused with its own message).
    query_parameters = frozenset(
        [*AssessmentFilter.base_filters, *CursorQuery().fields, *AssessmentCursorPagination.retired]
    )

    def get_queryset(self):
        # Rows of the summary: the columns it shows, no answers, no sign-offs or conditions to prefetch.
        return selectors.assessments_visible_to(self.request.user).only(*SUMMARY_COLUMNS)

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
            200: AssessmentSummarySerializer(many=True),
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
        request=AssessmentCreateSerializer,
        responses={
            201: AssessmentSerializer,
            **error_responses(400, 401, 413, 415, 429),
            409: OpenApiResponse(FieldErrorsSerializer, description="The team already has a feature of that name."),
        },
        tags=["assessments"],
    )
    def post(self, request):
        payload = AssessmentCreateSerializer(data=request.data, context={"request": request})
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
        responses={200: AssessmentSerializer, **error_responses(401, 404, 429)},
        tags=["assessments"],
    )
    def get(self, request, pk):
        return Response(AssessmentSerializer(visible_assessment(request, pk)).data)

    @extend_schema(
        summary="Edit answers",
        description="Merges the given answers into the saved ones (null clears a question). Only your team may, "
        "and only in draft or changes_requested; a change invalidates sign-offs bound to the old answers.",
        parameters=[ASSESSMENT_ID],
        request=AnswersUpdateSerializer,
        responses={
            200: AssessmentSerializer,
            **error_responses(
                400, 401, 403, 404, 409, 413, 415, 429, e409="Answers can be edited only in draft or changes_requested."
            ),
        },
        tags=["assessments"],
    )
    def patch(self, request, pk):
        assessment = visible_assessment(request, pk)
        questionnaire = get_questionnaire(assessment.questionnaire_version)
        payload = AnswersUpdateSerializer(data=request.data, context={"questionnaire": questionnaire})
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
