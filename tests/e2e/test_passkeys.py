"""In the browser: a Legal reviewer who must have a second factor adds a passkey, then signs in with it.

Chromium's virtual authenticator (Chrome DevTools Protocol, ``WebAuthn.addVirtualAuthenticator``) stands in for
the device: the page's own script (static/js/passkeys.js) runs the ceremonies, under the site's CSP.
"""

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from accounts.models import SecurityEvent
from assessments.models import SignOff, State

from ..factories import PASSWORD
from ..workflow import advance, create_draft
from .conftest import DESKTOP
from .test_second_factor import serious_violations
from .test_signing_reauth_in_browser import age_the_session, open_approve

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def password_step(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def virtual_authenticator(context, page):
    """A platform authenticator with user verification, as a laptop's fingerprint reader; returns its id."""
    session = context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    answer = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session, answer["authenticatorId"]


@pytest.fixture
def relying_party(live_server, settings):
    """The live server listens on a port of its own on localhost (the relying party ID): that origin is allowed."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def test_enrol_a_passkey_then_sign_in_with_it(people, new_context, live_server, settings, relying_party):
    settings.MFA_REQUIRED_FOR = ["legal"]
    context = new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    session, authenticator_id = virtual_authenticator(context, page)

    password_step(page, "legal_reviewer")
    page.goto("/committee/queue/")
    expect(page).to_have_url(re.compile(r"/account/security/$"))
    expect(page.get_by_role("status").filter(has_text="Your role requires a second factor")).to_be_visible()
    found = serious_violations(page)

    page.get_by_label("Name of the new passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_role("list", name="Your passkeys")).to_contain_text("Work laptop")
    found += serious_violations(page)
    page.goto("/committee/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")
    device = WebAuthnCredential.objects.get(user__username="legal_reviewer")
    assert device.name == "Work laptop"
    credentials = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1

    page.get_by_role("button", name="Log out").click()
    password_step(page, "legal_reviewer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    found += serious_violations(page)
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    page.goto("/committee/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")

    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
    assert SecurityEvent.objects.filter(kind="mfa_enrolled", username="legal_reviewer", details__device="passkey")
    device.refresh_from_db()
    assert device.last_used_at is not None
    assert (
        session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"][0]["signCount"]
        >= 1
    )


def test_signing_ten_minutes_later_takes_the_password_and_the_passkey(people, browse, relying_party):
    assessment = advance(people, create_draft(people, name="Routing one"), State.LEGAL_REVIEW)
    page = browse(people.reviewers["legal"])
    virtual_authenticator(page.context, page)
    page.goto("/account/security/")
    page.get_by_label("Name of the new passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")

    age_the_session(page, 600)
    action = open_approve(page, assessment)
    expect(action.get_by_role("group", name="Sign with your password and your passkey")).to_be_visible()
    action.get_by_label("Password").fill(PASSWORD)
    action.get_by_role("button", name="Approve (sign off)").click()
    expect(page.get_by_text("You signed off")).to_be_visible()

    assert SignOff.objects.get(assessment=assessment).reviewer == people.reviewers["legal"]
    assert SecurityEvent.objects.filter(kind="reauthenticated", username="legal_reviewer").exists()
