"""Start-up check of the identity settings: MFA_REQUIRED_FOR names roles that exist."""

from django.conf import settings
from django.core.checks import Error, register

from . import roles

KNOWN_ROLES = (*roles.DOMAINS, roles.CHAIR, roles.AUDITOR)


@register()
def mfa_required_for_names_roles(app_configs, **kwargs):
    unknown = [name for name in settings.MFA_REQUIRED_FOR if name not in KNOWN_ROLES]
    if not unknown:
        return []
    return [
        Error(
            f"MFA_REQUIRED_FOR names {', '.join(repr(name) for name in unknown)}, which is no role.",
            hint=f"Use role names, comma-separated: {', '.join(KNOWN_ROLES)}.",
            id="accounts.E001",
        )
    ]
