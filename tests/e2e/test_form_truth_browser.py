"""The questionnaire form in the browser: two people editing at once lose nothing, and the disclosure's
required-ness follows the audience without a reload."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Assessment
from assessments.questionnaire import AUDIENCE
from assessments.services import assessment_update_answers

from ..workflow import create_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BENEFITS = "#f-impact__benefits"
SAVE = "aside button[name=action][value=save]"


def save(page):
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/edit/")) as posted:
        page.locator(SAVE).click()
    page.wait_for_load_state()
    return posted.value


def test_the_second_of_two_concurrent_saves_gets_a_conflict_and_keeps_its_text(people, browse):
    assessment = create_draft(people)
    url = reverse("assessment_edit", args=[assessment.pk])
    first, second = browse(people.alice), browse(people.ben)
    first.goto(url)
    second.goto(url)

    first.locator(BENEFITS).fill("Alice's benefits, saved first.")
    second.locator(BENEFITS).fill("Ben's benefits, typed at the same time.")
    assert save(first).status == 302
    expect(first.locator(".message")).to_contain_text("Draft saved.")

    assert save(second).status == 409
    expect(second.locator("#changed-meanwhile")).to_contain_text("Alice's benefits, saved first.")
    expect(second.locator("#changed-meanwhile")).to_contain_text(people.alice.get_username())
    expect(second.locator(BENEFITS)).to_have_value("Ben's benefits, typed at the same time.")
    assert Assessment.objects.get(pk=assessment.pk).answers["impact.benefits"] == "Alice's benefits, saved first."

    # Saving again from the conflict page is a deliberate choice, and it then saves.
    assert save(second).status == 302
    saved = Assessment.objects.get(pk=assessment.pk).answers["impact.benefits"]
    assert saved == "Ben's benefits, typed at the same time."


def test_the_disclosure_becomes_required_as_soon_as_clients_are_in_the_audience(people, browse):
    assessment = create_draft(people)
    assessment_update_answers(assessment=assessment, answers={AUDIENCE: None}, by=people.alice)
    page = browse(people.alice)
    page.goto(reverse("assessment_edit", args=[assessment.pk]))
    label = page.locator("#q-transparency-disclosure-text [data-required-label]")
    field = page.locator("#f-transparency__disclosure_text")
    expect(label).to_have_text("(optional)")
    page.locator("#q-overview-audience").get_by_label("Clients (people receiving care)").check()
    expect(label).to_have_text("(required)")
    expect(label).to_have_class("req")
    expect(field).to_have_attribute("aria-required", "true")
    page.locator("#q-overview-audience").get_by_label("Clients (people receiving care)").uncheck()
    expect(label).to_have_text("(optional)")
    page.locator("#q-overview-audience").get_by_label("Therapists and other clinical providers").check()
    expect(label).to_have_text("(required)")
