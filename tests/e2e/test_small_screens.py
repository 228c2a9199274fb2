"""Phones of 360 and 390 px: no page scrolls sideways, and every decision is on screen once scrolled to."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = pytest.mark.parametrize("width", [360, 390], ids=["360px", "390px"])
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The elements wider than the screen, named, so that a failure says what to fix.
WIDE = """
() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.offsetParent !== null)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
"""
DECISIONS = ("Approve (sign off)", "Request changes", "Reject")


def phone(width):
    return {"width": width, "height": 780}


def assert_fits(page, url, status=200):
    response = page.goto(url)
    assert response.status == status, (url, response.status)
    width = page.viewport_size["width"]
    assert page.evaluate(OVERFLOW) <= 0, f"{url} scrolls sideways at {width}px: {page.evaluate(WIDE)}"
    # Folded parts (sign forms, all rows, the chart's numbers) fit once unfolded too.
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.evaluate(OVERFLOW) <= 0, f"{url} scrolls sideways at {width}px unfolded: {page.evaluate(WIDE)}"


def assert_focus_clear_of(page, bar, presses=40):
    """Tabbing on, each focused control shows clear of the fixed ``bar`` (the browser scrolls it above the bar)."""
    bar_top = page.locator(bar).bounding_box()["y"]
    for _ in range(presses):
        page.keyboard.press("Tab")
        box = page.evaluate(
            "() => { const e = document.activeElement; if (e.closest('.live-bar, .action-bar')) return null;"
            " const r = e.getBoundingClientRect(); return {id: e.id || e.tagName, top: r.top, height: r.height}; }"
        )
        if box and box["height"]:
            assert box["top"] + min(box["height"], 24) <= bar_top, f"{box['id']} is under the bar: {box}, {bar_top}"


def assert_on_screen(page, locator, what):
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{what} is off-screen sideways: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{what} is off-screen: {box}"
    # Nothing fixed (the bars at the bottom) covers it: a tap at its centre reaches it.
    hit = locator.evaluate(
        "(e) => { const r = e.getBoundingClientRect();"
        " const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return e.contains(at); }"
    )
    assert hit, f"{what} is covered by something else"


@pytest.fixture
def under_review(people):
    draft = create_draft(people, name="Session-notes drafting with a rather long feature name for small screens")
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(), by=people.alice)
    return advance(people, draft, State.LEGAL_REVIEW)


@WIDTHS
def test_the_reviewer_pages_fit_and_every_decision_is_reachable(people, under_review, browse, width, artifacts):
    page = browse(people.reviewers["legal"], viewport=phone(width))
    for url in ("/", "/committee/queue/", "/committee/inbox/", "/assessments/", "/committee/inbox/settings/"):
        assert_fits(page, url)
    for url in ("/account/security/", "/reports/register/", f"/reports/register/{under_review.feature_id}/"):
        assert_fits(page, url)
    assert_fits(page, f"/assessments/{under_review.pk}/")
    bar = page.get_by_role("navigation", name="Quick actions")
    for label in DECISIONS:
        assert_on_screen(page, bar.get_by_role("link", name=label, exact=True), f"the quick action {label!r}")
    # The full forms at the page's end: each decision's button, once its form is open.
    for label in DECISIONS:
        bar.get_by_role("link", name=label, exact=True).click()
        form = page.locator("#actions-end details[open]")
        assert_on_screen(page, form.get_by_role("button", name=label, exact=True), f"the {label!r} button")
    page.screenshot(path=artifacts / f"reviewer-{width}.png")
    assert page.evaluate(OVERFLOW) <= 0
    page.goto(f"/assessments/{under_review.pk}/")
    assert_focus_clear_of(page, ".action-bar")


@WIDTHS
def test_the_team_pages_fit_and_the_submit_bar_is_whole(people, under_review, browse, width, artifacts):
    draft = create_draft(people, name="Intake summary")
    page = browse(people.alice, viewport=phone(width))
    for url in ("/", "/assessments/", "/committee/inbox/", f"/assessments/{under_review.pk}/", "/account/security/"):
        assert_fits(page, url)
    assert_fits(page, "/reports/register/")
    assert_fits(page, f"/reports/register/{draft.feature_id}/")
    assert_fits(page, "/assessments/999999/", status=404)
    assert_fits(page, "/assessments/new/")
    assert_on_screen(page, page.locator(".live-bar").get_by_role("button"), "the new form's submit button")
    assert_fits(page, f"/assessments/{draft.pk}/edit/")
    page.goto(f"/assessments/{draft.pk}/edit/")
    assert_focus_clear_of(page, ".live-bar")
    bar = page.locator(".live-bar")
    assert_on_screen(page, bar.get_by_role("button", name="Save and submit for review"), "the submit button")
    assert_on_screen(page, bar.get_by_role("link", name="Details"), "the link to the details")
    page.screenshot(path=artifacts / f"form-{width}.png")
    assert_fits(page, f"/assessments/{draft.pk}/")
    assert_on_screen(page, page.get_by_role("link", name="Edit answers").first, "Edit answers")
    returned = advance(people, create_draft(people, name="Therapist matching"), State.CHANGES_REQUESTED)
    assert_fits(page, f"/assessments/{returned.pk}/edit/")
    bar = page.locator(".live-bar")
    assert_on_screen(page, bar.get_by_role("button", name="Save and resubmit for review"), "the resubmit button")
    page.screenshot(path=artifacts / f"resubmit-form-{width}.png")


@WIDTHS
def test_the_auditor_and_chair_pages_fit(people, under_review, browse, width, artifacts):
    advance(people, create_draft(people, name="Mood prediction"), State.REJECTED)
    page = browse(people.auditor, viewport=phone(width))
    for url in ("/", "/reports/", f"/reports/assessments/{under_review.pk}/", "/reports/analytics/", "/audit/"):
        assert_fits(page, url)
    for url in ("/reports/downloads/", "/reports/verify/", "/security/events/", f"/assessments/{under_review.pk}/"):
        assert_fits(page, url)
    page = browse(people.chair, viewport=phone(width))
    for url in ("/", "/committee/inbox/", f"/assessments/{under_review.pk}/", "/reports/analytics/"):
        assert_fits(page, url)
    page.screenshot(path=artifacts / f"analytics-{width}.png", full_page=True)
    for url in ("/committee/delegations/", "/reports/register/", "/audit/"):
        assert_fits(page, url)


@WIDTHS
def test_the_public_pages_fit(new_context, live_server, width):
    page = new_context(base_url=live_server.url, viewport=phone(width)).new_page()
    for url in ("/accounts/login/", "/register/", "/verify/"):
        assert_fits(page, url)
