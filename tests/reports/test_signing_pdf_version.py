"""Signing keeps a dossier PDF 1.7 whatever the key: pyHanko's ISO 32002 extension (PDF 2.0) is never declared."""

import datetime
import io

import pypdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from reports import signing, validation

from .conftest import plain_pdf


def write_pair(folder, key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another signing key")])
    now = datetime.datetime.now(datetime.UTC)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, algorithm)
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def sign(content):
    return signing.sign_pdf(content, signed_at=datetime.datetime.now(datetime.UTC), reason="test")


def test_the_demo_pair_is_rsa_and_its_signature_keeps_pdf_1_7(settings):
    with open(settings.DOSSIER_SIGNING_KEY, "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 3072

    signed = sign(plain_pdf())
    root = pypdf.PdfReader(io.BytesIO(signed)).trailer["/Root"]
    assert signed.startswith(b"%PDF-1.7") and str(root.get("/Version", "/1.7")) == "/1.7"
    assert set(root.get("/Extensions", {})) == {"/ESIC"}


def test_an_ecdsa_key_also_keeps_pdf_1_7_without_the_iso_32002_extension(settings, tmp_path):
    settings.DOSSIER_SIGNING_KEY, settings.DOSSIER_SIGNING_CERT = map(
        str, write_pair(tmp_path, ec.generate_private_key(ec.SECP256R1()))
    )
    signed = sign(plain_pdf())
    root = pypdf.PdfReader(io.BytesIO(signed)).trailer["/Root"]
    assert str(root.get("/Version", "/1.7")) == "/1.7"
    assert "/ISO_" not in str(root.get("/Extensions", {}))
    assert validation.check_signature(signed).ok


def test_an_eddsa_key_is_refused_with_a_reason(settings, tmp_path):
    settings.DOSSIER_SIGNING_KEY, settings.DOSSIER_SIGNING_CERT = map(
        str, write_pair(tmp_path, ed25519.Ed25519PrivateKey.generate())
    )
    with pytest.raises(signing.SigningNotConfigured, match="EdDSA"):
        sign(plain_pdf())
