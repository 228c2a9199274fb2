"""The verify page: upload a PDF, learn whether this system issued it, unchanged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import State

from ..workflow import advance, create_draft
from .conftest import plain_pdf


@pytest.fixture
def issued_pdf(people, login, fast_render):
    assessment = advance(people, create_draft(people, name="Journaling prompts"), State.APPROVED)
    return login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk])).content


def post(client, content, name="dossier.pdf"):
    return client.post(reverse("reports_verify"), {"file": SimpleUploadedFile(name, content)})


def test_an_issued_dossier_is_recognised(people, login, issued_pdf):
    response = post(login(people.auditor), issued_pdf)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Issued by this system, unchanged" in html
    assert "for Journaling prompts v1, unchanged." in html


def test_a_changed_byte_and_a_foreign_pdf_are_not_dossiers(people, login, issued_pdf):
    client = login(people.auditor)
    changed = issued_pdf[:500] + bytes([issued_pdf[500] ^ 1]) + issued_pdf[501:]

    for content in (changed, plain_pdf()):
        response = post(client, content)
        assert response.status_code == 200
        assert "Not a dossier issued by this system" in response.content.decode()


def test_the_page_asks_for_a_file_and_refuses_one_too_large(people, login, settings):
    client = login(people.auditor)
    settings.DOSSIER_VERIFY_MAX_BYTES = 100

    assert client.get(reverse("reports_verify")).status_code == 200
    missing = client.post(reverse("reports_verify"), {})
    too_large = post(client, b"%PDF-" + b"%" * 96)
    announced = client.post(reverse("reports_verify"), {"file": SimpleUploadedFile("big.pdf", b"%" * 200_000)})
    not_pdf = post(client, b"GIF89a" + b"%" * 10)

    assert missing.status_code == 400 and "Choose the PDF file to check." in missing.content.decode()
    assert too_large.status_code == 413 and "at most 100 bytes" in too_large.content.decode()
    assert announced.status_code == 413
    assert not_pdf.status_code == 400 and "This is not a PDF file" in not_pdf.content.decode()


def test_anonymous_visitors_may_verify_too(client, issued_pdf):
    assert client.get(reverse("verify")).status_code == 200
    response = client.post(reverse("verify"), {"file": SimpleUploadedFile("d.pdf", issued_pdf)})
    assert response.status_code == 200 and "Issued by this system, unchanged" in response.content.decode()
