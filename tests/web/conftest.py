import pytest
from django.test import Client


@pytest.fixture
def login(db):
    """``login(user)`` returns a test client with that user's session (axes needs a request to authenticate,
    so the client's own login() is not used here; the browser tests log in through the real form)."""

    def make(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make
