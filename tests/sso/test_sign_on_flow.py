"""Single sign-on through the real test provider, without a browser: an HTTP client follows the redirects.

Each test signs on as a provider user and checks what the site made of it: the account, its password, its
groups, its identity link, and the reason shown when the sign-on is refused.
"""

import pytest
import requests

from accounts import roles
from accounts.models import SecurityEvent, SingleSignOnIdentity

from ..factories import PASSWORD as LOCAL_PASSWORD
from ..factories import TeamFactory, UserFactory
from .helpers import login_at_provider

pytestmark = pytest.mark.django_db(transaction=True)


def sign_on(live_server, username, next_path="/"):
    """Start a sign-on at the site, sign in at the provider, and follow the redirects back; the last response."""
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/accounts/oidc/authenticate/", params={"next": next_path}, timeout=30)
    assert page.url.startswith("http://127.0.0.1:"), page.url  # the provider's login page
    return login_at_provider(browser, page, username)


def test_the_first_sign_on_creates_the_user_with_the_mapped_roles_and_no_password(
    sso_settings, identity_provider, live_server, django_user_model
):
    TeamFactory(slug="triage")
    identity_provider.user("nadia", groups=["leads", "team-triage"], first_name="Nadia", last_name="Haddad")
    landed = sign_on(live_server, "nadia", next_path="/committee/queue/")
    assert landed.status_code == 200 and landed.url == f"{live_server.url}/committee/queue/"
    nadia = django_user_model.objects.get(username="nadia")
    assert nadia.get_full_name() == "Nadia Haddad"
    assert set(nadia.groups.values_list("name", flat=True)) == {roles.LEGAL, roles.SECURITY, "team:triage"}
    assert not nadia.has_usable_password()
    identity = SingleSignOnIdentity.objects.get(user=nadia)
    assert identity.issuer == identity_provider.issuer and identity.last_login_at is not None
    login = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_LOGIN)
    assert login.user == nadia and login.details == {"new_user": True} and login.address == "127.0.0.1"


def test_an_sso_user_cannot_use_the_local_login_form(sso_settings, identity_provider, live_server, client):
    identity_provider.user("omar", groups=["legal-reviewers"])
    sign_on(live_server, "omar")
    response = client.post("/accounts/login/", {"username": "omar", "password": LOCAL_PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_local_password_is_switched_off_at_the_next_sign_on_unless_configured_otherwise(
    sso_settings, identity_provider, live_server, django_user_model
):
    identity_provider.user("omar", groups=[])
    sign_on(live_server, "omar")
    omar = django_user_model.objects.get(username="omar")
    omar.set_password(LOCAL_PASSWORD)
    omar.save()
    sso_settings.OIDC_DISABLE_LOCAL_PASSWORDS = False
    sign_on(live_server, "omar")
    omar.refresh_from_db()
    assert omar.check_password(LOCAL_PASSWORD)
    sso_settings.OIDC_DISABLE_LOCAL_PASSWORDS = True
    sign_on(live_server, "omar")
    omar.refresh_from_db()
    assert not omar.has_usable_password()


def test_a_local_account_of_the_same_name_is_not_taken_over(sso_settings, identity_provider, live_server):
    local = UserFactory(username="priya", roles=[roles.CHAIR])
    identity_provider.user("priya", groups=["legal-reviewers"])
    refused = sign_on(live_server, "priya")
    assert refused.url == f"{live_server.url}/accounts/login/"
    assert "already exists here and is not linked" in refused.text
    assert not SingleSignOnIdentity.objects.exists()
    assert set(local.groups.values_list("name", flat=True)) == {roles.CHAIR}
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert failed.details == {"method": "sso", "reason": "username_taken"}


def test_a_deactivated_user_is_refused_and_keeps_their_groups(
    sso_settings, identity_provider, live_server, django_user_model
):
    identity_provider.user("omar", groups=["legal-reviewers"])
    sign_on(live_server, "omar")
    django_user_model.objects.filter(username="omar").update(is_active=False)
    identity_provider.user("omar", groups=[])
    refused = sign_on(live_server, "omar")
    assert "This account is deactivated here." in refused.text
    assert django_user_model.objects.get(username="omar").groups.filter(name=roles.LEGAL).exists()
