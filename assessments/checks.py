"""System checks: the audit log's signing key is configured and loadable (``manage.py check``)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def audit_signing_key_check(app_configs, **kwargs):
    from .signing import load_private_key

    value = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if not value:
        return [
            checks.Warning(
                "AUDIT_SIGNING_KEY is not set: the audit log's head is not signed, and verify_audit_log reports it.",
                hint="Create a key (manage.py audit_keygen --out FILE) and set AUDIT_SIGNING_KEY to its path.",
                id="assessments.W001",
            )
        ]
    try:
        load_private_key(value)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="assessments.E001")]
    if not settings.DEBUG and str(value) == str(getattr(settings, "DEMO_AUDIT_SIGNING_KEY", "")):
        return [
            checks.Warning(
                "The audit log is signed with the local demo key created by make run.",
                hint="Use a production key kept outside the deployment folder; see the README.",
                id="assessments.W002",
            )
        ]
    return []
