"""What a PDF's signature proves, read with pyHanko: intact, whole file, which certificate, which timestamp.

The signature is trusted when it validates with one of the organisation's
signing certificates, today's or an earlier one (``reports.certificates``); a
timestamp is trusted when its token validates with one of the time-stamping
authority's roots (``DOSSIER_TSA_CERTS``). Nothing is fetched from the network
here: a verifier needs only the file and the certificates.
"""

import io
from dataclasses import dataclass
from datetime import UTC

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from . import certificates
from .signing import _outside_any_event_loop


@dataclass(frozen=True)
class TimestampInfo:
    """The RFC 3161 timestamp on a signature: when, by which authority, and whether that authority is trusted."""

    time: str
    authority: str
    trusted: bool

    def as_data(self):
        return {"time": self.time, "authority": self.authority, "trusted": self.trusted}


@dataclass(frozen=True)
class SignatureCheck:
    present: bool
    intact: bool = False  # the signed bytes are unchanged
    trusted: bool = False  # made with one of the organisation's signing certificates, current or earlier
    # Nothing was appended after signing but long-term validation data (the document security store of B-LT).
    covers_whole_file: bool = False
    certificate: certificates.CertificateInfo | None = None
    timestamp: TimestampInfo | None = None
    # Where the check fails, why, in words (empty when it holds).
    problem: str = ""

    @property
    def ok(self):
        return self.present and self.intact and self.trusted and self.covers_whole_file

    @property
    def unchanged(self):
        """The file is exactly what was signed: the signature is intact and covers every byte."""
        return self.present and self.intact and self.covers_whole_file

    @property
    def signer(self):
        return self.certificate.subject if self.certificate else ""


def _timestamp(status):
    token = status.timestamp_validity
    if token is None:
        return None
    return TimestampInfo(
        time=token.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        authority=token.signing_cert.subject.human_friendly if token.signing_cert else "",
        trusted=bool(token.intact and token.valid and token.trusted),
    )


def _nothing_added(status, signature, content):
    """The signature covers the whole file, or every byte after its revision is a later revision that only adds
    long-term validation data (B-LT's document security store), ending the file."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    later_revisions = signature.reader.xrefs.total_revisions - 1 > signature.signed_revision
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and later_revisions
        and status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
        and content.rstrip().endswith(b"%%EOF")
    )


def check_signature(pdf_bytes):
    """What the PDF's first signature proves, with the organisation's trusted certificates as the only roots."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any unreadable file is simply not a signed dossier
        return SignatureCheck(present=False, problem="The file is not a readable PDF.")
    if not embedded:
        return SignatureCheck(present=False, problem="The file carries no signature.")
    signature = embedded[0]
    try:
        certificate = certificates.describe(signature.signer_cert)
    except Exception:  # noqa: BLE001 - a signature without a readable certificate names none
        certificate = None
    trusted = certificates.trusted_signing_certificates()
    context = ValidationContext(trust_roots=trusted, allow_fetching=False)
    tsa_context = ValidationContext(trust_roots=certificates.timestamp_authority_roots(), allow_fetching=False)
    try:
        status = _outside_any_event_loop(validate_pdf_signature, signature, context, tsa_context)
    except Exception:  # noqa: BLE001 - a mangled signature is a failed check, not an error
        return SignatureCheck(
            present=True, certificate=certificate, problem="The signature cannot be read or does not match the file."
        )
    check = SignatureCheck(
        present=True,
        intact=bool(status.intact),
        trusted=bool(status.intact and status.valid and status.trusted),
        covers_whole_file=_nothing_added(status, signature, pdf_bytes),
        certificate=certificate,
        timestamp=_timestamp(status),
    )
    return SignatureCheck(**{**check.__dict__, "problem": _problem(check, trusted)})


def _problem(check, trusted):
    if not check.intact:
        return "The file was changed after it was signed: the signature no longer matches its bytes."
    if not check.covers_whole_file:
        return "Something was added to the file after it was signed."
    if not check.trusted:
        if check.certificate is not None and check.certificate.sha256 not in {c.sha256.hex() for c in trusted}:
            return (
                f"It was signed with the certificate {check.certificate.subject} (SHA-256 "
                f"{check.certificate.sha256}), which is not one of this system's dossier signing certificates, "
                "current or earlier."
            )
        return "The signature does not validate with the certificate that made it."
    return ""
