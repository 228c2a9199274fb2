"""Keyboard use, visible focus, labels, landmarks, and phone-width layout."""

import pytest
from playwright.sync_api import expect

from assessments.models import State

from ..workflow import advance, create_draft
from .conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_keyboard_users_can_skip_to_the_content_and_see_where_they_are(people, browse):
    page = browse(people.alice)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # Landmarks: banner, navigation, main, contentinfo.
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_every_form_control_has_a_label(people, browse):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    reviewer = browse(people.reviewers["legal"])
    reviewer.goto(f"/assessments/{assessment.pk}/")
    assert reviewer.evaluate(UNLABELLED_CONTROLS) == []
    alice = browse(people.alice)
    for url in ("/assessments/new/", "/assessments/", "/committee/inbox/"):
        alice.goto(url)
        assert alice.evaluate(UNLABELLED_CONTROLS) == [], url


def test_an_error_summary_takes_focus_and_links_to_the_question(people, browse):
    page = browse(people.alice)
    page.goto("/assessments/new/")
    page.get_by_label("Feature name").fill("Intake summary")
    page.fill('[name="impact__expected_users_per_month"]', "many")
    page.locator(".form-actions").get_by_role("button", name="Save draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="About how many people").click()
    expect(page.locator("#q-impact-expected-users-per-month")).to_contain_text("Enter a number")


def test_pages_fit_a_phone_screen(people, browse, artifacts):
    assessment = advance(people, create_draft(people, name="Session-notes drafting"), State.SECURITY_REVIEW)
    for user, urls in (
        (people.alice, ["/", "/assessments/new/", f"/assessments/{assessment.pk}/", "/assessments/"]),
        (people.reviewers["security"], ["/", "/committee/queue/", f"/assessments/{assessment.pk}/"]),
    ):
        page = browse(user, viewport=PHONE)
        for url in urls:
            page.goto(url)
            assert page.evaluate(OVERFLOW) <= 0, f"{url} is wider than a phone screen for {user}"
        name = user.get_username()
        page.screenshot(path=artifacts / f"phone-{name}-last-page.png", full_page=True)
