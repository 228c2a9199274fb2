import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from assessments import transitions
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


class SigningClient(APIClient):
    """An API client whose signing acts (approve, request changes, reject) carry the test users' known password.

    Signing through the API needs the signer's password (accounts/reauth.py); the tests of that rule use
    ``client_for(user, signs=False)`` to send what they choose.
    """

    def post(self, path, data=None, format=None, *args, **kwargs):
        if (
            path.endswith("/transitions/")
            and isinstance(data, dict)
            and "password" not in data
            and getattr(transitions.get(data.get("name")), "signs", False)
        ):
            data = {**data, "password": PASSWORD}
        return super().post(path, data, format, *args, **kwargs)


@pytest.fixture
def client_for():
    """An API client acting as ``user`` (anonymous when None); ``signs=False`` adds no password to signing acts."""

    def make(user=None, *, signs=True):
        client = SigningClient() if signs else APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
