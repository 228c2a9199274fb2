"""The rule on the ID token's auth_time when a signer confirms at the identity provider (accounts/sso_reauth.py)."""

import pytest
from django.core import checks

from accounts.sso_reauth import CLOCK_SKEW_SECONDS, auth_time_refusal

NOW = 1_800_000_000


@pytest.mark.parametrize("claims", [{}, {"auth_time": None}, {"auth_time": "1800000000"}, {"auth_time": True}])
def test_an_id_token_without_a_numeric_auth_time_is_refused(settings, claims):
    assert auth_time_refusal(claims, now=NOW)[0] == "auth_time_missing"


def test_auth_time_must_be_within_the_window(settings):
    settings.OIDC_REAUTH_MAX_AGE = 60
    assert auth_time_refusal({"auth_time": NOW}, now=NOW) is None
    assert auth_time_refusal({"auth_time": NOW - 60}, now=NOW) is None
    assert auth_time_refusal({"auth_time": NOW - 61}, now=NOW)[0] == "auth_time_stale"
    assert auth_time_refusal({"auth_time": NOW + CLOCK_SKEW_SECONDS}, now=NOW) is None
    assert auth_time_refusal({"auth_time": NOW + CLOCK_SKEW_SECONDS + 1}, now=NOW)[0] == "auth_time_stale"


@pytest.mark.parametrize("seconds, refused", [(0, True), (-5, True), (1, False), (60, False)])
def test_the_window_must_be_a_positive_number_of_seconds(settings, seconds, refused):
    settings.OIDC_DISCOVERY_URL = "https://idp.example.org"
    settings.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_SECRET = "x"
    settings.OIDC_REAUTH_MAX_AGE = seconds
    found = [e.id for e in checks.run_checks() if e.id.startswith("accounts.")]
    assert found == (["accounts.E005"] if refused else [])
