"""Shapes of the API's requests and responses (DESIGN section 9).

Input serializers check the shape of a request exactly as the OpenAPI schema
generated from them states it: JSON types, lengths, patterns, bounds, which
fields (the strict fields of ``fields.py``; unknown fields are refused). Rules
that depend on the database (team membership, condition owners and dates, the
state) live in ``assessments.services`` and reach the client through its domain
errors. Some serializers here exist only to document a response.
"""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import bias, bias_services, metrics, services, transitions
from assessments.models import (
    Assessment,
    BiasBatch,
    BiasJustification,
    BiasMitigation,
    BiasResult,
    Condition,
    EvidenceKind,
    QuestionComment,
    SignOff,
    State,
    Team,
)
from assessments.questionnaire import KINDS, TYPES, current_questionnaire, get_questionnaire

from .fields import StrictBoolean, StrictChoice, StrictDate, StrictInteger, StrictNumber, Text
from .parsers import MAX_JSON_INT

# -- errors (documentation only) ------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")


class FieldErrorsSerializer(serializers.Serializer):
    """`detail`, plus one key per field in error; `answers` maps question ids to messages."""

    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable code for programs: answer_required, hard_stop, disclosure_too_hard, answers_changed, "
        "bias_evidence_missing, sign_offs_missing, condition_open, condition_awaiting_confirmation, stale_state, "
        "wrong_state, not_your_stage, "
        "concurrent_change, stale_content, bias_flag_unmitigated, bias_group_too_small, ..."
    )
    message = serializers.CharField(help_text="The reason in words, using question texts (never ids).")
    question = serializers.CharField(allow_null=True, help_text="The question id concerned, or null.")
    params = serializers.DictField(
        required=False,
        help_text="Present when the reason is about something specific, as values "
        "(bias reasons: dimension, metric, group, flag, ...).",
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What the state or a guard forbids.")
    reasons = ReasonSerializer(many=True, help_text="Every reason, one per item.")


# -- the questionnaire (documentation only: the view returns the YAML's data as it is) --------


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
# The columns those fields read (``Assessment.objects.only``), the feature and team joined.
SUMMARY_COLUMNS = (
    "id",
    "version",
    "state",
    "risk_level",
    "review_round",
    "created_at",
    "updated_at",
    "questionnaire_version",
    "content_hash",
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


class BoundedListSerializer(serializers.ListSerializer):
    """A list of objects whose bounds (allow_empty, max_length) the schema states (schema.BoundedListExtension)."""


class StrictInputSerializer(serializers.Serializer):
    # Refuses fields it does not know, so a typo or a read-only field is an error, not silently ignored; the
    # schema says so too (additionalProperties: false, see schema.StrictInputExtension).
    # (A comment, not a docstring: drf-spectacular would copy a docstring into every subclass's schema.)

    class Meta:
        list_serializer_class = BoundedListSerializer

    def unknown_field_message(self, key):
        return f"Unknown field; this request takes {', '.join(self.fields)}."

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key[:100]: self.unknown_field_message(key) for key in unknown[:20]})
        return super().to_internal_value(data)


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


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


# -- transitions -----------------------------------------------------------------------------


class ConditionInputSerializer(StrictInputSerializer):
    text = Text(
        max_length=2000,
        blank=False,
        help_text="What the team must do.",
        error_messages={"blank": "Say what the team must do.", "required": "Say what the team must do."},
    )
    owner = Text(
        max_length=150,
        blank=False,
        required=False,
        help_text="Username of a member of the assessment's team (anyone else is a 400); the feature's owner when "
        "left out.",
    )
    due_date = StrictDate(
        required=False, help_text="YYYY-MM-DD, today or later (an earlier date is a 400); or before_launch instead."
    )
    before_launch = StrictBoolean(
        required=False,
        help_text="Due before launch instead of by a date: launch is blocked until the team records it as met.",
    )


@extend_schema_field({"$ref": "#/components/schemas/StateEnum"})
class StateField(StrictChoice):
    """A state name, documented as the same enum as an assessment's ``state``."""

    def __init__(self, **kwargs):
        super().__init__(choices=State.choices, **kwargs)


def _transition_names(*, takes_conditions=False, comment_required=False):
    return [
        (name, spec.label)
        for name, spec in transitions.user_transitions().items()
        if spec.takes_conditions == takes_conditions and spec.comment_required == comment_required
    ]


COMMENT_REQUIRED = "Say what must change, or why: a comment is required."
UNKNOWN_TRANSITION = 'Unknown transition "{input}"; expected one of ' + ", ".join(transitions.names_for_users()) + "."
EXPECTED_STATE_HELP = "The state you decided on; 409 if the assessment has moved on since."


class TransitionNameSerializer(StrictInputSerializer):
    # Only to report a missing or unknown ``name``: the request is then checked by none of the shapes below.
    name = StrictChoice(choices=transitions.names_for_users(), error_messages={"invalid_choice": UNKNOWN_TRANSITION})


class SimpleTransitionRequestSerializer(StrictInputSerializer):
    name = StrictChoice(choices=_transition_names())
    comment = Text(max_length=services.MAX_COMMENT, required=False, help_text="Recorded in the audit trail.")
    expected_state = StateField(required=False, help_text=EXPECTED_STATE_HELP)


class ApproveRequestSerializer(StrictInputSerializer):
    name = StrictChoice(choices=_transition_names(takes_conditions=True))
    comment = Text(max_length=services.MAX_COMMENT, required=False, help_text="Recorded with the sign-off.")
    conditions = ConditionInputSerializer(
        many=True, required=False, max_length=services.MAX_CONDITIONS, help_text="What the team must do."
    )
    expected_state = StateField(required=False, help_text=EXPECTED_STATE_HELP)


class ReasonedDecisionRequestSerializer(StrictInputSerializer):
    name = StrictChoice(choices=_transition_names(comment_required=True))
    comment = Text(
        max_length=services.MAX_COMMENT,
        blank=False,
        help_text="Say what must change, or why.",
        error_messages={"blank": COMMENT_REQUIRED, "required": COMMENT_REQUIRED},
    )
    expected_state = StateField(required=False, help_text=EXPECTED_STATE_HELP)


TRANSITION_REQUESTS = {
    name: shape
    for shape in (SimpleTransitionRequestSerializer, ApproveRequestSerializer, ReasonedDecisionRequestSerializer)
    for name, _ in shape().fields["name"].choices.items()
}


def transition_request_serializer(data):
    """The request shape for the transition ``data`` names (each has its own fields and rules)."""
    name = data.get("name") if isinstance(data, Mapping) else None
    shape = TRANSITION_REQUESTS.get(name) if isinstance(name, str) else None
    return (shape or TransitionNameSerializer)(data=data)


# -- comments on answers ---------------------------------------------------------------------------


class QuestionCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, help_text="Username.")
    shared = serializers.BooleanField(
        source="is_shared", read_only=True, help_text="True once the team can see it (sent by a change request)."
    )

    class Meta:
        model = QuestionComment
        fields = [
            "id",
            "question",
            "review_round",
            "role",
            "stage",
            "author",
            "reply_to",
            "text",
            "created_at",
            "shared",
            "shared_at",
        ]
        read_only_fields = fields


def _question_ids():
    return list(current_questionnaire().questions)


class ReviewerCommentRequestSerializer(StrictInputSerializer):
    question = StrictChoice(choices=_question_ids(), help_text="The question id whose answer the comment is about.")
    text = Text(max_length=services.MAX_QUESTION_COMMENT, blank=False, help_text="The comment.")


class TeamReplyRequestSerializer(StrictInputSerializer):
    reply_to = StrictInteger(
        min_value=1,
        max_value=MAX_JSON_INT,
        help_text="The id of a committee comment a change request sent your team, on this assessment (any other "
        "id is a 404).",
    )
    text = Text(max_length=services.MAX_QUESTION_COMMENT, blank=False, help_text="The reply.")


def question_comment_request_serializer(data):
    """A reviewer's comment names a question; the team's reply names the comment it answers."""
    replying = isinstance(data, Mapping) and "reply_to" in data
    return (TeamReplyRequestSerializer if replying else ReviewerCommentRequestSerializer)(data=data)


# -- bias evidence ---------------------------------------------------------------------------


class BiasRowSerializer(StrictInputSerializer):
    dimension = Text(
        max_length=50,
        # The services' DIMENSION, anchored for Python and for the schema (which reads \A and \Z as ^ and $).
        pattern=r"\A" + services.DIMENSION.pattern.removeprefix("^").removesuffix("$") + r"\Z",
        pattern_message="The dimension must be a short lowercase name such as race, religion or gender.",
        help_text="Lowercase identity dimension: race, religion, gender, age, ...",
    )
    group = Text(max_length=100, blank=False)
    n = StrictInteger(min_value=1, max_value=2_000_000_000, help_text="Sample size.")
    metric = StrictChoice(
        choices=list(metrics.KNOWN),
        error_messages={
            "invalid_choice": "Unknown metric “{input}”; the known metrics are: " + ", ".join(metrics.KNOWN) + "."
        },
        help_text="A declared metric; its direction (higher or lower is better) is declared with it.",
    )
    value = StrictNumber(min_value=0, max_value=1, help_text="A proportion, between 0 and 1.")


DESCRIPTION_HELP = (
    "Required: the model version and the data set the numbers come from (period, size, how groups were defined)."
)


class BiasRowsSerializer(StrictInputSerializer):
    rows = BiasRowSerializer(many=True, allow_empty=False, max_length=services.MAX_BIAS_ROWS)
    description = Text(
        max_length=bias_services.MAX_DESCRIPTION,
        blank=False,
        help_text=DESCRIPTION_HELP,
        error_messages={"required": bias_services.DESCRIPTION_NEEDED, "blank": bias_services.DESCRIPTION_NEEDED},
    )


class BiasBatchSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    intersections = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()), read_only=True, help_text="Pairs of dimensions."
    )

    class Meta:
        model = BiasBatch
        fields = [
            "id",
            "token",
            "kind",
            "method",
            "tool",
            "intersections",
            "source_name",
            "source_sha256",
            "description",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class BiasResultSerializer(serializers.ModelSerializer):
    n = serializers.IntegerField(source="sample_size", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    direction = serializers.SerializerMethodField(help_text="The metric's declared direction.")
    ci_low = serializers.SerializerMethodField(help_text="95% Wilson interval, lower bound (proportions).")
    ci_high = serializers.SerializerMethodField(help_text="95% Wilson interval, upper bound (proportions).")
    provenance = BiasBatchSerializer(
        source="evidence_batch",
        read_only=True,
        allow_null=True,
        help_text="Null for rows recorded before provenance was kept.",
    )

    class Meta:
        model = BiasResult
        fields = [
            "id",
            "kind",
            "batch",
            "dimension",
            "group",
            "n",
            "metric",
            "direction",
            "value",
            "ci_low",
            "ci_high",
            "source_name",
            "source_sha256",
            "provenance",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[*metrics.DIRECTIONS, metrics.UNDECLARED]))
    def get_direction(self, row):
        return metrics.direction_of(row.metric)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_ci_low(self, row):
        return bias.group_value(row).ci_low

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_ci_high(self, row):
        return bias.group_value(row).ci_high


class BiasFileSerializer(StrictInputSerializer):
    file = serializers.FileField(
        help_text="A CSV file (at most 10 MB): per-group results with the columns dimension,group,n,metric,value, "
        "or raw predictions with y_true, y_pred (0 or 1) and one column per identity dimension."
    )
    description = Text(
        max_length=bias_services.MAX_DESCRIPTION,
        blank=False,
        help_text=DESCRIPTION_HELP,
        error_messages={"required": bias_services.DESCRIPTION_NEEDED, "blank": bias_services.DESCRIPTION_NEEDED},
    )
    intersections = Text(
        max_length=200,
        required=False,
        help_text="Raw predictions only: pairs of dimension columns, e.g. race+gender,religion+gender; each becomes "
        "a dimension (race_x_gender) whose groups are the combinations.",
    )


class UploadErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="The line of the file (the header is line 1).")
    column = serializers.CharField(help_text="The column, or empty when the whole line is wrong.")
    message = serializers.CharField()


class UploadErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = UploadErrorSerializer(many=True)


class BiasJustificationRequestSerializer(StrictInputSerializer):
    dimension = Text(
        max_length=50,
        blank=False,
        help_text="A dimension the Data/AI approval requires: race, religion, gender, and each the team marked "
        "relevant. Any other is a 400 naming the required ones (the schema cannot list an assessment's).",
    )
    text = Text(max_length=5000, blank=False, help_text="Why it cannot be measured.")


class BiasJustificationSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = BiasJustification
        fields = ["id", "dimension", "text", "created_by", "created_at"]
        read_only_fields = fields


class BiasMitigationRequestSerializer(StrictInputSerializer):
    flag = Text(
        max_length=320,
        blank=False,
        help_text="The key of a flag the evidence raises now (see bias-flags); any other key is a 409.",
    )
    text = Text(max_length=5000, blank=False, help_text="What is done about it.")


class BiasMitigationSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = BiasMitigation
        fields = ["id", "kind", "flag", "text", "created_by", "created_at"]
        read_only_fields = fields


class BiasFlagGroupSerializer(serializers.Serializer):
    group = serializers.CharField()
    n = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="95% Wilson interval, lower bound.")
    ci_high = serializers.FloatField(allow_null=True, help_text="95% Wilson interval, upper bound.")


class BiasFlagSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="What a mitigation names: ratio_below_four_fifths:<dimension>:<metric>, or "
        "group_too_small:<dimension>:<group>."
    )
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    code = serializers.ChoiceField(choices=[bias.RATIO_FLAG, bias.SMALL_GROUP_FLAG])
    dimension = serializers.CharField()
    metric = serializers.CharField(
        allow_blank=True, help_text="The metric of a ratio flag; empty for a small-sample flag."
    )
    direction = serializers.CharField(
        allow_blank=True, help_text="higher_is_better or lower_is_better (ratio flags); empty otherwise."
    )
    disadvantaged_group = serializers.CharField(
        allow_blank=True, help_text="Ratio flags: the group with the worst value in the metric's direction."
    )
    reference_group = serializers.CharField(allow_blank=True, help_text="Ratio flags: the group with the best value.")
    groups = BiasFlagGroupSerializer(many=True, help_text="Every group compared, with its value and interval.")
    ratio = serializers.FloatField(allow_null=True, help_text="lowest ÷ highest, whatever the direction.")
    conclusive = serializers.BooleanField(
        allow_null=True,
        help_text="False when the two groups' 95% intervals overlap (not conclusive at this sample size); "
        "null when there are no intervals.",
    )
    group = serializers.CharField(allow_blank=True, help_text="The small group, or empty for a ratio flag.")
    n = serializers.IntegerField(allow_null=True, help_text="Small-sample flags: the group's smallest n.")
    metrics = serializers.ListField(
        child=serializers.CharField(), help_text="Small-sample flags: the metrics with fewer than 30 samples."
    )
    mitigated = serializers.BooleanField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="Monitoring flags: the mitigation deadline.")


# -- token ------------------------------------------------------------------------------------


class TokenRequestSerializer(StrictInputSerializer):
    username = Text(max_length=150, blank=False)
    password = Text(
        max_length=4096,
        allow_blank=False,
        style={"input_type": "password"},
        help_text="A wrong username or password is a 400; repeated failures lock the account for an hour (429).",
    )
    otp = Text(max_length=64, required=False, help_text="The second-factor code, for accounts that have one.")
    name = Text(max_length=100, required=False, help_text='What the token is for; default "API token <date>".')


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
