"""An SSO-only Legal reviewer signs in the browser after a fresh login at the real test provider (accounts/sso_reauth).

The reviewer logs in through the provider, lets the re-authentication grow old, clicks approve, is sent to the
provider's login page (prompt=login), signs in there again, comes back to the open approve panel with the comment
typed before, and signs; the sign-off shows its manifestation.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SecurityEvent
from assessments.models import SignOff, State

from ..oidc_provider import fixtures
from ..oidc_provider.server import PASSWORD
from ..workflow import advance, create_draft
from .test_signing_reauth_in_browser import age_the_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

identity_provider = fixtures.identity_provider
sso_settings = fixtures.sso_settings


def sign_in_at_the_provider(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()


def test_an_sso_only_reviewer_signs_after_a_fresh_login_at_the_provider(
    identity_provider, sso_settings, people, new_context, live_server, django_user_model, artifacts
):
    assessment = advance(people, create_draft(people, name="Triage assistant"), State.LEGAL_REVIEW)
    identity_provider.user("priya", groups=["legal-reviewers"], first_name="Priya", last_name="Raman")
    page = new_context(base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    sign_in_at_the_provider(page)
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/"))
    priya = django_user_model.objects.get(username="priya")
    assert not priya.has_usable_password()

    # Ten minutes later the approval asks for a fresh login at the provider, not a password.
    age_the_session(page, 600)
    page.goto(f"/assessments/{assessment.pk}/")
    action = page.locator("#actions-side .action-approve")
    action.locator("summary").click()
    expect(action.get_by_role("group", name="Confirm with Test IdP")).to_be_visible()
    expect(action.get_by_label("Password")).to_have_count(0)
    action.get_by_label("Comment").fill("Fine by Legal; the DPA covers it.")
    action.get_by_role("button", name="Approve (sign off)").click()

    sign_in_at_the_provider(page)
    page.wait_for_url(re.compile(rf"/assessments/{assessment.pk}/#action-approve$"))
    expect(page.get_by_text("Confirmed with Test IdP: you can sign now.")).to_be_visible()
    assert not SignOff.objects.filter(assessment=assessment).exists()
    action = page.locator("#actions-side .action-approve")
    expect(action.get_by_label("Comment")).to_have_value("Fine by Legal; the DPA covers it.")
    expect(action.get_by_role("group", name="Confirm with Test IdP")).to_have_count(0)
    page.screenshot(path=artifacts / "confirmed.png", full_page=True)
    action.get_by_role("button", name="Approve (sign off)").click()
    expect(page.get_by_text("You signed off")).to_be_visible()

    sign_off = SignOff.objects.get(assessment=assessment)
    assert sign_off.reviewer == priya and sign_off.comment == "Fine by Legal; the DPA covers it."
    manifestation = page.locator("[data-manifestation]").first
    expect(manifestation).to_contain_text("Approved as Legal reviewer by Priya Raman (priya) at")
    expect(manifestation).to_contain_text(sign_off.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"))
    page.screenshot(path=artifacts / "signed.png", full_page=True)
    kinds = list(SecurityEvent.objects.filter(user=priya).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["sso_roles_changed", "sso_login", "reauthenticated"]
    assert SecurityEvent.objects.get(kind="reauthenticated").details["via"] == "sso"
