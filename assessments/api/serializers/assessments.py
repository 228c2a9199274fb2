"""An assessment as the API shows it (whole, or as a list row) and the requests that create it or edit its answers."""

from collections.abc import Mapping
from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import services
from assessments.manifestation import manifestation, manifestation_line
from assessments.models import Assessment, Condition, SignOff, Team
from assessments.questionnaire import current_questionnaire, get_questionnaire

from ..fields import StrictBoolean, StrictChoice, StrictNumber, Text
from .strict import StrictInputSerializer


class ActingForSerializer(serializers.Serializer):
    domain = serializers.CharField(help_text="The domain the signer acted for.")
    delegated_by = serializers.CharField(help_text="Username of the chair who delegated.")
    until = serializers.DateTimeField(help_text="When the delegation ends (or ended early), UTC.")
    text = serializers.CharField(help_text='"acting for Legal, delegated by <chair> until <date>".')


# A sign-off's decision and its manifestation's meaning are one choice set: DecisionEnum in the schema
# (ENUM_NAME_OVERRIDES in the settings).
DECISION_CHOICES = SignOff.Decision.choices


class ManifestationSerializer(serializers.Serializer):
    """What the signature means (21 CFR 11.50): who, when (UTC), as what, and for whom."""

    signer_name = serializers.CharField(help_text="The signer's full name when they signed.")
    signer_username = serializers.CharField()
    meaning = serializers.ChoiceField(choices=DECISION_CHOICES, help_text="What the signature means.")
    domain = serializers.CharField(help_text="The review domain signed as.")
    signed_at = serializers.DateTimeField(help_text="UTC.")
    text = serializers.CharField(help_text='"Approved as Legal reviewer by <name> (<username>) at <UTC time>".')
    acting_for = ActingForSerializer(allow_null=True, help_text="The delegation the signer acted by, or null.")


class SignOffSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, help_text="Username.")
    valid = serializers.BooleanField(
        source="is_valid", read_only=True, help_text="False once the answers changed after this sign-off."
    )
    manifestation = serializers.SerializerMethodField()

    class Meta:
        model = SignOff
        fields = [
            "stage",
            "review_round",
            "reviewer",
            "decision",
            "comment",
            "content_hash",
            "created_at",
            "valid",
            "manifestation",
        ]
        read_only_fields = fields

    @extend_schema_field(ManifestationSerializer)
    def get_manifestation(self, sign_off):
        shown = manifestation(sign_off)
        delegation = sign_off.delegation
        return {
            "signer_name": sign_off.signer_name,
            "signer_username": sign_off.signer_username or sign_off.reviewer.get_username(),
            "meaning": sign_off.decision,
            "domain": sign_off.stage,
            "signed_at": sign_off.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "text": manifestation_line(sign_off),
            "acting_for": None
            if delegation is None
            else {
                "domain": delegation.domain,
                "delegated_by": delegation.delegated_by.get_username(),
                "until": delegation.until.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "text": shown["acting_for"],
            },
        }


class ConditionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True, help_text="Username.")
    met = serializers.BooleanField(read_only=True, help_text="True once confirmed met by the committee.")

    class Meta:
        model = Condition
        fields = ["id", "text", "owner", "due_date", "before_launch", "status", "met"]
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
            "review_round",
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


# What a list row holds: who, what and where in the workflow, and the fingerprint of the answers. The answers,
# the risk breakdown, the sign-offs and the conditions are the record itself, read one assessment at a time.
SUMMARY_FIELDS = (
    "id",
    "url",
    "feature_name",
    "team",
    "version",
    "state",
    "risk_level",
    "review_round",
    "created_at",
    "updated_at",
    "questionnaire_version",
    "content_hash",
)
# The columns those fields read (``Assessment.objects.only``): the assessment's own, and the feature's name and its
# team's slug joined (the serializer's url, feature_name and team).
SUMMARY_COLUMNS = (
    *(name for name in SUMMARY_FIELDS if name not in ("url", "feature_name", "team")),
    "feature__name",
    "feature__team__slug",
)


class AssessmentSummarySerializer(serializers.ModelSerializer):
    """One row of the list: the assessment without its answers and evidence; ``url`` reads the whole record."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api-assessment-detail", help_text="The whole assessment: answers, risk, sign-offs, conditions."
    )
    feature_name = serializers.CharField(source="feature.name", read_only=True)
    team = serializers.CharField(source="feature.team.slug", read_only=True, help_text="The team's slug.")

    class Meta:
        model = Assessment
        fields = list(SUMMARY_FIELDS)
        read_only_fields = fields


# -- answers -------------------------------------------------------------------------------


def answer_field(question):
    """The API field for one question's answer: its JSON type and bounds, from the questionnaire; null clears it."""
    common = {"required": False, "allow_null": True, "help_text": question.text}
    if question.type in ("text", "long_text"):
        return Text(max_length=question.max_length, **common)
    if question.type == "boolean":
        return StrictBoolean(**common)
    if question.type == "single_choice":
        return StrictChoice(choices=question.choice_values, **common)
    if question.type == "multi_choice":
        return serializers.ListField(child=StrictChoice(choices=question.choice_values), **common)
    if question.type == "number":
        return StrictNumber(min_value=question.min, max_value=question.max, **common)
    raise ValueError(f"{question.id}: no API field for type {question.type!r}")


class AnswersSerializer(StrictInputSerializer):
    # Question id to answer, one property per question of the questionnaire (the current one in the schema; an
    # assessment's own version, from the context, when editing it). The services then check the answers again.

    def get_fields(self):
        questionnaire = self.context.get("questionnaire") or current_questionnaire()
        self.questions = questionnaire.questions
        return {question.id: answer_field(question) for question in questionnaire.questions.values()}

    def unknown_field_message(self, key):
        return "Unknown question id."

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": ["Give the answers as an object mapping question ids to answers."]}
            )
        # Question ids contain dots, which DRF would read as nested sources: validate answer by answer.
        answers, errors = {}, {}
        for qid, value in data.items():
            if qid not in self.fields:
                if len(errors) < 50:
                    errors[str(qid)[:100]] = self.unknown_field_message(qid)
                continue
            try:
                answers[qid] = self.fields[qid].run_validation(value)
            except serializers.ValidationError as exc:
                errors[qid] = f"{self.questions[qid].text} — {_plain(exc.detail)}"
        if errors:
            raise serializers.ValidationError(errors)
        return answers


def _plain(detail):
    """DRF error details (nested lists and dicts of messages) as one line of text."""
    if isinstance(detail, Mapping):
        return " ".join(_plain(item) for item in detail.values())
    if isinstance(detail, list | tuple):
        return " ".join(_plain(item) for item in detail)
    return str(detail)


# -- create and edit -------------------------------------------------------------------------

NOT_YOUR_TEAM = "You are not a member of a team with that slug."


class AssessmentCreateSerializer(StrictInputSerializer):
    feature_name = Text(
        max_length=services.FEATURE_NAME_MAX,
        blank=False,
        help_text="The AI feature's name; unique in the team (409 when the team already has it).",
    )
    team = Text(
        max_length=Team._meta.get_field("slug").max_length,
        blank=False,
        help_text="The slug of a team you are a member of. A well-formed slug of a team you are not in, or of no "
        "team, is a 400 (the schema cannot list your teams).",
    )
    answers = AnswersSerializer(required=False, help_text="Question id to answer; a draft may be incomplete.")

    def validate_team(self, slug):
        # The same answer for a team that does not exist and one the caller is not in: slugs are not revealed.
        team = Team.objects.filter(slug=slug).first()
        if team is None or not team.has_member(self.context["request"].user):
            raise serializers.ValidationError(NOT_YOUR_TEAM)
        return team


class AnswersUpdateSerializer(StrictInputSerializer):
    answers = AnswersSerializer(
        required=False, help_text="Question id to answer. Merged into the saved answers; null clears a question."
    )
    expected_content_hash = Text(
        max_length=64,
        required=False,
        pattern=r"\A[0-9a-f]{64}\Z",
        pattern_message="Give the content_hash you read: 64 lowercase hexadecimal characters.",
        help_text="The content_hash you read; 409 if someone saved other answers since (no lost updates).",
    )
