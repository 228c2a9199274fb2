"""Verifying a dossier without an account, after a certificate rotation, and the per-client limit."""

import hashlib
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import State
from reports.signing import make_demo_pair

from ..workflow import advance, create_draft
from .conftest import plain_pdf

VERIFY = "/api/v1/dossiers/verify/"


@pytest.fixture
def issued(people, login, fast_render):
    """An approved assessment's issued dossier (a small real PDF, really signed with the session's pair)."""
    assessment = advance(people, create_draft(people, name="Intake summaries"), State.APPROVED)
    content = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk])).content
    return assessment, content


def api_verify(content, client=None, address="203.0.113.7"):
    client = client or APIClient()
    return client.post(VERIFY, {"file": SimpleUploadedFile("d.pdf", content)}, REMOTE_ADDR=address)


def page_verify(client, content, address="203.0.113.7"):
    return client.post(reverse("verify"), {"file": SimpleUploadedFile("d.pdf", content)}, REMOTE_ADDR=address)


def der_sha256(cert_path):
    with open(cert_path, "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def test_an_anonymous_caller_learns_issued_unchanged_which_certificate_and_no_timestamp(issued, settings):
    assessment, content = issued

    response = api_verify(content)

    assert response.status_code == 200
    body = response.json()
    assert body["issued"] is True and body["unchanged"] is True
    assert (body["assessment"], body["feature"], body["version"]) == (assessment.pk, "Intake summaries", 1)
    assert body["document_id"] == f"RAI-A{assessment.pk:06d}-V1"
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["certificate"]["sha256"] == der_sha256(settings.DOSSIER_SIGNING_CERT)
    assert "Responsible AI Committee dossier signing (demo)" in body["certificate"]["subject"]
    assert body["certificate"]["not_before"] < body["certificate"]["not_after"]
    assert body["certificate_trusted"] is True
    assert body["timestamp"] is None and "No trusted timestamp" in body["detail"]


def test_one_flipped_byte_is_neither_issued_nor_unchanged(issued):
    _, content = issued
    position = content.index(b"stream", 200) + 20
    changed = content[:position] + bytes([content[position] ^ 0x01]) + content[position + 1 :]

    body = api_verify(changed).json()

    assert body["issued"] is False and body["unchanged"] is False
    assert (body["assessment"], body["feature"], body["version"], body["issued_at"]) == (None, None, None, None)
    assert "changed after it was signed" in body["detail"]


def test_a_random_pdf_is_not_issued_and_the_answer_tells_nothing_about_this_system(db):
    body = api_verify(plain_pdf("Some other PDF")).json()

    assert body["issued"] is False and body["unchanged"] is False
    assert body["certificate"] is None and body["timestamp"] is None
    assert (body["assessment"], body["feature"], body["document_id"]) == (None, None, None)
    assert "carries no signature" in body["detail"]


def test_non_pdfs_are_a_400_and_files_over_the_limit_a_413(db, settings):
    settings.DOSSIER_VERIFY_MAX_BYTES = 2000

    not_pdf = api_verify(b"PK\x03\x04 a zip file")
    at_limit = api_verify(b"%PDF-1.7\n" + b"%" * (2000 - 9))
    over = api_verify(b"%PDF-1.7\n" + b"%" * (2001 - 9))

    assert not_pdf.status_code == 400 and "not a PDF" in str(not_pdf.json()["file"])
    assert at_limit.status_code == 200
    assert over.status_code == 413


def test_checks_are_limited_per_client_on_the_page_and_the_api_together(db, client, settings):
    settings.DOSSIER_VERIFY_RATE = "3/min"
    pdf = plain_pdf()

    assert api_verify(pdf).status_code == 200
    assert page_verify(client, pdf).status_code == 200
    assert api_verify(pdf).status_code == 200
    fourth_api, fourth_page = api_verify(pdf), page_verify(client, pdf)
    other_client = api_verify(pdf, address="198.51.100.9")

    assert fourth_api.status_code == 429 and int(fourth_api["Retry-After"]) > 0
    assert fourth_page.status_code == 429 and "Too many checks" in fourth_page.content.decode()
    assert other_client.status_code == 200
    # Opening the page is not a check.
    assert client.get(reverse("verify"), REMOTE_ADDR="203.0.113.7").status_code == 200


def test_after_a_rotation_an_old_dossier_verifies_while_its_certificate_is_listed(issued, settings, tmp_path, client):
    assessment, content = issued
    old_cert = settings.DOSSIER_SIGNING_CERT
    new_key, new_cert = make_demo_pair(tmp_path / "new", organisation="Rotated organisation")
    settings.DOSSIER_SIGNING_KEY, settings.DOSSIER_SIGNING_CERT = str(new_key), str(new_cert)

    # Listed as an earlier certificate: still issued, and the answer names the old certificate.
    settings.DOSSIER_TRUSTED_CERTS = [old_cert]
    body = api_verify(content).json()
    assert body["issued"] is True and body["unchanged"] is True
    assert body["certificate"]["sha256"] == der_sha256(old_cert) != der_sha256(new_cert)
    page = page_verify(client, content).content.decode()
    assert "Issued by this system, unchanged" in page and der_sha256(old_cert) in page

    # Taken off the list: not issued, with the reason and the certificate named.
    settings.DOSSIER_TRUSTED_CERTS = []
    body = api_verify(content).json()
    assert body["issued"] is False and body["unchanged"] is True and body["certificate_trusted"] is False
    assert "not one of this system's dossier signing certificates" in body["detail"]
    assert der_sha256(old_cert) in body["detail"]
    page = page_verify(client, content).content.decode()
    assert "Not a dossier issued by this system" in page and "not one of this system" in page


def test_an_unreadable_trusted_certificate_file_is_named(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from reports.certificates import trusted_signing_certificates

    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    settings.DOSSIER_TRUSTED_CERTS = [str(bad)]
    with pytest.raises(ImproperlyConfigured, match="bad.pem"):
        trusted_signing_certificates()
    settings.DOSSIER_TRUSTED_CERTS = [str(tmp_path / "missing.pem")]
    with pytest.raises(ImproperlyConfigured, match="missing.pem"):
        trusted_signing_certificates()


def test_an_update_appended_after_signing_is_not_unchanged(issued):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _, content = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    writer.root["/Lang"] = generic.TextStringObject("fr-FR")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)

    body = api_verify(output.getvalue()).json()

    assert body["issued"] is False and body["unchanged"] is False
    assert "added to the file after it was signed" in body["detail"]


def test_the_system_check_names_an_unreadable_certificate_file(settings, tmp_path):
    from reports.checks import dossier_certificates_readable

    assert dossier_certificates_readable(None) == []
    settings.DOSSIER_TSA_CERTS = [str(tmp_path / "gone.pem")]
    errors = dossier_certificates_readable(None)
    assert [e.id for e in errors] == ["reports.E001"] and "gone.pem" in errors[0].msg
