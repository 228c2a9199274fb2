"""API tokens: making, listing, revoking and checking them (DESIGN section 12: tokens that end).

``token_create`` returns the only copy of a new key; ``ExpiringTokenAuthentication`` (the API's token
authentication, replacing DRF's ``TokenAuthentication``) accepts ``Authorization: Token <key>`` while the token is
neither expired nor revoked and its user is active. Every creation and revocation is a security event.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from . import security_events
from .models_tokens import ApiToken, key_digest

# last_used_at is written when the stored value is older than this: at most one write a minute per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Live tokens one user may hold; past it, a new one is refused until one is revoked or expires.
MAX_LIVE_TOKENS = 100
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class TokenLimitReached(Exception):
    """The user holds MAX_LIVE_TOKENS live tokens already."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its key: the key exists here only, never in the database."""

    token: ApiToken
    key: str


def token_ttl():
    return timedelta(seconds=settings.API_TOKEN_TTL)


def default_token_name(now):
    return f"API token {now:%Y-%m-%d %H:%M} UTC"


def live_tokens(user, now=None):
    """The user's tokens that still work, newest first."""
    now = now or timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)


def token_create(*, user, name="", request=None):
    """Make a token for ``user`` expiring API_TOKEN_TTL seconds from now; return it with its key (shown once).

    Raises TokenLimitReached when the user already holds MAX_LIVE_TOKENS live tokens.
    """
    now = timezone.now()
    key = secrets.token_hex(20)
    with transaction.atomic():
        if live_tokens(user, now).count() >= MAX_LIVE_TOKENS:
            raise TokenLimitReached
        token = ApiToken.objects.create(
            user=user,
            name=(name or default_token_name(now))[:NAME_MAX_LENGTH],
            digest=key_digest(key),
            created_at=now,
            expires_at=now + token_ttl(),
        )
        security_events.record(
            security_events.Kind.TOKEN_CREATED,
            user=user,
            request=request,
            token=token.pk,
            expires_at=token.expires_at.isoformat(),
        )
    return IssuedToken(token=token, key=key)


def token_revoke(*, token, by, request=None, because=ApiToken.RevokedBecause.OWNER):
    """Revoke one unrevoked token of ``by`` (its owner). Returns False when it was revoked already.

    ``because`` is OWNER when the owner revokes it, ADMINISTRATOR from the admin (``by`` is then still the owner,
    whose security events these are; the event's address is the administrator's).
    """
    now = timezone.now()
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, user=by, revoked_at__isnull=True).update(
            revoked_at=now, revoked_because=because
        )
        if changed:
            security_events.record(
                security_events.Kind.TOKEN_REVOKED,
                user=by,
                request=request,
                tokens=[token.pk],
                reason=str(because),
            )
    return bool(changed)


def tokens_revoke_all(*, user_ids, because):
    """Revoke every unrevoked token of these users (``because`` an ApiToken.RevokedBecause); one event per user."""
    now = timezone.now()
    with transaction.atomic():
        revoked = list(
            ApiToken.objects.filter(user_id__in=user_ids, revoked_at__isnull=True).values_list("user_id", "pk")
        )
        if not revoked:
            return 0
        ApiToken.objects.filter(pk__in=[pk for _, pk in revoked]).update(revoked_at=now, revoked_because=because)
        by_user = {}
        for user_id, pk in revoked:
            by_user.setdefault(user_id, []).append(pk)
        users = get_user_model().objects.in_bulk(list(by_user))
        for user_id, pks in by_user.items():
            security_events.record(
                security_events.Kind.TOKEN_REVOKED, user=users.get(user_id), tokens=sorted(pks), reason=str(because)
            )
    return len(revoked)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ApiToken: unknown, expired, revoked or an inactive user is a 401."""

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(digest=key_digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked; ask for a new one.")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired; ask for a new one.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
            # Conditional, so parallel requests in the same minute write once.
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
