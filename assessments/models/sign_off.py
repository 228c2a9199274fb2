"""A committee member's sign-off of one review stage."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts import roles

# Rows that belong to an assessment name it as "assessments.Assessment": the assessment's module reads them
# (its transitions create sign-offs and conditions), so they do not import it back.


class SignOff(models.Model):
    """A committee member's decision at one stage, bound to the content it saw."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="sign_offs")
    stage = models.CharField(max_length=20, choices=[(d, roles.DOMAIN_LABELS[d]) for d in roles.DOMAINS])
    review_round = models.PositiveIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    # The bias evidence the signer saw (assessments/evidence_hash.py): bound, but outside the content hash.
    evidence_hash = models.CharField(max_length=64, blank=True, db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One decision per stage per round: the database refuses a second sign-off.
            models.UniqueConstraint(fields=["assessment", "review_round", "stage"], name="one_sign_off_per_stage_round")
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.get_decision_display()} by {self.reviewer}"

    @property
    def is_valid(self):
        return self.invalidated_at is None
