"""``/api/v1/assessments/<id>/bias-*/``: bias evidence (JSON rows or a CSV file), justifications, mitigations and
flags."""

from django.conf import settings
from django.template.defaultfilters import pluralize
from drf_spectacular.utils import OpenApiRequest, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from assessments import bias_services, bias_upload, services
from assessments.errors import InputError

from ..parsers import PayloadTooLarge, StrictJSONParser
from ..schema import ASSESSMENT_ID, error_responses
from ..serializers.bias import (
    BiasFileSerializer,
    BiasFlagSerializer,
    BiasJustificationRequestSerializer,
    BiasJustificationSerializer,
    BiasMitigationRequestSerializer,
    BiasMitigationSerializer,
    BiasResultSerializer,
    BiasRowsSerializer,
)
from .base import ApiView, visible_assessment

CSV_MEDIA_TYPE = "text/csv"
# Room for the multipart envelope (boundaries, part headers) around a file at the size limit.
UPLOAD_OVERHEAD = 64 * 1024


class BiasResultsView(ApiView):
    parser_classes = [StrictJSONParser, MultiPartParser]

    @extend_schema(
        summary="List bias evidence",
        description="Every per-group result, approval evidence and monitoring results alike (see kind).",
        parameters=[ASSESSMENT_ID],
        responses={200: BiasResultSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["bias evidence"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        rows = assessment.bias_results.select_related("created_by", "evidence_batch__created_by").order_by(
            "created_at", "pk"
        )
        return Response(BiasResultSerializer(rows, many=True).data)

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
            "application/json": BiasRowsSerializer,
            # The file is CSV: said in the part's encoding, so clients and fuzzers can send a CSV file.
            "multipart/form-data": OpenApiRequest(
                BiasFileSerializer, encoding={"file": {"contentType": CSV_MEDIA_TYPE}}
            ),
        },
        responses={
            201: BiasResultSerializer(many=True),
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
        payload = BiasRowsSerializer(data=data)
        payload.is_valid(raise_exception=True)
        rows = [dict(row) for row in payload.validated_data["rows"]]
        created = services.bias_results_add(
            assessment=assessment, rows=rows, by=request.user, description=payload.validated_data["description"]
        )
        return Response(BiasResultSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

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
            n = len(parsed.errors)
            detail = f"The file has {n} problem{pluralize(n)}; nothing was saved: {parsed.error_text()}"
            return Response({"detail": detail[:2000], "errors": parsed.errors}, status=status.HTTP_400_BAD_REQUEST)
        created = services.bias_results_add(
            assessment=assessment, rows=parsed.rows, by=request.user, description=description, **parsed.provenance()
        )
        return Response(BiasResultSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


# One kind of note on the bias evidence: its list, and the recording of one more (the team or a Data/AI reviewer,
# checked before the body is read). ``related`` names the assessment's notes, ``serializer`` and
# ``request_serializer`` shape them, ``record`` is the service that records one. No docstring: drf-spectacular
# would make it the description of every operation of the subclasses.
class BiasNotesView(ApiView):
    related = ""
    serializer = None
    request_serializer = None
    record = None

    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        rows = getattr(assessment, self.related).select_related("created_by")
        return Response(self.serializer(rows, many=True).data)

    def post(self, request, pk):
        assessment = visible_assessment(request, pk)
        services.bias_evidence_check(assessment=assessment, by=request.user)
        payload = self.request_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = self.record(assessment=assessment, by=request.user, **payload.validated_data)
        return Response(self.serializer(note).data, status=status.HTTP_201_CREATED)


def bias_notes_schema(*, listed, recorded, description):
    """The schema of a ``BiasNotesView`` from its serializers: ``listed`` sums up its list, ``recorded`` and
    ``description`` say what recording one does."""

    def decorate(view):
        return extend_schema_view(
            get=extend_schema(
                summary=listed,
                parameters=[ASSESSMENT_ID],
                responses={200: view.serializer(many=True), **error_responses(401, 404, 429)},
                tags=["bias evidence"],
            ),
            post=extend_schema(
                summary=recorded,
                description=description,
                parameters=[ASSESSMENT_ID],
                request=view.request_serializer,
                responses={
                    201: view.serializer,
                    **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
                },
                tags=["bias evidence"],
            ),
        )(view)

    return decorate


@bias_notes_schema(
    listed="Justifications of dimensions that cannot be measured",
    recorded="Justify a required dimension that cannot be measured",
    description="Recorded instead of evidence for that dimension (once per dimension); the team or a "
    "Data/AI reviewer, from draft up to Data/AI review. `dimension` must be one the approval requires (race, "
    "religion, gender and each the team marked relevant): any other is a 400 though the schema admits it.",
)
class BiasJustificationsView(BiasNotesView):
    related = "bias_justifications"
    serializer = BiasJustificationSerializer
    request_serializer = BiasJustificationRequestSerializer
    record = staticmethod(services.bias_justification_record)


@bias_notes_schema(
    listed="Mitigations of bias flags",
    recorded="Record the mitigation of a flag",
    description="For a flag of the approval evidence (the team or a Data/AI reviewer, up to Data/AI review), "
    "or a flag raised by monitoring (a Data/AI reviewer, once launched). Once per flag.",
)
class BiasMitigationsView(BiasNotesView):
    related = "bias_mitigations"
    serializer = BiasMitigationSerializer
    request_serializer = BiasMitigationRequestSerializer
    record = staticmethod(services.bias_mitigation_record)


class BiasFlagsView(ApiView):
    @extend_schema(
        summary="Bias flags and whether each is mitigated",
        description="Flags of the approval evidence (ratios under 0.8, groups under 30 samples) and flags "
        "raised by monitoring after launch, with their mitigation deadline.",
        parameters=[ASSESSMENT_ID],
        responses={200: BiasFlagSerializer(many=True), **error_responses(401, 404, 429)},
        tags=["bias evidence"],
    )
    def get(self, request, pk):
        assessment = visible_assessment(request, pk)
        return Response(BiasFlagSerializer(services.bias_flags_of(assessment), many=True).data)
