"""``GET /api/v1/assessments/<id>/coverage/``: coverage per framework (NIST AI RMF, ISO/IEC 42005,
EU AI Act Article 27)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from assessments.coverage import APPLIES, NOT_APPLICABLE, NOT_MAPPED, UNDETERMINED, coverage
from assessments.questionnaire import get_questionnaire

from .schema import ASSESSMENT_ID, error_responses
from .views.base import ApiView, visible_assessment


class ElementCoverageSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The element: a NIST subcategory, an ISO/IEC 42005 clause, 27(1)(c).")
    label = serializers.CharField(allow_blank=True, help_text="What the element asks (blank for NIST ids).")
    covered = serializers.BooleanField(help_text="True when at least one answer addresses it.")
    answered_by = serializers.ListField(child=serializers.CharField(), help_text="Question ids answered.")
    questions = serializers.ListField(child=serializers.CharField(), help_text="Question ids that address it.")


class FrameworkCoverageSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["nist", "iso42005", "eu_ai_act"])
    title = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[APPLIES, NOT_APPLICABLE, UNDETERMINED, NOT_MAPPED],
        help_text="not_applicable: Article 27 does not apply (no elements listed); undetermined: its "
        "applicability questions are unanswered; not_mapped: the assessment's questionnaire does not map to it.",
    )
    note = serializers.CharField(allow_blank=True)
    covered = serializers.IntegerField()
    total = serializers.IntegerField()
    open = serializers.ListField(child=serializers.CharField(), help_text="Element ids no answer addresses yet.")
    elements = ElementCoverageSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    questionnaire_version = serializers.CharField()
    frameworks = FrameworkCoverageSerializer(many=True)


def coverage_data(assessment):
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    return {
        "assessment": assessment.pk,
        "questionnaire_version": assessment.questionnaire_version,
        "frameworks": [f.as_data() for f in coverage(questionnaire, assessment.answers)],
    }


class CoverageView(ApiView):
    @extend_schema(
        summary="Coverage per framework",
        description="For NIST AI RMF, ISO/IEC 42005 and EU AI Act Article 27: each element, the answers that "
        "cover it and the ones still open. Where Article 27 does not apply, it says so instead of listing gaps.",
        parameters=[ASSESSMENT_ID],
        responses={200: CoverageSerializer, **error_responses(401, 404, 429)},
        tags=["assessments"],
    )
    def get(self, request, pk):
        return Response(coverage_data(visible_assessment(request, pk)))
