"""Comments on answers: a reviewer's comment, the team's reply, and how the API shows them."""

from collections.abc import Mapping
from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import services
from assessments.manifestation import recorded_acting_for_text
from assessments.models import AuditEntry, QuestionComment
from assessments.questionnaire import current_questionnaire

from ..fields import StrictChoice, StrictInteger, Text
from ..parsers import MAX_JSON_INT
from .assessments import ActingForSerializer
from .strict import StrictInputSerializer


def comment_delegations(assessment_id):
    """``{comment id: audit details}`` of the comments on ``assessment_id`` a delegate wrote (one query); the
    serializer reads it from its context as ``acting_for``."""
    return {
        details.get("comment_id"): details
        for details in AuditEntry.objects.filter(
            assessment_id=assessment_id, action=AuditEntry.Action.QUESTION_COMMENT, details__has_key="acting_for"
        ).values_list("details", flat=True)
    }


class QuestionCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, help_text="Username.")
    shared = serializers.BooleanField(
        source="is_shared", read_only=True, help_text="True once the team can see it (sent by a change request)."
    )
    acting_for = serializers.SerializerMethodField(
        help_text="The delegation a delegate wrote it by (recorded in its audit entry), or null."
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
            "acting_for",
        ]
        read_only_fields = fields

    @extend_schema_field(ActingForSerializer(allow_null=True))
    def get_acting_for(self, comment):
        details = self.context.get("acting_for", {}).get(comment.pk)
        if details is None:
            return None
        record = details["acting_for"]
        until = datetime.fromisoformat(record["until"]).astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {
            "domain": record["domain"],
            "delegated_by": record["delegated_by"],
            "until": until,
            "text": recorded_acting_for_text(details),
        }


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
