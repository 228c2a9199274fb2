"""Error responses for the OpenAPI schema, described once and named per operation."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .parsers import MAX_JSON_INT
from .serializers import ConflictSerializer, ErrorSerializer, FieldErrorsSerializer

_ERRORS = {
    400: (FieldErrorsSerializer, "Bad input: `detail` and one message per field in error."),
    401: (ErrorSerializer, "No valid credentials: send `Authorization: Token <token>`."),
    403: (ErrorSerializer, "You may not do this to this assessment."),
    404: (ErrorSerializer, "No such assessment, or you may not see it."),
    409: (ConflictSerializer, "The state or a guard forbids this now; `reasons` say why."),
    413: (ErrorSerializer, "The request body is too large."),
    415: (ErrorSerializer, "Send the body as application/json."),
    429: (ErrorSerializer, "Too many requests; wait and retry."),
}


def error_responses(*codes, **descriptions):
    """``{code: OpenApiResponse}`` for the given status codes; ``descriptions`` override by ``e404=...``."""
    responses = {}
    for code in codes:
        serializer, description = _ERRORS[code]
        responses[code] = OpenApiResponse(serializer, description=descriptions.get(f"e{code}", description))
    return responses


ASSESSMENT_ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": MAX_JSON_INT},
    OpenApiParameter.PATH,
    description="The assessment's id.",
)

RISK_LEVEL = OpenApiParameter(
    "risk_level",
    int,
    OpenApiParameter.QUERY,
    enum=[1, 2, 3, 4],
    description="Only assessments at this risk level (1 lowest to 4 highest).",
)
