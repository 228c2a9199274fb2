"""Conditions a reviewer sets when approving, and their reminders."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .. import canonical, deadlines
from .reminders import KeepsReminderSchedule
from .sign_off import SignOff

# Rows that belong to an assessment name it as "assessments.Assessment": the assessment's module reads them
# (its transitions create sign-offs and conditions), so they do not import it back.


class Condition(KeepsReminderSchedule, models.Model):
    """Something the team must do, set by a reviewer when approving: by a date, or before launch."""

    schedule_field = "next_reminder_on"
    schedule_basis = ("status", "due_date")

    class Status(models.TextChoices):
        # Carried from a round that ended with a change request; its domain's reviewer keeps it when signing.
        PROPOSED = "proposed", "Proposed"
        OPEN = "open", "Open"
        # The team marked it met with evidence; a reviewer of the domain that set it (or the chair) confirms.
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        MET = "met", "Met"
        DROPPED = "dropped", "Dropped"

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="conditions")
    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="conditions", null=True, blank=True)
    text = models.TextField(max_length=2000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conditions")
    due_date = models.DateField(null=True, blank=True)
    before_launch = models.BooleanField(default=False, help_text="Must be met before the feature launches.")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The two-step meeting (assessments/conditions.py): the team's evidence, then the domain's confirmation.
    # DB defaults too, so rows written outside the ORM (the bench seeder's COPY) need not name them.
    evidence = models.TextField(blank=True, default="", db_default="")
    # A file given as evidence (assessments/evidence_files.py): its name, kind, size and SHA-256, which the audit
    # log records with the row; the bytes are kept in ``ConditionEvidenceFile`` under that hash.
    evidence_file_name = models.CharField(max_length=255, blank=True, default="", db_default="")
    evidence_file_type = models.CharField(max_length=100, blank=True, default="", db_default="")
    evidence_file_size = models.PositiveIntegerField(null=True, blank=True)
    evidence_file_sha256 = models.CharField(max_length=64, blank=True, default="", db_default="")
    marked_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_met_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, default="", db_default="")
    # The next day its owner is to be reminded while it is open and dated; moved on by the sweep
    # (committee/schedule.py), NULL once closed.
    next_reminder_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            # The condition reminder sweep: only the conditions whose next reminder has come.
            models.Index(
                fields=["next_reminder_on"],
                name="condition_reminder_idx",
                condition=models.Q(next_reminder_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=False) | models.Q(before_launch=True),
                name="condition_has_a_due_date_or_before_launch",
            )
        ]

    def __str__(self):
        return self.text[:80]

    def schedule_start(self):
        """An open dated condition is first reminded ``CONDITION_REMINDER_DAYS_BEFORE`` days before it is due."""
        due_date = self._meta.get_field("due_date").to_python(self.due_date)  # as saving reads it ("2099-01-01")
        dated = self.status == self.Status.OPEN and due_date is not None
        self.next_reminder_on = deadlines.condition_first_reminder(due_date) if dated else None

    @property
    def met(self):
        return self.status == self.Status.MET

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def is_overdue(self, today):
        """Open, dated and past its due date on ``today`` (due today is not yet overdue): the pages' one rule."""
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def awaits_confirmation(self):
        return self.status == self.Status.AWAITING_CONFIRMATION

    @property
    def has_evidence_file(self):
        return bool(self.evidence_file_sha256)

    @property
    def version(self):
        """The SHA-256 of what an edit may change and of its status: an edit form carries the version it showed,
        and the service refuses it under the lock once the condition has changed (no lost update)."""
        return canonical.sha256_of(
            {
                "text": self.text,
                "owner": self.owner_id,
                "due_date": str(self.due_date) if self.due_date else None,
                "before_launch": self.before_launch,
                "status": self.status,
            }
        )

    @property
    def domain(self):
        """The domain whose reviewer set it, and confirms it."""
        return self.sign_off.stage if self.sign_off_id else None


def close_carried(assessment, ctx, ended):
    """An assessment that ended (rejected, withdrawn) leaves no condition proposed, waiting for a reviewer who
    will never sign again: each is dropped, closed unanswered, saying why, and named in the transition's audit
    entry (``closed_conditions``) with its row as it now is."""
    ids = list(
        assessment.conditions.filter(status=Condition.Status.PROPOSED).order_by("pk").values_list("pk", flat=True)
    )
    if ids:
        Condition.objects.filter(pk__in=ids).update(
            status=Condition.Status.DROPPED,
            closed_at=ctx.now,
            review_comment=f"Closed unanswered: {ended}.",
            next_reminder_on=None,
        )
        ctx.details["closed_conditions"] = ids
        ctx.records.append(Condition.objects.filter(pk__in=ids))


class ConditionEvidenceFile(models.Model):
    """The bytes of a file given as evidence for a condition, under their SHA-256 (each marking's file is kept, so
    the audit trail's earlier evidence can still be read). Written once; a download checks the bytes still hash
    to ``sha256``."""

    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="evidence_files")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["condition", "sha256"], name="condition_evidence_file_once"),
        ]

    def __str__(self):
        return self.name
