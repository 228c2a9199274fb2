"""Comments on answers: a reviewer's comment, the team's reply, and how the API shows them."""

from collections.abc import Mapping

from rest_framework import serializers

from assessments import services
from assessments.models import QuestionComment
from assessments.questionnaire import current_questionnaire

from ..fields import StrictChoice, StrictInteger, Text
from ..parsers import MAX_JSON_INT
from .strict import StrictInputSerializer


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
