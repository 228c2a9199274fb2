"""API v1 endpoints of reports/: an assessment's dossier, and verifying a PDF (DESIGN section 9).

Same selectors, services and permissions as the browser: the dossier of an
assessment the caller may not see is a 404, and the bytes are the same bytes.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.api.exceptions import api_exception_handler
from assessments.api.schema import ASSESSMENT_ID, error_responses
from assessments.api.throttling import ReadRateThrottle, WriteRateThrottle

from . import selectors, services
from .models import DossierDownload
from .views import ENVELOPE_BYTES, pdf_response


class PDFRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the PDF itself is returned as it is."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The dossier cannot be issued now."


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class _ReportsApiView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ReadRateThrottle, WriteRateThrottle]

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.query_params:
            names = sorted(request.query_params)
            raise ValidationError({name[:100]: "This endpoint takes no query parameters." for name in names[:20]})

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever the client accepts; a PDF is a plain HttpResponse and passes as it is.
        if isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class DossierView(_ReportsApiView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="assessment_dossier",
        summary="The assessment's dossier (PDF/A-3b)",
        description=(
            "An approved version's issued dossier: signed, frozen at approval, the same bytes on every download "
            "(also at /reports/assessments/{id}/dossier.pdf). An unfinished assessment gives a fresh render "
            "marked DRAFT on every page. The `X-Dossier-SHA256` header gives the bytes' SHA-256. Every download "
            "is logged."
        ),
        # No query parameters: the PDF is the only representation (no ?format=).
        parameters=[ASSESSMENT_ID, OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The dossier."),
            **error_responses(401, 404, 429),
            503: OpenApiResponse(
                inline_serializer("DossierUnavailable", {"detail": serializers.CharField()}),
                description="The dossier cannot be issued yet (signing is not configured).",
            ),
        },
    )
    def get(self, request, pk):
        # Http404 for an assessment the caller may not see becomes the API's JSON 404.
        assessment = selectors.dossier_assessment(request.user, pk)
        try:
            result = services.dossier_download(
                assessment=assessment, user=request.user, channel=DossierDownload.Channel.API
            )
        except services.DossierUnavailable as error:
            raise ServiceUnavailable(error.message) from None
        return pdf_response(result)


class VerificationSerializer(serializers.Serializer):
    issued = serializers.BooleanField(help_text="True when the file is, byte for byte, a dossier this system issued.")
    assessment = serializers.IntegerField(allow_null=True, help_text="The assessment's id, when issued.")
    version = serializers.IntegerField(allow_null=True, help_text="The assessment's version, when issued.")
    sha256 = serializers.CharField(help_text="SHA-256 of the uploaded file.")
    issued_at = serializers.DateTimeField(allow_null=True, help_text="When the dossier was issued, when issued.")
    detail = serializers.CharField(help_text="The answer in words.")


class DossierVerifyView(_ReportsApiView):
    parser_classes = [MultiPartParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="dossier_verify",
        summary="Is this PDF a dossier this system issued, unchanged?",
        description=(
            "Send the PDF as the multipart field `file`. It is issued when its SHA-256 is a stored dossier's and its "
            "PAdES signature validates with the organisation's certificate over the whole file."
        ),
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "minLength": 1,
                        "description": "The PDF, as received.",
                    }
                },
                "required": ["file"],
                "additionalProperties": False,
            }
        },
        responses={
            200: VerificationSerializer,
            **error_responses(400, 401, 413, 415, 429),
        },
    )
    def post(self, request):
        limit = settings.DOSSIER_VERIFY_MAX_BYTES
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > limit + ENVELOPE_BYTES:
            raise PayloadTooLarge(f"The file is too large: at most {limit:,} bytes are checked.")
        unknown = sorted(set(request.data) - {"file"})
        if unknown:
            raise ValidationError(
                {name[:100]: "Unknown field; send only the multipart field `file`." for name in unknown}
            )
        upload = request.data.get("file")
        if isinstance(upload, str):
            # A part sent without a file name arrives as text: its bytes are what was sent, checked the same way.
            content = upload.encode("utf-8", "surrogatepass")
        elif upload is not None and hasattr(upload, "read"):
            if upload.size > limit:
                raise PayloadTooLarge(f"The file is {upload.size:,} bytes; at most {limit:,} bytes are checked.")
            content = upload.read()
        else:
            raise ValidationError({"file": "Send the PDF as the multipart field `file`."})
        if len(content) > limit:
            raise PayloadTooLarge(f"The file is {len(content):,} bytes; at most {limit:,} bytes are checked.")
        if not content:
            raise ValidationError({"file": "The file is empty."})
        result = services.dossier_verify(content=content)
        return Response(result.as_data())
