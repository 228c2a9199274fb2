"""Bias evidence: batches and their per-group results, justifications, mitigations and monitoring flags."""

from django.conf import settings
from django.db import models
from django.utils import timezone

# Rows that belong to an assessment name it as "assessments.Assessment": the assessment's module reads them
# (its transitions create sign-offs and conditions), so they do not import it back.


class EvidenceKind(models.TextChoices):
    # Evidence for the approval (draft up to Data/AI review), or monitoring results of a launched feature.
    APPROVAL = "approval", "Approval evidence"
    MONITORING = "monitoring", "Monitoring after launch"


class BiasBatch(models.Model):
    """One addition of bias evidence (an upload, a form, an API call) and where its numbers come from:
    the file and its SHA-256, who added it and when, the method, and the model version and data set."""

    class Method(models.TextChoices):
        RESULTS_FILE = "results_file", "Per-group results uploaded as a CSV file"
        RESULTS_ENTERED = "results_entered", "Per-group results entered (form or API)"
        PREDICTIONS = "predictions", "Computed from raw predictions with fairlearn"

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="bias_batches")
    # The rows' ``BiasResult.batch``: the upload's token, so that one upload is never saved twice.
    token = models.CharField(max_length=32)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL)
    method = models.CharField(max_length=20, choices=Method.choices)
    # The library and version that computed the rates ("fairlearn 0.15.0"); empty for results given as such.
    tool = models.CharField(max_length=100, blank=True)
    # Pairs of dimensions whose intersections were computed from raw predictions, e.g. [["race", "gender"]].
    intersections = models.JSONField(default=list, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    description = models.TextField(
        max_length=2000, help_text="The model version and the data set: period, size, how groups were defined."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "bias batches"
        constraints = [models.UniqueConstraint(fields=["assessment", "token"], name="one_bias_batch_per_token")]

    def __str__(self):
        return f"{self.get_method_display()}: {self.source_name or self.token}"


class BiasResult(models.Model):
    """One group's result on one fairness metric (DESIGN section 5).

    Rows added together (one upload, one form) share a ``batch``: one measurement,
    dated by ``created_at``, whose provenance is its ``evidence_batch`` (rows recorded
    before provenance was kept have none).
    """

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="bias_results")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL)
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    evidence_batch = models.ForeignKey(BiasBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="rows")
    dimension = models.CharField(max_length=50)
    group = models.CharField(max_length=100)
    sample_size = models.PositiveIntegerField()
    metric = models.CharField(max_length=100)
    value = models.FloatField()
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension", "metric", "group"]

    def __str__(self):
        return f"{self.dimension}/{self.group} {self.metric}={self.value}"


class BiasJustification(models.Model):
    """Why a required identity dimension cannot be measured: recorded instead of evidence, once per dimension."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="bias_justifications"
    )
    dimension = models.CharField(max_length=50)
    text = models.TextField(max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="one_bias_justification_per_dimension")
        ]

    def __str__(self):
        return f"Justification for {self.dimension}"


class BiasMitigation(models.Model):
    """What is done about one flag (``bias.Flag.key``) of the approval evidence or of monitoring."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="bias_mitigations")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL)
    flag = models.CharField(max_length=320)
    text = models.TextField(max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "flag"], name="one_bias_mitigation_per_flag")
        ]

    def __str__(self):
        return f"Mitigation of {self.flag}"


class MonitoringFlag(models.Model):
    """A flag a monitoring result raised after launch; unmitigated by ``due_at``, the feature is re-assessed."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="monitoring_flags")
    flag = models.CharField(max_length=320)
    code = models.CharField(max_length=40)
    dimension = models.CharField(max_length=50)
    metric = models.CharField(max_length=100)
    group = models.CharField(max_length=100, blank=True)
    batch = models.CharField(max_length=32)
    raised_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "flag"], name="one_monitoring_flag_per_key")]

    def __str__(self):
        return f"Monitoring flag {self.flag}"
