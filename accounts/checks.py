"""System checks (``manage.py check``): the single sign-on settings can be used as configured,
MFA_REQUIRED_FOR names roles that exist, and (``check --deploy``) passkeys have a relying party other than the
development default."""

from django.conf import settings
from django.core import checks

from . import roles
from .sso_roles import RoleMapInvalid, role_map_parse


@checks.register(checks.Tags.security)
def single_sign_on_check(app_configs, **kwargs):
    errors = []
    try:
        role_map_parse(settings.OIDC_ROLE_MAP)
    except RoleMapInvalid as error:
        errors.append(checks.Error(str(error), id="accounts.E001"))
    if settings.OIDC_DISCOVERY_URL:
        if not settings.OIDC_RP_CLIENT_ID or not settings.OIDC_RP_CLIENT_SECRET:
            errors.append(
                checks.Error(
                    "OIDC_DISCOVERY_URL is set but OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is not.",
                    hint="Register this site as a confidential client at the identity provider and set both.",
                    id="accounts.E002",
                )
            )
        if not settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
            errors.append(
                checks.Error(
                    f"OIDC_SIGN_ALGO {settings.OIDC_RP_SIGN_ALGO!r} is not an asymmetric algorithm.",
                    hint="Use the provider's RS256 (or ES256) ID tokens, verified with its published keys.",
                    id="accounts.E003",
                )
            )
        if settings.OIDC_REAUTH_MAX_AGE < 1:
            errors.append(
                checks.Error(
                    f"OIDC_REAUTH_MAX_AGE is {settings.OIDC_REAUTH_MAX_AGE}: no sign-in at the provider could confirm "
                    "a signature.",
                    hint="Give the seconds a sign-in at the provider counts for a signature, for example 60.",
                    id="accounts.E005",
                )
            )
    return errors


KNOWN_ROLES = (*roles.DOMAINS, roles.CHAIR, roles.AUDITOR)


@checks.register()
def mfa_required_for_names_roles(app_configs, **kwargs):
    """MFA_REQUIRED_FOR names roles that exist."""
    unknown = [name for name in settings.MFA_REQUIRED_FOR if name not in KNOWN_ROLES]
    if not unknown:
        return []
    return [
        checks.Error(
            f"MFA_REQUIRED_FOR names {', '.join(repr(name) for name in unknown)}, which is no role.",
            hint=f"Use role names, comma-separated: {', '.join(KNOWN_ROLES)}.",
            id="accounts.E004",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def passkey_relying_party_check(app_configs, **kwargs):
    """In production the passkeys' relying party is the site's domain, not the development default (localhost)."""
    if settings.OTP_WEBAUTHN_RP_ID != "localhost":
        return []
    return [
        checks.Warning(
            "OTP_WEBAUTHN_RP_ID is 'localhost': passkeys cannot be added or used on this site's real address.",
            hint="Set OTP_WEBAUTHN_RP_ID to the site's domain and OTP_WEBAUTHN_ALLOWED_ORIGINS to its https:// origin.",
            id="accounts.W005",
        )
    ]
