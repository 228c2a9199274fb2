"""Dossiers of unfinished assessments: rendered afresh, DRAFT on every page, never stored; and who may get one."""

import pytest
from django.urls import reverse

from assessments.models import State
from reports.models import Dossier, DossierDownload

from ..workflow import advance, create_draft
from .conftest import page_texts


def test_an_unfinished_assessment_gets_a_draft_with_draft_on_every_page_and_nothing_stored(people, login):
    assessment = advance(people, create_draft(people, name="Intake summary"), State.CLINICAL_REVIEW)

    response = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    pages = page_texts(response.content)
    assert len(pages) > 5
    for page in pages:
        assert "DRAFT" in page
    assert "Not approved: clinical review" in " ".join(pages)
    assert not Dossier.objects.exists()
    log = DossierDownload.objects.get()
    assert (log.assessment, log.user, log.draft, log.channel) == (assessment, people.auditor, True, "web")
    assert log.sha256 == response["X-Dossier-SHA256"]


@pytest.mark.parametrize("who", ["auditor", "chair", "legal", "olga", "nobody"])
def test_a_drafts_dossier_is_404_to_everyone_outside_its_team(people, login, fast_render, who):
    draft = create_draft(people)
    user = people.reviewers["legal"] if who == "legal" else getattr(people, who)

    response = login(user).get(reverse("dossier_pdf", args=[draft.pk]))

    assert response.status_code == 404
    assert fast_render == [] and not DossierDownload.objects.exists()


def test_a_drafts_dossier_is_404_to_an_administrator_outside_its_team(people, login, fast_render):
    draft = create_draft(people)

    assert login(people.admin).get(reverse("dossier_pdf", args=[draft.pk])).status_code == 404
    assert fast_render == []


def test_the_team_gets_its_drafts_dossier_and_the_download_is_logged(people, login, fast_render):
    draft = create_draft(people)

    response = login(people.ben).get(reverse("dossier_pdf", args=[draft.pk]))

    assert response.status_code == 200
    assert fast_render == [(draft.pk, True)]
    assert DossierDownload.objects.filter(assessment=draft, user=people.ben, draft=True).count() == 1


def test_another_teams_assessment_in_review_is_404_to_a_team_member(people, login, fast_render):
    in_review = advance(people, create_draft(people), State.LEGAL_REVIEW)

    assert login(people.olga).get(reverse("dossier_pdf", args=[in_review.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(people, client):
    draft = create_draft(people)

    response = client.get(reverse("dossier_pdf", args=[draft.pk]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_id_too_long_for_the_database_is_404(people, login):
    assert login(people.auditor).get("/reports/assessments/9999999999999999999/dossier.pdf").status_code == 404
    assert login(people.auditor).get("/reports/assessments/999999999999999999/dossier.pdf").status_code == 404
