"""API tokens that end: several per user, each with a name, an expiry and its last use; only a digest is stored.

The key is shown once, when the token is made (``accounts.tokens.token_create``); the database holds its SHA-256,
so a copy of the database lets nobody call the API. A token stops working when it expires or is revoked (by its
owner, or because the owner's password, activity or roles changed: ``accounts.token_revocation``).
"""

import hashlib

from django.conf import settings
from django.db import models


def key_digest(key):
    """The stored form of a token's key: its SHA-256, in hex (keys are random, so no salt or stretching)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    class RevokedBecause(models.TextChoices):
        OWNER = "owner", "Revoked by its owner"
        PASSWORD_CHANGED = "password_changed", "The password changed"
        DEACTIVATED = "deactivated", "The account was deactivated"
        ROLE_REMOVED = "role_removed", "A role was removed"
        ADMINISTRATOR = "administrator", "Revoked by an administrator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Written at most once a minute per token (accounts.tokens.LAST_USED_RESOLUTION), to bound writes.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=32, choices=RevokedBecause.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"], name="api_token_user_live")]

    def __str__(self):
        return f"{self.name} ({self.user})"

    def is_live(self, now):
        return self.revoked_at is None and self.expires_at > now
