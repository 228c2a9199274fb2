"""The API's error bodies, for the schema only: ``exceptions.api_exception_handler`` writes them."""

from rest_framework import serializers


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
