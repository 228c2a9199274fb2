"""``/api/v1/assessments/<id>/comments/``: comments on answers, a reviewer's comment and the team's reply."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessments import permissions, selectors, services
from assessments.errors import NotPermitted, TransitionConflict

from ..schema import ASSESSMENT_ID, error_responses
from ..serializers.comments import (
    QuestionCommentSerializer,
    ReviewerCommentRequestSerializer,
    TeamReplyRequestSerializer,
    comment_delegations,
    question_comment_request_serializer,
)
from .base import ApiView, visible_assessment

QUESTION_COMMENT_REQUEST = PolymorphicProxySerializer(
    component_name="QuestionCommentRequest",
    serializers=[ReviewerCommentRequestSerializer, TeamReplyRequestSerializer],
    resource_type_field_name=None,
)


class QuestionCommentsView(ApiView):
    @extend_schema(
        summary="Comments on answers",
        description="The comments you may see, oldest round first: the committee and auditors see all; the team "
        "sees those a change request sent it, and its replies.",
        parameters=[ASSESSMENT_ID],
        responses={200: QuestionCommentSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["comments"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        comments = selectors.question_comments_visible_to(request.user, assessment)
        context = {"acting_for": comment_delegations(assessment.pk)}
        return Response(QuestionCommentSerializer(comments, many=True, context=context).data)

    @extend_schema(
        summary="Comment on an answer, or reply",
        description="The reviewer deciding at the current stage comments on an answer (question); the "
        '"request_changes" transition sends the round\'s comments to the team. The team replies to a comment it '
        "was sent (reply_to).",
        parameters=[ASSESSMENT_ID],
        request=QUESTION_COMMENT_REQUEST,
        responses={
            201: QuestionCommentSerializer,
            **error_responses(
                400, 401, 403, 404, 409, 413, 415, 429, e409="Not in review, another domain's stage, or replies closed."
            ),
        },
        tags=["comments"],
    )
    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        payload = question_comment_request_serializer(request.data)
        replying = isinstance(payload, TeamReplyRequestSerializer)
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
        context = {"acting_for": comment_delegations(assessment.pk)}
        return Response(QuestionCommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED)
