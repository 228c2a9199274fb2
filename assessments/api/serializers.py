"""Shapes of the API's requests and responses (DESIGN section 9).

Input serializers check only the shape of a request (types, which fields);
every rule about what the values may be lives in ``assessments.services`` and
reaches the client through its domain errors. Some serializers here exist only
to document a response in the OpenAPI schema.
"""

from collections.abc import Mapping

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import services, transitions
from assessments.models import Assessment, BiasResult, Condition, SignOff, State, Team
from assessments.questionnaire import KINDS, TYPES, get_questionnaire

# -- errors (documentation only) ------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")


class FieldErrorsSerializer(serializers.Serializer):
    """`detail`, plus one key per field in error; `answers` maps question ids to messages."""

    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable code for programs: answer_required, hard_stop, disclosure_too_hard, answers_changed, "
        "bias_evidence_missing, sign_offs_missing, condition_open, stale_state, wrong_state, not_your_stage, "
        "concurrent_change, stale_content, ..."
    )
    message = serializers.CharField(help_text="The reason in words, using question texts (never ids).")
    question = serializers.CharField(allow_null=True, help_text="The question id concerned, or null.")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What the state or a guard forbids.")
    reasons = ReasonSerializer(many=True, help_text="Every reason, one per item.")


# -- the questionnaire (documentation only: the view returns the YAML's data as it is) --------


class QuestionChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="The value to send as the answer (text or true/false).")
    label = serializers.CharField()
    score = serializers.IntegerField(allow_null=True, help_text="Risk or mitigation score; null for info questions.")


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


# -- assessments ---------------------------------------------------------------------------


class SignOffSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, help_text="Username.")
    valid = serializers.BooleanField(
        source="is_valid", read_only=True, help_text="False once the answers changed after this sign-off."
    )

    class Meta:
        model = SignOff
        fields = ["stage", "review_round", "reviewer", "decision", "comment", "content_hash", "created_at", "valid"]
        read_only_fields = fields


class ConditionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True, help_text="Username.")
    met = serializers.BooleanField(read_only=True, help_text="True once the team recorded it as met.")

    class Meta:
        model = Condition
        fields = ["text", "owner", "due_date", "before_launch", "status", "met"]
        read_only_fields = fields


class RiskContributionSerializer(serializers.Serializer):
    question = serializers.CharField()
    kind = serializers.CharField()
    score = serializers.IntegerField()


class RiskScoreSerializer(serializers.Serializer):
    raw = serializers.IntegerField()
    raw_max = serializers.IntegerField()
    mitigation = serializers.IntegerField()
    mitigation_max = serializers.IntegerField()
    mitigation_applied = serializers.BooleanField()
    adjusted = serializers.FloatField()
    level = serializers.IntegerField()
    contributions = RiskContributionSerializer(many=True)


class HardStopHitSerializer(serializers.Serializer):
    question = serializers.CharField()
    message = serializers.CharField()


class AssessmentSerializer(serializers.ModelSerializer):
    feature_name = serializers.CharField(source="feature.name", read_only=True)
    team = serializers.CharField(source="feature.team.slug", read_only=True, help_text="The team's slug.")
    answers = serializers.DictField(read_only=True, help_text="Question id to answer.")
    sign_offs = SignOffSerializer(many=True, read_only=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    risk_score = RiskScoreSerializer(read_only=True, help_text="How the risk level was computed.")
    hard_stops = serializers.SerializerMethodField(help_text="Answers that stop the assessment from being submitted.")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "feature_name",
            "team",
            "version",
            "state",
            "risk_level",
            "answers",
            "sign_offs",
            "conditions",
            "created_at",
            "updated_at",
            "questionnaire_version",
            "risk_score",
            "hard_stops",
            "content_hash",
        ]
        read_only_fields = fields

    @extend_schema_field(HardStopHitSerializer(many=True))
    def get_hard_stops(self, assessment):
        questionnaire = get_questionnaire(assessment.questionnaire_version)
        return [
            {"question": question.id, "message": message}
            for question, message in questionnaire.hard_stops(assessment.answers)
        ]


class StrictInputSerializer(serializers.Serializer):
    # Refuses fields it does not know, so a typo or a read-only field is an error, not silently ignored.
    # (A comment, not a docstring: drf-spectacular would copy a docstring into every subclass's schema.)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {key[:100]: f"Unknown field; this request takes {known}." for key in unknown[:20]}
                )
        return super().to_internal_value(data)


class AssessmentCreateSerializer(StrictInputSerializer):
    feature_name = serializers.CharField(max_length=services.FEATURE_NAME_MAX, help_text="The AI feature's name.")
    team = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Team.objects.all(),
        help_text="The team's slug; you must be a member.",
        error_messages={"does_not_exist": "No team has the slug {value}.", "invalid": "Give the team's slug as text."},
    )
    answers = serializers.DictField(
        required=False, default=dict, help_text="Question id to answer; a draft may be incomplete."
    )


class AnswersUpdateSerializer(StrictInputSerializer):
    answers = serializers.DictField(
        required=False,
        default=dict,
        help_text="Question id to answer. Merged into the saved answers; null clears a question.",
    )
    expected_content_hash = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        help_text="The content_hash you read; 409 if someone saved other answers since (no lost updates).",
        error_messages={"invalid": "Give the content_hash you read: 64 lowercase hexadecimal characters."},
    )


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class ConditionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, help_text="What the team must do.")
    owner = serializers.CharField(
        required=False, help_text="Username of a team member; the feature's owner when left out."
    )
    due_date = serializers.DateField(required=False, help_text="YYYY-MM-DD, today or later; or before_launch.")
    before_launch = serializers.BooleanField(
        required=False, help_text="Due before launch instead of by a date: launch is blocked until it is met."
    )


@extend_schema_field(ConditionInputSerializer(many=True))
class ConditionsField(serializers.ListField):
    """A list of objects; the service checks each condition's text, owner and due date."""

    child = serializers.DictField()


@extend_schema_field({"$ref": "#/components/schemas/StateEnum"})
class StateField(serializers.ChoiceField):
    """A state name, documented as the same enum as an assessment's ``state``."""

    def __init__(self, **kwargs):
        super().__init__(choices=State.choices, **kwargs)


class TransitionRequestSerializer(StrictInputSerializer):
    name = serializers.ChoiceField(
        choices=[(name, spec.label) for name, spec in transitions.user_transitions().items()],
        error_messages={
            "invalid_choice": 'Unknown transition "{input}"; expected one of '
            + ", ".join(transitions.names_for_users())
            + "."
        },
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_COMMENT,
        help_text="Required to request changes or reject.",
    )
    conditions = ConditionsField(
        required=False, max_length=services.MAX_CONDITIONS, help_text="Only with approve: what the team must do."
    )
    expected_state = StateField(
        required=False,
        help_text="The state you decided on; 409 if the assessment has moved on since.",
    )


# -- bias evidence ---------------------------------------------------------------------------


class BiasRowSerializer(serializers.Serializer):
    dimension = serializers.CharField(
        max_length=50,
        validators=[RegexValidator(services.DIMENSION)],
        help_text="Lowercase identity dimension: race, religion, gender, age, ...",
    )
    group = serializers.CharField(max_length=100)
    n = serializers.IntegerField(min_value=1, max_value=2_000_000_000, help_text="Sample size.")
    metric = serializers.CharField(max_length=100)
    value = serializers.FloatField()


class BiasRowsSerializer(serializers.Serializer):
    rows = BiasRowSerializer(many=True)


class BiasResultSerializer(serializers.ModelSerializer):
    n = serializers.IntegerField(source="sample_size", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = BiasResult
        fields = ["id", "dimension", "group", "n", "metric", "value", "created_by", "created_at"]
        read_only_fields = fields


# -- token ------------------------------------------------------------------------------------


class TokenRequestSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
