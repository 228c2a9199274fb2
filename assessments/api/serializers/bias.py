"""Bias evidence: per-group results (rows or a CSV file), justifications, mitigations and the flags raised."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import bias, bias_services, metrics, services
from assessments.models import BiasBatch, BiasJustification, BiasMitigation, BiasResult, EvidenceKind

from ..fields import StrictChoice, StrictInteger, StrictNumber, Text
from .strict import StrictInputSerializer


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
