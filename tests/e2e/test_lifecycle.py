"""The whole lifecycle in a real browser: alice fills and submits an assessment, the five
reviewers sign off at their stages with one round of changes requested, alice launches."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.forms import field_name
from assessments.models import Assessment, State
from assessments.questionnaire import current_questionnaire

from ..answers import complete_answers
from ..workflow import EVIDENCE, bias_rows
from .conftest import ISSUES_DOSSIER_MS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FEATURE = "Therapist matching"
REALISTIC = {
    "overview.feature_summary": "Suggests therapists whose availability and specialties fit a client's request.",
    "overview.purpose": (
        "Ranks available therapists for a new client by stated preferences, language, specialty and schedule. "
        "The client chooses; a care coordinator can override any suggestion."
    ),
    "oversight.human_oversight_description": "The matching team reviews a weekly sample of suggestions.",
}
BETTER_OVERSIGHT = (
    "Care coordinators review every suggestion before the client sees it; complaints reach the matching lead "
    "within one working day."
)


def fill_questionnaire(page, answers):
    """Answer every question through the form controls, in questionnaire order (as a person would)."""
    questionnaire = current_questionnaire()
    for qid, value in answers.items():
        question = questionnaire.questions[qid]
        name = field_name(qid)
        if question.type == "boolean":
            page.check(f'input[name="{name}"][value="{"true" if value else "false"}"]')
        elif question.type == "single_choice":
            page.check(f'input[name="{name}"][value="{value}"]')
        elif question.type == "multi_choice":
            for choice in value:
                page.check(f'input[name="{name}"][value="{choice}"]')
        else:
            page.fill(f'[name="{name}"]', str(value))


def open_from_queue(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My queue").click()
    page.get_by_role("link", name=FEATURE).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(FEATURE)


def open_action(page, action):
    """Unfold one action's form (each is a <details> with its own comment box)."""
    action_box = page.locator(f"#actions-side details.action-{action}")
    if action_box.get_attribute("open") is None:
        action_box.locator("summary").click()
    return action_box


def decide(page, action, label, comment):
    action_box = open_action(page, action)
    action_box.get_by_label(re.compile("^Comment")).fill(comment)
    action_box.get_by_role("button", name=label).click()


def assessment_state():
    return Assessment.objects.get(feature__name=FEATURE).state


def test_an_assessment_goes_from_draft_to_launched_in_the_browser(people, browse, artifacts):
    answers = complete_answers(**REALISTIC)

    # -- alice fills in the form --------------------------------------------------------------
    alice = browse(people.alice)
    alice.get_by_role("link", name="New assessment", exact=True).click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("New AI impact assessment")
    alice.get_by_label("Feature name").fill(FEATURE)

    # show_if applies live: the delivery question appears once clients are in the audience.
    delivery = alice.locator("#q-transparency-disclosure-delivery")
    expect(delivery).to_be_hidden()
    alice.get_by_label("Clients (people receiving care)").check()
    expect(delivery).to_be_visible()

    # The live panel shows a hard stop at once, and inline next to the question.
    alice.locator("#q-clinical-provides-therapy").get_by_label("Yes").check()
    panel = alice.locator("#live-panel")
    expect(panel).to_contain_text("Does the AI provide therapy or counselling itself?")
    expect(alice.locator("#fb-q-clinical-provides-therapy")).to_contain_text("people-powered care")
    # Bad input is reported next to its question while typing.
    alice.fill(f'[name="{field_name("impact.expected_users_per_month")}"]', "about nine thousand")
    expect(alice.locator("#fb-q-impact-expected-users-per-month")).to_contain_text("Enter a number")

    fill_questionnaire(alice, answers)
    expect(alice.locator("#fb-q-clinical-provides-therapy")).to_be_empty()
    expect(alice.locator("#fb-q-impact-expected-users-per-month")).to_be_empty()
    expect(panel).to_contain_text("Nothing blocks submission.")
    expect(panel).to_contain_text("None hit.")
    alice.screenshot(path=artifacts / "form.png", full_page=True)

    alice.locator(".form-actions").get_by_role("button", name="Save draft").click()
    expect(alice.get_by_role("status")).to_contain_text(f"Draft of “{FEATURE}” saved.")
    assert assessment_state() == State.DRAFT

    # Bias evidence has no form yet (a later issue); the team records it through the service.
    assessment = Assessment.objects.get(feature__name=FEATURE)
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=people.alice)

    alice.locator(".form-actions").get_by_role("button", name="Save and submit for review").click()
    expect(alice.get_by_role("status")).to_contain_text("was submitted for Legal review")
    assert assessment_state() == State.LEGAL_REVIEW

    # -- Legal and Security approve; Clinical requests changes ------------------------------------
    legal = browse(people.reviewers["legal"])
    legal.get_by_role("navigation", name="Main").get_by_role("link", name="My queue").click()
    expect(legal.get_by_role("heading", level=1)).to_have_text("My queue")
    expect(legal.get_by_role("table")).to_contain_text(FEATURE)
    legal.screenshot(path=artifacts / "queue.png", full_page=True)
    legal.get_by_role("link", name=FEATURE).click()
    decide(legal, "approve", "Approve (sign off)", "Consent and disclosure are in order.")
    expect(legal.get_by_role("status")).to_contain_text(f"You signed off “{FEATURE}”.")
    assert assessment_state() == State.SECURITY_REVIEW

    security = browse(people.reviewers["security"])
    open_from_queue(security)
    decide(security, "approve", "Approve (sign off)", "No external vendor; access is need-to-know.")
    assert assessment_state() == State.CLINICAL_REVIEW

    clinical = browse(people.reviewers["clinical"])
    open_from_queue(clinical)
    decide(clinical, "request_changes", "Request changes", "Say who reviews suggestions before clients see them.")
    expect(clinical.get_by_role("status")).to_contain_text("You requested changes")
    assert assessment_state() == State.CHANGES_REQUESTED

    # -- alice answers the change request and resubmits ---------------------------------------
    alice.goto("/")
    todo = alice.get_by_role("region", name="Needs your action")
    expect(todo).to_contain_text("Say who reviews suggestions before clients see them.")
    todo.get_by_role("link", name=re.compile(FEATURE)).click()
    expect(alice.get_by_role("heading", name="Clinical review requested changes")).to_be_visible()
    alice.fill(f'[name="{field_name("oversight.human_oversight_description")}"]', BETTER_OVERSIGHT)
    alice.get_by_label("What you changed").fill("Said who reviews suggestions before clients see them.")
    alice.locator(".form-actions").get_by_role("button", name="Save and resubmit for review").click()
    expect(alice.get_by_role("status")).to_contain_text("was resubmitted")
    assert assessment_state() == State.LEGAL_REVIEW

    # -- round 2: Legal sees what changed since their sign-off, then everyone approves -----------------
    open_from_queue(legal)
    # Legal signed round 1, which the change request ended: the re-sign panel shows the note and the word diff.
    changes = legal.get_by_role("region", name="Re-sign as Legal reviewer")
    expect(changes).to_contain_text("Said who reviews suggestions before clients see them.")
    expect(changes.locator("tr", has_text="human oversight").locator("ins").first).to_be_visible()
    legal.screenshot(path=artifacts / "assessment-page-reviewer-diff.png", full_page=True)
    decide(legal, "approve", "Approve (sign off)", "The change is fine.")

    for page in (security, clinical):
        open_from_queue(page)
        decide(page, "approve", "Approve (sign off)", "Approved in round 2.")
    product = browse(people.reviewers["product"])
    open_from_queue(product)
    decide(product, "approve", "Approve (sign off)", "Clear benefit, measurable.")
    assert assessment_state() == State.DATA_AI_REVIEW

    data_ai = browse(people.reviewers["data_ai"])
    open_from_queue(data_ai)
    expect(data_ai.locator("#bias")).to_contain_text("race, religion, gender")
    approve = open_action(data_ai, "approve")
    approve.get_by_label(re.compile("^Comment")).fill("Bias results are within the four-fifths rule.")
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    data_ai.fill("#id_conditions-0-text", "Report match acceptance per language group monthly.")
    data_ai.select_option("#id_conditions-0-owner", "ben")
    data_ai.fill("#id_conditions-0-due_date", due)
    approve.get_by_role("button", name="Approve (sign off)").click(timeout=ISSUES_DOSSIER_MS)
    expect(data_ai.get_by_role("status")).to_contain_text("You signed off")
    assert assessment_state() == State.APPROVED

    # -- alice launches ------------------------------------------------------------------------
    alice.goto("/")
    alice.get_by_role("region", name="Needs your action").get_by_role("link", name=re.compile(FEATURE)).click()
    expect(alice.locator("#conditions")).to_contain_text("Report match acceptance per language group monthly.")
    launch = open_action(alice, "launch")
    launch.get_by_label(re.compile("^Comment")).fill("Rolled out to all new clients.")
    launch.get_by_role("button", name="Mark launched").click()
    expect(alice.get_by_role("status")).to_contain_text("is marked launched")
    expect(alice.locator(".page-head")).to_contain_text("Launched")
    assert assessment_state() == State.LAUNCHED
    alice.screenshot(path=artifacts / "assessment-page.png", full_page=True)

    # The audit trail tells the whole story, in order.
    timeline = alice.locator("#audit")
    for line in (
        "submitted it for review",
        "approved at Legal review",
        "requested changes at Clinical review",
        "changed 1 answer",
        "resubmitted it for review",
        "approved at Data/AI review",
        "marked it launched",
    ):
        expect(timeline).to_contain_text(line)
