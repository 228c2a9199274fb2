"""What every API view shares: JSON in and out, authentication, throttles, and the one way to read an assessment.

Each view parses its input, asks ``assessments.selectors`` what the caller may
see (anything else is 404), calls one service, and renders the result. The
services decide what the caller may do (403), what the state allows (409) and
which values are valid (400); ``exceptions.api_exception_handler`` turns their
errors into JSON.
"""

from django.db.models import Prefetch
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from assessments import canonical, selectors
from assessments.models import Assessment, Condition, SignOff

from ..exceptions import api_exception_handler
from ..parsers import StrictJSONParser
from ..query import refuse_unknown_query_parameters
from ..serializers.assessments import AssessmentSerializer
from ..throttling import ReadRateThrottle, WriteRateThrottle


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
        Prefetch("sign_offs", queryset=SignOff.objects.select_related("reviewer", "delegation__delegated_by")),
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
    return AssessmentSerializer(fresh).data
