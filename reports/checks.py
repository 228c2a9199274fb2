"""System checks: dossiers can be signed (key and certificate readable); the trusted certificate files are readable."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import certificates, signing


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


@checks.register()
def dossier_certificates_readable(app_configs, **kwargs):
    """Every file of DOSSIER_TRUSTED_CERTS and DOSSIER_TSA_CERTS holds certificates: verify answers need them."""
    problems = []
    for load in (certificates.trusted_signing_certificates, certificates.timestamp_authority_roots):
        try:
            load()
        except ImproperlyConfigured as error:
            problems.append(checks.Error(str(error), id="reports.E001"))
    return problems
