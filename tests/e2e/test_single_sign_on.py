"""Single sign-on in the browser, through a real OpenID Connect provider (tests/oidc_provider) in its own process.

The provider's groups claim decides the user's roles here at every login: with the Legal value the user lands
in the Legal queue; once the provider drops it, the next login removes the role and records the change.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SecurityEvent
from accounts.roles import LEGAL

from ..oidc_provider import fixtures
from ..oidc_provider.server import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUEUE = "/committee/queue/"
identity_provider = fixtures.identity_provider
sso_settings = fixtures.sso_settings


def sign_in_through_provider(page, *, first_time):
    page.goto(QUEUE)
    page.get_by_role("link", name="Sign in with Test IdP").click()
    if first_time:
        expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
        page.get_by_label("Username").fill("priya")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_url(re.compile(rf"^http://localhost:\d+{QUEUE}$"))


def test_the_groups_claim_grants_and_then_removes_the_legal_role(
    identity_provider,
    sso_settings,
    new_context,
    live_server,
    django_user_model,
    artifacts,
):
    identity_provider.user(
        "priya", groups=["legal-reviewers", "unrelated-mailing-list"], email="priya@example.org", first_name="Priya"
    )
    page = new_context(base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)

    sign_in_through_provider(page, first_time=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")
    expect(page.locator(".lead")).to_contain_text("Legal review")
    page.screenshot(path=artifacts / "legal-queue.png", full_page=True)
    priya = django_user_model.objects.get(username="priya")
    assert set(priya.groups.values_list("name", flat=True)) == {LEGAL}
    assert not priya.has_usable_password()
    assert priya.email == "priya@example.org" and priya.first_name == "Priya"
    granted = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_ROLES_CHANGED, user=priya)
    assert granted.details["added"] == [LEGAL] and granted.details["removed"] == []

    page.get_by_role("button", name="Log out").click()
    identity_provider.user("priya", groups=["unrelated-mailing-list"], email="priya@example.org", first_name="Priya")

    # The provider still knows the browser, so this login goes straight through it.
    sign_in_through_provider(page, first_time=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("No review queue")
    assert page.request.get(QUEUE).status == 403
    assert not priya.groups.filter(name=LEGAL).exists()
    removed = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_ROLES_CHANGED, user=priya).latest("at")
    assert removed.details["removed"] == [LEGAL] and removed.details["added"] == []
    kinds = list(SecurityEvent.objects.filter(user=priya).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["sso_roles_changed", "sso_login", "logout", "sso_roles_changed", "sso_login"]
