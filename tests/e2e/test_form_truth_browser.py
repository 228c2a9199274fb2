"""The questionnaire form in the browser: two people editing at once lose nothing; the disclosure's and every
conditional question's required-ness follows the answers without a reload; a link to a field lands in it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services
from assessments.forms import dom_id, field_name
from assessments.models import Assessment
from assessments.questionnaire import AUDIENCE, get_questionnaire
from assessments.services import assessment_update_answers

from ..workflow import create_draft
from .conftest import PHONE

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


def test_every_conditional_question_is_asked_and_required_live_in_both_versions(people, browse):
    page = browse(people.alice)
    for version in ("v1", "v2"):
        questionnaire = get_questionnaire(version)
        draft = services.assessment_create(
            team=people.team, feature_name=f"On {version}", answers={}, by=people.alice, questionnaire_version=version
        )
        page.goto(reverse("assessment_edit", args=[draft.pk]))
        for question in (q for q in questionnaire.questions.values() if q.show_if):
            rule, holder = question.show_if, page.locator(f"#{dom_id(question.id)}")
            earlier = questionnaire.questions[rule["question"]]
            wanted = [rule["equals"]] if "equals" in rule else [rule["includes"]] if "includes" in rule else rule["in"]
            other = next(v for v in earlier.choice_values if v not in wanted)
            blocker = page.locator(f'#live-panel li[data-reason=answer_required] a[href="#{dom_id(question.id)}"]')
            choose(page, earlier, other)
            expect(holder).to_be_hidden()
            expect(blocker).to_have_count(0)
            choose(page, earlier, wanted[0])
            expect(holder).to_be_visible()
            expect(holder.locator("[data-required-label]").first).to_have_text("(required)")
            expect(blocker).to_have_count(1)


def choose(page, question, value):
    """Answer ``question`` with ``value`` alone, as a person would (a multi_choice's other boxes cleared)."""
    posted = ("true" if value else "false") if isinstance(value, bool) else str(value)
    controls = page.locator(f'[name="{field_name(question.id)}"]')
    if question.type == "multi_choice":
        for box in controls.all():
            if box.is_checked() and box.get_attribute("value") != posted:
                box.uncheck()
    controls.and_(page.locator(f'[value="{posted}"]')).check()


def test_a_link_to_a_field_shows_its_question_and_focuses_its_control(people, browse):
    assessment = create_draft(people, **{"impact.benefits": None})
    page = browse(people.alice, viewport=PHONE)
    page.goto(reverse("assessment_edit", args=[assessment.pk]))
    page.locator("#f-impact__expected_users_per_month").fill("lots")
    page.locator(SAVE).click()
    summary_link = page.locator("#error-summary a")
    expect(summary_link).to_have_attribute("href", "#f-impact__expected_users_per_month")
    summary_link.click()
    expect(page.locator("#f-impact__expected_users_per_month")).to_be_focused()
    expect(page.locator("#f-impact__expected_users_per_month")).to_have_attribute("aria-invalid", "true")
    assert_in_view(page, "#q-impact-expected-users-per-month .q-text")
    # A blocker of the live panel names a question: its link lands in that question's control too.
    page.locator('#live-panel a[href="#q-impact-benefits"]').click()
    expect(page.locator("#f-impact__benefits")).to_be_focused()
    assert_in_view(page, "#q-impact-benefits .q-text")


def assert_in_view(page, selector):
    box = page.locator(selector).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], (selector, box)
