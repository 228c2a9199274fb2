"""Every kind of page works in a real browser under the strict CSP, and a violation fails the test."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import State

from ..workflow import advance, create_draft
from .conftest import is_csp_violation, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_pages_and_their_scripts_run_without_a_csp_violation(people, browse, csp_violations):
    in_review = advance(people, create_draft(people, name="Intake summary"), State.LEGAL_REVIEW)
    draft = create_draft(people, name="Journaling prompts")

    alice = browse(people.alice)
    for url in ("/", "/assessments/", "/committee/inbox/", f"/assessments/{in_review.pk}/"):
        assert alice.goto(url).ok, url
    # The questionnaire: show_if (app.js) and the live panel (htmx) both run.
    alice.goto(f"/assessments/{draft.pk}/edit/")
    panel = alice.locator("#live-announce")
    before = panel.text_content()
    alice.locator("input[type=radio][value=true]").first.check()
    expect(panel).not_to_have_text(before or "")
    legal = browse(people.reviewers["legal"])
    for url in ("/committee/queue/", f"/assessments/{in_review.pk}/"):
        assert legal.goto(url).ok, url
    assert browse(people.auditor).goto("/audit/").ok
    assert alice.goto("/no-such-page/").status == 404
    # The API docs: Swagger UI renders the schema with its start-up script from a file.
    alice.goto("/api/docs/")
    expect(alice.get_by_text("/api/v1/assessments/", exact=True).first).to_be_visible()
    # The admin.
    admin = browse(people.admin)
    admin.goto("/admin/assessments/assessment/")
    expect(admin.get_by_role("heading", name=re.compile("Select assessment"))).to_be_visible()

    assert csp_violations == []


def test_an_inline_script_is_blocked_and_reported(people, new_context, live_server, csp_violations):
    page = new_context(base_url=live_server.url).new_page()
    log_in(page, "alice")
    # A page of the site with an inline script added, served with the site's own headers.
    real = page.request.get(f"{live_server.url}/")
    tampered = real.text().replace("</body>", '<script>document.title = "ran";</script></body>')
    page.route(f"{live_server.url}/", lambda route: route.fulfill(status=200, headers=real.headers, body=tampered))

    page.goto("/")
    for _ in range(20):  # console messages arrive asynchronously
        if csp_violations:
            break
        page.wait_for_timeout(100)

    assert page.title() != "ran"
    assert any("script-src" in v for v in csp_violations), csp_violations
    assert all(is_csp_violation(v.split(": ", 1)[1]) for v in csp_violations)
    csp_violations.clear()  # seen; do not fail this test for the violation it provoked
