"""Trusted timestamps: with DOSSIER_TSA_URL, each dossier signature carries an RFC 3161 token and its validation data.

The authority is a local one the test starts on loopback (tests/reports/local_tsa.py): no network.
"""

import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from rest_framework.test import APIClient

from assessments.models import State

from ..workflow import advance, create_draft
from .local_tsa import LocalTimeStampingAuthority

VERIFY = "/api/v1/dossiers/verify/"


@pytest.fixture
def authority(tmp_path):
    with LocalTimeStampingAuthority(tmp_path / "tsa") as tsa:
        yield tsa


def issue(people, login):
    assessment = advance(people, create_draft(people, name="Session notes"), State.APPROVED)
    response = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))
    return response


def verify(content):
    return APIClient().post(VERIFY, {"file": SimpleUploadedFile("d.pdf", content)}).json()


def test_the_signature_carries_the_authoritys_timestamp_and_pyhanko_finds_it_valid(
    people, login, fast_render, settings, authority
):
    settings.DOSSIER_TSA_URL = authority.url
    settings.DOSSIER_TSA_CERTS = [str(authority.root_pem)]

    content = issue(people, login).content

    assert authority.requests >= 1
    reader = PdfFileReader(io.BytesIO(content))
    signer_context = ValidationContext(trust_roots=[load_cert_from_pemder(settings.DOSSIER_SIGNING_CERT)])
    tsa_context = ValidationContext(trust_roots=[load_cert_from_pemder(str(authority.root_pem))])
    status = validate_pdf_signature(reader.embedded_signatures[0], signer_context, tsa_context)
    assert status.intact and status.valid and status.trusted
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    assert "Common Name: Test TSA" in stamp.signing_cert.subject.human_friendly
    # B-LT: the validation data (the signer's and the authority's certificates) is in the document security store.
    dss = reader.root["/DSS"]
    embedded = {bytes(ref.get_object().data) for ref in dss["/Certs"]}
    assert load_cert_from_pemder(str(authority.root_pem)).dump() in embedded
    assert load_cert_from_pemder(settings.DOSSIER_SIGNING_CERT).dump() in embedded
    # Still PDF 1.7.
    assert content.startswith(b"%PDF-1.7") and str(reader.root.get("/Version", "/1.7")) == "/1.7"

    body = verify(content)
    assert body["issued"] is True and body["timestamp"]["trusted"] is True, body["detail"]
    assert "Common Name: Test TSA" in body["timestamp"]["authority"]
    assert body["timestamp"]["time"].endswith("Z")
    assert "Timestamped" in body["detail"] and "No trusted timestamp" not in body["detail"]


def test_a_timestamp_from_an_authority_not_listed_is_not_trusted(people, login, fast_render, settings, authority):
    settings.DOSSIER_TSA_URL = authority.url
    settings.DOSSIER_TSA_CERTS = [str(authority.root_pem)]
    content = issue(people, login).content

    settings.DOSSIER_TSA_CERTS = []
    body = verify(content)

    assert body["timestamp"]["trusted"] is False
    assert "No trusted timestamp" in body["detail"]


def test_without_an_authority_the_answer_says_no_trusted_timestamp(people, login, fast_render, settings):
    settings.DOSSIER_TSA_URL = ""
    content = issue(people, login).content

    body = verify(content)

    assert body["issued"] is True and body["timestamp"] is None
    assert "No trusted timestamp" in body["detail"]
    assert b"/DSS" not in content


def test_an_authority_that_does_not_answer_issues_nothing_and_says_so(people, login, fast_render, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.DOSSIER_TSA_URL = f"http://127.0.0.1:{port}/"

    response = issue(people, login)

    assert response.status_code == 503
    assert "time-stamping authority did not answer" in response.content.decode()
