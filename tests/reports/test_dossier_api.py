"""GET /api/v1/assessments/<id>/dossier.pdf and POST /api/v1/dossiers/verify/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import token_create
from assessments.models import State
from reports.models import DossierDownload

from ..workflow import advance, create_draft
from .conftest import plain_pdf

VERIFY = "/api/v1/dossiers/verify/"


def api_path(pk):
    return f"/api/v1/assessments/{pk}/dossier.pdf"


@pytest.fixture
def client_for(db):
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
        return client

    return make


@pytest.fixture
def approved(people, fast_render):
    return advance(people, create_draft(people, name="Approved one"), State.APPROVED)


def test_the_api_gives_the_same_bytes_as_the_browser_and_logs_each_download(people, approved, client_for, login):
    api = client_for(people.auditor).get(api_path(approved.pk), HTTP_ACCEPT="application/pdf")
    web = login(people.chair).get(reverse("dossier_pdf", args=[approved.pk]))

    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"
    assert api.content == web.content
    assert [(d.username, d.channel) for d in DossierDownload.objects.order_by("pk")] == [
        ("audrey", "api"),
        ("chair", "web"),
    ]


def test_any_accept_header_gets_the_pdf_and_errors_stay_json(people, approved, client_for):
    client = client_for(people.auditor)

    assert client.get(api_path(approved.pk)).status_code == 200
    assert client.get(api_path(approved.pk), HTTP_ACCEPT="application/json").status_code in (200, 406)
    missing = client.get(api_path(approved.pk + 1000), HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing.json() == {"detail": "No such assessment."}


@pytest.mark.parametrize("who", ["auditor", "chair", "legal", "olga", "admin"])
def test_a_drafts_dossier_is_404_over_the_api_outside_its_team(people, client_for, fast_render, who):
    draft = create_draft(people)
    user = people.reviewers["legal"] if who == "legal" else getattr(people, who)

    response = client_for(user).get(api_path(draft.pk))

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert not DossierDownload.objects.exists()


def test_the_api_asks_for_credentials(people, approved, client_for):
    assert client_for().get(api_path(approved.pk)).status_code == 401


def test_an_id_beyond_the_database_is_a_json_404(people, client_for):
    response = client_for(people.auditor).get(api_path(10**19))
    assert response.status_code == 404 and response.json()["detail"]


def issued_bytes(people, approved, client_for):
    return client_for(people.auditor).get(api_path(approved.pk)).content


def test_verify_recognises_an_issued_dossier(people, approved, client_for):
    content = issued_bytes(people, approved, client_for)
    dossier = approved.dossiers.get()

    response = client_for(people.olga).post(
        VERIFY, {"file": SimpleUploadedFile("d.pdf", content, "application/pdf")}, format="multipart"
    )

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("issued", "assessment", "version", "sha256")} == {
        "issued": True,
        "assessment": approved.pk,
        "version": 1,
        "sha256": dossier.sha256,
    }
    assert body["issued_at"].startswith(dossier.issued_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["detail"].startswith("Issued by this system on") and "Approved one v1, unchanged" in body["detail"]


def test_verify_rejects_a_dossier_with_one_byte_changed(people, approved, client_for):
    content = bytearray(issued_bytes(people, approved, client_for))
    content[len(content) // 3] ^= 0x01

    body = client_for(people.auditor).post(VERIFY, {"file": SimpleUploadedFile("d.pdf", bytes(content))}).json()

    assert body["issued"] is False
    assert (body["assessment"], body["version"], body["issued_at"]) == (None, None, None)


def test_verify_rejects_a_foreign_pdf(people, client_for):
    body = client_for(people.auditor).post(VERIFY, {"file": SimpleUploadedFile("x.pdf", plain_pdf())}).json()

    assert body["issued"] is False and body["detail"].startswith("Not a dossier issued by this system")


def test_verify_rejects_stored_bytes_whose_signature_is_not_ours(people, approved, client_for, settings, tmp_path):
    from reports.signing import make_demo_pair

    content = issued_bytes(people, approved, client_for)
    _, other_cert = make_demo_pair(tmp_path, organisation="Someone else")
    settings.DOSSIER_SIGNING_CERT = str(other_cert)  # the organisation's certificate is now another one

    body = client_for(people.auditor).post(VERIFY, {"file": SimpleUploadedFile("d.pdf", content)}).json()

    assert body["issued"] is False and "signature does not validate" in body["detail"]
    assert "not one of this system's dossier signing certificates" in body["detail"]


def test_verify_wants_a_file(people, client_for):
    client = client_for(people.auditor)

    missing = client.post(VERIFY, {}, format="multipart")
    other = client.post(VERIFY, {"other": "x"}, format="multipart")
    empty = client.post(VERIFY, {"file": SimpleUploadedFile("e.pdf", b"")}, format="multipart")
    as_json = client.post(VERIFY, {"file": "x"}, format="json")
    with_query = client.post(VERIFY + "?x=1", {"file": SimpleUploadedFile("a.pdf", b"%PDF-")}, format="multipart")
    as_text_part = client.post(VERIFY, {"file": "%PDF-1.7 not really"}, format="multipart")

    assert missing.status_code == 400 and "file" in missing.json()
    assert other.status_code == 400 and "other" in other.json()
    assert empty.status_code == 400
    assert as_json.status_code == 415
    assert with_query.status_code == 400 and "x" in with_query.json()
    # A part sent without a file name is still the bytes sent: checked, and not a dossier.
    assert as_text_part.status_code == 200 and as_text_part.json()["issued"] is False


def test_verify_refuses_a_file_over_the_limit(people, client_for, settings):
    settings.DOSSIER_VERIFY_MAX_BYTES = 1000
    client = client_for(people.auditor)

    at_limit = client.post(VERIFY, {"file": SimpleUploadedFile("a.pdf", b"%PDF-" + b"%" * 995)})
    over = client.post(VERIFY, {"file": SimpleUploadedFile("b.pdf", b"%PDF-" + b"%" * 996)})
    huge = client.post(VERIFY, {"file": SimpleUploadedFile("c.pdf", b"%PDF-" + b"%" * 200_000)})

    assert at_limit.status_code == 200 and at_limit.json()["issued"] is False
    assert over.status_code == 413 and "1,001 bytes" in over.json()["detail"]
    assert huge.status_code == 413


def test_verify_answers_without_credentials(client_for):
    response = client_for().post(VERIFY, {"file": SimpleUploadedFile("a.pdf", plain_pdf())})
    assert response.status_code == 200 and response.json()["issued"] is False
