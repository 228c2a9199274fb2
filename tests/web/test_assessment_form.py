"""The questionnaire form: drafts, inline errors, live risk, show_if, submit and what blocks it."""

import html
import re

from django.urls import reverse

from assessments.forms import field_name
from assessments.models import AIFeature, Assessment, AuditEntry, State

from ..answers import complete_answers
from ..workflow import advance, create_draft
from .posting import form_data

NEW = reverse("assessment_new")


def new_post(client, answers, name="Therapist matching", team="client-experience", **extra):
    return client.post(NEW, form_data(answers, feature_name=name, team=team, **extra))


def test_the_form_renders_every_section_with_help_text(people, login):
    response = login(people.alice).get(NEW)
    page = response.content.decode()
    assert response.status_code == 200
    for title in ("Overview", "Clinical boundary", "Data and privacy", "Security", "Bias and fairness"):
        assert title in page
    assert "Therapist matching is administrative, not clinical" in page  # help text
    assert 'for="f-overview__feature_summary"' in page  # every text input has its label
    assert 'id="show-if-rules"' in page


def test_questions_hidden_by_show_if_start_hidden_and_say_why(people, login):
    page = login(people.alice).get(NEW).content.decode()
    start = page.index('id="q-clinical-crisis-escalation"')
    assert "hidden" in page[start : start + 120]
    assert "Asked when the answer to “Could the feature see signs that someone is in crisis?”" in page


def test_a_partial_draft_can_be_saved_at_any_time(people, login):
    client = login(people.alice)
    response = new_post(client, {"overview.feature_summary": "Ranks therapists."}, action="save")
    assessment = Assessment.objects.get(feature__name="Therapist matching")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_edit", args=[assessment.pk])
    assert assessment.state == State.DRAFT
    assert assessment.answers == {"overview.feature_summary": "Ranks therapists."}


def test_a_bad_number_is_shown_next_to_its_question_and_nothing_is_saved(people, login):
    client = login(people.alice)
    answers = {"overview.feature_summary": "Ranks therapists.", "impact.expected_users_per_month": "lots"}
    response = new_post(client, answers)
    page = response.content.decode()
    assert response.status_code == 400
    assert not AIFeature.objects.exists()
    feedback = page[page.index('id="fb-q-impact-expected-users-per-month"') :][:300]
    assert "Enter a number, using digits only" in feedback
    # What the user typed is still there.
    assert 'value="lots"' in page and 'value="Ranks therapists."' in page
    assert "need" in page and "fixing; nothing was saved" in page


def test_service_validation_errors_are_shown_next_to_the_question(people, login):
    client = login(people.alice)
    too_long = "x" * 151
    response = new_post(client, {"overview.feature_summary": too_long})
    page = response.content.decode()
    assert response.status_code == 400
    feedback = page[page.index('id="fb-q-overview-feature-summary"') :][:300]
    assert "This answer is 151 characters long; the limit is 150." in feedback
    assert not AIFeature.objects.exists()


def test_a_forged_choice_is_refused_in_plain_words(people, login):
    response = new_post(login(people.alice), {"overview.ai_technique": "quantum"})
    page = response.content.decode()
    assert response.status_code == 400
    feedback = page[page.index('id="fb-q-overview-ai-technique"') :][:300]
    assert "Select a valid choice" in feedback


def test_the_feature_name_is_required_and_unique_per_team(people, login):
    client = login(people.alice)
    response = new_post(client, {}, name="  ")
    assert response.status_code == 400
    assert "Give the feature a name." in response.content.decode()
    create_draft(people, name="Intake summary")
    response = new_post(client, {}, name="intake summary")
    assert response.status_code == 400
    assert "already has a feature named" in response.content.decode()
    assert AIFeature.objects.count() == 1


def test_only_a_team_of_ones_own_can_be_chosen(people, login):
    response = new_post(login(people.alice), {}, team="growth")
    assert response.status_code == 400
    assert "Choose one of your teams." in response.content.decode()
    assert not AIFeature.objects.exists()


def test_someone_in_no_team_cannot_start_an_assessment(people, login):
    for user in (people.reviewers["legal"], people.auditor, people.nobody):
        client = login(user)
        assert client.get(NEW).status_code == 403
        assert new_post(client, complete_answers()).status_code == 403
    assert not AIFeature.objects.exists()


def test_save_and_submit_sends_a_complete_assessment_to_legal(people, login):
    response = new_post(login(people.alice), complete_answers(), action="submit")
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[assessment.pk])
    assert assessment.state == State.LEGAL_REVIEW


def test_a_blocked_submit_keeps_the_draft_and_says_exactly_what_blocks_it(people, login):
    answers = complete_answers(**{"clinical.provides_therapy": True})
    del answers["impact.benefits"]
    client = login(people.alice)
    response = new_post(client, answers, action="submit")
    assessment = Assessment.objects.get()
    # Post/redirect/get: the browser lands on the saved draft, so a refresh cannot post the form again.
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_edit", args=[assessment.pk]) + "#submit-blocked"
    assert assessment.state == State.DRAFT
    assert assessment.answers == answers  # saved, not lost
    page = client.get(response["Location"]).content.decode()
    assert "Saved, but not submitted" in page
    assert "Answer required: What benefit do you expect, and how will you measure it?" in page
    assert "Hard stop" in page and "Does the AI provide therapy or counselling itself?" in page
    # The form now posts to the saved draft, not to "new" again.
    assert f'action="{reverse("assessment_edit", args=[assessment.pk])}"' in page
    # Said once: reloading the page later shows the live panel's blockers, not the old refusal.
    assert "Saved, but not submitted" not in client.get(response["Location"]).content.decode()
    assert Assessment.objects.count() == 1


def test_the_edit_page_saves_changes_and_clears_emptied_answers(people, login):
    assessment = create_draft(people)
    data = form_data(complete_answers(), base_hash=assessment.content_hash, action="save")
    data[field_name("overview.vendor")] = ""
    data[field_name("impact.benefits")] = "Shorter waits for a first session."
    response = login(people.alice).post(reverse("assessment_edit", args=[assessment.pk]), data)
    assessment.refresh_from_db()
    assert response.status_code == 302
    assert assessment.answers["impact.benefits"] == "Shorter waits for a first session."
    assert "overview.vendor" not in assessment.answers


def test_answers_hidden_by_show_if_are_dropped_on_save(people, login):
    assessment = create_draft(people)
    answers = complete_answers(**{"data.processes_phi": False})
    data = form_data(answers, base_hash=assessment.content_hash)
    data[field_name("data.phi_safeguards")] = ["encrypted"]  # posted although hidden
    login(people.alice).post(reverse("assessment_edit", args=[assessment.pk]), data)
    assessment.refresh_from_db()
    assert "data.phi_safeguards" not in assessment.answers


def test_a_save_over_someone_elses_newer_save_is_refused_and_keeps_the_input(people, login):
    assessment = create_draft(people)
    stale_hash = assessment.content_hash
    login(people.ben).post(
        reverse("assessment_edit", args=[assessment.pk]),
        form_data(complete_answers(**{"impact.benefits": "Ben's words."}), base_hash=stale_hash),
    )
    response = login(people.alice).post(
        reverse("assessment_edit", args=[assessment.pk]),
        form_data(complete_answers(**{"impact.benefits": "Alice's words."}), base_hash=stale_hash),
    )
    assessment.refresh_from_db()
    assert response.status_code == 409
    assert assessment.answers["impact.benefits"] == "Ben's words."
    page = response.content.decode()
    assert "Alice&#x27;s words." in page and "were not saved" in page


def test_only_the_team_may_open_the_edit_page(people, login):
    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    url = reverse("assessment_edit", args=[assessment.pk])
    assert login(people.alice).get(url).status_code == 200
    assert login(people.reviewers["legal"]).get(url).status_code == 403
    assert login(people.auditor).get(url).status_code == 403
    assert login(people.olga).get(url).status_code == 404
    before = assessment.answers
    response = login(people.reviewers["legal"]).post(url, form_data(complete_answers(**{"impact.benefits": "X"})))
    assessment.refresh_from_db()
    assert response.status_code == 403
    assert assessment.answers == before


def test_answers_in_review_cannot_be_edited(people, login):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    url = reverse("assessment_edit", args=[assessment.pk])
    client = login(people.alice)
    assert client.get(url).status_code == 409
    response = client.post(url, form_data(complete_answers(**{"impact.benefits": "Changed."})))
    assessment.refresh_from_db()
    assert response.status_code == 409
    assert assessment.answers["impact.benefits"] != "Changed."


def test_resubmitting_after_a_change_request_restarts_at_legal(people, login):
    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    page = login(people.alice).get(reverse("assessment_edit", args=[assessment.pk])).content.decode()
    assert "Legal review requested changes" in page and "Save and resubmit for review" in page
    assert 'name="resubmit_note"' in page
    data = form_data(
        complete_answers(**{"impact.benefits": "Now measured."}), base_hash=assessment.content_hash, action="submit"
    )
    client = login(people.alice)
    refused = client.post(reverse("assessment_edit", args=[assessment.pk]), {**data, "resubmit_note": "  "})
    assessment.refresh_from_db()
    assert refused.status_code == 302 and refused["Location"].endswith("/edit/#resubmit-note")
    assert assessment.state == State.CHANGES_REQUESTED and assessment.answers["impact.benefits"] == "Now measured."
    # The note's error sits beside the note, which is invalid and described by it; the callout links to it.
    page = client.get(refused["Location"]).content.decode()
    note = re.search(r'<textarea name="resubmit_note"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in note and "resubmit-note-error" in note
    assert 'id="resubmit-note-error"' in page and "Say what you changed" in page
    assert re.search(r'id="submit-blocked".*?href="#resubmit-note"', page, re.S)
    # Said once: a reload shows the note as it was, without the error.
    assert (
        'aria-invalid="true"'
        not in re.search(r'<textarea name="resubmit_note"[^>]*>', client.get(refused["Location"]).content.decode())[0]
    )
    data["resubmit_note"] = "Benefits are now measured."
    data["base_hash"] = assessment.content_hash
    response = login(people.alice).post(reverse("assessment_edit", args=[assessment.pk]), data)
    assessment.refresh_from_db()
    assert response.status_code == 302
    assert assessment.state == State.LEGAL_REVIEW
    assert assessment.review_round == 2
    changed = AuditEntry.objects.filter(assessment_id=assessment.pk, action="answers_changed").get()
    assert changed.details["changed"]["impact.benefits"]["to"] == "Now measured."


def test_the_live_panel_shows_risk_hard_stops_and_blockers_without_saving(people, login):
    client = login(people.alice)
    answers = {"clinical.provides_therapy": True, "overview.audience": ["clients"]}
    response = client.post(reverse("assessment_preview_new"), form_data(answers))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["live"]["score"]["level"] in (1, 2, 3, 4)
    assert "Does the AI provide therapy or counselling itself?" in page
    assert "Submit is blocked by" in page
    # Inline feedback for each question is sent out of band.
    assert 'id="fb-q-clinical-provides-therapy" hx-swap-oob="true"' in page
    assert "people-powered care rule" in page
    assert not AIFeature.objects.exists()


def test_the_live_panel_reports_bad_input_next_to_the_question(people, login):
    response = login(people.alice).post(
        reverse("assessment_preview_new"), {field_name("impact.expected_users_per_month"): "12abc"}
    )
    page = response.content.decode()
    feedback = page[page.index('id="fb-q-impact-expected-users-per-month"') :][:300]
    assert "Enter a number" in feedback


def test_the_live_panel_of_an_assessment_is_for_its_team_only(people, login):
    assessment = create_draft(people)
    url = reverse("assessment_preview", args=[assessment.pk])
    assert login(people.alice).post(url, {}).status_code == 200
    assert login(people.olga).post(url, {}).status_code == 404
    submitted = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assert login(people.auditor).post(reverse("assessment_preview", args=[submitted.pk]), {}).status_code == 403
    assert login(people.nobody).post(reverse("assessment_preview_new"), {}).status_code == 403


def test_numbers_are_stored_as_numbers(people, login):
    client = login(people.alice)
    new_post(client, {"impact.expected_users_per_month": "4,000", "data.retention_days": "30"})
    answers = Assessment.objects.get().answers
    assert answers["impact.expected_users_per_month"] == 4000
    assert answers["data.retention_days"] == 30


def test_an_edit_that_arrives_after_submission_is_refused_but_shown_back(people, login):
    assessment = create_draft(people)
    data = form_data(complete_answers(**{"impact.benefits": "Typed while ben submitted."}))
    data["base_hash"] = assessment.content_hash
    advance(people, assessment, State.LEGAL_REVIEW)
    response = login(people.alice).post(reverse("assessment_edit", args=[assessment.pk]), data)
    assessment.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409
    assert "moved to Legal review while you were editing" in page
    assert "Typed while ben submitted." in page
    assert assessment.answers["impact.benefits"] != "Typed while ben submitted."


def test_the_live_panel_says_so_when_the_session_has_ended(client, people):
    response = client.post(reverse("assessment_preview_new"), {}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "You have been logged out." in response.content.decode()
    assert client.post(reverse("assessment_preview_new"), {}).status_code == 401


def test_a_resubmission_note_over_the_limit_is_refused_beside_the_note_and_kept(people, login):
    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    url = reverse("assessment_edit", args=[assessment.pk])
    client = login(people.alice)
    note = "Changed the benefits. " * 300
    data = form_data(complete_answers(), base_hash=assessment.content_hash, action="submit", resubmit_note=note)
    refused = client.post(url, data)
    assert refused.status_code == 302 and Assessment.objects.get(pk=assessment.pk).state == State.CHANGES_REQUESTED
    page = client.get(refused["Location"]).content.decode()
    error = re.search(r'id="resubmit-note-error">(.*?)</p>', page, re.S)[1]
    assert f"{len(note.strip())} characters long" in error
    assert html.unescape(re.search(r'<textarea name="resubmit_note"[^>]*>(.*?)</textarea>', page, re.S)[1]) == note
