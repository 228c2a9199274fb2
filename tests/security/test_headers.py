"""Security headers on every kind of response, and pages that need no inline script or style.

Every response - HTML pages of each kind, their error pages, API JSON, the API
docs, the admin, static files - carries the same strict Content-Security-Policy,
Referrer-Policy, Permissions-Policy, X-Content-Type-Options and frame denial.
"""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.tokens import token_create
from assessments.models import Condition, State
from tests.factories import PASSWORD
from tests.workflow import advance, create_draft

STRICT_CSP = {
    "default-src": {"'none'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "manifest-src": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}
DOCS_CSP = {**STRICT_CSP, "img-src": {"'self'", "data:"}}


def parse_csp(header):
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        assert name not in directives, f"{name} given twice"
        directives[name] = set(sources)
    return directives


def assert_security_headers(response, csp=STRICT_CSP):
    assert parse_csp(response["Content-Security-Policy"]) == csp
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature
    # Passkeys (accounts/passkeys.py): this site's own pages create and use them, nothing framed.
    for feature in ("publickey-credentials-create", "publickey-credentials-get"):
        assert policy[feature] == "(self)", feature


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=|javascript:|hx-on|hx-vals=['\"]js:", re.IGNORECASE)


def assert_no_inline_code(response):
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)


@pytest.fixture
def site(people):
    """An assessment with changes requested (editable, with a sign-off) and one approved with a condition."""
    editable = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    approved = advance(people, create_draft(people), State.APPROVED)
    Condition.objects.create(
        assessment=approved,
        sign_off=approved.sign_offs.first(),
        text="Publish the disclosure.",
        owner=people.alice,
        due_date="2099-01-01",
        created_at=approved.updated_at,
    )
    return editable, approved


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def html_pages(people, site):
    editable, approved = site
    alice, legal = as_user(people.alice), as_user(people.reviewers["legal"])
    chair, auditor = as_user(people.chair), as_user(people.auditor)
    return {
        "login": (Client(), reverse("login"), 200),
        "home, team": (alice, reverse("home"), 200),
        "home, reviewer": (legal, reverse("home"), 200),
        "home, chair": (chair, reverse("home"), 200),
        "home, auditor": (auditor, reverse("home"), 200),
        "list": (alice, reverse("assessment_list"), 200),
        "list, bad filter": (alice, reverse("assessment_list") + "?state=nope", 400),
        "new form": (alice, reverse("assessment_new"), 200),
        "edit form": (alice, reverse("assessment_edit", args=[editable.pk]), 200),
        "assessment page, team": (alice, reverse("assessment_detail", args=[approved.pk]), 200),
        "assessment page, reviewer": (legal, reverse("assessment_detail", args=[editable.pk]), 200),
        "queue": (legal, reverse("queue"), 200),
        "no queue (problem page)": (alice, reverse("queue"), 403),
        "inbox": (alice, reverse("inbox"), 200),
        "audit trail": (auditor, reverse("audit_trail"), 200),
        "not found": (alice, "/no-such-page/", 404),
        "not visible": (as_user(people.olga), reverse("assessment_detail", args=[editable.pk]), 404),
        "admin": (as_user(people.admin), reverse("admin:index"), 200),
        "admin list": (as_user(people.admin), reverse("admin:assessments_assessment_changelist"), 200),
        "admin login": (Client(), reverse("admin:login"), 200),
    }


PAGE_NAMES = [
    "login",
    "home, team",
    "home, reviewer",
    "home, chair",
    "home, auditor",
    "list",
    "list, bad filter",
    "new form",
    "edit form",
    "assessment page, team",
    "assessment page, reviewer",
    "queue",
    "no queue (problem page)",
    "inbox",
    "audit trail",
    "not found",
    "not visible",
    "admin",
    "admin list",
    "admin login",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_type_has_the_security_headers_and_no_inline_code(people, site, name):
    client, url, status = html_pages(people, site)[name]

    response = client.get(url)

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_the_page_list_covers_every_page_defined_here(people, site):
    assert set(html_pages(people, site)) == set(PAGE_NAMES)


def test_the_live_panel_fragment_and_form_errors_have_them(people, site):
    editable, _ = site
    client = as_user(people.alice)

    fragment = client.post(reverse("assessment_preview", args=[editable.pk]), {}, HTTP_HX_REQUEST="true")
    invalid = client.post(reverse("assessment_new"), {"feature_name": ""})

    for response in (fragment, invalid):
        assert response.status_code in (200, 400)
        assert_security_headers(response)
        assert_no_inline_code(response)


def test_the_lockout_and_address_limit_pages_have_them(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    limited = client.post(reverse("login"), {"username": "ben", "password": PASSWORD})

    assert locked.status_code == 429 and "Too many failed log-ins" in locked.content.decode()
    assert limited.status_code == 429 and "from your network" in limited.content.decode()
    assert AccessAttempt.objects.filter(username="alice").exists()
    for response in (locked, limited):
        assert_security_headers(response)
        assert_no_inline_code(response)


@pytest.mark.urls("tests.security.boom_urls")
def test_the_server_error_page_has_them(people):
    client = as_user(people.alice)
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_disallowed_methods_have_them(people):
    response = as_user(people.alice).options(reverse("home"))

    assert response.status_code == 405
    assert_security_headers(response)


def test_api_responses_have_them(people, site):
    editable, _ = site
    token = token_create(user=people.alice).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    responses = [
        client.get("/api/v1/assessments/"),
        client.get(f"/api/v1/assessments/{editable.pk}/"),
        client.get("/api/v1/assessments/999999/"),
        Client().get("/api/v1/assessments/"),
        Client().post("/api/v1/auth/token/", {"username": "alice", "password": "x"}, content_type="application/json"),
        client.get("/api/schema/"),
    ]

    assert [r.status_code for r in responses] == [200, 200, 404, 401, 400, 200]
    for response in responses:
        assert_security_headers(response)


def test_the_api_docs_page_has_them_and_allows_only_data_images_besides(db):
    page = Client().get("/api/docs/")
    script = Client().get("/api/docs/?script=")

    assert page.status_code == script.status_code == 200
    assert_security_headers(page, csp=DOCS_CSP)
    assert_security_headers(script, csp=DOCS_CSP)
    assert_no_inline_code(page)


def test_static_files_have_them(db):
    response = Client().get("/static/css/app.css")

    assert response.status_code == 200
    assert_security_headers(response)


def test_https_responses_carry_hsts_in_the_production_profile(people, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    client = as_user(people.alice)

    for url in (reverse("home"), "/api/v1/assessments/", "/static/css/app.css"):
        response = client.get(url, secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", url


def test_plain_http_is_redirected_to_https_when_ssl_redirect_is_on(db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get(reverse("login"))

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_behind_a_proxy_its_https_header_counts_as_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    assert Client().get(reverse("login"), HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert Client().get(reverse("login"), HTTP_X_FORWARDED_PROTO="http").status_code == 301
