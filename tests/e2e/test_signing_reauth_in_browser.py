"""A signer re-authenticates in the browser when their last log-in is older than SIGNING_REAUTH_SECONDS."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from accounts.reauth import SESSION_KEY
from assessments.models import SignOff, State

from ..factories import PASSWORD
from ..workflow import advance, create_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def age_the_session(page, seconds):
    """Move the session's last re-authentication ``seconds`` into the past (as if signed in that long ago)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_KEY] = (timezone.now() - timedelta(seconds=seconds)).timestamp()
    session.save()


def open_approve(page, assessment):
    page.goto(f"/assessments/{assessment.pk}/")
    action = page.locator("#actions-side .action-approve")
    action.locator("summary").click()
    return action


def test_approving_ten_minutes_after_log_in_asks_for_the_password(people, browse, artifacts):
    first = advance(people, create_draft(people, name="Routing one"), State.LEGAL_REVIEW)
    second = advance(people, create_draft(people, name="Routing two"), State.LEGAL_REVIEW)
    page = browse(people.reviewers["legal"])

    # Just after logging in: one click signs.
    action = open_approve(page, first)
    expect(action.get_by_label("Password")).to_have_count(0)
    action.get_by_role("button", name="Approve (sign off)").click()
    expect(page.get_by_text("You signed off")).to_be_visible()

    # Ten minutes later: the sign form asks for the password, refuses a wrong one, signs with the right one.
    age_the_session(page, 600)
    action = open_approve(page, second)
    expect(action.get_by_role("group", name=re.compile("Sign with your password"))).to_be_visible()
    action.get_by_label("Password").fill("not-it")
    action.get_by_role("button", name="Approve (sign off)").click()
    expect(page.get_by_text("That password is not right.").first).to_be_visible()
    assert not SignOff.objects.filter(assessment=second).exists()
    action = page.locator("#actions-side .action-approve")
    action.get_by_label("Password").fill(PASSWORD)
    action.get_by_role("button", name="Approve (sign off)").click()
    expect(page.get_by_text("You signed off")).to_be_visible()

    sign_off = SignOff.objects.get(assessment=second)
    manifestation = page.locator("[data-manifestation]").first
    expect(manifestation).to_contain_text("Approved as Legal reviewer by Legal_reviewer (legal_reviewer) at")
    expect(manifestation).to_contain_text(sign_off.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"))
    page.screenshot(path=artifacts / "signed.png", full_page=True)
