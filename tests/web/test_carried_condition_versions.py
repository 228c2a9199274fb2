"""Editing a carried condition never overwrites a concurrent edit: the browser form and the API send the version of
the condition they showed, and the service compares it under the row lock."""

import pytest
from django.urls import reverse

from assessments.errors import TransitionConflict
from assessments.models import AuditEntry, Condition
from assessments.services.carried_conditions import condition_edit
from tests.signing_client import SigningClient

from ..resign import NOTE, change_summary, due_in, ended_by_security
from ..row_locks import second_while_first_holds_the_lock
from ..workflow import act

LEGAL_TEXT = "Review the deletion logs every month."
CHAIR_TEXT = "Review the deletion logs every week."


def resubmitted(people):
    assessment = ended_by_security(people)
    change_summary(people, assessment)
    return act(people, assessment, "resubmit", comment=NOTE)


def logs_condition(assessment):
    return Condition.objects.filter(assessment=assessment).order_by("pk").last()


def edits(assessment):
    return AuditEntry.objects.filter(assessment=assessment, action=AuditEntry.Action.CONDITION_EDITED).count()


# -- the service ----------------------------------------------------------------------------------------------


def test_an_edit_from_a_stale_version_is_refused(people):
    assessment = resubmitted(people)
    shown = logs_condition(assessment)
    opened = shown.version
    condition_edit(condition=shown, by=people.reviewers["legal"], change={"text": LEGAL_TEXT}, expected_version=opened)
    with pytest.raises(TransitionConflict) as refused:
        condition_edit(condition=shown, by=people.chair, change={"text": CHAIR_TEXT}, expected_version=opened)
    assert refused.value.reasons[0].code == "stale_condition"
    assert logs_condition(assessment).text == LEGAL_TEXT and edits(assessment) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_version_is_compared_under_the_row_lock(people, postgres_only):
    assessment = resubmitted(people)
    shown = logs_condition(assessment)
    opened = shown.version

    def edit(by, text):
        return lambda: condition_edit(condition=shown, by=by, change={"text": text}, expected_version=opened)

    outcome = second_while_first_holds_the_lock(
        edit(people.reviewers["legal"], LEGAL_TEXT), edit(people.chair, CHAIR_TEXT)
    )
    assert isinstance(outcome, TransitionConflict), outcome
    assert logs_condition(assessment).text == LEGAL_TEXT and edits(assessment) == 1


# -- the page -------------------------------------------------------------------------------------------------


def test_a_second_edit_shows_the_condition_as_it_is_now_and_keeps_what_was_typed(people, login):
    assessment = resubmitted(people)
    condition = logs_condition(assessment)
    page = login(people.reviewers["legal"]).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert f'name="version" value="{condition.version}"' in page
    # Each field is labelled (the ids carry the condition's id, so several on one page stay distinct).
    for field in ("text", "due", "before"):
        assert f'<label for="edit-{field}-{condition.pk}">' in page and f'id="edit-{field}-{condition.pk}"' in page
    assert f'rows="2" maxlength="2000" required>{condition.text}</textarea>' in page
    path = reverse("condition_edit", args=[condition.pk])
    legal = login(people.reviewers["legal"])
    assert (
        legal.post(path, {"text": LEGAL_TEXT, "due_date": due_in(40), "version": condition.version}).status_code == 302
    )

    chair = login(people.chair)
    response = chair.post(path, {"text": CHAIR_TEXT, "due_date": due_in(20), "version": condition.version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Condition not saved" in html and "Someone else changed this condition" in html
    assert LEGAL_TEXT in html.split('id="now-h"')[1].split("</section>")[0]  # the condition as it is now
    assert f">{CHAIR_TEXT}</textarea>" in html and f'value="{due_in(20)}"' in html  # what the chair typed
    for field in ("text", "due", "before"):
        assert f'<label for="conflict-{field}">' in html and f'id="conflict-{field}"' in html
    now = logs_condition(assessment)
    assert now.text == LEGAL_TEXT and f'name="version" value="{now.version}"' in html
    # Saving again from the version now shown is the chair's informed choice.
    assert chair.post(path, {"text": CHAIR_TEXT, "due_date": due_in(20), "version": now.version}).status_code == 302
    assert logs_condition(assessment).text == CHAIR_TEXT


def test_an_edit_without_a_version_is_refused_and_keeps_what_was_typed(people, login):
    assessment = resubmitted(people)
    condition = logs_condition(assessment)
    path = reverse("condition_edit", args=[condition.pk])
    response = login(people.reviewers["legal"]).post(path, {"text": LEGAL_TEXT, "due_date": due_in(40)})
    assert response.status_code == 400 and f">{LEGAL_TEXT}</textarea>" in response.content.decode()
    assert logs_condition(assessment).text == condition.text and edits(assessment) == 0
    # Who may not edit hears that first.
    assert login(people.alice).post(path, {"text": "Ours."}).status_code == 403
    assert login(people.olga).post(path, {"text": "Ours."}).status_code == 404


# -- the API --------------------------------------------------------------------------------------------------


def api_edit(user, condition, body):
    client = SigningClient()
    client.force_authenticate(user)
    path = f"/api/v1/assessments/{condition.assessment_id}/conditions/{condition.pk}/edit/"
    return client.post(path, body, format="json")


def test_the_api_refuses_a_stale_expected_version_with_409(people):
    assessment = resubmitted(people)
    condition = logs_condition(assessment)
    client = SigningClient()
    client.force_authenticate(people.reviewers["legal"])
    listed = client.get(f"/api/v1/assessments/{assessment.pk}/conditions/").json()
    opened = next(c["version"] for c in listed if c["id"] == condition.pk)
    assert opened == condition.version

    legal = api_edit(people.reviewers["legal"], condition, {"text": LEGAL_TEXT, "expected_version": opened})
    assert legal.status_code == 200 and legal.json()["version"] == logs_condition(assessment).version != opened
    stale = api_edit(people.chair, condition, {"text": CHAIR_TEXT, "expected_version": opened})
    assert stale.status_code == 409
    assert [r["code"] for r in stale.json()["reasons"]] == ["stale_condition"]
    assert logs_condition(assessment).text == LEGAL_TEXT and edits(assessment) == 1


def test_the_api_expected_version_is_optional_and_checked(people):
    assessment = resubmitted(people)
    condition = logs_condition(assessment)
    bad = api_edit(people.reviewers["legal"], condition, {"text": LEGAL_TEXT, "expected_version": "abc"})
    assert bad.status_code == 400 and "expected_version" in bad.json()
    # The team is refused before its input is read.
    assert api_edit(people.alice, condition, {"text": "Ours.", "expected_version": "abc"}).status_code == 403
    # Without it, as before this field existed, the edit is made.
    assert api_edit(people.chair, condition, {"text": CHAIR_TEXT}).status_code == 200
    assert logs_condition(assessment).text == CHAIR_TEXT
