"""OpenAPI schema parts: error responses described once and named per operation, parameters, extensions."""

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import append_meta, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from accounts import roles
from assessments import transitions
from assessments.filters import AssessmentFilter
from assessments.models import State
from assessments.states import BIAS_EVIDENCE_STATES, EDITABLE_STATES

from .fields import NO_NUL, Text, ecma_pattern
from .parsers import MAX_JSON_INT
from .serializers.errors import ConflictSerializer, ErrorSerializer, FieldErrorsSerializer


class StrictInputExtension(OpenApiSerializerExtension):
    """Request bodies that refuse unknown fields say so: ``additionalProperties: false``."""

    target_class = "assessments.api.serializers.strict.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            prop = schema["properties"].get(name, {})
            if isinstance(field, Text) and field.allow_blank and "oneOf" in prop:
                # drf-spectacular adds "or an empty string" to a patterned text that may be blank; a Text's
                # pattern admits "" itself, and with both branches "" would match twice, which oneOf forbids.
                prop.update(prop.pop("oneOf")[0])
        return schema


class TextExtension(OpenApiSerializerFieldExtension):
    """A strict text field: a string with its length bounds and its one pattern (a blank one admits "")."""

    target_class = "assessments.api.fields.Text"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {"type": "string"}
        if not field.allow_blank:
            schema["minLength"] = 1
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        schema["pattern"] = ecma_pattern(field.pattern)
        return schema


class FileUploadExtension(OpenApiSerializerFieldExtension):
    """A file a request uploads is ``format: binary`` (a multipart file part), never the URL of a stored file.

    drf-spectacular gives a FileField ``format: uri`` unless every request component is split from its response
    twin (``COMPONENT_SPLIT_REQUEST``); generated clients and fuzzers then send a URL string. The API's upload
    serializers are requests only, so the rule is stated here once for every file field of a request.
    """

    target_class = "rest_framework.fields.FileField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction != "request":
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        schema = build_basic_type(OpenApiTypes.BINARY)
        if not field.allow_empty_file:
            schema["minLength"] = 1
        return append_meta(schema, auto_schema._get_serializer_field_meta(field, direction))


class BoundedListExtension(OpenApiSerializerFieldExtension):
    """A list of objects with its bounds: minItems 1 when it may not be empty, maxItems when it has a limit."""

    target_class = "assessments.api.serializers.strict.BoundedListSerializer"

    def map_serializer_field(self, auto_schema, direction):
        return bounded_list_schema(auto_schema, self.target, direction)


def bounded_list_schema(auto_schema, serializer, direction):
    schema = {"type": "array", "items": auto_schema.resolve_serializer(serializer.child, direction).ref}
    if not serializer.allow_empty:
        schema["minItems"] = 1
    if serializer.max_length is not None:
        schema["maxItems"] = serializer.max_length
    return schema


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


def text_filter(name, description):
    """A text filter of the list, as its form field reads it (django-filter's own schema leaves out the bounds)."""
    return OpenApiParameter(
        name,
        {
            "type": "string",
            "minLength": 1,
            "maxLength": AssessmentFilter.base_filters[name].extra["max_length"],
            "pattern": ecma_pattern(NO_NUL),
        },
        OpenApiParameter.QUERY,
        description=description,
    )


TEAM = text_filter("team", "Only assessments of the team with this slug.")
QUERY_TEXT = text_filter("q", "Only features whose name contains this text (any case).")

STAGE = OpenApiParameter(
    "stage",
    str,
    OpenApiParameter.QUERY,
    enum=list(roles.DOMAINS),
    description="Only assessments waiting at this domain's review stage.",
)

OVERDUE = OpenApiParameter(
    "overdue",
    bool,
    OpenApiParameter.QUERY,
    description="true: only assessments past their current stage's deadline; false: no such filter.",
)

RISK_LEVEL = OpenApiParameter(
    "risk_level",
    int,
    OpenApiParameter.QUERY,
    enum=[1, 2, 3, 4],
    description="Only assessments at this risk level (1 lowest to 4 highest).",
)


# -- links: how one operation's response feeds the next (OpenAPI links) -------------------------------

ASSESSMENT_ID_IN_BODY = {"id": "$response.body#/id"}
ASSESSMENT_ID_IN_PATH = {"id": "$request.path.id"}
NEXT_STEPS = {
    "ReadIt": "v1_assessments_retrieve",
    "EditItsAnswers": "v1_assessments_partial_update",
    "ListItsTransitions": "v1_assessments_transitions_list",
    "TakeATransition": "v1_assessments_transitions_create",
    "AddBiasEvidence": "v1_assessments_bias_results_create",
}
# (path, method, status) -> where the assessment's id is, and the states the assessment can be in then.
LINK_SOURCES = {
    ("/api/v1/assessments/", "post", "201"): (ASSESSMENT_ID_IN_BODY, [State.DRAFT]),
    ("/api/v1/assessments/{id}/", "get", "200"): (ASSESSMENT_ID_IN_BODY, list(State)),
    ("/api/v1/assessments/{id}/", "patch", "200"): (ASSESSMENT_ID_IN_BODY, list(EDITABLE_STATES)),
    ("/api/v1/assessments/{id}/transitions/", "post", "200"): (ASSESSMENT_ID_IN_BODY, list(State)),
    ("/api/v1/assessments/{id}/bias-results/", "post", "201"): (ASSESSMENT_ID_IN_PATH, list(BIAS_EVIDENCE_STATES)),
}
EXAMPLE_REASON = "Say how a client in crisis reaches a person."


def transition_links(parameters, states):
    """A link per transition that can follow from one of ``states``, with the request body that takes it."""
    links = {}
    for name, spec in transitions.user_transitions().items():
        if not any(spec.available_from(state) for state in states):
            continue
        body = {"name": name}
        if spec.comment_required:
            body["comment"] = EXAMPLE_REASON
        links["".join(part.title() for part in name.split("_"))] = {
            "operationId": "v1_assessments_transitions_create",
            "parameters": dict(parameters),
            "requestBody": body,
            "description": f"{spec.label}, when the state and your role allow it (otherwise 403 or 409).",
        }
    return links


def postprocess_schema(result, generator, request, public):
    """drf-spectacular hook: what the generated schema cannot say by itself.

    - links from every response that names an assessment to the operations on it, and to each transition
      that can follow from the states it can be in then (a new assessment is a draft) with the body that takes
      it, and from the list of transitions you may take now to taking one, so clients and the stateful
      fuzzer can follow create -> edit -> transitions and bias evidence;
    - that the bodies made of alternatives (a transition, a bias upload) are required: drf-spectacular
      cannot tell from a oneOf, and the server refuses a request without one.
    """
    paths = result["paths"]
    for path in (
        "/api/v1/assessments/{id}/transitions/",
        "/api/v1/assessments/{id}/bias-results/",
        "/api/v1/dossiers/verify/",
    ):
        paths[path]["post"]["requestBody"]["required"] = True
    paths["/api/v1/assessments/{id}/transitions/"]["get"]["responses"]["200"]["links"] = {
        "TakeTheFirst": {
            "operationId": "v1_assessments_transitions_create",
            "parameters": dict(ASSESSMENT_ID_IN_PATH),
            "requestBody": {"name": "$response.body#/0/name"},
            "description": "Take the first of the transitions you may take now (the workflow's way forward).",
        }
    }
    for (path, method, status), (parameters, states) in LINK_SOURCES.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            **{
                name: {"operationId": operation_id, "parameters": dict(parameters)}
                for name, operation_id in NEXT_STEPS.items()
            },
            **transition_links(parameters, states),
        }
    return result
