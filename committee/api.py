"""API v1 endpoints of committee/: the caller's notices (DESIGN section 9).

``GET /api/v1/notices/`` lists what needs the caller first (open action notices, oldest first), then the
rest, newest first; ``POST /api/v1/notices/<id>/read/`` marks one read. Another person's notice is a 404,
so its existence is not revealed.
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments.api.parsers import MAX_JSON_INT
from assessments.api.schema import error_responses
from assessments.api.views import ApiView

from .models import Notification

NOTICES_LIMIT = 200  # notices per answer: every open action notice first, then the newest others


class NoticeSerializer(serializers.ModelSerializer):
    message = serializers.CharField(source="subject", read_only=True, help_text="What the notice says, in a line.")
    assessment = serializers.IntegerField(source="assessment_id", allow_null=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "category", "assessment", "created_at", "read_at", "resolved_at", "message"]
        read_only_fields = fields


NOTICE_ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": MAX_JSON_INT},
    OpenApiParameter.PATH,
    description="The notice's id.",
)


def notices_of(user):
    """The user's notices: open action notices first (oldest first), then the others (newest first)."""
    open_action = Q(category=Notification.Category.ACTION, resolved_at__isnull=True)
    return (
        Notification.objects.filter(recipient=user)
        .select_related("assessment__feature")
        .annotate(waiting=Case(When(open_action, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("waiting", Case(When(open_action, then="created_at")), "-created_at", "-pk")
    )


class NoticesView(ApiView):
    @extend_schema(
        summary="Your notices",
        description="What needs you first (open action notices: a review, a change request to answer, a condition "
        f"to meet or confirm; oldest first), then information and resolved actions, newest first; at most "
        f"{NOTICES_LIMIT}. An action notice is resolved (`resolved_at`) once the action is done by anyone entitled "
        "to it, or has become moot.",
        responses={200: NoticeSerializer(many=True), **error_responses(401, 429)},
        tags=["notices"],
    )
    def get(self, request):
        notices = notices_of(request.user)[:NOTICES_LIMIT]
        return Response(NoticeSerializer(notices, many=True).data)


class NoticeReadView(ApiView):
    @extend_schema(
        summary="Mark a notice read",
        description="Marks one of your notices read (repeating it changes nothing). Reading does not resolve an "
        "action notice: doing the action does.",
        parameters=[NOTICE_ID],
        request=None,
        responses={
            200: NoticeSerializer,
            **error_responses(400, 401, 404, 415, 429, e404="No such notice of yours.", e400="A body was sent."),
        },
        tags=["notices"],
    )
    def post(self, request, pk):
        notice = get_object_or_404(
            Notification.objects.select_related("assessment__feature"), pk=pk, recipient=request.user
        )
        if request.data:  # parsed (a malformed or non-JSON body is refused), and none is expected
            raise ValidationError({"detail": "This endpoint takes no body."})
        Notification.objects.filter(pk=notice.pk).mark_read(timezone.now())
        notice.refresh_from_db(fields=["read_at"])
        return Response(NoticeSerializer(notice).data)
