"""The questionnaire's shape, for the schema only: the view returns the YAML's data as it is."""

from rest_framework import serializers

from assessments.questionnaire import KINDS, TYPES


class QuestionChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="The value to send as the answer (text or true/false).")
    label = serializers.CharField()
    score = serializers.IntegerField(allow_null=True, help_text="Risk or mitigation score; null for info questions.")
    exclusive = serializers.BooleanField(
        required=False, help_text="Present and true when this choice may not be combined with the others."
    )


class HardStopSerializer(serializers.Serializer):
    when = serializers.JSONField(help_text="The answer, or list of answers, that stops the assessment.")
    message = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="section.name; the key of the answer in ``answers``.")
    section = serializers.CharField()
    text = serializers.CharField()
    help = serializers.CharField(allow_blank=True)
    type = serializers.ChoiceField(choices=TYPES)
    required = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=KINDS)
    nist = serializers.ListField(child=serializers.CharField(), help_text="NIST AI RMF subcategories covered.")
    iso42005 = serializers.ListField(
        child=serializers.CharField(), help_text="ISO/IEC 42005:2025 clauses covered, such as 6.3.4."
    )
    eu_ai_act = serializers.ListField(
        child=serializers.CharField(), help_text="EU AI Act points covered, such as 27(1)(c)."
    )
    choices = QuestionChoiceSerializer(many=True)
    max_length = serializers.IntegerField(required=False)
    min = serializers.FloatField(required=False)
    max = serializers.FloatField(required=False)
    show_if = serializers.DictField(
        required=False, help_text="Shown only when another answer matches: question and one of equals, includes, in."
    )
    hard_stop = HardStopSerializer(required=False)


class SectionSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class QuestionnaireSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    sections = SectionSerializer(many=True)
    questions = QuestionSerializer(many=True)
