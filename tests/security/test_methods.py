"""HTML views answer only the methods they use; OPTIONS and TRACE get 405, never the page."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD

# Every HTML route, with the methods it uses (HEAD comes with GET).
HTML_ROUTES = {
    "favicon.ico": {"GET"},
    "home": {"GET"},
    "assessment_list": {"GET"},
    "assessment_new": {"GET", "POST"},
    "assessment_preview_new": {"POST"},
    "assessment_detail": {"GET"},
    "assessment_edit": {"GET", "POST"},
    "assessment_preview": {"POST"},
    "assessment_transition": {"POST"},
    "condition_met": {"POST"},
    "condition_confirm": {"POST"},
    "condition_reopen": {"POST"},
    "bias_template": {"GET"},
    "bias_upload": {"POST"},
    "bias_upload_confirm": {"POST"},
    "bias_upload_cancel": {"POST"},
    "bias_row_add": {"POST"},
    "bias_justification_add": {"POST"},
    "bias_mitigation_add": {"POST"},
    "question_comment_create": {"POST"},
    "reports_bias_csv": {"GET"},
    "audit_trail": {"GET"},
    "queue": {"GET"},
    "inbox": {"GET"},
    "notification_read": {"POST"},
    "notifications_read_all": {"POST"},
    "notice_preferences": {"GET", "POST"},
    "stage_nudge": {"POST"},
    "reports_workspace": {"GET"},
    "reports_assessments_csv": {"GET"},
    "reports_assessment": {"GET"},
    "reports_audit_package": {"GET"},
    "dossier_pdf": {"GET"},
    "reports_downloads": {"GET"},
    "reports_verify": {"GET", "POST"},
    "verify": {"GET", "POST"},
    "reports_analytics": {"GET"},
    "reports_analytics_csv": {"GET"},
    "login": {"GET", "POST"},
    "admin_login": {"GET", "POST"},
    "logout": {"POST"},
    "oidc_authentication_init": {"GET"},
    "oidc_authentication_callback": {"GET"},
    "security_events": {"GET"},
    "delegations": {"GET", "POST"},
    "delegation_stop": {"POST"},
    "condition_drop": {"POST"},
    "condition_edit": {"POST"},
    "condition_evidence_file": {"GET"},
    "login_second_factor": {"GET", "POST"},
    "account_security": {"GET"},
    "account_security_totp_start": {"POST"},
    "account_security_totp": {"GET", "POST"},
    "account_security_totp_remove": {"POST"},
    "account_security_recovery_codes": {"POST"},
    "account_security_passkey_options": {"POST"},
    "account_security_passkey_add": {"POST"},
    "account_security_passkey_remove": {"POST"},
    "account_security_passkey_sign_options": {"POST"},
    "login_passkey_options": {"POST"},
    "register": {"GET"},
    "register_json": {"GET"},
    "register_csv": {"GET"},
    "register_atrs": {"GET"},
    "register_algoritmeregister": {"GET"},
    "register_texts": {"GET"},
    "register_text": {"GET", "POST"},
}
ARGS = {"pk": 1, "name": "submit", "sha256": "0" * 64}


def html_urls():
    """(name, path) for every route outside the admin and the API, found by walking the URLconf."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(("admin/", "api/")):
                    continue
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                if route.startswith("admin/") and pattern.name != "admin_login":
                    continue
                name = pattern.name or route
                arguments = getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex
                kwargs = {key: ARGS[key] for key in arguments}
                found.append((name, reverse(pattern.name, kwargs=kwargs) if pattern.name else "/" + route))

    walk(get_resolver().url_patterns)
    return found


def test_the_route_table_here_is_every_html_route():
    assert {name for name, _ in html_urls()} == set(HTML_ROUTES)


@pytest.fixture
def logged_in(people):
    client = Client()
    client.force_login(people.alice)
    return client


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_options_and_trace_are_refused_everywhere(people, logged_in, method, who):
    client = logged_in if who == "alice" else Client()
    for name, url in html_urls():
        response = client.generic(method, url)
        assert response.status_code == 405, (name, url, response.status_code)
        assert b"<html" not in response.content.lower(), name
        assert set(response["Allow"].split(", ")) == HTML_ROUTES[name] | ({"HEAD"} & _head(name)), name


def _head(name):
    return {"HEAD"} if "GET" in HTML_ROUTES[name] else set()


def test_each_view_refuses_the_methods_it_does_not_use(people, logged_in):
    for name, url in html_urls():
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - HTML_ROUTES[name]:
            response = logged_in.generic(method, url)
            assert response.status_code == 405, (name, method, response.status_code)


def test_head_is_answered_like_get_without_a_body(people, logged_in):
    response = logged_in.head(reverse("home"))

    assert response.status_code == 200
    assert response.content == b""


def test_logging_in_still_works_and_logging_out_needs_a_post(people):
    client = Client()
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
