"""In the browser: a Legal reviewer who must have a second factor enrols an authenticator, then signs in with it."""

import base64
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import expect

from ..factories import PASSWORD
from .conftest import DESKTOP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def serious_violations(page):
    """axe-core's serious or critical findings on the page, as ``id: target`` lines."""
    results = Axe().run(page).response
    return [
        f"{page.url} {v['id']}: {node['target']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def app_code(secret, steps_ahead=0):
    """The code an authenticator app shows for the secret typed into it."""
    return f"{totp(base64.b32decode(secret), drift=steps_ahead):06d}"


def password_step(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_enrol_an_authenticator_then_sign_in_with_its_code(people, new_context, live_server, settings, artifacts):
    settings.MFA_REQUIRED_FOR = ["legal"]
    page = new_context(base_url=live_server.url, viewport=DESKTOP).new_page()
    page.set_default_timeout(10_000)

    password_step(page, "legal_reviewer")
    # The role requires a second factor: the queue sends them to enrol.
    page.goto("/committee/queue/")
    expect(page).to_have_url(re.compile(r"/account/security/$"))
    expect(page.get_by_role("status").filter(has_text="Your role requires a second factor")).to_be_visible()

    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code of the secret below")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    found = serious_violations(page)
    page.screenshot(path=artifacts / "totp-setup.png", full_page=True)
    page.get_by_label("The six-digit code your app shows").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    found += serious_violations(page)
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    found += serious_violations(page)

    page.get_by_role("button", name="Log out").click()
    password_step(page, "legal_reviewer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    found += serious_violations(page)
    page.get_by_label("Code", exact=True).fill(app_code(secret, 1))  # the next step's code: each code is accepted once
    page.get_by_role("button", name="Verify").click()

    page.goto("/committee/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
