"""Identity records: the security events auditors read.

A security event is written by the code that does the thing (a login, an MFA enrolment, a token's creation),
through ``accounts.security_events.record``; nothing edits or deletes one through the application.
"""

from django.conf import settings
from django.db import models

from . import roles


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        LOCKOUT = "lockout", "Locked out"
        LOGOUT = "logout", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired (idle)"
        SSO_LOGIN = "sso_login", "Signed in through single sign-on"
        SSO_ROLES_CHANGED = "sso_roles_changed", "Roles changed by the identity provider"
        MFA_ENROLLED = "mfa_enrolled", "Second factor enrolled"
        MFA_REMOVED = "mfa_removed", "Second factor removed"
        MFA_FAILED = "mfa_failed", "Second factor refused"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        REAUTHENTICATED = "reauthenticated", "Re-authenticated to sign"
        REAUTH_FAILED = "reauth_failed", "Re-authentication to sign failed"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        DELEGATION_CREATED = "delegation_created", "Delegation granted"
        DELEGATION_CHANGED = "delegation_changed", "Delegation changed"
        DELEGATION_ENDED = "delegation_ended", "Delegation ended"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    # The name given, kept even when no such user exists (a failed sign-in) or the user is later deleted.
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"], name="security_event_kind_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M:%S}"


class SingleSignOnIdentity(models.Model):
    """The identity provider's account (issuer and subject) that signs in as a user here.

    Made at a user's first single sign-on login; an administrator may also link an existing local account by
    adding one. Users are never matched by e-mail address or username, which another provider account could claim.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_sso_identity")]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


class Delegation(models.Model):
    """The chair hands one review domain's sign-off to a named person for a period, with a reason.

    The delegate acts with the domain's rights from ``starts_at`` until ``ends_at`` (or until ended early,
    ``ended_at``); separation of duties still holds for them (assessments.permissions). Created, changed and
    ended only through ``accounts.delegation``, which records each as a security event.
    """

    domain = models.CharField(max_length=20, choices=[(d, roles.DOMAIN_LABELS[d]) for d in roles.DOMAINS])
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations")
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_granted"
    )
    reason = models.TextField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["delegate", "ends_at"], name="delegation_delegate_ends")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="delegation_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.get_domain_display()} to {self.delegate} until {self.ends_at:%Y-%m-%d %H:%M}"

    def is_active_at(self, moment):
        return self.starts_at <= moment < self.ends_at and (self.ended_at is None or moment < self.ended_at)

    @property
    def until(self):
        """When the delegation stops: its end date, or the moment it was ended early."""
        return min(self.ends_at, self.ended_at) if self.ended_at else self.ends_at


from .models_tokens import ApiToken  # noqa: E402,F401  API tokens (their own module: the MFA and token work)
