"""Reviewers' comments on single answers, and the team's replies."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .sign_off import SignOff

# Rows that belong to an assessment name it as "assessments.Assessment": the assessment's module reads them
# (its transitions create sign-offs and conditions), so they do not import it back.


class QuestionComment(models.Model):
    """A comment on one answer, kept per review round.

    A reviewer writes it while reviewing; it stays with the committee until a
    transition that gathers comments (``request_changes``) sends it to the team
    (``shared_at``, ``sign_off``). The team replies to a shared comment; a reply
    is shared when written. Every comment is in the audit log.
    """

    class Role(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        TEAM = "team", "Team"

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="question_comments")
    question = models.CharField(max_length=100, help_text="The question id (section.name).")
    review_round = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=Role.choices)
    # The reviewer's stage when they wrote it; empty for the team's replies.
    stage = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reply_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    shared_at = models.DateTimeField(null=True, blank=True, help_text="When the team could first see it.")
    # The change request that sent it to the team.
    sign_off = models.ForeignKey(
        SignOff, on_delete=models.PROTECT, null=True, blank=True, related_name="question_comments"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "review_round"], name="question_comment_round")]

    def __str__(self):
        return f"{self.question} (round {self.review_round}): {self.text[:60]}"

    @property
    def is_shared(self):
        return self.shared_at is not None
