"""What the browser refuses: other teams' drafts, other stages, the auditor's forged post, CSRF, lockout."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import SignOff, State

from ..factories import PASSWORD
from ..workflow import advance, create_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reviewers_and_the_auditor_see_only_what_they_may_do(people, browse, live_server, artifacts):
    draft = create_draft(people, name="Unsubmitted idea")
    in_review = advance(people, create_draft(people, name="Intake summary"), State.LEGAL_REVIEW)

    # A reviewer cannot see a team's draft: the page does not exist for them.
    security = browse(people.reviewers["security"])
    response = security.goto(f"/assessments/{draft.pk}/")
    assert response.status == 404
    expect(security.get_by_role("heading", level=1)).to_have_text("Not found")

    # Outside their stage, a reviewer sees the assessment, no action, and why.
    security.goto(f"/assessments/{in_review.pk}/")
    actions = security.get_by_role("region", name="Your actions")
    expect(actions).to_contain_text("This assessment is at Legal review; only Legal reviewers may decide now.")
    expect(security.locator("form[action*='/transitions/']")).to_have_count(0)

    # The auditor lands on the audit views and sees no action buttons anywhere.
    auditor = browse(people.auditor)
    expect(auditor.get_by_role("region", name="Audit")).to_be_visible()
    auditor.get_by_role("link", name=re.compile("Intake summary")).first.click()
    expect(auditor.locator("form[action*='/transitions/']")).to_have_count(0)
    expect(auditor.get_by_role("button", name=re.compile("Approve|Reject|Request changes"))).to_have_count(0)
    auditor.screenshot(path=artifacts / "auditor-assessment-page.png", full_page=True)

    # A forged approval with a valid CSRF token is refused on the object, and nothing changes.
    token = next(c["value"] for c in auditor.context.cookies() if c["name"] == "csrftoken")
    url = f"{live_server.url}/assessments/{in_review.pk}/transitions/approve/"
    forged = auditor.request.post(url, form={"csrfmiddlewaretoken": token, "expected_state": "legal_review"})
    assert forged.status == 403
    assert "Only Legal, Security, Clinical, Product and Data/AI reviewers decide on assessments." in forged.text()
    # Without the token, CSRF protection refuses it before anything else.
    no_token = auditor.request.post(url, form={"expected_state": "legal_review"})
    assert no_token.status == 403
    assert "This form has expired" in no_token.text()
    in_review.refresh_from_db()
    assert in_review.state == State.LEGAL_REVIEW
    assert not SignOff.objects.exists()


def test_repeated_failed_logins_lock_the_account_with_a_clear_page(people, new_context, live_server, settings):
    settings.AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
    page = new_context(base_url=live_server.url).new_page()

    def attempt(password):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    for _ in range(4):
        attempt("not-her-password")
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    attempt("not-her-password")  # the fifth failure locks
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed log-ins")
    attempt(PASSWORD)  # and now the right password no longer helps
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed log-ins")
    assert page.url.endswith("/accounts/login/")
