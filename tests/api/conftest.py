import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.signing_client import SigningClient


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    """An API client acting as ``user`` (anonymous when None); ``signs=False`` adds no password to signing acts."""

    def make(user=None, *, signs=True):
        client = SigningClient() if signs else APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
