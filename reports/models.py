"""Frozen dossiers and the log of every dossier download.

A ``Dossier`` is the issued, signed PDF of one decided assessment version: the
approval dossier of an approved one, or the decision record of a rejected or
withdrawn one. Its row, with a snapshot of what it shows (the document's HTML
and its ``assessment.json``), is written in the deciding transaction (so it
commits or rolls back with the decision, and later renames or template edits
do not reach it) and its PDF is rendered from that snapshot and signed once, by
the freezing task or by the first download, whichever takes the row's lock
first. The unique constraint on the assessment means there is never a second
one for the same version.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from assessments.models import Assessment


def dossier_storage():
    """The storage of frozen dossiers (settings.STORAGES["dossiers"]): the media folder, or object storage."""
    return storages["dossiers"]


class DossierQuerySet(models.QuerySet):
    def issued(self):
        """Dossiers whose PDF was rendered, signed and stored."""
        return self.exclude(sha256="")


class Dossier(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="dossiers")
    document_id = models.CharField(max_length=40, unique=True)
    # The audit chain's head when the approval was committed (sequence number and hash).
    checkpoint_seq = models.BigIntegerField()
    checkpoint_hash = models.CharField(max_length=64)
    # The signed checkpoint of that moment, as manage.py audit_checkpoint prints it (seq, hash, signed_at,
    # key_id, signature); the dossier carries it so the log can be checked against it outside the database.
    checkpoint_signed = models.JSONField(default=dict, blank=True)
    # The deciding audit entry (the approval, rejection or withdrawal): the dossier shows the record up to it.
    approval_seq = models.BigIntegerField()
    # The decision it records: "approved" (an approval dossier), "rejected" or "withdrawn" (a decision record).
    decision = models.CharField(max_length=20, default="approved")
    # Taken in the deciding transaction: the document as it is rendered (names, roles, texts, evidence, the
    # template of that day) and the assessment.json embedded in it. Empty for rows written before snapshots.
    snapshot_html = models.TextField(blank=True)
    snapshot_data = models.TextField(blank=True)
    template_version = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    # Filled once, when the PDF is issued; never changed after.
    # The file's name in the dossier storage (looked up at use, so the storage can be reconfigured).
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.CharField(max_length=300, blank=True, help_text="The signing certificate's subject.")

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Never more than one frozen dossier per approved version.
            models.UniqueConstraint(fields=["assessment"], name="one_dossier_per_assessment_version"),
        ]

    def __str__(self):
        return self.document_id

    @property
    def checkpoint(self):
        """The checkpoint it carries: the signed one, or the bare head where no audit key was configured."""
        return self.checkpoint_signed or {"seq": self.checkpoint_seq, "hash": self.checkpoint_hash}

    @property
    def is_issued(self):
        return bool(self.sha256)

    @property
    def is_decision_record(self):
        return self.decision != "approved"


class DossierDownload(models.Model):
    """One download of a dossier, frozen or draft: who, when, through which door, and the bytes' hash."""

    class Channel(models.TextChoices):
        WEB = "web", "Browser"
        API = "api", "API"
        EXPORT = "export", "Bulk export"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="dossier_downloads")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, null=True, blank=True, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="dossier_downloads"
    )
    username = models.CharField(max_length=150)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sha256 = models.CharField(max_length=64)
    draft = models.BooleanField(help_text="A fresh DRAFT render of an unfinished assessment, not an issued dossier.")
    downloaded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-downloaded_at", "-pk"]

    def __str__(self):
        return f"{self.username} downloaded {self.sha256[:12]} at {self.downloaded_at:%Y-%m-%d %H:%M}"


class RegisterText(models.Model):
    """What the public register says about one feature beyond its assessment, in plain language.

    The team drafts it; Legal or the committee chair publishes it. Only a published text is public: a change to
    a published text is a new draft, and the published one stays until the draft is published in its place
    (then it is ``replaced``). Retraction takes the feature off the register in every format. At most one
    draft and one published text per feature.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not public)"
        PUBLISHED = "published", "Published"
        REPLACED = "replaced", "Replaced by a later publication"
        RETRACTED = "retracted", "Retracted"

    feature = models.ForeignKey("assessments.AIFeature", on_delete=models.PROTECT, related_name="register_texts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    contact_email = models.EmailField(blank=True, help_text="A team mailbox, not a person's address.")
    senior_responsible_owner = models.CharField(max_length=200, blank=True, help_text="A role title, not a name.")
    supplier = models.CharField(max_length=199, blank=True, help_text="Empty when the feature is built in-house.")
    data_used = models.TextField(blank=True)
    human_oversight = models.TextField(blank=True)
    how_to_complain = models.TextField(blank=True)
    impact_assessments = models.TextField(blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["feature_id", "-drafted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["feature"], condition=models.Q(status="draft"), name="one_register_draft_per_feature"
            ),
            models.UniqueConstraint(
                fields=["feature"], condition=models.Q(status="published"), name="one_published_register_text"
            ),
        ]

    def __str__(self):
        return f"Register text of {self.feature} ({self.status})"
