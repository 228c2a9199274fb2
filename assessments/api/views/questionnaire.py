"""``GET /api/v1/questionnaire/``: the questionnaire new assessments answer."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from assessments.questionnaire import current_questionnaire

from ..schema import error_responses
from ..serializers.questionnaire import QuestionnaireSerializer
from .base import ApiView


class QuestionnaireView(ApiView):
    @extend_schema(
        summary="The current questionnaire",
        description="The questionnaire new assessments answer, with the same fields as its YAML file.",
        responses={200: QuestionnaireSerializer, **error_responses(401, 429)},
        tags=["questionnaire"],
    )
    def get(self, request):
        return Response(current_questionnaire().as_data())
