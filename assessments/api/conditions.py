"""API v1: an assessment's conditions and their two-step meeting (DESIGN section 9).

``GET /api/v1/assessments/<id>/conditions/``; ``POST .../conditions/<cid>/met/`` ``{"evidence"}``, or multipart with a
``file`` and an optional ``evidence`` (the team; the file as assessments/evidence_files.py takes it);
``POST .../conditions/<cid>/confirm/`` and ``.../reopen/`` ``{"comment"}`` (a reviewer of the domain that set
it, or the chair); ``.../drop/`` ``{"comment"}`` and ``.../edit/`` (a carried, proposed condition, by the reviewer
of the domain that set it, at its stage). The services (assessments/conditions.py, services/carried_conditions.py)
decide; a refusal is answered before the input. ``GET .../conditions/<cid>/evidence/<sha256>/`` downloads a file
given as evidence, to whoever may see the assessment, as the browser's route does (one function serves both).
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiRequest,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from .. import conditions, evidence_files
from ..models import Condition
from ..services.carried_conditions import condition_edit
from .fields import StrictBoolean, StrictDate, Text
from .parsers import MAX_JSON_INT, PayloadTooLarge, StrictJSONParser
from .schema import ASSESSMENT_ID, error_responses
from .serializers.strict import StrictInputSerializer
from .views.base import ApiView, visible_assessment

# The OpenAPI enum of a condition's status, named once (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
CONDITION_STATUS_CHOICES = Condition.Status.choices

CONDITION_ID = OpenApiParameter(
    "cid",
    {"type": "integer", "minimum": 1, "maximum": MAX_JSON_INT},
    OpenApiParameter.PATH,
    description="The condition's id.",
)


class EvidenceFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name, as given.")
    content_type = serializers.CharField(help_text="Its kind, told from its bytes.")
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField(help_text="The SHA-256 of its bytes, as the audit log records it.")
    url = serializers.CharField(help_text="Where whoever may see the assessment downloads it (with the API token).")


class ConditionStepSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True, help_text="Username.")
    stage = serializers.CharField(source="domain", allow_null=True, read_only=True, help_text="The domain that set it.")
    marked_met_by = serializers.CharField(source="marked_met_by.username", allow_null=True, read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, read_only=True)
    evidence_file = serializers.SerializerMethodField(help_text="The file given as evidence with the last marking.")
    version = serializers.CharField(
        read_only=True, help_text="The version of the condition; send it as expected_version with an edit."
    )

    @extend_schema_field(EvidenceFileSerializer(allow_null=True))
    def get_evidence_file(self, condition):
        if not condition.has_evidence_file:
            return None
        return {
            "name": condition.evidence_file_name,
            "content_type": condition.evidence_file_type,
            "size": condition.evidence_file_size,
            "sha256": condition.evidence_file_sha256,
            "url": reverse(
                "api-condition-evidence-file",
                args=[condition.assessment_id, condition.pk, condition.evidence_file_sha256],
            ),
        }

    class Meta:
        model = Condition
        fields = [
            "id",
            "text",
            "owner",
            "stage",
            "due_date",
            "before_launch",
            "status",
            "evidence",
            "evidence_file",
            "marked_met_by",
            "marked_met_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class EvidenceSerializer(StrictInputSerializer):
    evidence = Text(max_length=conditions.MAX_TEXT, blank=False, help_text="How it was met: text or a link.")


class EvidenceUploadSerializer(StrictInputSerializer):
    file = serializers.FileField(
        help_text=f"A file showing it is met: {evidence_files.ACCEPTED}, told from its bytes; at most 10 MB."
    )
    evidence = Text(max_length=conditions.MAX_TEXT, required=False, help_text="Optional text or a link with it.")


class ConfirmSerializer(StrictInputSerializer):
    comment = Text(max_length=conditions.MAX_TEXT, required=False, help_text="Optional.")


class ReopenSerializer(StrictInputSerializer):
    comment = Text(max_length=conditions.MAX_TEXT, blank=False, help_text="What is still missing.")


class DropSerializer(StrictInputSerializer):
    comment = Text(max_length=conditions.MAX_TEXT, blank=False, help_text="Why it is no longer needed.")


class EditSerializer(StrictInputSerializer):
    text = Text(max_length=2000, blank=False, required=False, help_text="The new text.")
    owner = Text(max_length=150, blank=False, required=False, help_text="The new owner's username (of the team).")
    due_date = StrictDate(required=False, help_text="The new due date (YYYY-MM-DD, today or later), or before_launch.")
    before_launch = StrictBoolean(required=False, help_text="Due before launch instead of by a date.")
    comment = Text(max_length=conditions.MAX_TEXT, required=False, help_text="Why (recorded in the audit trail).")
    expected_version = Text(
        max_length=64,
        required=False,
        pattern=r"\A[0-9a-f]{64}\Z",
        pattern_message="Give the version you read: 64 lowercase hexadecimal characters.",
        help_text="The condition's version you read; 409 (stale_condition) if someone changed it since.",
    )


def _conditions_of(assessment):
    return assessment.conditions.select_related("owner", "sign_off", "marked_met_by", "reviewed_by").order_by("pk")


class ConditionsView(ApiView):
    @extend_schema(
        summary="Conditions",
        description="The assessment's conditions and where each stands: proposed (carried from a round ended by a "
        "change request), open, awaiting_confirmation, met or dropped.",
        parameters=[ASSESSMENT_ID],
        responses={200: ConditionStepSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["conditions"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        return Response(ConditionStepSerializer(_conditions_of(assessment), many=True).data)


class _FileOrJsonErrors(BaseContentNegotiation):
    """The file is served as it is, whatever the client accepts; an error is JSON (the view's one renderer)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


SHA256 = OpenApiParameter(
    "sha256",
    {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    OpenApiParameter.PATH,
    description="The file's SHA-256, as the condition's `evidence_file` gives it.",
)


class ConditionEvidenceFileView(ApiView):
    content_negotiation_class = _FileOrJsonErrors

    @extend_schema(
        summary="Download a file given as evidence",
        description="A file the team gave as evidence that a condition is met, as an attachment of its kind (the "
        "`Content-Disposition` header names it, RFC 5987 when not plain ASCII), for whoever may see the "
        "assessment; 404 otherwise, so its existence is not revealed. Files of earlier markings stay readable by "
        "their hash (the audit log records each). 409 if the stored bytes no longer hash to the SHA-256 recorded.",
        parameters=[ASSESSMENT_ID, CONDITION_ID, SHA256],
        responses={
            (200, *evidence_files.KINDS): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(
                401,
                404,
                409,
                429,
                e404="No such assessment, condition or file, or you may not see it.",
                e409="The stored file no longer hashes to the SHA-256 recorded for it: not served.",
            ),
        },
        tags=["conditions"],
    )
    def get(self, request, pk, cid, sha256):
        assessment = visible_assessment(request, pk)
        condition = assessment.conditions.filter(pk=cid).first()
        if condition is None:
            raise NotFound("No such condition on this assessment.")
        return evidence_files.download_response(condition, sha256)


class _ConditionStepView(ApiView):
    step = ""
    request_serializer = None

    def take(self, condition, by, data):
        raise NotImplementedError

    def check_size(self, request):
        """A refusal by the request's size before its body is read (the file steps); none by default."""

    def post(self, request, pk, cid):
        assessment = visible_assessment(request, pk)
        condition = _conditions_of(assessment).filter(pk=cid).first()
        if condition is None:
            raise NotFound("No such condition on this assessment.")
        condition.assessment = assessment
        refusal = conditions.condition_refusal(step=self.step, condition=condition, by=request.user)
        if refusal is not None:
            raise refusal
        self.check_size(request)
        payload = self.request_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        self.take(condition, request.user, payload.validated_data)
        return Response(ConditionStepSerializer(_conditions_of(assessment).get(pk=cid)).data)


STEP_ERRORS = error_responses(
    400, 401, 403, 404, 409, 413, 415, 429, e404="No such assessment or condition, or you may not see it."
)


# What a multipart body may hold beside the file (the evidence text, the part headers).
UPLOAD_OVERHEAD = 64 * 1024


class ConditionMetView(_ConditionStepView):
    step = "met"
    request_serializer = EvidenceSerializer
    parser_classes = [StrictJSONParser, MultiPartParser]

    @extend_schema(
        summary="Mark a condition met",
        description="The team records that an open condition is met, with evidence: text or a link (JSON), or a "
        "file with optional text (multipart; PDF, PNG, JPEG, plain text or CSV, at most 10 MB: 413 over it, 400 "
        "for another kind). It then awaits confirmation by a reviewer of the domain that set it, or the chair. "
        "The file's name and SHA-256 are on the condition and in the audit log.",
        parameters=[ASSESSMENT_ID, CONDITION_ID],
        request={
            "application/json": EvidenceSerializer,
            "multipart/form-data": OpenApiRequest(
                EvidenceUploadSerializer, encoding={"file": {"contentType": "text/plain"}}
            ),
        },
        responses={200: ConditionStepSerializer, **STEP_ERRORS},
        tags=["conditions"],
    )
    def post(self, request, pk, cid):
        if request.content_type.startswith("multipart/"):
            self.request_serializer = EvidenceUploadSerializer
        return super().post(request, pk, cid)

    def check_size(self, request):
        """Before the body is read: a file over the limit is refused by the request's length."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.EVIDENCE_FILE_MAX_BYTES + UPLOAD_OVERHEAD:
            raise PayloadTooLarge(evidence_files.too_large().message)

    def take(self, condition, by, data):
        file = None
        if "file" in data:
            try:
                file = evidence_files.read_evidence_file(data["file"])
            except evidence_files.EvidenceFileRefused as refusal:
                if refusal.status == 413:
                    raise PayloadTooLarge(refusal.message) from None
                raise ValidationError({"file": refusal.message}) from None
        conditions.condition_mark_met(condition=condition, by=by, evidence=data.get("evidence", ""), file=file)


class ConditionConfirmView(_ConditionStepView):
    step = "confirm"
    request_serializer = ConfirmSerializer

    @extend_schema(
        summary="Confirm a condition met",
        description="A reviewer of the domain that set it, or the chair, confirms a condition awaiting confirmation. "
        "The team may not (403).",
        parameters=[ASSESSMENT_ID, CONDITION_ID],
        request=ConfirmSerializer,
        responses={200: ConditionStepSerializer, **STEP_ERRORS},
        tags=["conditions"],
    )
    def post(self, request, pk, cid):
        return super().post(request, pk, cid)

    def take(self, condition, by, data):
        conditions.condition_confirm(condition=condition, by=by, comment=data.get("comment", ""))


class ConditionReopenView(_ConditionStepView):
    step = "reopen"
    request_serializer = ReopenSerializer

    @extend_schema(
        summary="Reopen a condition",
        description="A reviewer of the domain that set it, or the chair, sends a condition awaiting confirmation "
        "back to the team, saying what is missing.",
        parameters=[ASSESSMENT_ID, CONDITION_ID],
        request=ReopenSerializer,
        responses={200: ConditionStepSerializer, **STEP_ERRORS},
        tags=["conditions"],
    )
    def post(self, request, pk, cid):
        return super().post(request, pk, cid)

    def take(self, condition, by, data):
        conditions.condition_reopen(condition=condition, by=by, comment=data["comment"])


class ConditionDropView(_ConditionStepView):
    step = "drop"
    request_serializer = DropSerializer

    @extend_schema(
        summary="Drop a carried condition",
        description="A condition carried from a round ended by a change request (proposed) is dropped by a reviewer "
        "of the domain that set it (or the chair), at that domain's stage, saying why. Otherwise 403 or 409.",
        parameters=[ASSESSMENT_ID, CONDITION_ID],
        request=DropSerializer,
        responses={200: ConditionStepSerializer, **STEP_ERRORS},
        tags=["conditions"],
    )
    def post(self, request, pk, cid):
        return super().post(request, pk, cid)

    def take(self, condition, by, data):
        conditions.condition_drop(condition=condition, by=by, comment=data["comment"])


class ConditionEditView(_ConditionStepView):
    step = "edit"
    request_serializer = EditSerializer

    @extend_schema(
        summary="Edit a carried condition",
        description="A condition carried from a round ended by a change request (proposed) is edited by a reviewer "
        "of the domain that set it (or the chair), at that domain's stage; it stays proposed until they sign. "
        "Fields left out keep their value. Send the version you read as expected_version: if someone changed the "
        "condition since, the edit is a 409 (stale_condition) instead of overwriting their change.",
        parameters=[ASSESSMENT_ID, CONDITION_ID],
        request=EditSerializer,
        responses={200: ConditionStepSerializer, **STEP_ERRORS},
        tags=["conditions"],
    )
    def post(self, request, pk, cid):
        return super().post(request, pk, cid)

    def take(self, condition, by, data):
        change = {k: v for k, v in data.items() if k not in ("comment", "expected_version")}
        condition_edit(
            condition=condition,
            by=by,
            change=change,
            comment=data.get("comment", ""),
            expected_version=data.get("expected_version"),
        )
