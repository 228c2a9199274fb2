"""Each dossier download is an entry in the audit chain; draft renders are cached by content and limited per user."""

from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import token_create
from assessments import services
from assessments.models import AuditEntry, State
from tests.audit_tools import verify

from ..workflow import advance, create_draft


def test_every_download_is_an_audit_entry_and_the_chain_still_verifies(people, login, fast_render):
    assessment = advance(people, create_draft(people, name="Intake summaries"), State.APPROVED)

    web = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))
    token = token_create(user=people.chair).key
    api = APIClient().get(f"/api/v1/assessments/{assessment.pk}/dossier.pdf", HTTP_AUTHORIZATION=f"Token {token}")

    entries = list(AuditEntry.objects.filter(assessment=assessment, action="dossier_downloaded").order_by("seq"))
    assert [(e.actor_username, e.details["channel"], e.details["sha256"], e.details["draft"]) for e in entries] == [
        ("audrey", "web", web["X-Dossier-SHA256"], False),
        ("chair", "api", api["X-Dossier-SHA256"], False),
    ]
    assert entries[0].details["document_id"] == f"RAI-A{assessment.pk:06d}-V1"
    status, output = verify()
    assert status == 0, output


def test_an_unchanged_draft_is_rendered_once_and_a_change_renders_it_again(people, login, fast_render):
    assessment = create_draft(people, name="Journaling prompts")
    client = login(people.alice)
    url = reverse("dossier_pdf", args=[assessment.pk])

    first, second = client.get(url), client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert fast_render == [(assessment.pk, True)]
    services.assessment_update_answers(
        assessment=assessment, answers={"overview.purpose": "Suggests prompts between sessions."}, by=people.alice
    )
    third = client.get(url)
    assert third.content != first.content and len(fast_render) == 2
    # Downloads are logged each time, cached or not.
    assert AuditEntry.objects.filter(assessment=assessment, action="dossier_downloaded").count() == 3


def test_new_draft_renders_are_limited_per_person(people, login, fast_render, settings):
    settings.DOSSIER_DRAFT_RENDER_RATE = 2
    drafts = [create_draft(people, name=f"Idea {n}") for n in range(3)]
    alice = login(people.alice)

    statuses = [alice.get(reverse("dossier_pdf", args=[d.pk])).status_code for d in drafts]
    again = alice.get(reverse("dossier_pdf", args=[drafts[0].pk]))  # cached: not a new render
    token = token_create(user=people.alice).key
    api = APIClient().get(f"/api/v1/assessments/{drafts[2].pk}/dossier.pdf", HTTP_AUTHORIZATION=f"Token {token}")
    ben = login(people.ben).get(reverse("dossier_pdf", args=[drafts[2].pk]))

    assert statuses == [200, 200, 429]
    assert again.status_code == 200
    assert api.status_code == 429 and "at most 2 times a minute" in api.json()["detail"]
    assert ben.status_code == 200
