"""System check: dossiers can be signed (the key and certificate are configured and readable)."""

from django.core import checks

from . import signing


@checks.register(checks.Tags.security, deploy=True)
def dossier_signing_configured(app_configs, **kwargs):
    try:
        signing.dossier_signer()
    except signing.SigningNotConfigured as error:
        return [
            checks.Warning(
                str(error),
                hint="Approved assessments' dossiers are issued only once signing is configured.",
                id="reports.W001",
            )
        ]
    except Exception as error:  # noqa: BLE001 - any unreadable key is reported, not raised at start-up
        return [checks.Warning(f"The dossier signing key cannot be loaded: {error}", id="reports.W002")]
    return []
