"""The committee's experience in Chromium at 1280 px and 390 px: actions where the reader finishes, the
outcome first, why one cannot act, comments on answers, a submit that a refresh never repeats, and the
reviewer's and the team's flows done with the keyboard alone. Screenshots go to test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.forms import dom_id
from assessments.models import Assessment, AuditEntry, QuestionComment, State

from ..workflow import EVIDENCE, act, advance, bias_rows, create_draft
from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
AUDIENCE = "overview.audience"


def width(viewport):
    return f"{viewport['width']}px"


def scroll_to_bottom(page):
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("window.scrollY > 0")
    return page.evaluate("window.scrollY")


def draft_ready_to_submit(people, **answers):
    draft = create_draft(people, name="Intake summary", **answers)
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(), by=people.alice)
    return draft


@WIDTHS
def test_after_reading_to_the_bottom_the_reviewer_approves_without_scrolling_back(people, browse, artifacts, viewport):
    assessment = advance(people, draft_ready_to_submit(people), State.LEGAL_REVIEW)
    legal = browse(people.reviewers["legal"], viewport=viewport)
    legal.goto(f"/assessments/{assessment.pk}/")
    assert legal.evaluate("document.documentElement.scrollHeight") > 3 * viewport["height"]  # a long page
    bottom = scroll_to_bottom(legal)
    if viewport is DESKTOP:
        # The action panel stayed in view beside the content all the way down.
        summary = legal.locator("#actions-side details.action-approve > summary")
        expect(summary).to_be_in_viewport()
        expect(legal.locator("#actions-end")).to_be_in_viewport()  # and the page's end repeats the actions
        summary.click()
        box = legal.locator("#actions-side details.action-approve")
    else:
        # On a phone the bar fixed to the bottom of the screen carries the decisions.
        bar = legal.get_by_role("navigation", name="Quick actions")
        expect(bar).to_be_in_viewport()
        bar.get_by_role("link", name="Approve (sign off)").click()
        box = legal.locator("#end-action-approve")
        expect(box).to_have_attribute("open", "")
    assert legal.evaluate("window.scrollY") >= bottom - viewport["height"]  # never back at the top
    box.get_by_label(re.compile("^Comment")).fill("Consent and disclosure are in order.")
    legal.screenshot(path=artifacts / f"reviewer-bottom-{width(viewport)}.png")
    box.get_by_role("button", name="Approve (sign off)").click()
    expect(legal.get_by_role("status")).to_contain_text("You signed off")
    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW


@WIDTHS
def test_the_team_submits_from_the_bottom_of_the_form(people, browse, artifacts, viewport):
    draft = draft_ready_to_submit(people)
    alice = browse(people.alice, viewport=viewport)
    alice.goto(f"/assessments/{draft.pk}/edit/")
    expect(alice.locator("#live-panel")).to_contain_text("Nothing blocks submission.")
    scroll_to_bottom(alice)
    if viewport is DESKTOP:
        button = alice.locator(".form-actions").get_by_role("button", name="Save and submit for review")
    else:
        button = alice.locator(".live-bar").get_by_role("button", name="Save and submit for review")
    expect(button).to_be_in_viewport()
    alice.screenshot(path=artifacts / f"form-bottom-{width(viewport)}.png")
    button.click()
    expect(alice.get_by_role("status")).to_contain_text("was submitted for Legal review")
    draft.refresh_from_db()
    assert draft.state == State.LEGAL_REVIEW


@WIDTHS
def test_a_refresh_after_a_blocked_submit_does_not_post_again(people, browse, artifacts, viewport):
    draft = create_draft(people, name="Intake summary", **{"impact.benefits": None})
    alice = browse(people.alice, viewport=viewport)
    posts = []
    alice.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    alice.goto(f"/assessments/{draft.pk}/edit/")
    alice.locator(".form-actions" if viewport is DESKTOP else ".live-bar").get_by_role(
        "button", name="Save and submit for review"
    ).click()
    expect(alice.get_by_role("heading", name="Saved, but not submitted")).to_be_visible()
    expect(alice.locator("#submit-blocked")).to_contain_text("What benefit do you expect")
    assert alice.url.endswith(f"/assessments/{draft.pk}/edit/#submit-blocked")
    alice.screenshot(path=artifacts / f"blocked-submit-{width(viewport)}.png", full_page=True)
    form_posts = [u for u in posts if "/preview/" not in u]
    rows = AuditEntry.objects.count()
    alice.reload()
    expect(alice.get_by_role("heading", level=1)).to_contain_text("Intake summary")
    assert [u for u in posts if "/preview/" not in u] == form_posts  # the reload was a GET
    assert AuditEntry.objects.count() == rows
    assert Assessment.objects.count() == 1
    assert "already exists" not in alice.content()


@WIDTHS
def test_the_rejection_banner_names_the_reviewer_and_the_comment(people, browse, artifacts, viewport):
    assessment = advance(people, draft_ready_to_submit(people), State.SECURITY_REVIEW)
    act(people, assessment, "reject", comment="The vendor keeps transcripts for a year.")
    alice = browse(people.alice, viewport=viewport)
    alice.goto(f"/assessments/{assessment.pk}/")
    banner = alice.get_by_role("region", name=re.compile("^Rejected"))
    expect(banner).to_be_in_viewport()
    expect(banner).to_contain_text("security_reviewer")
    expect(banner).to_contain_text("The vendor keeps transcripts for a year.")
    expect(banner).to_contain_text("What now:")
    expect(alice.locator(".stepper li").nth(1)).to_contain_text("Rejected")
    expect(alice.locator(".stepper li").nth(2)).to_contain_text("Not reached")
    alice.screenshot(path=artifacts / f"rejected-{width(viewport)}.png", full_page=True)


@WIDTHS
def test_a_reviewer_on_the_team_is_told_about_separation_of_duties(people, browse, artifacts, viewport):
    assessment = advance(people, draft_ready_to_submit(people), State.LEGAL_REVIEW)
    legal = people.reviewers["legal"]
    people.team.members.add(legal)
    page = browse(legal, viewport=viewport)
    page.goto(f"/assessments/{assessment.pk}/")
    actions = page.get_by_role("region", name="Your actions")
    expect(actions).to_contain_text("Why you cannot act")
    expect(actions).to_contain_text("Separation of duties: you may not sign off an assessment of your own team.")
    expect(page.locator("form[action*='/transitions/approve/']")).to_have_count(0)
    page.screenshot(path=artifacts / f"separation-of-duties-{width(viewport)}.png", full_page=True)


@WIDTHS
def test_a_question_comment_made_in_a_change_request_appears_beside_that_question(people, browse, artifacts, viewport):
    assessment = advance(people, draft_ready_to_submit(people), State.LEGAL_REVIEW)
    legal = browse(people.reviewers["legal"], viewport=viewport)
    legal.goto(f"/assessments/{assessment.pk}/")
    row = legal.locator(f"#{dom_id(AUDIENCE)}")
    row.get_by_text("Comment on this answer", exact=True).click()
    row.get_by_label("Your comment on this answer").fill("Do therapists ever see the summary?")
    row.get_by_role("button", name="Save comment").click()
    expect(legal.get_by_role("status")).to_contain_text("Your comment is saved.")
    expect(legal.locator(f"#{dom_id(AUDIENCE)}")).to_contain_text("not yet sent to the team")
    legal.screenshot(path=artifacts / f"reviewer-comment-{width(viewport)}.png", full_page=True)
    box = legal.locator("#actions-side details.action-request_changes")
    box.locator("summary").click()
    expect(box).to_contain_text("Your 1 comment on answers goes to the team with this request.")
    box.get_by_label(re.compile("^Comment")).fill("See my comment on the audience.")
    box.get_by_role("button", name="Request changes").click()
    expect(legal.get_by_role("status")).to_contain_text("You requested changes")

    alice = browse(people.alice, viewport=viewport)
    alice.goto(f"/assessments/{assessment.pk}/")
    banner = alice.get_by_role("region", name=re.compile("^Changes requested"))
    expect(banner).to_contain_text("See my comment on the audience.")
    banner.get_by_role("link", name=re.compile("Who sees the feature")).click()
    alice.screenshot(path=artifacts / f"changes-requested-{width(viewport)}.png", full_page=True)
    alice.goto(f"/assessments/{assessment.pk}/edit/")
    question = alice.locator(f"#{dom_id(AUDIENCE)}")
    expect(question).to_contain_text("Do therapists ever see the summary?")
    question.get_by_text("Reply", exact=True).click()
    question.get_by_label(re.compile("^Your reply to")).fill("No: only care coordinators and the client.")
    question.get_by_role("button", name="Send reply").click()
    expect(alice.get_by_role("status")).to_contain_text("Your reply is saved.")
    expect(alice.locator(f"#{dom_id(AUDIENCE)}")).to_contain_text("No: only care coordinators and the client.")
    alice.screenshot(path=artifacts / f"form-with-comments-{width(viewport)}.png", full_page=True)
    assert QuestionComment.objects.count() == 2


def test_exclusive_choices_clear_and_disable_the_others_and_no_risk_before_a_risk_answer(people, browse, artifacts):
    for viewport in (DESKTOP, PHONE):
        alice = browse(people.alice, viewport=viewport)
        alice.get_by_role("link", name="New assessment", exact=True).click()
        expect(alice.locator("#live-panel")).to_contain_text("No risk level yet")
        alice.screenshot(path=artifacts / f"new-form-{width(viewport)}.png")
        clients = alice.get_by_label("Clients (people receiving care)")
        internal = alice.get_by_label("Internal staff only (support, operations, engineering)")
        clients.check()
        expect(alice.locator("#live-panel")).not_to_contain_text("No risk level yet")
        internal.check()
        expect(clients).not_to_be_checked()
        expect(clients).to_be_disabled()
        internal.uncheck()
        expect(clients).to_be_enabled()


def test_the_admin_finds_the_admin_site_on_the_home_page(people, browse, artifacts):
    for viewport in (DESKTOP, PHONE):
        admin = browse(people.admin, viewport=viewport)
        admin.screenshot(path=artifacts / f"admin-home-{width(viewport)}.png", full_page=True)
        admin.get_by_role("link", name="Open the administration site").click()
        expect(admin).to_have_url(re.compile(r"/admin/$"))


def tab_to(page, selector, limit=600):
    """Press Tab until the element matching ``selector`` has focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took focus after {limit} presses of Tab")


@WIDTHS
def test_the_reviewer_approves_with_the_keyboard_alone(people, browse, viewport):
    assessment = advance(people, draft_ready_to_submit(people), State.LEGAL_REVIEW)
    legal = browse(people.reviewers["legal"], viewport=viewport)
    legal.goto(f"/assessments/{assessment.pk}/")
    tab_to(legal, "#actions-side details.action-approve > summary")
    legal.keyboard.press("Enter")
    tab_to(legal, "#comment-approve")
    legal.keyboard.type("Signed with the keyboard.")
    tab_to(legal, "#actions-side details.action-approve button[type=submit]")
    legal.keyboard.press("Enter")
    expect(legal.get_by_role("status")).to_contain_text("You signed off")
    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW
    assert assessment.sign_offs.get().comment == "Signed with the keyboard."


@WIDTHS
def test_the_team_submits_with_the_keyboard_alone(people, browse, viewport):
    draft = draft_ready_to_submit(people)
    alice = browse(people.alice, viewport=viewport)
    alice.goto(f"/assessments/{draft.pk}/edit/")
    # The same button the mouse uses: beside the form on a wide screen, in the bottom bar on a phone.
    target = ".form-actions button[value=submit]" if viewport is DESKTOP else ".live-bar button[value=submit]"
    tab_to(alice, target)
    alice.keyboard.press("Enter")
    expect(alice.get_by_role("status")).to_contain_text("was submitted for Legal review")
    draft.refresh_from_db()
    assert draft.state == State.LEGAL_REVIEW
