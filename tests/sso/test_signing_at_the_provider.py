"""An account without a local password signs by signing in again at the real test provider (accounts/sso_reauth.py).

An HTTP client plays the browser: it signs on, lets its re-authentication grow old, posts an approval, and follows
the site to the provider and back. The provider is the real one (tests/oidc_provider), with no mocked endpoint.
"""

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from accounts import reauth
from accounts.models import SecurityEvent
from assessments.models import SignOff, State

from ..workflow import advance, create_draft
from .helpers import login_at_provider, messages_of

pytestmark = pytest.mark.django_db(transaction=True)


def client_signed_on(live_server, identity_provider, username, groups=("legal-reviewers",)):
    identity_provider.user(username, groups=list(groups), first_name=username.title(), last_name="Reviewer")
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/accounts/oidc/authenticate/", timeout=30)
    login_at_provider(browser, page, username)
    return browser


def age_reauthentication(browser, seconds=600):
    session = SessionStore(session_key=browser.cookies.get(settings.SESSION_COOKIE_NAME))
    session[reauth.SESSION_KEY] = (timezone.now() - timedelta(seconds=seconds)).timestamp()
    session.save()


def session_of(browser):
    return SessionStore(session_key=browser.cookies.get(settings.SESSION_COOKIE_NAME)).load()


def post_approve(browser, live_server, assessment, comment):
    """Post the approve form of the assessment page as the browser would; the response, not followed."""
    page = browser.get(f"{live_server.url}/assessments/{assessment.pk}/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        live_server.url + reverse("assessment_transition", args=[assessment.pk, "approve"]),
        data={"csrfmiddlewaretoken": token, "comment": comment, "expected_state": assessment.state},
        allow_redirects=False,
        timeout=30,
    )


def form_action(response):
    """The sources of the page's Content-Security-Policy ``form-action``."""
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        if name == "form-action":
            return sources
    return None


def without(url, *names):
    parts = urlparse(url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k not in names}
    return urlunparse(parts._replace(query=urlencode(query, doseq=True)))


@pytest.fixture
def in_legal_review(people):
    return advance(people, create_draft(people, name="Triage assistant"), State.LEGAL_REVIEW)


def test_a_stale_auth_time_is_refused(sso_settings, identity_provider, live_server, in_legal_review):
    sso_settings.OIDC_REAUTH_MAX_AGE = 1
    browser = client_signed_on(live_server, identity_provider, "omar")
    time.sleep(2.5)  # the provider's login is now older than OIDC_REAUTH_MAX_AGE
    age_reauthentication(browser)

    sent = post_approve(browser, live_server, in_legal_review, "Fine by Legal.")
    assert sent.status_code == 302
    authorize = sent.headers["Location"]
    asked = parse_qs(urlparse(authorize).query)
    assert authorize.startswith(identity_provider.issuer + "/authorize/")
    assert asked["prompt"] == ["login"] and asked["max_age"] == ["1"]
    # The provider honours both: with either, it asks for the password again.
    assert "Test identity provider" in browser.get(authorize, timeout=30).text
    assert "Test identity provider" in browser.get(without(authorize, "prompt"), timeout=30).text

    # Stripped of both on the way (or a provider that ignores them), it answers with its session's old login.
    back = browser.get(without(authorize, "prompt", "max_age"), timeout=30)
    assert back.url == f"{live_server.url}/assessments/{in_legal_review.pk}/#action-approve"
    assert any("a signature needs a fresh sign-in there" in m for m in messages_of(back))
    assert not SignOff.objects.filter(assessment=in_legal_review).exists()
    assert not reauth.is_fresh(type("R", (), {"session": session_of(browser)})())
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.REAUTH_FAILED)
    assert failed.username == "omar" and failed.details == {"via": "sso", "reason": "auth_time_stale"}
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REAUTHENTICATED).exists()


def test_another_provider_account_is_refused(
    sso_settings, identity_provider, live_server, in_legal_review, django_user_model
):
    client_signed_on(live_server, identity_provider, "mallory")
    browser = client_signed_on(live_server, identity_provider, "omar")
    age_reauthentication(browser)

    sent = post_approve(browser, live_server, in_legal_review, "Fine by Legal.")
    back = login_at_provider(browser, browser.get(sent.headers["Location"], timeout=30), "mallory")

    assert back.url == f"{live_server.url}/assessments/{in_legal_review.pk}/#action-approve"
    assert any("as another person" in m for m in messages_of(back))
    session = session_of(browser)
    omar = django_user_model.objects.get(username="omar")
    assert session["_auth_user_id"] == str(omar.pk)  # still omar, not signed in as mallory
    assert reauth.SESSION_KEY in session and time.time() - session[reauth.SESSION_KEY] > 500
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.REAUTH_FAILED)
    mallory = django_user_model.objects.get(username="mallory")
    assert failed.user == omar and failed.details["reason"] == "other_account"
    assert failed.details["subject"] == mallory.sso_identities.get().subject
    assert not SignOff.objects.filter(assessment=in_legal_review).exists()


def test_a_fresh_login_at_the_provider_lets_the_user_sign(
    sso_settings, identity_provider, live_server, in_legal_review, django_user_model
):
    browser = client_signed_on(live_server, identity_provider, "omar")
    age_reauthentication(browser)
    page = browser.get(f"{live_server.url}/assessments/{in_legal_review.pk}/", timeout=30)
    assert "Confirm with Test IdP" in page.text and 'name="password"' not in page.text
    # The page lets its sign form continue to the provider (CSP form-action covers the redirect).
    origin = identity_provider.issuer.removesuffix("/o")
    assert form_action(page) == ["'self'", origin]

    sent = post_approve(browser, live_server, in_legal_review, "Fine by Legal, see the DPA.")
    assert not SignOff.objects.filter(assessment=in_legal_review).exists()
    back = login_at_provider(browser, browser.get(sent.headers["Location"], timeout=30), "omar")

    # Back on the page: the approve panel is open with the comment typed before, and one click signs.
    assert back.url == f"{live_server.url}/assessments/{in_legal_review.pk}/#action-approve"
    assert any("Confirmed with Test IdP: you can sign now." in m for m in messages_of(back))
    assert re.search(r'<details class="action action-approve" id="action-approve" open>', back.text)
    assert "Fine by Legal, see the DPA.</textarea>" in back.text
    assert "Confirm with Test IdP" not in back.text
    signed = post_approve(browser, live_server, in_legal_review, "Fine by Legal, see the DPA.")
    assert signed.status_code == 302

    omar = django_user_model.objects.get(username="omar")
    sign_off = SignOff.objects.get(assessment=in_legal_review)
    assert sign_off.reviewer == omar and sign_off.comment == "Fine by Legal, see the DPA."
    assert (sign_off.signer_name, sign_off.signer_username) == ("Omar Reviewer", "omar")
    shown = browser.get(f"{live_server.url}/assessments/{in_legal_review.pk}/", timeout=30).text
    assert "Approved as Legal reviewer by Omar Reviewer (omar) at" in re.sub(r"\s+", " ", shown)
    confirmed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.REAUTHENTICATED)
    assert confirmed.user == omar and confirmed.details["via"] == "sso"
    assert abs(confirmed.details["auth_time"] - time.time()) < 60
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REAUTH_FAILED).exists()


def test_a_refusal_at_the_provider_returns_to_the_page_still_signed_in(
    sso_settings, identity_provider, live_server, in_legal_review, django_user_model
):
    browser = client_signed_on(live_server, identity_provider, "omar")
    age_reauthentication(browser)
    sent = post_approve(browser, live_server, in_legal_review, "Fine by Legal.")
    state = parse_qs(urlparse(sent.headers["Location"]).query)["state"][0]

    # The person cancels at the provider, which answers with an error (OpenID Connect Core 3.1.2.6).
    back = browser.get(
        f"{live_server.url}/accounts/oidc/callback/", params={"error": "access_denied", "state": state}, timeout=30
    )
    assert back.url == f"{live_server.url}/assessments/{in_legal_review.pk}/#action-approve"
    assert any("the identity provider answered &#x27;access_denied&#x27;" in m for m in messages_of(back))
    assert session_of(browser)["_auth_user_id"] == str(django_user_model.objects.get(username="omar").pk)
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.REAUTH_FAILED)
    assert failed.details == {"via": "sso", "reason": "provider_error"}
    # The state was used once: its answer cannot be replayed.
    again = browser.get(f"{live_server.url}/accounts/oidc/callback/", params={"code": "x", "state": state}, timeout=30)
    assert again.url == f"{live_server.url}/accounts/login/"
    assert any("started in another session or has expired" in m for m in messages_of(again))
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REAUTHENTICATED).count() == 0


def test_an_unreachable_provider_is_said_on_the_page(sso_settings, identity_provider, live_server, in_legal_review):
    browser = client_signed_on(live_server, identity_provider, "omar")
    age_reauthentication(browser)
    sso_settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/o"  # nothing listens there

    sent = post_approve(browser, live_server, in_legal_review, "Fine by Legal.")
    assert sent.status_code == 302 and sent.headers["Location"].startswith(f"/assessments/{in_legal_review.pk}/")
    back = browser.get(live_server.url + sent.headers["Location"], timeout=30)
    assert any("could not be read" in m for m in messages_of(back))
    assert form_action(back) == ["'self'"]
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.REAUTH_FAILED)
    assert failed.details == {"via": "sso", "reason": "provider_unavailable"}
    assert not SignOff.objects.filter(assessment=in_legal_review).exists()
