"""The certificates a dossier's signature may be made with, and how the verify answer names one.

The organisation signs with ``DOSSIER_SIGNING_CERT`` today; ``DOSSIER_TRUSTED_CERTS``
lists the PEM files of the certificates it signed with before (one or more
certificates per file), so a dossier issued before a rotation still verifies.
A certificate in neither is not trusted, whatever the file says about itself.
``DOSSIER_TSA_CERTS`` names the time-stamping authority's trusted roots.
"""

from dataclasses import asdict, dataclass
from datetime import UTC

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class CertificateInfo:
    """A certificate as the verify answer names it: subject, SHA-256 fingerprint of its DER, validity."""

    subject: str
    sha256: str
    not_before: str
    not_after: str

    def as_data(self):
        return asdict(self)


def describe(certificate):
    validity = certificate["tbs_certificate"]["validity"]
    return CertificateInfo(
        subject=certificate.subject.human_friendly,
        sha256=certificate.sha256.hex(),
        not_before=_iso(validity["not_before"].native),
        not_after=_iso(validity["not_after"].native),
    )


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def certificates_in(data, *, source):
    """Every certificate in PEM (one or several) or DER bytes; a file holding none is a configuration error."""
    try:
        if pem.detect(data):
            found = [
                asn1_x509.Certificate.load(der)
                for kind, _, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            ]
        else:
            found = [asn1_x509.Certificate.load(data)]
        for certificate in found:
            certificate.native  # noqa: B018 - parse it fully now, not at first use
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"{source}: not a PEM or DER certificate ({error}).") from None
    if not found:
        raise ImproperlyConfigured(f"{source}: holds no certificate.")
    return found


def _load_files(paths, setting):
    loaded = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise ImproperlyConfigured(f"{setting}: cannot read {path}: {error.strerror}") from None
        loaded.extend(certificates_in(data, source=f"{setting}: {path}"))
    return loaded


def trusted_signing_certificates():
    """The current signing certificate (when configured) and every earlier one listed, without repeats."""
    paths = []
    if settings.DOSSIER_SIGNING_CERT:
        paths.append(settings.DOSSIER_SIGNING_CERT)
    current = _load_files(paths, "DOSSIER_SIGNING_CERT")
    earlier = _load_files(settings.DOSSIER_TRUSTED_CERTS, "DOSSIER_TRUSTED_CERTS")
    unique = {}
    for certificate in current + earlier:
        unique.setdefault(certificate.sha256, certificate)
    return list(unique.values())


def timestamp_authority_roots():
    return _load_files(settings.DOSSIER_TSA_CERTS, "DOSSIER_TSA_CERTS")
