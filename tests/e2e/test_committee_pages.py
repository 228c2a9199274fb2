"""The chair's pipeline and the committee analytics in the browser: keyboard-only use, and screenshots."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment, State

from ..workflow import act, advance, create_draft
from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FOCUSED = (
    "() => { const e = document.activeElement; return [e.tagName, e.getAttribute('name'), e.textContent.trim()]; }"
)
OUTLINE = "() => getComputedStyle(document.activeElement).outlineStyle"


def tab_until(page, matches, limit=60):
    """Press Tab until the focused element satisfies ``matches((tag, name, text))``; each stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = tuple(page.evaluate(FOCUSED))
        if matches(focused):
            assert page.evaluate(OUTLINE) != "none", f"{focused} has no visible focus"
            return focused
    pytest.fail(f"Tab never reached the element on {page.url}")


def choose_by_keyboard(page, value, limit=20):
    """Arrow through the focused <select> until it shows ``value`` (a closed select changes in place)."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"The select never offered {value}")


@pytest.fixture
def history(people):
    """A few weeks of committee work at known moments, so the charts have something to draw."""
    start = timezone.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False) as clock:
        first = advance(people, create_draft(people, name="Therapist matching"), State.LEGAL_REVIEW)
        second = advance(people, create_draft(people, name="Session-notes drafting"), State.LEGAL_REVIEW)
        for days, assessment_name in ((3, "first"), (5, "second"), (9, "first"), (12, "first")):
            clock.move_to(start + timedelta(days=days))
            if assessment_name == "first":
                first = act(people, first, "approve")
            else:
                second = act(people, second, "request_changes")
        clock.move_to(start + timedelta(days=20))
        advance(people, create_draft(people, name="Mood prediction"), State.REJECTED)
        late = advance(people, create_draft(people, name="AI-enhanced intake"), State.LEGAL_REVIEW)
    Assessment.objects.filter(pk=late.pk).update(stage_entered_at=timezone.now() - timedelta(days=30))
    return people


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_main_navigation_and_a_filter_form_work_by_keyboard_alone(history, browse, viewport):
    page = browse(history.chair, viewport=viewport)
    tab_until(page, lambda f: f[0] == "A" and f[2] == "Assessments")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assessments/$"))
    expect(page.get_by_role("link", name="Assessments", exact=True)).to_have_attribute("aria-current", "page")

    tab_until(page, lambda f: f[1] == "stage")
    choose_by_keyboard(page, "legal")
    tab_until(page, lambda f: f[1] == "overdue")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked") is True
    tab_until(page, lambda f: f[0] == "BUTTON" and f[2] == "Apply filters")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"stage=legal"))
    assert "overdue=" in page.url
    expect(page.locator(".result-count")).to_have_text("1 assessment match these filters.")
    expect(page.get_by_role("link", name="AI-enhanced intake")).to_be_visible()

    # The navigation's other entries are reachable too: on to the analytics, and its tables open by keyboard.
    page.goto("/")
    tab_until(page, lambda f: f[0] == "A" and f[2] == "Analytics")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reports/analytics/$"))
    tab_until(page, lambda f: f[0] == "SUMMARY")
    page.keyboard.press("Enter")
    expect(page.locator("details.chart-data").first).to_have_attribute("open", "")
    expect(page.get_by_role("table").first).to_be_visible()


def test_the_pipeline_cards_lead_to_their_lists(history, browse):
    page = browse(history.chair)
    pipeline = page.locator("section", has=page.get_by_role("heading", name="The review pipeline"))
    pipeline.get_by_role("link", name=re.compile(r"^Legal")).click()
    page.wait_for_url(re.compile(r"\?stage=legal$"))
    expect(page.get_by_label("Review stage")).to_have_value("legal")
    page.go_back()
    pipeline.get_by_role("link", name=re.compile(r"1 overdue at Legal")).click()
    page.wait_for_url(re.compile(r"\?stage=legal&overdue=true$"))
    expect(page.locator(".result-count")).to_have_text("1 assessment match these filters.")
    expect(page.get_by_label("Overdue at their stage only")).to_be_checked()


def test_screenshots_of_the_changed_pages(history, browse, artifacts):
    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page = browse(history.chair, viewport=viewport)
        page.goto("/")
        page.screenshot(path=artifacts / f"pipeline-{name}.png", full_page=True)
        page.goto("/reports/analytics/")
        for summary in page.locator("details.chart-data summary").all():
            summary.click()
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=artifacts / f"analytics-{name}.png", full_page=True)
        page.goto("/api/docs/")
        page.wait_for_selector(".swagger-ui .opblock")
        page.screenshot(path=artifacts / f"api-docs-{name}.png", full_page=True)
        page.context.close()
