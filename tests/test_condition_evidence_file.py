"""A condition is met with a file as evidence, in the browser and through the API: the same size cap and kinds, its
name and SHA-256 on the row and in the audit log, and a download for whoever may see the assessment, no one else."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.audit import audit_verify
from assessments.models import AuditEntry, Condition, ConditionEvidenceFile, State

from .audit_tools import problems, quoted, sql, verify
from .workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_SHA = hashlib.sha256(PDF).hexdigest()


@pytest.fixture
def approved(people):
    """Approved with a before-launch condition set by Legal."""
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Publish the card.", "before_launch": True}])
    return advance(people, assessment, State.APPROVED)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def met_url(assessment, condition):
    return f"/api/v1/assessments/{assessment.pk}/conditions/{condition.pk}/met/"


def upload(content=PDF, name="model-card.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def download(client, condition, sha=PDF_SHA):
    return client.get(reverse("condition_evidence_file", args=[condition.pk, sha]))


def test_the_api_takes_a_file_and_records_its_name_and_hash(people, approved):
    condition = Condition.objects.get()
    response = api(people.alice).post(
        met_url(approved, condition), {"file": upload(), "evidence": "The card, as published."}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "awaiting_confirmation" and body["evidence"] == "The card, as published."
    assert body["evidence_file"] == {
        "name": "model-card.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": PDF_SHA,
        "url": f"/api/v1/assessments/{approved.pk}/conditions/{condition.pk}/evidence/{PDF_SHA}/",
    }
    entry = AuditEntry.objects.get(action="condition_marked_met")
    assert entry.details["evidence_file"]["sha256"] == PDF_SHA
    block = entry.details["records"]["assessments_condition"]
    [row] = [dict(zip(block["fields"], r, strict=True)) for r in block["rows"]]
    assert (row["evidence_file_name"], row["evidence_file_sha256"]) == ("model-card.pdf", PDF_SHA)
    assert bytes(ConditionEvidenceFile.objects.get().data) == PDF
    assert audit_verify().ok


def test_a_file_alone_is_evidence_and_nothing_at_all_is_not(people, approved):
    condition = Condition.objects.get()
    refused = api(people.alice).post(
        met_url(approved, condition), {"file": upload(b"", "empty.txt")}, format="multipart"
    )
    assert refused.status_code == 400 and "empty" in refused.json()["file"]
    assert api(people.alice).post(met_url(approved, condition), {}, format="multipart").status_code == 400
    ok = api(people.alice).post(
        met_url(approved, condition), {"file": upload(b"Minutes: done.", "a.txt")}, format="multipart"
    )
    assert ok.status_code == 200 and ok.json()["evidence_file"]["content_type"] == "text/plain"


def test_the_browser_needs_text_a_link_or_a_file(people, approved):
    condition = Condition.objects.get()
    met = reverse("condition_met", args=[condition.pk])
    refused = browser(people.alice).post(met, {"evidence": "  "})
    assert refused.status_code == 400 and "evidence required" in refused.content.decode().lower()
    assert browser(people.alice).post(met, {"evidence": "", "evidence_file": upload()}).status_code == 302
    assert Condition.objects.get().evidence == ""


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"GIF89a\x00\x01\x02", "card.gif"), (b"MZ\x90\x00\x03\x00", "card.pdf"), (b"\xff\xfe\xfa\x00", "notes.txt")],
)
def test_a_kind_not_accepted_is_a_400_whatever_its_name(people, approved, content, name):
    condition = Condition.objects.get()
    response = api(people.alice).post(met_url(approved, condition), {"file": upload(content, name)}, format="multipart")
    assert response.status_code == 400
    assert "not accepted" in response.json()["file"]
    assert Condition.objects.get().status == Condition.Status.OPEN and not ConditionEvidenceFile.objects.exists()


def test_a_file_over_the_limit_is_a_413_in_the_api_and_the_browser(people, approved, settings):
    settings.EVIDENCE_FILE_MAX_BYTES = 100
    condition = Condition.objects.get()
    big = b"x" * 101
    response = api(people.alice).post(met_url(approved, condition), {"file": upload(big, "a.txt")}, format="multipart")
    assert response.status_code == 413
    page = browser(people.alice).post(
        reverse("condition_met", args=[condition.pk]), {"evidence": "", "evidence_file": upload(big, "a.txt")}
    )
    assert page.status_code == 413 and "over the limit" in page.content.decode()
    # A body far over the limit is refused by its length, before it is read.
    settings.EVIDENCE_FILE_MAX_BYTES = 1
    huge = b"x" * (70 * 1024)
    page = browser(people.alice).post(reverse("condition_met", args=[condition.pk]), {"evidence_file": upload(huge)})
    assert page.status_code == 413
    assert Condition.objects.get().status == Condition.Status.OPEN and not ConditionEvidenceFile.objects.exists()


def test_who_may_act_is_decided_before_the_file(people, approved, settings):
    settings.EVIDENCE_FILE_MAX_BYTES = 10
    condition = Condition.objects.get()
    big = upload(b"x" * 100, "a.txt")
    assert (
        api(people.reviewers["legal"]).post(met_url(approved, condition), {"file": big}, format="multipart").status_code
        == 403
    )
    assert (
        browser(people.reviewers["legal"])
        .post(reverse("condition_met", args=[condition.pk]), {"evidence_file": upload(b"x" * 100)})
        .status_code
        == 403
    )


def test_the_browser_takes_a_file_and_shows_it_to_those_who_may_see_the_assessment(people, approved):
    condition = Condition.objects.get()
    page = reverse("assessment_detail", args=[approved.pk])
    form = browser(people.alice).get(page).content.decode()
    assert 'enctype="multipart/form-data"' in form and f'name="evidence_file" id="met-file-{condition.pk}"' in form
    posted = browser(people.alice).post(
        reverse("condition_met", args=[condition.pk]), {"evidence": "", "evidence_file": upload(name='../"card".pdf')}
    )
    assert posted.status_code == 302
    condition.refresh_from_db()
    assert (condition.evidence_file_name, condition.evidence_file_sha256) == ("card.pdf", PDF_SHA)
    link = reverse("condition_evidence_file", args=[condition.pk, PDF_SHA])
    for user in (people.alice, people.reviewers["legal"], people.reviewers["security"], people.auditor):
        assert link in browser(user).get(page).content.decode()
        response = download(browser(user), condition)
        assert response.status_code == 200 and response.content == PDF
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == 'attachment; filename="card.pdf"'
    # Not to someone who may not see the assessment, nor to no one signed in; no file under another hash.
    assert download(browser(people.olga), condition).status_code == 404
    assert download(Client(), condition).status_code == 302
    assert download(browser(people.alice), condition, sha="0" * 64).status_code == 404


def test_an_earlier_file_stays_readable_and_a_new_marking_replaces_it_on_the_row(people, approved):
    condition = Condition.objects.get()
    api(people.alice).post(met_url(approved, condition), {"file": upload()}, format="multipart")
    legal = api(people.reviewers["legal"])
    legal.post(
        f"/api/v1/assessments/{approved.pk}/conditions/{condition.pk}/reopen/",
        {"comment": "Older card."},
        format="json",
    )
    again = api(people.alice).post(
        met_url(approved, condition), {"evidence": "https://example.org/card"}, format="json"
    )
    assert again.status_code == 200 and again.json()["evidence_file"] is None
    condition.refresh_from_db()
    assert (condition.evidence_file_name, condition.evidence_file_sha256, condition.evidence_file_size) == (
        "",
        "",
        None,
    )
    assert download(browser(people.reviewers["legal"]), condition).status_code == 200
    assert audit_verify().ok


def test_a_file_or_its_record_altered_behind_the_log_is_caught(people, approved):
    condition = Condition.objects.get()
    api(people.alice).post(met_url(approved, condition), {"file": upload()}, format="multipart")
    sql(f"UPDATE {quoted(ConditionEvidenceFile)} SET data = %s", [b"%PDF-1.7 forged"])
    response = download(browser(people.reviewers["legal"]), condition)
    assert response.status_code == 409 and "no longer matches" in response.content.decode()
    sql(f"UPDATE {quoted(Condition)} SET evidence_file_sha256 = %s", ["f" * 64])
    status, output = verify()
    assert status != 0 and "condition_altered" in problems(output)
    assert "evidence_file_sha256" in output


def test_marking_met_in_the_browser_still_checks_the_csrf_token(people, approved, settings):
    condition = Condition.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.alice)
    # A body announced over the limit is refused by its length alone: before the token is read from it.
    settings.EVIDENCE_FILE_MAX_BYTES = 1
    huge = client.post(reverse("condition_met", args=[condition.pk]), {"evidence_file": upload(b"x" * (70 * 1024))})
    assert huge.status_code == 413
    settings.EVIDENCE_FILE_MAX_BYTES = 10 * 1024 * 1024
    refused = client.post(reverse("condition_met", args=[condition.pk]), {"evidence": "Done."})
    assert refused.status_code == 403
    assert Condition.objects.get().status == Condition.Status.OPEN
    client.get(reverse("assessment_detail", args=[approved.pk]))
    token = client.cookies["csrftoken"].value
    posted = client.post(
        reverse("condition_met", args=[condition.pk]), {"evidence": "Done.", "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302 and Condition.objects.get().status == Condition.Status.AWAITING_CONFIRMATION
