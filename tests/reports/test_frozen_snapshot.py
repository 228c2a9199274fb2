"""Frozen means frozen: the dossier is rendered from a snapshot taken in the deciding transaction, and rejected
and withdrawn versions get a signed decision record at the same URLs. Rendering is real here."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import State
from reports.dossier import ATTACHMENT_NAME
from reports.models import Dossier

from ..workflow import act, advance, create_draft
from .conftest import page_texts, pdf_reader


def attached(content):
    return json.loads(pdf_reader(content).attachments[ATTACHMENT_NAME][0])


def verify(content):
    return APIClient().post("/api/v1/dossiers/verify/", {"file": SimpleUploadedFile("d.pdf", content)}).json()


def test_renaming_a_signer_or_editing_the_template_after_approval_leaves_the_frozen_bytes_unchanged(
    people, login, monkeypatch
):
    assessment = advance(people, create_draft(people, name="Journaling prompts"), State.APPROVED)
    dossier = Dossier.objects.get(assessment=assessment)
    assert dossier.snapshot_html and dossier.snapshot_data and dossier.template_version
    legal = people.reviewers["legal"]
    old_name = legal.get_full_name()

    # After the approval and before the first download renders the PDF: a signer renamed, the template edited.
    legal.first_name, legal.last_name = "Renamed", "Afterwards"
    legal.save()
    import reports.dossier

    real = reports.dossier.render_to_string
    monkeypatch.setattr(
        reports.dossier, "render_to_string", lambda *a, **k: real(*a, **k).replace("Committee decision", "EDITED")
    )

    first = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk])).content
    second = login(people.chair).get(reverse("dossier_pdf", args=[assessment.pk])).content

    assert first == second
    text = " ".join(page_texts(first))
    assert old_name in text and "Renamed Afterwards" not in text
    assert "Committee decision" in text and "EDITED" not in text
    data = attached(first)
    assert old_name in {s["reviewer_name"] for s in data["sign_offs"]}
    assert data["template_version"] == dossier.template_version
    assert data["decision"] == "approved"


def test_a_rejected_assessment_has_a_signed_decision_record_that_verifies(people, login):
    assessment = advance(people, create_draft(people, name="Session summaries"), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "reject", comment="The vendor keeps transcripts; not acceptable.")
    assert assessment.state == State.REJECTED

    response = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))

    assert response.status_code == 200 and response["Cache-Control"] == "private, max-age=0"
    content = response.content
    dossier = Dossier.objects.get(assessment=assessment)
    assert dossier.is_issued and dossier.decision == "rejected"
    cover = page_texts(content)[0]
    assert "Decision record" in cover and "Rejected" in cover
    assert "The vendor keeps transcripts; not acceptable." in cover
    assert "DRAFT" not in " ".join(page_texts(content))
    data = attached(content)
    assert data["draft"] is False and data["decision"] == "rejected" and data["assessment"]["state"] == "rejected"
    body = verify(content)
    assert body["issued"] is True and body["unchanged"] is True and body["assessment"] == assessment.pk
    # The same bytes again: frozen.
    assert login(people.chair).get(reverse("dossier_pdf", args=[assessment.pk])).content == content


def test_a_withdrawn_assessment_has_a_decision_record_too(people, login, fast_render):
    assessment = advance(people, create_draft(people, name="Withdrawn idea"), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "withdraw", by=people.alice, comment="We are not building this.")

    response = login(people.alice).get(reverse("dossier_pdf", args=[assessment.pk]))

    assert response.status_code == 200
    dossier = Dossier.objects.get(assessment=assessment)
    assert dossier.is_issued and dossier.decision == "withdrawn"
    assert verify(response.content)["issued"] is True
