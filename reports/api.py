"""API v1 endpoints of reports/: an assessment's dossier, verifying a PDF, the public register (DESIGN section 9).

Same selectors, services and permissions as the browser: the dossier of an
assessment the caller may not see is a 404, and the bytes are the same bytes.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, Throttled, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.api.exceptions import api_exception_handler
from assessments.api.query import refuse_unknown_query_parameters
from assessments.api.schema import ASSESSMENT_ID, error_responses
from assessments.api.throttling import ReadRateThrottle, WriteRateThrottle
from assessments.views.common import announces_more_than

from . import register, selectors, services, verification
from .models import DossierDownload
from .register_views import conditional
from .views import pdf_response, too_large_message


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
        # None of these endpoints takes a query parameter; before content negotiation, so ?format= is named too.
        refuse_unknown_query_parameters(request)
        super().initial(request, *args, **kwargs)

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
        summary="The assessment's dossier (tagged PDF/A-3a)",
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
        except services.DraftThrottled as error:
            raise Throttled(wait=60, detail=error.message) from None
        return pdf_response(result)


class CertificateSerializer(serializers.Serializer):
    subject = serializers.CharField(help_text="The signing certificate's subject.")
    sha256 = serializers.CharField(help_text="SHA-256 fingerprint of the certificate (its DER bytes), hex.")
    not_before = serializers.DateTimeField(help_text="Start of the certificate's validity.")
    not_after = serializers.DateTimeField(help_text="End of the certificate's validity.")


class TimestampSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="The time the authority vouches the signature existed at.")
    authority = serializers.CharField(help_text="The time-stamping authority's certificate subject.")
    trusted = serializers.BooleanField(help_text="True when the authority's certificate chains to DOSSIER_TSA_CERTS.")


class VerificationSerializer(serializers.Serializer):
    issued = serializers.BooleanField(
        help_text="True when the file is, byte for byte, a dossier this system issued, with a trusted signature."
    )
    unchanged = serializers.BooleanField(
        help_text="True when the file's signature is intact and covers every byte (nothing changed or added)."
    )
    assessment = serializers.IntegerField(allow_null=True, help_text="The assessment's id, when issued.")
    feature = serializers.CharField(allow_null=True, help_text="The feature's name, when issued.")
    version = serializers.IntegerField(allow_null=True, help_text="The assessment's version, when issued.")
    document_id = serializers.CharField(allow_null=True, help_text="The dossier's document id, when issued.")
    sha256 = serializers.CharField(help_text="SHA-256 of the uploaded file.")
    issued_at = serializers.DateTimeField(allow_null=True, help_text="When the dossier was issued, when issued.")
    certificate = CertificateSerializer(
        allow_null=True, help_text="The certificate the file's signature names (null when it carries none)."
    )
    certificate_trusted = serializers.BooleanField(
        help_text="True when that certificate is one of this system's signing certificates, current or earlier."
    )
    timestamp = TimestampSerializer(
        allow_null=True, help_text="The RFC 3161 timestamp on the signature (null: no trusted timestamp)."
    )
    detail = serializers.CharField(help_text="The answer in words.")


class DossierVerifyView(_ReportsApiView):
    # Anyone may verify a dossier: no account needed (a logged-in caller gets the same answer), limited per client.
    permission_classes = [AllowAny]
    throttle_classes = [verification.VerifyRateThrottle]
    parser_classes = [MultiPartParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="dossier_verify",
        summary="Is this PDF a dossier this system issued, unchanged?",
        description=(
            "Send the PDF as the multipart field `file`; no account needed. It is issued when its SHA-256 is a "
            "stored dossier's and its PAdES signature validates over the whole file with one of the organisation's "
            "signing certificates (the current one or an earlier one listed in DOSSIER_TRUSTED_CERTS). The answer "
            "names the certificate and the timestamp the file carries; the assessment, feature and version only "
            "for an issued file. Limited per client address (DOSSIER_VERIFY_RATE, shared with the /verify/ page)."
        ),
        request={
            "multipart/form-data": OpenApiRequest(
                {
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
                },
                encoding={"file": {"contentType": "application/pdf"}},
            )
        },
        responses={
            200: VerificationSerializer,
            **error_responses(400, 413, 415, 429),
        },
    )
    def post(self, request):
        limit = settings.DOSSIER_VERIFY_MAX_BYTES
        if announces_more_than(request, limit):
            raise PayloadTooLarge(too_large_message())
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
        if not verification.looks_like_pdf(content):
            raise ValidationError({"file": "This is not a PDF file: a dossier is a PDF."})
        result = verification.dossier_verify(content=content)
        return Response(result.as_data())


# -- the public register -----------------------------------------------------------------------------


class RegisterAudienceSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The audience's id in the questionnaire: clients, therapists or internal.")
    label = serializers.CharField(help_text="The audience in words.")


class RegisterOversightSerializer(serializers.Serializer):
    review = serializers.CharField(
        allow_null=True, help_text="How much of the AI's output a person checks (the questionnaire's choice id)."
    )
    review_text = serializers.CharField(allow_blank=True, help_text="The same, in words.")
    description = serializers.CharField(allow_blank=True, help_text="Who checks what, when, and what they can do.")


class RegisterTextSerializer(serializers.Serializer):
    contact_email = serializers.EmailField(help_text="The team's contact address.")
    senior_responsible_owner = serializers.CharField(help_text="The role that answers for the feature.")
    supplier = serializers.CharField(allow_blank=True, help_text="Who supplies it; empty when built in-house.")
    data_used = serializers.CharField(help_text="The data it uses, in plain language.")
    human_oversight = serializers.CharField(help_text="How people oversee it, in plain language.")
    how_to_complain = serializers.CharField(help_text="How to complain or appeal.")
    impact_assessments = serializers.CharField(help_text="The impact assessments done.")
    published_on = serializers.DateField(help_text="When Legal or the committee chair published this text.")


class RegisterFeatureSerializer(serializers.Serializer):
    feature_id = serializers.IntegerField(help_text="The feature's id (the same across its versions).")
    feature = serializers.CharField(help_text="The feature's name.")
    team = serializers.CharField(help_text="The team that owns it.")
    version = serializers.IntegerField(help_text="The assessment version listed (the latest approved one).")
    status = serializers.ChoiceField(
        choices=[str(s) for s in register.REGISTER_STATES],
        help_text="approved (not launched yet), launched, or reassessment_due (live while it is re-assessed).",
    )
    status_text = serializers.CharField(help_text="The status in words.")
    disclosure = serializers.CharField(
        allow_blank=True, help_text="The plain-language disclosure people see (empty for internal-only features)."
    )
    audience = RegisterAudienceSerializer(many=True, help_text="Who sees the feature or is touched by it.")
    policy_statement = serializers.CharField(help_text="What the policy forbids every AI feature to do.")
    what_it_does_not_do = serializers.CharField(allow_blank=True, help_text="The team's own words on its limits.")
    human_oversight = RegisterOversightSerializer()
    approved_on = serializers.DateField(allow_null=True, help_text="When the committee approved this version.")
    launched_on = serializers.DateField(allow_null=True, help_text="When it went live; null until it launches.")
    last_bias_monitoring_on = serializers.DateField(
        allow_null=True, help_text="When bias across groups was last measured for this version."
    )
    last_review_on = serializers.DateField(allow_null=True, help_text="When the committee last approved it.")
    next_review_due = serializers.DateField(
        allow_null=True, help_text="When the committee reviews it again; set at launch."
    )
    under_review = serializers.BooleanField(help_text="True while a re-assessment of the launched feature is open.")
    register_text = RegisterTextSerializer(
        allow_null=True, help_text="The reviewed register text; null until Legal or the chair publishes one."
    )


class RegisterSerializer(serializers.Serializer):
    policy_statement = serializers.CharField(help_text="The policy's promise for every listed feature, in words.")
    count = serializers.IntegerField(help_text="How many features are listed.")
    features = RegisterFeatureSerializer(many=True, help_text="Every live feature, by name.")


class RegisterView(_ReportsApiView):
    # Public: no credentials are read (a stale token does not turn the register into a 401).
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="register",
        summary="The public transparency register",
        description=(
            "Every live AI feature: its current approved, launched or re-assessed version, never drafts, "
            "rejected, superseded or retired ones. No token needed. The same data as /register.json and the "
            "page /register/. Send `If-None-Match` with the last `ETag` to get a 304 when nothing changed."
        ),
        auth=[],
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            200: RegisterSerializer,
            304: OpenApiResponse(description="Not modified since the `ETag` sent in `If-None-Match`."),
            **error_responses(400, 429, e400="A query parameter was sent; the register takes none."),
        },
        tags=["register"],
    )
    def get(self, request):
        snapshot = register.register_snapshot()
        return conditional(request, snapshot, Response(snapshot["data"]), kind="json")
