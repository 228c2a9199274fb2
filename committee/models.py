"""The committee's notices: the in-app inbox, the email outbox and each person's email preference.

A notice is written in the transaction of the change that causes it (DESIGN section 6): the
recipient's ``Notification`` (the inbox entry, shown at once) and, unless they prefer a daily
digest, an ``OutboxEmail`` that a Celery task sends after commit. Both hold structured values
(a kind, ids, a context of plain values); the text is rendered at the edge (``committee.kinds``, ``committee.mail``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .kinds import body_of, subject_of


class OutboxEmail(models.Model):
    """One email to send: a notice's own, or one user's daily digest of several.

    Sending is claimed with a conditional UPDATE (``committee.outbox``), so a task delivered
    twice, retried, or racing the re-drive sends it once.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", "Notice"
        DIGEST = "digest", "Daily digest"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_emails")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    # One email per notice and recipient, one digest per recipient and day: a second insert is refused.
    key = models.CharField(max_length=220, unique=True)
    digest_of = models.DateField(null=True, blank=True, help_text="The day of a daily digest.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outbox email"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient_id}: {self.get_status_display()}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def needing_action(self):
        """Action notices whose action is still to be done: what "needs you" lists and the badge counts."""
        return self.filter(category=Notification.Category.ACTION, resolved_at__isnull=True)

    def for_information(self):
        """Everything else: information, and action notices already resolved."""
        return self.exclude(category=Notification.Category.ACTION, resolved_at__isnull=True)

    def mark_read(self, now=None):
        """Mark the unread ones read; returns how many changed (a conditional UPDATE, safe to repeat)."""
        return self.filter(read_at__isnull=True).update(read_at=now or timezone.now())


class Notification(models.Model):
    """One notice to one user: their inbox entry.

    ``key`` names the event it reports: the audit row of a transition, or for a sweep the
    (kind, assessment, stage or condition, round, day) it covers. With the recipient it is
    unique, so running a sweep twice at the same moment adds nothing.

    An ``action`` notice asks its reader to do something (review a stage, answer a change
    request, meet or confirm a condition); it is resolved (``resolved_at``) when that is done by
    anyone entitled to it, or has become moot (``committee.lifecycle``). ``stage``,
    ``review_round`` and ``condition`` say which action it is about.
    """

    class Category(models.TextChoices):
        ACTION = "action", "Needs you"
        INFO = "info", "For your information"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email that carries it: its own, or the daily digest it went into; none while it waits for the digest.
    email = models.ForeignKey(
        OutboxEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    awaits_digest = models.BooleanField(default=False)
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.INFO)
    resolved_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=20, blank=True)
    review_round = models.PositiveIntegerField(null=True, blank=True)
    condition = models.ForeignKey(
        "assessments.Condition", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
            models.Index(
                fields=["created_at"], name="notification_awaiting_digest", condition=models.Q(awaits_digest=True)
            ),
            # The badge and "needs you": a person's open action notices.
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_open_action",
                condition=models.Q(category="action", resolved_at__isnull=True),
            ),
            # Resolution after a transition: the open action notices of one assessment.
            models.Index(
                fields=["assessment"],
                name="notification_open_per_assess",
                condition=models.Q(category="action", resolved_at__isnull=True),
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["key", "recipient"], name="one_notification_per_event")]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None

    @property
    def needs_action(self):
        return self.category == self.Category.ACTION and self.resolved_at is None

    @property
    def subject(self):
        return subject_of(self)

    @property
    def body(self):
        return body_of(self)


class NoticePreference(models.Model):
    """How a person wants their notices by email. Inbox entries are immediate either way."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", "An email for each notice, as it happens"
        DAILY_DIGEST = "daily_digest", "One email a day that gathers the day's notices"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference")
    email = models.CharField(max_length=20, choices=Email.choices, default=Email.IMMEDIATE)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user_id}: {self.get_email_display()}"
