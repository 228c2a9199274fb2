"""What the site does with a sign-on that cannot complete: a clear message on the login page, never a 500.

The provider's answers are given here (its discovery, token and userinfo responses), so that each refusal can
be produced exactly; tests/sso/test_sign_on_flow.py and the browser test use the real provider.
"""

import time

import pytest
from django.contrib.messages import get_messages
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import roles
from accounts.models import SecurityEvent
from accounts.signals import roles_changed
from accounts.sso_backend import SignOnRefused, SingleSignOnBackend
from accounts.sso_discovery import Provider, forget_provider

from ..factories import UserFactory

ISSUER = "https://idp.example.org"
PROVIDER = Provider(
    issuer=ISSUER,
    authorization_endpoint=f"{ISSUER}/authorize",
    token_endpoint=f"{ISSUER}/token",
    userinfo_endpoint=f"{ISSUER}/userinfo",
    jwks_uri=f"{ISSUER}/jwks",
)


@pytest.fixture
def configured(settings, monkeypatch):
    settings.OIDC_DISCOVERY_URL = ISSUER
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_PROVIDER_NAME = "Example IdP"
    settings.OIDC_ROLE_MAP = "legal-reviewers=legal"
    monkeypatch.setattr("accounts.sso_backend.provider", lambda: PROVIDER)
    monkeypatch.setattr("accounts.sso_views.provider", lambda: PROVIDER)
    return settings


def provider_answers(monkeypatch, claims):
    """The token endpoint answers with tokens whose verified ID token is ``claims``; userinfo repeats them."""
    monkeypatch.setattr(SingleSignOnBackend, "get_token", lambda self, payload: {"id_token": "t", "access_token": "a"})
    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, token, **kwargs: dict(claims))
    monkeypatch.setattr(SingleSignOnBackend, "get_userinfo", lambda self, access, id_token, payload: dict(claims))


def callback(client, nonce="n"):
    session = client.session
    session["oidc_states"] = {"s": {"nonce": nonce, "code_verifier": "v" * 64, "added_on": time.time()}}
    session.save()
    return client.get("/accounts/oidc/callback/", {"code": "c", "state": "s"})


def shown(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def claims(**extra):
    return {"iss": ISSUER, "aud": "client", "sub": "subject-1", "nonce": "n", "preferred_username": "sam", **extra}


@pytest.mark.django_db
def test_a_groups_claim_that_is_not_a_list_refuses_the_sign_on_with_its_reason(configured, client, monkeypatch):
    provider_answers(monkeypatch, claims(groups="legal-reviewers"))
    response = callback(client)
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert shown(response) == [
        "Single sign-on with Example IdP did not complete: The identity provider's 'groups' claim is a str, "
        "not a list of group names."
    ]
    failed = SecurityEvent.objects.get()
    assert failed.kind == SecurityEvent.Kind.LOGIN_FAILED
    assert failed.details == {"method": "sso", "reason": "groups_claim_invalid"}
    assert not UserFactory._meta.model.objects.filter(username="sam").exists()


@pytest.mark.django_db
def test_a_good_answer_signs_in_and_records_the_roles(configured, client, monkeypatch):
    provider_answers(monkeypatch, claims(groups=["legal-reviewers"]))
    response = callback(client)
    assert response.status_code == 302 and response.url == "/"
    assert client.session["_auth_user_backend"] == "accounts.sso_backend.SingleSignOnBackend"
    events = {e.kind: e for e in SecurityEvent.objects.all()}
    assert set(events) == {SecurityEvent.Kind.SSO_LOGIN, SecurityEvent.Kind.SSO_ROLES_CHANGED}
    assert events[SecurityEvent.Kind.SSO_ROLES_CHANGED].details == {
        "added": [roles.LEGAL],
        "removed": [],
        "issuer": ISSUER,
    }


@pytest.mark.django_db
def test_the_roles_changed_signal_carries_the_change(
    configured, client, monkeypatch, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["user"].username, kwargs["added"], kwargs["removed"], kwargs["source"]))

    roles_changed.connect(listener)
    try:
        provider_answers(monkeypatch, claims(groups=["legal-reviewers"]))
        with django_capture_on_commit_callbacks(execute=True):
            callback(client)
    finally:
        roles_changed.disconnect(listener)
    assert heard == [("sam", (roles.LEGAL,), (), "sso")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("token", "says"),
    [
        (claims(iss="https://elsewhere.example.org"), "issued by another provider"),
        (claims(aud="another-client"), "issued to another client"),
        (claims(aud=["another-client", "yet-another"]), "issued to another client"),
        (claims(sub=""), "names no subject"),
    ],
)
def test_an_id_token_for_someone_else_is_refused(configured, client, monkeypatch, token, says):
    provider_answers(monkeypatch, token)
    response = callback(client)
    assert response.url == "/accounts/login/" and says in shown(response)[0]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_userinfo_about_another_subject_is_refused(configured, client, monkeypatch):
    provider_answers(monkeypatch, claims(groups=[]))
    monkeypatch.setattr(SingleSignOnBackend, "get_userinfo", lambda *a: claims(sub="subject-2"))
    response = callback(client)
    assert "about someone else" in shown(response)[0]


@pytest.mark.django_db
def test_a_token_endpoint_error_is_a_message_not_a_500(configured, client, monkeypatch):
    import requests

    def fails(self, payload):
        raise requests.HTTPError("Get Token Error (status: 400)")

    monkeypatch.setattr(SingleSignOnBackend, "get_token", fails)
    response = callback(client)
    assert response.status_code == 302
    assert shown(response) == [
        "Single sign-on with Example IdP did not complete: The identity provider's answer could not be verified."
    ]


@pytest.mark.django_db
def test_a_callback_this_session_did_not_start_is_refused(configured, client):
    response = client.get("/accounts/oidc/callback/", {"code": "c", "state": "forged"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    session = client.session
    session["oidc_states"] = {"other": {"nonce": "n", "code_verifier": None, "added_on": time.time()}}
    session.save()
    response = client.get("/accounts/oidc/callback/", {"code": "c", "state": "forged"})
    assert response.status_code == 302 and "started in another session" in shown(response)[0]


@pytest.mark.django_db
def test_the_provider_refusing_is_shown(configured, client):
    response = client.get("/accounts/oidc/callback/", {"error": "access_denied", "state": "s"})
    assert response.url == "/accounts/login/" and "'access_denied'" in shown(response)[0]


@pytest.mark.django_db
def test_the_start_sends_the_browser_to_the_provider_with_pkce_and_the_scopes(configured, client):
    response = client.get("/accounts/oidc/authenticate/", {"next": "/committee/queue/"})
    assert response.status_code == 302 and response.url.startswith(f"{ISSUER}/authorize?")
    for part in ("client_id=client", "code_challenge_method=S256", "scope=openid+email+profile+groups", "nonce="):
        assert part in response.url
    assert client.session["oidc_login_next"] == "/committee/queue/"


@pytest.mark.django_db
def test_an_unreachable_provider_is_a_message_not_a_500(settings, client):
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/nothing-listens-here"
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_TIMEOUT = 2
    forget_provider()
    response = client.get("/accounts/oidc/authenticate/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert "could not be read" in shown(response)[0]


@pytest.mark.django_db
def test_without_configuration_there_is_no_single_sign_on(client):
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/", {"code": "c", "state": "s"}).status_code == 404
    page = client.get("/accounts/login/")
    assert "Sign in with" not in page.text and 'name="password"' in page.text


@pytest.mark.django_db
def test_the_login_page_offers_the_provider_when_configured(configured, client):
    page = client.get("/accounts/login/?next=/committee/queue/")
    assert "Sign in with Example IdP" in page.text
    assert 'href="/accounts/oidc/authenticate/?next=/committee/queue/"' in page.text
    assert 'name="password"' in page.text  # local accounts (the admin) still log in


@pytest.mark.django_db
def test_the_backend_ignores_the_local_login_forms_credentials(configured, rf):
    request = rf.get("/accounts/oidc/callback/", {"code": "c", "state": "s"})
    assert SingleSignOnBackend().authenticate(request, username="sam", password="x") is None


def test_verify_token_checks_the_audience_directly(monkeypatch, settings):
    backend = SingleSignOnBackend()
    backend.provider, backend.OIDC_RP_CLIENT_ID = PROVIDER, "client"
    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, token, **kw: claims(aud="x"))
    with pytest.raises(SignOnRefused):
        backend.verify_token("t", nonce="n")
