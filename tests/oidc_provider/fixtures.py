"""pytest fixtures: a running test identity provider, and the site's OIDC_* settings pointing at it."""

import pytest

from accounts.sso_discovery import forget_provider

from . import server

ROLE_MAP = "legal-reviewers=legal,security-reviewers=security,team-triage=team:triage,leads=legal,leads=security"


@pytest.fixture(scope="session")
def identity_provider(live_server, tmp_path_factory):
    """The provider process for this test session, with the site's live server registered as its client."""
    provider = server.start(tmp_path_factory.mktemp("idp"), f"{live_server.url}/accounts/oidc/callback/")
    yield provider
    server.stop(provider)


@pytest.fixture
def sso_settings(settings, identity_provider):
    """Single sign-on on, against the test provider."""
    settings.OIDC_DISCOVERY_URL = identity_provider.issuer
    settings.OIDC_RP_CLIENT_ID = server.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = server.CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.OIDC_ROLE_MAP = ROLE_MAP
    forget_provider()
    yield settings
    forget_provider()
