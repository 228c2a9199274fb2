"""Verifying a dossier, for anyone, with or without an account: what the file itself proves, and nothing more.

A file is **issued** when its SHA-256 is a stored dossier's and its signature
validates with one of the organisation's signing certificates (current or
earlier) over the whole file; it is **unchanged** when its signature is intact
and covers every byte. The answer names the signing certificate and the
timestamp the file carries. The assessment, feature and version are given only
for an issued file (they are printed in it anyway); for any other file the
answer says nothing about what this system holds.

Checks are limited per client address (``DOSSIER_VERIFY_RATE``), the page and
the API sharing one count.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from accounts.network import address_block, client_address

from .models import Dossier
from .validation import SignatureCheck, check_signature

PDF_MAGIC = b"%PDF-"
# A PDF's header may follow a little leading garbage (ISO 32000-1, 7.5.2 allows readers to look for it).
PDF_MAGIC_WINDOW = 1024


def looks_like_pdf(content):
    return PDF_MAGIC in content[:PDF_MAGIC_WINDOW]


class VerifyRateThrottle(SimpleRateThrottle):
    """Dossier checks per client (an IPv4 address, an IPv6 /64), whether logged in or not."""

    scope = "dossier_verify"

    def get_rate(self):
        return settings.DOSSIER_VERIFY_RATE

    def get_cache_key(self, request, view):
        address = client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": address_block(address) if address else "unknown"}


@dataclass(frozen=True)
class Verification:
    issued: bool
    sha256: str
    signature: SignatureCheck
    dossier: Dossier | None = None
    # The stored dossier whose hash these bytes have, even when the signature does not hold.
    matched: Dossier | None = None

    @property
    def unchanged(self):
        return self.signature.unchanged

    def as_data(self):
        dossier = self.dossier if self.issued else None
        return {
            "issued": self.issued,
            "unchanged": self.unchanged,
            "assessment": dossier.assessment_id if dossier else None,
            "feature": dossier.assessment.feature.name if dossier else None,
            "version": dossier.assessment.version if dossier else None,
            "document_id": dossier.document_id if dossier else None,
            "sha256": self.sha256,
            "issued_at": dossier.issued_at.isoformat().replace("+00:00", "Z") if dossier else None,
            "certificate": self.signature.certificate.as_data() if self.signature.certificate else None,
            "certificate_trusted": self.signature.trusted,
            "timestamp": self.signature.timestamp.as_data() if self.signature.timestamp else None,
            "detail": self.message(),
        }

    def message(self):
        return " ".join(part for part in (self._verdict(), self._certificate(), self._timestamp()) if part)

    def _verdict(self):
        if self.issued:
            a = self.dossier.assessment
            when = timezone.localtime(self.dossier.issued_at).strftime("%-d %b %Y, %H:%M %Z")
            return f"Issued by this system on {when}, for {a.feature.name} v{a.version}, unchanged."
        if self.matched is not None:
            return (
                "Not a dossier issued by this system: its bytes match an issued dossier's hash, "
                f"but its signature does not validate. {self.signature.problem}"
            ).strip()
        verdict = "Not a dossier issued by this system: no issued dossier has these exact bytes."
        return f"{verdict} {self.signature.problem}".strip()

    def _certificate(self):
        info = self.signature.certificate
        if info is None or not self.signature.present:
            return ""
        trust = "a trusted" if self.signature.trusted else "an untrusted"
        return (
            f"Signed with {trust} certificate: {info.subject}, SHA-256 fingerprint {info.sha256}, "
            f"valid {info.not_before} to {info.not_after}."
        )

    def _timestamp(self):
        if not self.signature.present:
            return ""
        stamp = self.signature.timestamp
        if stamp is None:
            return "No trusted timestamp: the signing time is the signer's own claim."
        if stamp.trusted:
            return f"Timestamped {stamp.time} by {stamp.authority}, a trusted time-stamping authority."
        return (
            f"No trusted timestamp: the one it carries ({stamp.time}, {stamp.authority}) "
            "is not from a trusted authority."
        )


def dossier_verify(*, content):
    """What ``content`` proves: issued by this system (stored hash and trusted signature), unchanged, by whom, when.

    A changed byte breaks both the stored hash and the signature; a foreign PDF matches no stored hash; a file
    signed with a certificate that is neither the current one nor listed in ``DOSSIER_TRUSTED_CERTS`` is not
    issued, and the answer names that certificate.
    """
    digest = hashlib.sha256(content).hexdigest()
    dossier = Dossier.objects.issued().select_related("assessment__feature").filter(sha256=digest).first()
    signature = check_signature(content)
    issued = dossier is not None and signature.ok
    return Verification(issued, digest, signature, dossier=dossier if issued else None, matched=dossier)
