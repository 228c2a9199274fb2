"""A committee member's sign-off of one review stage."""

from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts import roles
from accounts.delegation import acting_by, delegation_record

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
    # The manifestation (21 CFR 11.50): who signed, as named when they signed; the meaning is ``decision`` as a
    # reviewer of ``stage``, the time ``created_at`` (UTC). Rendered as a sentence only at the edges (manifestation).
    signer_name = models.CharField(max_length=300, blank=True, db_default="")
    signer_username = models.CharField(max_length=150, blank=True, db_default="")
    # Set when the signer acted for the stage's domain by the chair's delegation, not as its reviewer.
    delegation = models.ForeignKey(
        "accounts.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="sign_offs"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One decision per stage per round: the database refuses a second sign-off.
            models.UniqueConstraint(fields=["assessment", "review_round", "stage"], name="one_sign_off_per_stage_round")
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.get_decision_display()} by {self.reviewer}"

    @staticmethod
    def manifestation_of(user, stage, now):
        """The manifestation fields of a sign-off ``user`` makes now at ``stage``: their name and the delegation."""
        delegation = acting_by(user, stage, now)
        return {
            "signer_name": user.get_full_name().strip(),
            "signer_username": user.get_username(),
            "delegation": delegation,
        }

    def manifestation_record(self):
        """The manifestation as structured values, for the audit entry of the act (hashed into the chain)."""
        return {
            "signer_name": self.signer_name,
            "signer_username": self.signer_username,
            "meaning": self.decision,
            "domain": self.stage,
            "signed_at": self.created_at.astimezone(UTC).isoformat(),
            "delegation": delegation_record(self.delegation),
        }

    @property
    def is_valid(self):
        return self.invalidated_at is None
