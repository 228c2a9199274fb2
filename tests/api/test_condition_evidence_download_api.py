"""A file given as evidence for a condition, downloaded through the API with a token: for whoever may see the
assessment (404 for anyone else, and for a hash that is not this condition's), 401 without credentials, as an
attachment, refused (409) when its bytes no longer hash to the record. The browser's route serves the same way."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tokens import token_create
from assessments.models import Condition, ConditionEvidenceFile, State
from tests.audit_tools import quoted, sql
from tests.workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_SHA = hashlib.sha256(PDF).hexdigest()
CSV = b"group,rate\na,0.5\n"
CSV_SHA = hashlib.sha256(CSV).hexdigest()


@pytest.fixture
def approved(people):
    """Approved with two before-launch conditions set by Legal, each marked met by the team with its own file."""
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    conditions = [
        {"text": "Publish the card.", "before_launch": True},
        {"text": "Share the rates.", "before_launch": True},
    ]
    assessment = advance(people, act(people, assessment, "approve", conditions=conditions), State.APPROVED)
    card, rates = Condition.objects.order_by("pk")
    team = with_token(people.alice)
    for condition, content, name in ((card, PDF, "modèle card.pdf"), (rates, CSV, "rates.csv")):
        marked = team.post(
            f"/api/v1/assessments/{assessment.pk}/conditions/{condition.pk}/met/",
            {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
            format="multipart",
        )
        assert marked.status_code == 200, marked.json()
    return assessment


def with_token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


def file_url(assessment_pk, condition_pk, sha):
    return f"/api/v1/assessments/{assessment_pk}/conditions/{condition_pk}/evidence/{sha}/"


def test_the_rows_link_to_the_api_download_and_a_token_fetches_the_file(people, approved, settings):
    # The download says nosniff itself, not only through the security middleware's setting.
    settings.SECURE_CONTENT_TYPE_NOSNIFF = False
    card = Condition.objects.order_by("pk").first()
    rows = with_token(people.reviewers["security"]).get(f"/api/v1/assessments/{approved.pk}/conditions/")
    url = rows.json()[0]["evidence_file"]["url"]
    assert url == file_url(approved.pk, card.pk, PDF_SHA)

    for user in (people.alice, people.reviewers["legal"], people.reviewers["security"], people.auditor):
        response = with_token(user).get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200 and response.content == PDF
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == "attachment; filename*=utf-8''mod%C3%A8le%20card.pdf"
        assert response["Cache-Control"] == "private, no-store"


def test_a_plain_name_is_quoted_and_the_kind_is_the_one_recorded(people, approved):
    rates = Condition.objects.order_by("pk").last()
    response = with_token(people.alice).get(file_url(approved.pk, rates.pk, CSV_SHA))
    assert response.status_code == 200 and response.content == CSV
    assert (
        response["Content-Type"] == "text/csv" and response["Content-Disposition"] == 'attachment; filename="rates.csv"'
    )


def test_another_teams_member_gets_a_404_and_no_one_signed_in_a_401(people, approved):
    card = Condition.objects.order_by("pk").first()
    url = file_url(approved.pk, card.pk, PDF_SHA)
    outsider = with_token(people.olga).get(url)
    assert outsider.status_code == 404 and outsider["Content-Type"] == "application/json"
    assert b"%PDF" not in outsider.content
    anonymous = APIClient().get(url)
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"


def test_a_hash_that_is_not_this_conditions_is_a_404(people, approved):
    card, rates = Condition.objects.order_by("pk")
    team = with_token(people.alice)
    # Another condition's file, asked for under this one: not served, though the caller may see both.
    assert team.get(file_url(approved.pk, card.pk, CSV_SHA)).status_code == 404
    assert team.get(file_url(approved.pk, rates.pk, PDF_SHA)).status_code == 404
    assert team.get(file_url(approved.pk, card.pk, "0" * 64)).status_code == 404
    for not_a_hash in (PDF_SHA.upper(), PDF_SHA[:-1], "%00" + PDF_SHA[3:]):
        response = team.get(file_url(approved.pk, card.pk, not_a_hash), HTTP_ACCEPT="image/png")
        assert response.status_code == 404 and response["Content-Type"] == "application/json", not_a_hash
    # A condition of another assessment the caller may see, under this assessment's id: no such condition here.
    other = advance(people, create_draft(people), State.LEGAL_REVIEW)
    other = act(people, other, "approve", conditions=[{"text": "Elsewhere.", "before_launch": True}])
    elsewhere = Condition.objects.get(assessment=other)
    assert team.get(file_url(other.pk, card.pk, PDF_SHA)).status_code == 404
    assert team.get(file_url(approved.pk, elsewhere.pk, PDF_SHA)).status_code == 404


def test_bytes_altered_behind_the_record_are_a_409_in_json(people, approved):
    card = Condition.objects.order_by("pk").first()
    sql(f"UPDATE {quoted(ConditionEvidenceFile)} SET data = %s WHERE sha256 = %s", [b"%PDF-1.7 forged", PDF_SHA])
    response = with_token(people.reviewers["legal"]).get(file_url(approved.pk, card.pk, PDF_SHA))
    assert response.status_code == 409
    body = response.json()
    assert "no longer matches" in body["detail"] and body["reasons"][0]["code"] == "evidence_file_altered"
    # The other file is untouched and still served.
    rates = Condition.objects.order_by("pk").last()
    assert with_token(people.alice).get(file_url(approved.pk, rates.pk, CSV_SHA)).status_code == 200
