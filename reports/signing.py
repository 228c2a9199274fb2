"""PAdES signatures on frozen dossiers (pyHanko), their validation, and the demo signing pair.

The organisation's key and certificate are PEM files named by
``DOSSIER_SIGNING_KEY`` and ``DOSSIER_SIGNING_CERT``. The signature is an
incremental update with an invisible, printable signature field, and the
document information and XMP metadata are kept equal, so the signed file is
still PDF 1.7 and PDF/A-3a: pyHanko would declare the ISO 32002 extension (and
move the file to PDF 2.0) for an elliptic-curve or EdDSA key; ``_Pdf17Signer``
declares only the PAdES (ESIC) extension of PDF 1.7, and the demo pair is RSA.
"""

import asyncio
import datetime
import io
import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import constants as signer_constants
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from . import certificates

FIELD_NAME = "DossierSignature"


class SigningNotConfigured(ImproperlyConfigured):
    pass


class TimestampUnavailable(Exception):
    """The time-stamping authority of ``DOSSIER_TSA_URL`` did not answer with a timestamp; nothing was signed."""


def _configured_paths():
    key, cert = settings.DOSSIER_SIGNING_KEY, settings.DOSSIER_SIGNING_CERT
    if not key or not cert:
        raise SigningNotConfigured(
            "Dossiers cannot be signed: set DOSSIER_SIGNING_KEY and DOSSIER_SIGNING_CERT to the organisation's "
            "PEM key and certificate (`make run` creates a demo pair)."
        )
    for path in (key, cert):
        if not os.path.isfile(path):
            raise SigningNotConfigured(f"Dossiers cannot be signed: {path} does not exist or is not a file.")
    return key, cert


@lru_cache(maxsize=4)
def _signer(key_path, cert_path, passphrase, stamp):
    # ``stamp`` (the files' modification times) makes a replaced key or certificate load afresh.
    signer = signers.SimpleSigner.load(key_path, cert_path, key_passphrase=passphrase.encode() or None)
    if signer is None:
        raise SigningNotConfigured(f"Dossiers cannot be signed: {key_path} or {cert_path} could not be read.")
    return signer


def dossier_signer():
    key, cert = _configured_paths()
    stamp = (os.path.getmtime(key), os.path.getmtime(cert))
    return _signer(key, cert, settings.DOSSIER_SIGNING_KEY_PASSPHRASE, stamp)


def signer_subject():
    return dossier_signer().signing_cert.subject.human_friendly


def _outside_any_event_loop(function, *args, **kwargs):
    """Call ``function``, which runs its own event loop (pyHanko's sync API uses asyncio.run), safely anywhere.

    Where the calling thread already runs a loop (an async server, or a test session driving a browser),
    asyncio.run would refuse; the call then goes to a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


class _Pdf17Signer(signers.PdfSigner):
    """A PAdES signer that keeps the file at PDF 1.7: it declares the ESIC extension and nothing else.

    PDF/A-3 is PDF 1.7; the ISO 32002 extension pyHanko registers for ECDSA keys would move the file to 2.0.
    ECDSA signatures (P-256 and the like) were already valid in PDF 1.7 PAdES signatures; EdDSA was not, and is
    refused rather than silently leaving PDF/A.
    """

    def register_extensions(self, pdf_out, *, md_algorithm):
        mechanism = self.signer.get_signature_mechanism_for_digest(md_algorithm)
        if mechanism.signature_algo in ("ed25519", "ed448"):
            raise SigningNotConfigured(
                "Dossiers cannot be signed with an EdDSA key and stay PDF/A-3 (PDF 1.7): use an RSA or ECDSA key."
            )
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(signer_constants.ESIC_EXTENSION_1)


def timestamper():
    """The RFC 3161 authority of ``DOSSIER_TSA_URL`` (pyHanko's HTTP client), or None when none is configured."""
    if not settings.DOSSIER_TSA_URL:
        return None
    return HTTPTimeStamper(settings.DOSSIER_TSA_URL, timeout=30)


def _long_term_context():
    """What B-LT embeds: the chains of the signing certificate and of the authority, and their revocation data."""
    roots = certificates.trusted_signing_certificates() + certificates.timestamp_authority_roots()
    # Fetching revocation information is what "where available" means: a certificate naming no OCSP responder
    # or CRL has none to fetch, and the signature is made without it.
    return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="soft-fail")


def sign_pdf(pdf_bytes, *, signed_at, reason, location=""):
    """The PDF with a PAdES signature over all of it, made at ``signed_at``, still PDF 1.7 and PDF/A-3.

    With ``DOSSIER_TSA_URL`` set the signature carries the authority's RFC 3161 timestamp and the validation
    data is embedded in the document security store (PAdES B-LT); without it, a baseline B-B signature.
    """
    signer = dossier_signer()
    tsa = timestamper()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    # The signing tool becomes the producer; information dictionary and XMP must say the same (PDF/A).
    info_ref = writer.trailer.raw_get("/Info")
    info_ref.get_object()["/Producer"] = generic.TextStringObject(VENDOR)
    writer.mark_update(info_ref)
    writer.document_meta.last_modified = signed_at.replace(microsecond=0)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=settings.DOSSIER_ISSUER,
        embed_validation_info=tsa is not None,
        validation_context=_long_term_context() if tsa is not None else None,
    )
    pdf_signer = _Pdf17Signer(
        metadata,
        signer=signer,
        timestamper=tsa,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, invis_sig_settings=fields.InvisSigSettings()),
    )
    output = io.BytesIO()
    try:
        _outside_any_event_loop(pdf_signer.sign_pdf, writer, output=output)
    except TimestampRequestError as error:
        message = f"The time-stamping authority at {settings.DOSSIER_TSA_URL} did not answer."
        raise TimestampUnavailable(message) from error
    return output.getvalue()


def make_demo_pair(directory, *, organisation="Demo organisation"):
    """Write a self-signed demo RSA key and certificate into ``directory``; return their paths. Never for production."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / "dossier-signing-key.pem", directory / "dossier-signing-cert.pem"
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Responsible AI Committee dossier signing (demo)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
