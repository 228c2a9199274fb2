"""Single sign-on through OpenID Connect (mozilla-django-oidc), with roles and teams following the groups claim.

The backend authenticates only the callback of a sign-on this site started (the code, state and nonce);
every other ``authenticate()`` call (the login form's username and password) passes it by. It:

- checks the ID token's signature (the provider's JWKS), issuer, audience and nonce, and that the userinfo
  response is about the same subject;
- finds the user by the provider's issuer and subject (``SingleSignOnIdentity``), never by e-mail address or
  username, and creates one at the first login (username from ``OIDC_USERNAME_CLAIM``);
- copies the name and e-mail address from the claims, and with ``OIDC_DISABLE_LOCAL_PASSWORDS`` makes the
  password unusable, so that the local form refuses the account;
- puts the user in exactly the mapped groups of ``OIDC_GROUPS_CLAIM`` (``accounts.sso_roles``), recording each
  change as an ``sso_roles_changed`` security event and announcing it with ``accounts.signals.roles_changed``.

A refused sign-on returns None with the reason on ``request.sso_refusal`` (a ``Refusal``), which the
callback view shows and the failed-login security event records.
"""

import logging
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import security_events, signals, sso_roles
from .models import SingleSignOnIdentity
from .sso_discovery import ProviderUnavailable, provider, sso_enabled

LOGGER = logging.getLogger(__name__)
CALLBACK_CREDENTIALS = frozenset({"nonce", "code_verifier"})


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


class SignOnRefused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.refusal = Refusal(code, message)


class SingleSignOnBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Endpoints come from the provider's discovery document when a sign-on happens, so an unconfigured
        # deployment loads this backend without error, and it authenticates nobody.
        self.UserModel = get_user_model()

    def authenticate(self, request, **credentials):
        is_callback = "nonce" in credentials and not set(credentials) - CALLBACK_CREDENTIALS
        if request is None or not is_callback or not sso_enabled():
            return None
        try:
            self._configure(provider())
            return super().authenticate(request, **credentials)
        except SignOnRefused as refused:
            return self._refuse(request, refused.refusal)
        except ProviderUnavailable as exc:
            return self._refuse(request, Refusal("provider_unavailable", str(exc)))
        except IntegrityError:
            # The same first sign-on finishing twice at once (two tabs): one made the account.
            return self._refuse(
                request, Refusal("conflict", "Another sign-on for this account was finishing. Try again.")
            )
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation, KeyError) as exc:
            LOGGER.warning("Single sign-on refused: %s", exc)
            return self._refuse(
                request, Refusal("token_invalid", "The identity provider's answer could not be verified.")
            )

    def get_user(self, user_id):
        # ModelBackend's, which refuses deactivated users (mozilla-django-oidc's would return them).
        return ModelBackend.get_user(self, user_id)

    def _configure(self, found):
        self.provider = found
        self.OIDC_OP_TOKEN_ENDPOINT = found.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = found.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def _refuse(self, request, refusal):
        LOGGER.info("Single sign-on refused (%s): %s", refusal.code, refusal.message)
        request.sso_refusal = refusal
        return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is None:
            return payload  # a signed userinfo response, not an ID token
        if str(payload.get("iss", "")).rstrip("/") != self.provider.issuer.rstrip("/"):
            raise SignOnRefused("token_invalid", "The ID token was issued by another provider.")
        audience = payload.get("aud")
        audience = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SignOnRefused("token_invalid", "The ID token was issued to another client.")
        if not isinstance(payload.get("sub"), str) or not payload["sub"]:
            raise SignOnRefused("token_invalid", "The ID token names no subject.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            raise SignOnRefused("token_invalid", "The identity provider's user information is about someone else.")
        claims = {**payload, **userinfo}
        try:
            values = sso_roles.claim_values(claims, settings.OIDC_GROUPS_CLAIM)
        except sso_roles.GroupsClaimInvalid as exc:
            raise SignOnRefused("groups_claim_invalid", str(exc)) from exc
        role_map = sso_roles.role_map_parse(settings.OIDC_ROLE_MAP)
        return self.user_sign_on(claims=claims, values=values, role_map=role_map)

    def user_sign_on(self, *, claims, values, role_map):
        """Find or create the user of these claims, update them and their groups; record role changes."""
        issuer, subject = self.provider.issuer, claims["sub"]
        with transaction.atomic():
            identity = (
                SingleSignOnIdentity.objects.select_for_update()
                .select_related("user")
                .filter(issuer=issuer, subject=subject)
                .first()
            )
            created = identity is None
            if created:
                user = self._new_user(claims)
                identity = SingleSignOnIdentity(user=user, issuer=issuer, subject=subject)
            user = identity.user
            if not user.is_active:
                raise SignOnRefused("inactive", "This account is deactivated here.")
            self._update_profile(user, claims)
            identity.last_login_at = timezone.now()
            identity.save()
            change = sso_roles.user_groups_follow_claim(user=user, role_map=role_map, values=values)
            if change:
                security_events.record(
                    security_events.Kind.SSO_ROLES_CHANGED,
                    user=user,
                    request=self.request,
                    added=list(change.added),
                    removed=list(change.removed),
                    issuer=issuer,
                )
            if change.missing:
                LOGGER.warning("Single sign-on: %s maps to groups that do not exist here: %s", user, change.missing)
            if change:
                transaction.on_commit(
                    lambda: signals.roles_changed.send(
                        sender=SingleSignOnBackend, user=user, added=change.added, removed=change.removed, source="sso"
                    )
                )
        user.sso_created = created
        return user

    def _new_user(self, claims):
        name = claims.get(settings.OIDC_USERNAME_CLAIM)
        if not isinstance(name, str) or not name.strip():
            raise SignOnRefused("username_missing", f"The identity provider sent no {settings.OIDC_USERNAME_CLAIM!r}.")
        name = name.strip()
        try:
            UnicodeUsernameValidator()(name)
        except ValidationError as exc:
            raise SignOnRefused(
                "username_invalid", f"The username {name!r} from the identity provider is not valid here."
            ) from exc
        if len(name) > 150 or self.UserModel.objects.filter(username__iexact=name).exists():
            raise SignOnRefused(
                "username_taken",
                f"An account named {name!r} already exists here and is not linked to your identity provider "
                "account; an administrator can link it.",
            )
        return self.UserModel.objects.create_user(name)

    def _update_profile(self, user, claims):
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name"), ("email", "email")):
            value = claims.get(claim)
            if isinstance(value, str):
                setattr(user, field, value[: user._meta.get_field(field).max_length])
        if settings.OIDC_DISABLE_LOCAL_PASSWORDS and (user.password == "" or user.has_usable_password()):
            user.set_unusable_password()
        user.save()
