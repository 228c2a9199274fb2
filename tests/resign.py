"""A round ended by Security's change request after Legal signed with conditions, for the re-sign tests."""

from datetime import timedelta

from django.utils import timezone

from assessments import services
from assessments.models import State

from .workflow import act, advance, create_draft

SUMMARY_BEFORE = "Drafts session notes for the therapist to review before they are saved."
SUMMARY_AFTER = "Drafts session notes for the treating therapist to review and sign before they are filed."
NOTE = "Said that the treating therapist signs every note."
LEGAL_COMMENT = "Retention follows the records policy."


def due_in(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def ended_by_security(people):
    """Legal approved with two conditions; Security asked for a change on the summary. Returns the assessment."""
    assessment = advance(
        people, create_draft(people, **{"overview.feature_summary": SUMMARY_BEFORE}), State.LEGAL_REVIEW
    )
    assessment = act(
        people,
        assessment,
        "approve",
        comment=LEGAL_COMMENT,
        conditions=[
            {"text": "Publish the retention schedule.", "before_launch": True},
            {"text": "Review the deletion logs.", "due_date": due_in(30)},
        ],
    )
    services.question_comment_add(
        assessment=assessment,
        question="overview.feature_summary",
        text="Who signs the note?",
        by=people.reviewers["security"],
    )
    return act(people, assessment, "request_changes", comment="Say who signs the notes.")


def change_summary(people, assessment):
    return services.assessment_update_answers(
        assessment=assessment, answers={"overview.feature_summary": SUMMARY_AFTER}, by=people.alice
    )
