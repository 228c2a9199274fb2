"""A launched feature assessed on questionnaire version 1 is re-assessed on version 2, pre-filled through the
documented mapping, asking only what is new; the version-1 dossier stays byte for byte what it was."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, AuditEntry, State
from assessments.questionnaire import get_questionnaire
from assessments.questionnaire_upgrade import get_upgrade
from reports.services import dossier_download

INTAKE = "AI-enhanced intake summary"


def test_reassessing_the_demo_feature_approved_on_version_1_opens_a_prefilled_version_2_draft(db, client):
    call_command("seed_demo", "--password", "pw")
    alice = get_user_model().objects.get(username="alice")
    launched = Assessment.objects.get(feature__name=INTAKE, version=1)
    assert (launched.state, launched.questionnaire_version) == (State.LAUNCHED, "v1")
    dossier_before = dossier_download(assessment=launched, user=alice, channel="web")

    services.assessment_transition(assessment=launched, name="start_reassessment", by=alice)

    draft = launched.feature.assessments.get(version=2)
    assert (draft.state, draft.questionnaire_version) == (State.DRAFT, "v2")
    mapping = get_upgrade("v1", "v2")
    carried = {mapping.answers[qid]: value for qid, value in launched.answers.items()}
    assert carried and {qid: draft.answers.get(qid) for qid in carried} == carried  # every mapped answer pre-filled
    v2 = get_questionnaire("v2")
    unanswered = [q.id for q in v2.questions.values() if q.id not in draft.answers and v2.is_visible(q, draft.answers)]
    created = AuditEntry.objects.get(assessment=draft, action=AuditEntry.Action.CREATED)
    assert created.details["answers_from_questionnaire"] == "v1"
    assert created.details["asked_anew"] == unanswered
    assert "overview.intended_uses" in unanswered and "rights.annex_iii_use" in unanswered
    assert not set(unanswered) & set(carried)

    launched.refresh_from_db()
    dossier_after = dossier_download(assessment=launched, user=alice, channel="web")
    assert dossier_after.content == dossier_before.content and not dossier_after.draft

    client.force_login(alice)
    page = client.get(reverse("assessment_detail", args=[draft.pk])).content.decode()
    assert "New in this version of the questionnaire" in page
    assert v2.questions["overview.intended_uses"].text in page
    assert v2.questions["overview.purpose"].text not in page.split("New in this version")[1].split("</section>")[0]
