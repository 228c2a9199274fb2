"""The append-only, hash-chained audit log, its signed head and its signing keys."""

from django.conf import settings
from django.db import models

from .. import canonical

# Rows that belong to an assessment name it as "assessments.Assessment": the assessment's module reads them
# (its transitions create sign-offs and conditions), so they do not import it back.


class AuditEntryQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("The audit log is append-only.")

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")


def audit_payload(
    *,
    seq,
    assessment_id,
    actor_id,
    actor_username,
    action,
    transition,
    from_state,
    to_state,
    comment,
    content_hash,
    details,
    created_at,
    prev_hash,
):
    """What a row's hash covers, as the database returns it (``created_at`` as a datetime)."""
    return {
        "seq": seq,
        "assessment_id": assessment_id,
        "actor_id": actor_id,
        "actor_username": actor_username,
        "action": action,
        "transition": transition,
        "from_state": from_state,
        "to_state": to_state,
        "comment": comment,
        "content_hash": content_hash,
        "details": details,
        "created_at": canonical.timestamp(created_at),
        "prev_hash": prev_hash,
    }


class AuditEntry(models.Model):
    """One row of the append-only, hash-chained audit log.

    ``entry_hash`` is SHA-256 over the row's RFC 8785 canonical JSON including the
    previous row's hash, so altering, deleting or inserting any row breaks the chain.
    ``signature`` is the signing key's Ed25519 signature of ``(seq, entry_hash)``:
    it is outside the hash and lets the verifier name the first row of a rewritten
    stretch. ``assessment_id`` is kept without a database constraint so that even
    a deleted assessment leaves its trail (and its removal is detected).
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        TRANSITION = "transition", "Transition"
        ANSWERS_CHANGED = "answers_changed", "Answers changed"
        BIAS_EVIDENCE_ADDED = "bias_evidence_added", "Bias evidence added"
        CONDITION_MET = "condition_met", "Condition met"
        CONDITION_MARKED_MET = "condition_marked_met", "Condition marked met"
        CONDITION_CONFIRMED = "condition_confirmed", "Condition confirmed met"
        CONDITION_REOPENED = "condition_reopened", "Condition reopened"
        CONDITION_DROPPED = "condition_dropped", "Condition dropped"
        CONDITION_EDITED = "condition_edited", "Carried condition edited"
        SIGN_OFF_INVALIDATED = "sign_off_invalidated", "Sign-off invalidated"
        # The committee chair reminded a stage's reviewers by hand (committee.services.stage_nudge).
        REMINDER_SENT = "reminder_sent", "Reminder sent"
        BIAS_JUSTIFIED = "bias_justified", "Bias dimension justified"
        BIAS_MITIGATED = "bias_mitigated", "Bias flag mitigated"
        BIAS_FLAGS_RAISED = "bias_flags_raised", "Bias flags raised by monitoring"
        # A reviewer commented on one answer, or the team replied (services.question_comment_add).
        QUESTION_COMMENT = "question_comment", "Question comment"
        # Rows made before the log recorded them, recorded as they were then (assessments.audit_backfill).
        RECORDS_LOGGED = "records_logged", "Existing records entered in the log"
        # The feature's public register text was published or retracted (reports.register_publication).
        REGISTER_PUBLISHED = "register_published", "Register text published"
        REGISTER_RETRACTED = "register_retracted", "Register text retracted"
        # Someone downloaded the assessment's dossier (reports.services.dossier_download): who, which bytes.
        DOSSIER_DOWNLOADED = "dossier_downloaded", "Dossier downloaded"

    # Assigned by the appender as the chain's next number, so the hash can cover it.
    seq = models.BigIntegerField(primary_key=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.DO_NOTHING, db_constraint=False, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    transition = models.CharField(max_length=30, blank=True)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # Empty when the row was appended while no signing key was configured.
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"#{self.pk} {self.action} {self.from_state}->{self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def hashed_payload(self):
        return audit_payload(
            seq=self.seq,
            assessment_id=self.assessment_id,
            actor_id=self.actor_id,
            actor_username=self.actor_username,
            action=self.action,
            transition=self.transition,
            from_state=self.from_state,
            to_state=self.to_state,
            comment=self.comment,
            content_hash=self.content_hash,
            details=self.details,
            created_at=self.created_at,
            prev_hash=self.prev_hash,
        )

    def compute_hash(self):
        return canonical.sha256_of(self.hashed_payload())


class AuditChainHead(models.Model):
    """The single row naming the chain's last entry, signed; appends lock it to serialise.

    ``signature`` is the signing key's Ed25519 signature of the checkpoint
    ``(last_seq, last_hash, signed_at, key_id)``: moving the head (truncating the
    log, or appending rows without the service) needs the private key.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=canonical.GENESIS_HASH)
    signed_at = models.DateTimeField(null=True, blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self):
        return f"Audit chain head at row {self.last_seq}"


class AuditSigningKey(models.Model):
    """The public half of a key that signed the audit log, and when it was in use.

    Recorded by the appender when a key first signs; the previous key's period
    ends then (rotation). The verifier trusts only public keys it is given
    outside the database; these rows add the validity periods.
    """

    key_id = models.CharField(max_length=16, primary_key=True)
    public_key = models.TextField(help_text="PEM (SubjectPublicKeyInfo).")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]

    def __str__(self):
        return f"Audit signing key {self.key_id}"
