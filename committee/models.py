"""The committee's in-app inbox.

Notifications are written by the reminder and notification machinery (DESIGN
section 6); the browser lists them for their recipient, who marks them read.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self, now=None):
        """Mark the unread ones read; returns how many changed (a conditional UPDATE, safe to repeat)."""
        return self.filter(read_at__isnull=True).update(read_at=now or timezone.now())


class Notification(models.Model):
    """One message to one user, optionally about one assessment."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None
